// Which runtime snapshot a command judges against: --probe-file, else the cache of `probe` for the region and
// architecture (when both can be known), else the shipped list. The filesystem and the clock come in as a small
// interface so tests can swap them.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { runtimeView, type RuntimeView } from './judge.js';
import { shippedSnapshot } from './shipped.js';
import { isArchitecture, parseSnapshot, type Architecture, type RuntimeSnapshot } from './snapshot.js';

export interface RuntimeFiles {
  env: NodeJS.ProcessEnv;
  now(): Date;
  /** The file's text, or null when it does not exist; other failures throw. */
  readIfExists(path: string): string | null;
}

export interface RuntimeOptions {
  probeFile?: string;
  region?: string;
  arch?: string;
}

export interface RuntimeChoice {
  view: RuntimeView;
  /** Where the snapshot came from: a file (--probe-file or the cache), or null for the shipped list. */
  file: string | null;
  how: 'probe-file' | 'cache' | 'shipped';
  /** Whole days since the snapshot was taken (the shipped list: since it was last checked). */
  ageDays: number;
  /** Things to tell the user on stderr (a cache file that could not be used, ...). */
  notes: string[];
}

/** What `plan --json` and the report say about the runtime a plan was judged against. */
export interface RuntimeSummary {
  source: 'probe' | 'shipped';
  how: RuntimeChoice['how'];
  file: string | null;
  region: string | null;
  architecture: Architecture;
  takenAt: string;
  ageDays: number;
  runtimeVersionArn: string | null;
  glibc: string | null;
}

export function summarizeRuntime(c: RuntimeChoice): RuntimeSummary {
  const s = c.view.snapshot;
  return {
    source: s.source,
    how: c.how,
    file: c.file,
    region: s.region,
    architecture: s.architecture,
    takenAt: s.takenAt,
    ageDays: c.ageDays,
    runtimeVersionArn: s.runtimeVersionArn,
    glibc: s.glibc.version,
  };
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function parseRegion(value: string | undefined, flag = '--region'): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!REGION.test(value)) throw new UsageError(`${flag} "${value}" is not an AWS region name (for example eu-west-1)`);
  return value;
}

export function parseArch(value: string | undefined): Architecture | undefined {
  if (value === undefined) return undefined;
  if (!isArchitecture(value)) throw new UsageError(`--arch must be "x86_64" or "arm64", not "${value}"`);
  return value;
}

/** $XDG_CACHE_HOME/cron2lambda, else ~/.cache/cron2lambda. */
export function cacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.cache');
  return join(base, 'cron2lambda');
}

export function cachePath(env: NodeJS.ProcessEnv, region: string, architecture: Architecture): string {
  // region is validated (parseRegion) and architecture is one of two words: no path can be smuggled in.
  return join(cacheDir(env), `runtime-${region}-${architecture}.json`);
}

function ageDays(takenAt: string, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - Date.parse(takenAt)) / 86_400_000));
}

/** Read and validate a snapshot file; a bad one is an InputError that names the file and the field. */
export function readSnapshotFile(path: string, files: RuntimeFiles): RuntimeSnapshot | null {
  let text: string | null;
  try {
    text = files.readIfExists(path);
  } catch (e) {
    throw new InputError(`cannot read the runtime snapshot ${path}: ${(e as Error).message}`);
  }
  if (text === null) return null;
  const r = parseSnapshot(text);
  if (!r.ok) throw new InputError(`${path} is not a cron2lambda runtime snapshot: ${r.error}`);
  return r.value;
}

function staleNote(path: string, age: number, s: RuntimeSnapshot): string {
  return `the runtime snapshot ${path} is ${age} days old; run \`cron2lambda probe --region ${s.region ?? 'REGION'} --arch ${s.architecture}\` again to refresh it`;
}

export function chooseRuntime(options: RuntimeOptions, files: RuntimeFiles): RuntimeChoice {
  const arch = parseArch(options.arch);
  const region = parseRegion(options.region) ?? parseRegion(files.env.AWS_REGION, 'AWS_REGION') ?? parseRegion(files.env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION');
  const now = files.now();
  const notes: string[] = [];
  if (options.probeFile !== undefined) {
    const s = readSnapshotFile(options.probeFile, files);
    if (s === null) throw new UsageError(`--probe-file ${options.probeFile} does not exist (run \`cron2lambda probe --probe-file ${options.probeFile}\` to write it)`);
    if (arch !== undefined && s.architecture !== arch) {
      throw new UsageError(`--probe-file ${options.probeFile} describes ${s.architecture}, but --arch is ${arch}: probe the same architecture`);
    }
    if (region !== undefined && s.region !== null && s.region !== region) {
      notes.push(`the runtime snapshot ${options.probeFile} was taken in ${s.region}, not ${region}`);
    }
    const age = ageDays(s.takenAt, now);
    if (s.source === 'probe' && age > STALE_AFTER_DAYS) notes.push(staleNote(options.probeFile, age, s));
    return { view: runtimeView(s), file: options.probeFile, how: 'probe-file', ageDays: age, notes };
  }
  const architecture = arch ?? 'x86_64';
  if (region !== undefined) {
    const path = cachePath(files.env, region, architecture);
    try {
      const s = readSnapshotFile(path, files);
      if (s !== null && s.architecture === architecture) {
        const age = ageDays(s.takenAt, now);
        if (age > STALE_AFTER_DAYS) notes.push(staleNote(path, age, s));
        return { view: runtimeView(s), file: path, how: 'cache', ageDays: age, notes };
      }
    } catch (e) {
      // A broken cache entry must not stop a plan: say so and judge against the shipped list.
      notes.push(`ignoring the cached runtime snapshot: ${(e as Error).message}; run \`cron2lambda probe --region ${region} --arch ${architecture}\` again`);
    }
  }
  const s = shippedSnapshot(architecture);
  return { view: runtimeView(s), file: null, how: 'shipped', ageDays: ageDays(s.takenAt, now), notes };
}

/** RuntimeFiles over the CLI's Io (readText throws ENOENT for a missing file). */
export function runtimeFilesOf(io: { env: NodeJS.ProcessEnv; now(): Date; readCapped(path: string, limit: number): { bytes: Uint8Array } | { error: string } }): RuntimeFiles {
  return {
    env: io.env,
    now: () => io.now(),
    readIfExists: (path) => {
      try {
        // A snapshot is a few hundred KB; refuse to read a huge file (or a device) into memory.
        const st = statSync(path);
        if (st.isFile() && st.size > MAX_SNAPSHOT_BYTES) throw new Error(`it is ${st.size} bytes; a runtime snapshot is at most ${MAX_SNAPSHOT_BYTES}`);
        if (!st.isFile()) throw new Error('it is not a regular file');
        const r = io.readCapped(path, MAX_SNAPSHOT_BYTES);
        if ('error' in r) throw new Error(r.error);
        return Buffer.from(r.bytes).toString('utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
  };
}

export const MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024;

/** A probe older than this is still used, with a note to run it again (the image changes over time). */
export const STALE_AFTER_DAYS = 90;
