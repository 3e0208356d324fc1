// Desired against live → the changes both `--dry-run` and apply print, and the list apply carries out. Pure.
import type { DesiredJob, DesiredState } from './desired.js';
import { LAYER_SYMBOL } from './desired.js';
import { equalAttr, key, type Attr, type AttrChange, type BlockedJob, type Change, type DesiredResource, type Kind, type LiveResource } from './model.js';

export interface LiveState {
  /** The answer of read() for every desired resource, by key(kind, name, parent): null = absent. */
  byKey: Map<string, LiveResource | null>;
  /** Resources found by listing that carry this host's tags (or our names on our functions) and are not desired. */
  extra: LiveResource[];
}

export interface DiffResult {
  changes: Change[];
  /** Jobs that will be provisioned (those blocked by an unowned resource moved to `blocked`). */
  jobs: DesiredJob[];
  blocked: BlockedJob[];
  skipped: DesiredState['skipped'];
  /** This host's resources the plan no longer has, kept because --prune was not given. */
  orphans: LiveResource[];
}

/** Kinds whose attributes cannot be changed in place: a difference is a replacement (delete, then create). */
const REPLACED_ON_CHANGE: ReadonlySet<Kind> = new Set(['permission']);
/** Attributes that cannot be changed at all (the lock table's key): the job is blocked instead. */
const LABEL: Record<Kind, string> = {
  table: 'DynamoDB table',
  layer: 'layer',
  role: 'IAM role',
  'log-group': 'log group',
  function: 'Lambda function',
  'async-config': 'async invoke config',
  rule: 'EventBridge rule',
  permission: 'permission',
  target: 'target',
  'schedule-group': 'schedule group',
  'scheduler-role': 'IAM role (Scheduler)',
  schedule: 'schedule',
};

export function kindLabel(kind: Kind): string {
  return LABEL[kind];
}

/** Kinds that live inside a parent and carry no tags: ownership is their parent's. */
const CHILD_OF: Partial<Record<Kind, Kind>> = { permission: 'function', target: 'rule', 'async-config': 'function', schedule: 'schedule-group' };

