// One planned job → the files of its Lambda function and its configuration. Pure: templates are passed in, and the
// zip bytes are made by a ZipWriter at the edge.
import { createHash } from 'node:crypto';
import type { PackageProblem } from '../model/reasons.js';
import type { CronFlavour, Job, JobBundle } from '../plan/plan.js';
import { REDACTED } from '../scripts/findings.js';
import { overlapEnvironment } from '../scripts/flock.js';
import { isRuntimeVariable, renderHandler } from './handler.js';
import { COPIER_ARCHES, copierElf, copierPath } from './copier.js';
import { checkLambdaLimits, unzippedSize, type ZipEntryInput } from './zip.js';
import { zoneFilePath, type ZoneFileReader } from './zoneinfo.js';

export const RUNTIME = 'provided.al2023';
export const HANDLER = 'function.handler';
export const DEFAULT_LOCK_TABLE = 'cron2lambda-locks';
/** Lambda's limit on a function's environment variables (names and values, all together). */
export const LAMBDA_ENVIRONMENT_LIMIT = 4096;

export interface Templates {
  bootstrap: string;
  lock: string;
  handler: string;
  /** The TZif file of a zone, bundled for the job's TZ (see zoneinfo.ts); none when absent. */
  zoneinfo?: ZoneFileReader;
}

export interface PackageOptions {
  lockTable: string;
  /** Which cron ran the crontabs (default cronie): on Debian's, CRON_TZ is an ordinary variable of the job. */
  cron?: CronFlavour;
}

export interface JobPackage {
  functionName: string;
  entries: ZipEntryInput[];
  environment: Record<string, string>;
  layers: string[];
  files: string[];
  /** Reasons the job cannot be packaged (Lambda limits); the job then becomes an error in the manifest. */
  problems: PackageProblem[];
}

export type ZipWriter = (entries: readonly ZipEntryInput[]) => Promise<Buffer>;

/** Deterministic from the id, at most 64 of [A-Za-z0-9-_] (Lambda's rule for function names). */
export function functionNameFor(jobId: string): string {
  const clean = jobId.replace(/[^A-Za-z0-9_-]/g, '-');
  const name = `c2l-${clean}`;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(jobId).digest('hex').slice(0, 8);
  return `${name.slice(0, 64 - 9)}-${hash}`;
}

// Lambda: [a-zA-Z]([a-zA-Z0-9_])+ (two characters at least).
const LAMBDA_ENV_NAME = /^[A-Za-z][A-Za-z0-9_]+$/;

/**
 * Crontab variables that stay out of the function's configuration because they would change how bootstrap itself
 * runs: PATH (a crontab PATH without /usr/bin would hide curl; function.sh gives the command the crontab's PATH with
 * Lambda's entries added), the dynamic loader's variables, and what bash reads from its environment at start-up
 * before bootstrap's first line (SHELLOPTS=xtrace traced the lock's curl with the role's keys into the log,
 * SHELLOPTS=noexec ran nothing, BASH_ENV sourced a server file into bootstrap). function.sh still gives them all to
 * the job, as cron did. CRON_TZ is cronie's scheduling setting, not a variable; Debian's cron has no CRON_TZ, and there
 * it is a variable like any other (cronTzIsVariable).
 */
function runtimeSensitive(name: string, cronTzIsVariable: boolean): boolean {
  return name === 'PATH' || (name === 'CRON_TZ' && !cronTzIsVariable) || name.startsWith('LD_') || name === 'SHELLOPTS' || name === 'BASHOPTS' || name === 'BASH_ENV';
}

/**
 * The function's environment: the lock settings, the job, TZ (Lambda runs in UTC; the scripts ran in the server's
 * zone, so `date` keeps printing local time), and the crontab's variables that Lambda accepts. Variables whose
 * value held a credential are left out: the finding says to move them to SSM Parameter Store or Secrets Manager.
 */
export function functionEnvironment(job: Job, options: PackageOptions): { environment: Record<string, string>; left: string[] } {
  const environment: Record<string, string> = {
    CRON2LAMBDA_LOCK_TABLE: options.lockTable,
    CRON2LAMBDA_JOB: job.id,
    // forbid only: an `allow` job's configuration stays as it was before overlap policies existed
    ...overlapEnvironment(job.overlap),
  };
  const zone = job.schedule?.timezone;
  if (zone && zone !== 'UTC' && job.environment.TZ === undefined) environment.TZ = zone;
  const left: string[] = [];
  for (const [name, value] of Object.entries(job.environment)) {
    if (!LAMBDA_ENV_NAME.test(name) || isRuntimeVariable(name) || runtimeSensitive(name, options.cron === 'debian') || value.includes(REDACTED)) {
      left.push(name);
      continue;
    }
    environment[name] = value;
  }
  return { environment, left };
}

