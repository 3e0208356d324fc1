// Carries out exactly the diff's changes, as a dependency graph: shared resources first (lock table, layer), then
// every job on its own, in phases (role and log group → function → async settings, permissions, rules → targets →
// enabling rules). Jobs run side by side up to a bound; a failure stops only the rest of its own job.
import type { Adapter, AwsContext } from './adapter.js';
import { ADAPTERS } from './adapters/index.js';
import { needsEnable, setState } from './adapters/events.js';
import type { Change, Kind } from './model.js';
import { mapLimit } from './pool.js';
import { describeError } from './retry.js';

export type ResultStatus = 'done' | 'failed' | 'skipped' | 'noop';

export interface ChangeResult {
  change: Change;
  status: ResultStatus;
  /** failed: the AWS error; skipped: which earlier change of the job failed. */
  error?: string;
}

export interface ApplyResult {
  results: ChangeResult[];
  failedJobs: string[];
}

export interface ApplyEvents {
  onResult?(result: ChangeResult): void;
}

const CREATE_PHASE: Record<Kind, number> = {
  table: 0,
  layer: 0,
  role: 1,
  'log-group': 1,
  function: 2,
  'async-config': 3,
  permission: 3,
  rule: 3,
  target: 4,
  'schedule-group': 0,
  'scheduler-role': 0,
  // After the function: a schedule can fire as soon as it exists.
  schedule: 4,
};
/** Rules enabled last: only once their target and permission exist can they fire into the function. */
const ENABLE_PHASE = 5;
/** Deletes: triggers first (rules and their targets), then permissions, the function, its role and logs. */
const DELETE_PHASE: Record<Kind, number> = {
  rule: 10,
  target: 10,
  permission: 11,
  'async-config': 11,
  function: 12,
  'log-group': 13,
  role: 13,
  table: 14,
  layer: 14,
  schedule: 10,
  'schedule-group': 14,
  'scheduler-role': 14,
};

export function phaseOf(change: Change): number {
  return change.action === 'delete' ? DELETE_PHASE[change.kind] : CREATE_PHASE[change.kind];
}

interface Step {
  change: Change;
  phase: number;
  run(): Promise<void>;
}

/** The SDK adapters, and how a rule is enabled; tests pass fakes. */
export interface Executors {
  adapters: Record<Kind, Adapter>;
  enable(ctx: AwsContext, rule: string): Promise<void>;
}

const SDK: Executors = { adapters: ADAPTERS, enable: async (ctx, rule) => void (await setState(ctx, rule, 'ENABLED')) };

function stepsOf(ctx: AwsContext, change: Change, ex: Executors): Step[] {
  const adapter = ex.adapters[change.kind];
  const steps: Step[] = [];
  const phase = phaseOf(change);
  if (change.action === 'create') steps.push({ change, phase, run: () => adapter.create(ctx, change.desired!) });
  else if (change.action === 'update' || change.action === 'replace') steps.push({ change, phase, run: () => adapter.update(ctx, change) });
  else if (change.action === 'delete') steps.push({ change, phase, run: () => adapter.delete(ctx, change.live!) });
  if (change.kind === 'rule' && change.action !== 'delete' && needsEnable(change)) {
    steps.push({ change, phase: ENABLE_PHASE, run: () => ex.enable(ctx, change.name) });
  }
  return steps;
}

export async function apply(ctx: AwsContext, changes: Change[], options: { concurrency: number; events?: ApplyEvents; executors?: Executors }): Promise<ApplyResult> {
  const results = new Map<Change, ChangeResult>();
  const report = (r: ChangeResult) => {
    const before = results.get(r.change);
    // A change with two steps (create a rule, enable it) is failed if either fails, done when both are.
    if (before && before.status !== 'done') return;
    results.set(r.change, r);
    if (r.status !== 'done' || !pending.has(r.change) || --pending.get(r.change)!.left === 0) options.events?.onResult?.(r);
  };
  const pending = new Map<Change, { left: number }>();
  for (const c of changes) if (c.action === 'noop') results.set(c, { change: c, status: 'noop' });

  const groups = new Map<string | null, Step[]>();
  for (const c of changes) {
    if (c.action === 'noop') continue;
    const steps = stepsOf(ctx, c, options.executors ?? SDK);
    pending.set(c, { left: steps.length });
    groups.set(c.job, [...(groups.get(c.job) ?? []), ...steps]);
  }

  const runGroup = async (steps: Step[]): Promise<boolean> => {
    const phases = [...new Set(steps.map((s) => s.phase))].sort((a, b) => a - b);
    const state: { failed: Change | null } = { failed: null };
    for (const phase of phases) {
      const now = steps.filter((s) => s.phase === phase);
      const failed = state.failed;
      if (failed) {
        const cause = `${failed.kind} ${failed.name} failed`;
        for (const s of now) report({ change: s.change, status: 'skipped', error: cause });
        continue;
      }
      await Promise.all(
        now.map(async (s) => {
          try {
            await s.run();
            report({ change: s.change, status: 'done' });
          } catch (e) {
            state.failed ??= s.change;
            report({ change: s.change, status: 'failed', error: describeError(e) });
          }
        }),
      );
    }
    return state.failed === null;
  };

  // Shared deletes (a schedule group or Scheduler role no longer needed) wait until every job is done: a job moving
  // back to rules gets its rule before anything of Scheduler's goes.
  const sharedAll = groups.get(null) ?? [];
  const shared = sharedAll.filter((s) => s.phase < 10);
  const sharedLast = sharedAll.filter((s) => s.phase >= 10);
  const sharedOk = shared.length === 0 || (await runGroup(shared));
  const jobs = [...groups.entries()].filter(([job]) => job !== null) as [string, Step[]][];
  const failedJobs: string[] = [];
  if (!sharedOk) {
    const cause = [...results.values()].find((r) => r.status === 'failed');
    for (const [, steps] of jobs) for (const s of steps) report({ change: s.change, status: 'skipped', error: cause ? `${cause.change.kind} ${cause.change.name} failed` : 'a shared resource failed' });
  } else {
    await mapLimit(jobs, options.concurrency, async ([job, steps]) => {
      if (!(await runGroup(steps))) failedJobs.push(job);
    });
  }
  // Not after a job failed: it may be one that has not got its rule yet, and deleting the group deletes its schedule.
  if (sharedOk && failedJobs.length > 0) {
    for (const s of sharedLast) report({ change: s.change, status: 'skipped', error: `job ${failedJobs[0]} failed` });
  } else if (sharedOk && sharedLast.length > 0) await runGroup(sharedLast);
  return { results: changes.map((c) => results.get(c)!), failedJobs: sharedOk ? failedJobs.sort() : jobs.map(([j]) => j).sort() };
}
