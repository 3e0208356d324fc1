// `plan`: read crontabs, translate and prove every schedule, print the plan. Exit 1 when any line is an error.
import { buildPlan, planExitCode, type CrontabInput, type Plan } from '../../plan/plan.js';
import { renderPlan } from '../../render/text.js';
import { styleFor } from '../../render/style.js';
import { horizonFrom, isSystem, parseTarget, parseTimezone } from '../options.js';
import { readCrontabFile, type Io } from '../io.js';

export interface PlanCommandOptions {
  timezone?: string;
  system?: boolean;
  target?: string;
  horizon?: string;
  from?: string;
  json?: boolean;
}

/** Shared by every command that starts from crontabs: options → plan. */
export function planFromFiles(files: string[], options: PlanCommandOptions, io: Io): Plan {
  const target = parseTarget(options.target);
  const timezone = parseTimezone(options.timezone);
  const horizon = horizonFrom(options, io.now());
  const inputs: CrontabInput[] = files.map((file) => ({ file, system: isSystem(file, options.system), ...readCrontabFile(io, file) }));
  return buildPlan(inputs, { target, timezone, horizon });
}

export function runPlan(files: string[], options: PlanCommandOptions, io: Io): number {
  const plan = planFromFiles(files, options, io);
  if (options.json) {
    io.stdout.write(JSON.stringify(plan, null, 2) + '\n');
  } else {
    io.stdout.write(renderPlan(plan, styleFor(io.stdout, io.env)));
  }
  return planExitCode(plan);
}
