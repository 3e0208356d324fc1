// `plan`: read crontabs, translate and prove every schedule, print the plan. Exit 1 when any line is an error.
import { buildPlanWithAnalyses, planExitCode, type CrontabInput, type FailOn, type PlanResult } from '../../plan/plan.js';
import { rootReader } from '../../scripts/reader.js';
import { UsageError } from '../../errors.js';
import { renderPlan } from '../../render/text.js';
import { styleFor } from '../../render/style.js';
import { safeJson } from '../../render/escape.js';
import { renderNotes } from '../../render/notes.js';
import { rootNotice } from '../notices.js';
import { horizonFrom, parseTarget, parseTimezone } from '../options.js';
import type { Io } from '../io.js';
import { readCrontabInputs } from '../inputs.js';
import { detectServerZone } from '../server-zone.js';

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
}

/** Shared by every command that starts from crontabs: options → plan. */
export function planFromFiles(files: string[], options: PlanCommandOptions, io: Io): PlanResult {
  const target = parseTarget(options.target);
  const timezone = parseTimezone(options.timezone);
  const horizon = horizonFrom(options, io.now());
  const root = options.root ?? '/';
  if (!io.isDirectory(root)) throw new UsageError(`--root "${root}" is not a directory`);
  const inputs: CrontabInput[] = readCrontabInputs(files, { system: options.system, root }, io);
  // Without --timezone the server copy says its zone (the default root "/" is this machine: that is intended).
  const server = timezone === undefined ? detectServerZone(root, io) : { zone: timezone, source: 'option' as const, notes: [] };
  return buildPlanWithAnalyses(inputs, {
    target,
    timezone: server.zone,
    timezoneSource: server.source,
    // Without --root, "/" is this machine: its zone is a guess about the server, said and warned as one.
    ...(options.root === undefined && timezone === undefined ? { timezoneFromThisMachine: true } : {}),
    ...(server.notes.length ? { timezoneNotes: server.notes } : {}),
    horizon,
    reader: rootReader(root),
    user: options.user,
  });
}

export function parseFailOn(value: string | undefined): FailOn | undefined {
  if (value === undefined) return undefined;
  if (value !== 'blocked' && value !== 'warning') throw new UsageError(`--fail-on must be "blocked" or "warning", not "${value}"`);
  return value;
}

export function runPlan(files: string[], options: PlanCommandOptions, io: Io): number {
  const failOn = parseFailOn(options.failOn);
  const { plan } = planFromFiles(files, options, io);
  const notices = [rootNotice(options.root)].filter((n) => n !== null);
  if (options.json) {
    io.stdout.write(safeJson(notices.length ? { ...plan, notices } : plan) + '\n');
  } else {
    io.stdout.write(renderNotes(notices, styleFor(io.stdout, io.env)) + renderPlan(plan, styleFor(io.stdout, io.env)));
  }
  return planExitCode(plan, failOn);
}