/**
 * Entries that cannot live in one zip: the same path twice, or a file where another entry needs a directory. The
 * case that happens is a server file taking the place of the runtime's own files at the zip root (a server's
 * /lock.sh would replace the lock; a /bootstrap/ directory would make bootstrap unextractable). The job is then an
 * error with this reason; the other jobs are still packaged.
 */
export function runtimeCollisions(entries: readonly ZipEntryInput[], bundled: readonly { path: string; zipPath: string }[]): PackageProblem[] {
  const serverPath = new Map(bundled.map((f) => [f.zipPath, f.path]));
  const count = new Map<string, number>();
  for (const e of entries) count.set(e.path, (count.get(e.path) ?? 0) + 1);
  const pairs: [string, string][] = [];
  for (const [path, n] of count) {
    if (n > 1) pairs.push([path, path]);
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (count.has(dir)) pairs.push([dir, path]);
    }
  }
  return pairs.map(([dir, path]): PackageProblem => {
    const serverDir = serverPath.get(dir);
    const server = serverPath.get(path);
    return { code: 'bundle-path-collision', args: { dir, path, ...(serverDir !== undefined ? { serverDir } : {}), ...(server !== undefined ? { serverPath: server } : {}) } };
  });
}

export function packageJob(job: Job, bundle: JobBundle, templates: Templates, options: PackageOptions): JobPackage {
  const { environment } = functionEnvironment(job, options);
  // Variables with a credential stay out of function.sh as well; the rest run the command as cron did.
  const crontabEnv = Object.fromEntries(Object.entries(job.environment).filter(([, v]) => !v.includes(REDACTED)));
  const handler = renderHandler(
    {
      jobId: job.id,
      command: bundle.command,
      stdin: job.stdin ?? null,
      shell: job.environment.SHELL || '/bin/sh',
      environment: crontabEnv,
      home: job.home,
    },
    templates.handler,
  );
  const entries: ZipEntryInput[] = [
    { path: 'bootstrap', content: templates.bootstrap, mode: 0o755 },
    { path: 'lock.sh', content: templates.lock, mode: 0o644 },
    { path: 'function.sh', content: handler, mode: 0o644 },
    // both architectures' stderr copiers (under 500 bytes each): the zip stays the same whatever --arch deploys it
    ...COPIER_ARCHES.map((arch) => ({ path: copierPath(arch), content: copierElf(arch), mode: 0o755 })),
    ...bundle.files.map((f) => ({ path: f.zipPath, content: f.content, mode: f.mode })),
  ];
  // Directories the job enters (a `cd`, `dir/..`) that no file entry makes: a zip makes a directory only as a file's
  // parent, so without an entry of its own it would be missing on Lambda.
  const made = new Set(entries.flatMap((e) => e.path.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  for (const d of bundle.dirs ?? []) {
    const path = d.replace(/^\/+/, '');
    if (path !== '' && !made.has(path)) entries.push({ path, content: '', mode: 0o755, directory: true });
  }
  // The zone this package sets as TZ, as a file: local time without the runtime's time-zone data.
  const zone = job.schedule?.timezone;
  const zoneFile = zone && environment.TZ === zone ? templates.zoneinfo?.(zone) : undefined;
  if (zone && zoneFile) entries.push({ path: zoneFilePath(zone), content: zoneFile, mode: 0o644 });
  const layers = job.findings.some((f) => f.code === 'aws-cli') ? ['aws-cli'] : [];
  const problems: JobPackage['problems'] = runtimeCollisions(entries, bundle.files);
  const envBytes = Object.entries(environment).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (envBytes > LAMBDA_ENVIRONMENT_LIMIT) {
    problems.push({ code: 'environment-too-large', args: { bytes: envBytes, limit: LAMBDA_ENVIRONMENT_LIMIT } });
  }
  return { functionName: functionNameFor(job.id), entries, environment, layers, files: bundle.files.map((f) => f.path), problems };
}

export interface BuiltZip {
  zip: Buffer;
  sha256: string;
  /** What Lambda reports as CodeSha256 (base64 of the SHA-256): equal values make a redeploy a no-op. */
  codeSha256: string;
  size: number;
  unzippedSize: number;
  problems: PackageProblem[];
}

export async function buildZip(pkg: JobPackage, writeZip: ZipWriter): Promise<BuiltZip> {
  const zip = await writeZip(pkg.entries);
  const digest = createHash('sha256').update(zip).digest();
  const unzipped = unzippedSize(pkg.entries);
  return {
    zip,
    sha256: digest.toString('hex'),
    codeSha256: digest.toString('base64'),
    size: zip.length,
    unzippedSize: unzipped,
    problems: [...pkg.problems, ...checkLambdaLimits(zip.length, unzipped)],
  };
}