export function diff(state: DesiredState, live: LiveState, options: { prune: boolean }): DiffResult {
  const blocked: BlockedJob[] = [...state.blocked];
  const blockedIds = new Set<string>();
  const sourceOf = new Map(state.jobs.map((j) => [j.id, j.source]));
  const block = (job: string, code: BlockedJob['blockers'][number]['code'], message: string) => {
    let b = blocked.find((x) => x.job === job);
    if (!b) {
      b = { job, source: sourceOf.get(job) ?? { file: '', line: 0 }, blockers: [] };
      blocked.push(b);
    }
    b.blockers.push({ code, message });
    blockedIds.add(job);
  };
  const liveOf = (r: DesiredResource) => live.byKey.get(key(r.kind, r.name, r.parent)) ?? null;

  // The lock table: its key cannot change. A table with another key blocks every job (their locks would fail).
  const table = state.resources.find((r) => r.kind === 'table');
  const liveTable = table ? liveOf(table) : null;
  if (table && liveTable && liveTable.attrs.hashKey !== 'key') {
    for (const j of state.jobs) block(j.id, 'lock-table', `the lock table ${table.name} exists with hash key ${JSON.stringify(liveTable.attrs.hashKey)}; the lock needs a string hash key "key" (give another --lock-table)`);
  }

  // The host's schedule group or Scheduler role with our name but not ours: no scheduler job can be provisioned.
  for (const r of state.resources.filter((x) => x.kind === 'schedule-group' || x.kind === 'scheduler-role')) {
    const l = liveOf(r);
    if (l && !l.owned) {
      for (const j of state.jobs) block(j.id, 'unowned-resource', `${kindLabel(r.kind)} ${r.name} exists and is not managed by cron2lambda for host ${l.host ?? '(untagged)'}: left untouched`);
    }
  }

  // A resource with our name that is not ours (no tags, or another host's or job's) blocks its job; never touched.
  for (const r of state.resources) {
    if (r.job === null || CHILD_OF[r.kind]) continue;
    const l = liveOf(r);
    if (l && !l.owned) {
      block(r.job, 'unowned-resource', `${kindLabel(r.kind)} ${r.name} exists and is not managed by cron2lambda for this job (tags managed-by=cron2lambda, cron2lambda:host, cron2lambda:job): left untouched; delete or rename it, or give another --host`);
    }
  }

  // The layer's ARN is known when a version with our content hash exists; otherwise after apply publishes it.
  const liveLayer = state.resources.filter((r) => r.kind === 'layer').map(liveOf)[0];
  const layerArn = liveLayer?.arn;
  const resolve = (attrs: Record<string, Attr>): Record<string, Attr> =>
    layerArn && Array.isArray(attrs.layers) ? { ...attrs, layers: attrs.layers.map((l) => (l === LAYER_SYMBOL ? layerArn : l)) } : attrs;

  const changes: Change[] = [];
  for (const r of state.resources) {
    if (r.job !== null && blockedIds.has(r.job)) continue;
    const l = liveOf(r);
    if (!l) {
      changes.push({ action: 'create', kind: r.kind, name: r.name, job: r.job, ...(r.parent ? { parent: r.parent } : {}), attrs: [], desired: r });
      continue;
    }
    const want = resolve(r.attrs);
    // Shared resources we did not create (a lock table made by hand) are used as they are, never changed.
    const attrs = r.job === null && !l.owned ? [] : changed(want, l.attrs);
    const action = attrs.length === 0 ? 'noop' : REPLACED_ON_CHANGE.has(r.kind) ? 'replace' : 'update';
    changes.push({ action, kind: r.kind, name: r.name, job: r.job, ...(r.parent ? { parent: r.parent } : {}), attrs, desired: { ...r, attrs: want }, live: l });
  }

  // Found by listing and not desired: part of a provisioned job (a rule its schedule no longer has) → delete now;
  // a job still in the plan but not provisioned (blocked) → left alone; a job the plan dropped → --prune.
  const provisioned = new Set(state.jobs.map((j) => j.id).filter((id) => !blockedIds.has(id)));
  const inPlan = new Set(state.planJobs);
  const orphans: LiveResource[] = [];
  // Schedules kept for a job in the plan that is not provisioned (blocked) need their group (deleting it deletes
  // them) and Scheduler's role: both stay until no such schedule is left.
  const schedulesKept = live.extra.some((l) => l.kind === 'schedule' && l.job !== null && !provisioned.has(l.job) && inPlan.has(l.job));
  for (const l of live.extra) {
    if (!l.owned) continue;
    const job = l.job;
    // (Scheduler's role is listed with the roles: the host's one role without a job tag.)
    if (schedulesKept && (l.kind === 'schedule-group' || ((l.kind === 'role' || l.kind === 'scheduler-role') && job === null))) continue;
    if (job !== null && provisioned.has(job)) {
      changes.push({ action: 'delete', kind: l.kind, name: l.name, job, ...(l.parent ? { parent: l.parent } : {}), attrs: [], live: l, reason: 'schedule-changed' });
    } else if (job !== null && inPlan.has(job)) {
      continue;
    } else if (options.prune) {
      changes.push({ action: 'delete', kind: l.kind, name: l.name, job, ...(l.parent ? { parent: l.parent } : {}), attrs: [], live: l, reason: 'prune' });
    } else {
      orphans.push(l);
    }
  }

  return { changes, jobs: state.jobs.filter((j) => !blockedIds.has(j.id)), blocked, skipped: state.skipped, orphans };
}

/** Attributes that differ; a desired attribute absent live is a change, a live-only attribute is not ours. */
export function changed(want: Record<string, Attr>, have: Record<string, Attr>): AttrChange[] {
  const out: AttrChange[] = [];
  for (const [attr, value] of Object.entries(want)) {
    if (!equalAttr(value, have[attr])) out.push({ attr, old: have[attr], new: value });
  }
  return out;
}

export interface Counts {
  add: number;
  change: number;
  destroy: number;
}

/** Terraform's arithmetic: a replacement adds one and destroys one. */
export function count(changes: Change[]): Counts {
  const c: Counts = { add: 0, change: 0, destroy: 0 };
  for (const ch of changes) {
    if (ch.action === 'create') c.add++;
    else if (ch.action === 'update') c.change++;
    else if (ch.action === 'delete') c.destroy++;
    else if (ch.action === 'replace') {
      c.add++;
      c.destroy++;
    }
  }
  return c;
}

export function hasChanges(changes: Change[]): boolean {
  return changes.some((c) => c.action !== 'noop');
}
