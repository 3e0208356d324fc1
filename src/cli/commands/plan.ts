// `plan`: read crontabs, translate and prove every schedule, print the plan. Exit 1 when any line is an error.
import { buildPlanWithAnalyses, planExitCode, type CrontabInput, type FailOn, type PlanResult } from '../../plan/plan.js';
import { rootReader } from '../../scripts/reader.js';
import { UsageError } from '../../errors.js';
import { renderPlan } from '../../render/text.js';
import { styleFor } from '../../render/style.js';
import { horizonFrom, isSystem, parseTarget, parseTimezone } from '../options.js';
import { readCrontabFile, type Io } from '../io.js';
import { chooseRuntime, runtimeFilesOf } from '../../runtime/load.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { resolveHost } from '../../plan/host.js';

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
    etcHostname = io.readText(join(root, 'etc/hostname'));
  } catch {
    etcHostname = null;
  }
  const r = resolveHost({ flag: options.host, etcHostname, root, machine: hostname() });
  if ('error' in r) throw new UsageError(r.error);
  return r.host;
}

/** Shared by every command that starts from crontabs: options → plan. */
export function planFromFiles(files: string[], options: PlanCommandOptions, io: Io): PlanResult {
  const target = parseTarget(options.target);
  const timezone = parseTimezone(options.timezone);
  const horizon = horizonFrom(options, io.now());
  const root = options.root ?? '/';
  if (!io.isDirectory(root)) throw new UsageError(`--root "${root}" is not a directory`);
  const runtime = chooseRuntime({ probeFile: options.probeFile, region: options.region, arch: options.arch }, runtimeFilesOf(io));
  for (const note of runtime.notes) io.stderr.write(`cron2lambda: ${note}\n`);
  const inputs: CrontabInput[] = files.map((file) => ({ file, system: isSystem(file, options.system), ...readCrontabFile(io, file) }));
  const host = hostFromOptions(options, io);
  return buildPlanWithAnalyses(inputs, { target, timezone, horizon, reader: rootReader(root), user: options.user, host, runtime });
}

export function parseFailOn(value: string | undefined): FailOn | undefined {
  if (value === undefined) return undefined;
  if (value !== 'blocked' && value !== 'warning') throw new UsageError(`--fail-on must be "blocked" or "warning", not "${value}"`);
  return value;
}

export function runPlan(files: string[], options: PlanCommandOptions, io: Io): number {
  const failOn = parseFailOn(options.failOn);
  const { plan } = planFromFiles(files, options, io);
  if (options.json) {
    io.stdout.write(JSON.stringify(plan, null, 2) + '\n');
  } else {
    io.stdout.write(renderPlan(plan, styleFor(io.stdout, io.env)));
  }
  return planExitCode(plan, failOn);
}
