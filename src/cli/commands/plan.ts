// `plan`: read crontabs, translate and prove every schedule, print the plan. Exit 1 when any line is an error.
import { buildPlan, planExitCode, type CronFlavour, type CrontabInput, type FailOn, type Plan } from '../../plan/plan.js';
import { resolveUnderRoot, rootReader } from '../../scripts/reader.js';
import { UsageError } from '../../errors.js';
import { renderPlan } from '../../render/text.js';
import { styleFor } from '../../render/style.js';
import { safeJson } from '../../render/escape.js';
import { planJson } from '../../render/messages.js';
import { renderNotes } from '../../render/notes.js';
import { rootNotice } from '../notices.js';
import { functionTimeout, horizonFrom, parseOverlap, parseTarget, parseTimezone } from '../options.js';
import type { Io } from '../io.js';
import { cronFlavour, readCrontabInputs } from '../inputs.js';
import { detectServerZone } from '../server-zone.js';
import { chooseRuntime, runtimeFilesOf } from '../../runtime/load.js';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { resolveHost } from '../../plan/host.js';
import { parallelProver } from '../parallel-proofs.js';

export interface PlanCommandOptions {
  timezone?: string;
  system?: boolean;
  target?: string;
  horizon?: string;
  from?: string;
  json?: boolean;
  root?: string;
  user?: string;
  failOn?: string;
  /** --overlap JOB=allow|forbid[:SECONDS], repeatable. */
  overlap?: string[];
  /** The function timeout of commands that have one (invoke, migrate): how long a blocking flock waits. */
  timeout?: string;
  /** The runtime snapshot to judge against (--probe-file), or the cache for --region/--arch. */
  probeFile?: string;
  region?: string;
  arch?: string;
  host?: string;
}

/** --host, <root>/etc/hostname, the last component of --root, this machine's hostname: the first that is a name. */
export function hostFromOptions(options: { host?: string; root?: string }, io: Io): string {
  const root = options.root ?? '/';
  let etcHostname: string | null = null;
  try {
    // Resolved inside the root, as etc/timezone is: a link in a server copy must not read this machine's files.
    const host = resolveUnderRoot(root, '/etc/hostname');
    const r = host === null ? null : io.readCapped(host, 4096);
    etcHostname = r !== null && 'bytes' in r ? Buffer.from(r.bytes).toString('utf8') : null;
  } catch {
    etcHostname = null;
  }
  // the directory's own name, however --root spells it (`.`, `./`, `copy/.` name no directory): job ids hold it
  const r = resolveHost({ flag: options.host, etcHostname, root: resolve(root), machine: hostname() });
  if ('error' in r) throw new UsageError(r.error);
  return r.host;
}

/**
 * Which cron ran the crontabs: the server copy's (cronFlavour). Without --root the crontab is read on this machine,
 * which says nothing of the server's cron: cronie's reading of CRON_TZ, as the tool always had.
 */
export function cronOf(options: Pick<PlanCommandOptions, 'root'>, io: Io, read?: CronFlavour): CronFlavour {
  // `read`: the flavour of --root, already read by the caller
  return options.root === undefined ? 'cronie' : (read ?? cronFlavour(options.root, io));
}

/** Shared by every command that starts from crontabs: options → plan. */
export function planFromFiles(files: string[], options: PlanCommandOptions, io: Io): Plan {
  const target = parseTarget(options.target);
  const timezone = parseTimezone(options.timezone);
  const horizon = horizonFrom(options, io.now());
  const root = options.root ?? '/';
  if (!io.isDirectory(root)) throw new UsageError(`--root "${root}" is not a directory`);
  const runtime = chooseRuntime({ probeFile: options.probeFile, region: options.region, arch: options.arch }, runtimeFilesOf(io));
  for (const note of runtime.notes) io.stderr.write(`cron2lambda: ${note}\n`);
  // Which names in a directory cron reads: by the copy's cron (the default root "/" is this machine: as before).
  const flavour = cronFlavour(root, io);
  const inputs: CrontabInput[] = readCrontabInputs(files, { system: options.system, root, flavour }, io);
  const host = hostFromOptions(options, io);
  // Without --timezone the server copy says its zone (the default root "/" is this machine: that is intended).
  const server = timezone === undefined ? detectServerZone(root, io) : { zone: timezone, source: 'option' as const, notes: [] };
  const overlap = parseOverlap(options.overlap);
  const plan = buildPlan(inputs, {
    target,
    timezone: server.zone,
    timezoneSource: server.source,
    // Without --root, "/" is this machine: its zone is a guess about the server, said and warned as one.
    ...(options.root === undefined && timezone === undefined ? { timezoneFromThisMachine: true } : {}),
    ...(server.notes.length ? { timezoneNotes: server.notes } : {}),
    cron: cronOf(options, io, flavour),
    horizon,
    reader: rootReader(root),
    user: options.user,
    host,
    runtime,
    overlap,
    timeoutSeconds: functionTimeout(options.timeout),
    // A fleet's proofs are shared with a second thread while this one analyses the scripts.
    prover: parallelProver(),
  });
  const ids = new Set(plan.jobs.map((j) => j.id));
  const unknown = Object.keys(overlap).filter((id) => !ids.has(id));
  if (unknown.length > 0) throw new UsageError(`--overlap names ${unknown.length === 1 ? 'a job' : 'jobs'} not in the plan: ${unknown.join(', ')} (job ids are shown by plan)`);
  return plan;
}

export function parseFailOn(value: string | undefined): FailOn | undefined {
  if (value === undefined) return undefined;
  if (value !== 'blocked' && value !== 'warning') throw new UsageError(`--fail-on must be "blocked" or "warning", not "${value}"`);
  return value;
}

export function runPlan(files: string[], options: PlanCommandOptions, io: Io): number {
  const failOn = parseFailOn(options.failOn);
  const plan = planFromFiles(files, options, io);
  const notices = [rootNotice(options.root)].filter((n) => n !== null);
  if (options.json) {
    io.stdout.write(safeJson(notices.length ? { ...planJson(plan), notices } : planJson(plan)) + '\n');
  } else {
    io.stdout.write(renderNotes(notices, styleFor(io.stdout, io.env)) + renderPlan(plan, styleFor(io.stdout, io.env)));
  }
  return planExitCode(plan, failOn);
}
