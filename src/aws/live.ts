// Read-only: the live state of every desired resource, and this host's resources the plan no longer names.
// List calls first (roles, functions, rules and log groups whose names carry this host's prefix: a few calls for
// the whole fleet), then a read only of what exists; children only when their parent exists and is ours. A first
// run therefore spends almost no calls on what cannot be there, and the rate-limited services stay free for writes.
import type { AwsContext } from './adapter.js';
import { ADAPTERS } from './adapters/index.js';
import { listFunctionNames, readStatements } from './adapters/lambda.js';
import { listLogGroups, liveLogGroup } from './adapters/logs.js';
import { listRoleNames } from './adapters/iam.js';
import { listRuleNames } from './adapters/events.js';
import { listScheduleNames, scheduleGroupAdapter } from './adapters/scheduler.js';
import type { DesiredState } from './desired.js';
import type { LiveState } from './diff.js';
import { key, type DesiredResource, type Kind, type LiveResource } from './model.js';
import { hostPrefix, jobOfTriggerName, scheduleGroupName } from './names.js';
import { mapLimit } from './pool.js';

export async function readLive(ctx: AwsContext, state: DesiredState, concurrency: number): Promise<LiveState> {
  const byKey = new Map<string, LiveResource | null>();
  const extra: LiveResource[] = [];

  const prefix = hostPrefix(ctx.settings.host);
  const [fns, roles, rules, groups] = await Promise.all([
    listFunctionNames(ctx, prefix),
    // Even with --role-arn: the roles earlier runs made per job (and Scheduler's) are found, to be deleted.
    listRoleNames(ctx, prefix),
    listRuleNames(ctx, prefix),
    listLogGroups(ctx, prefix),
  ]);
  const existing: Partial<Record<Kind, Set<string>>> = {
    function: new Set(fns),
    role: new Set(roles),
    rule: new Set(rules),
    'log-group': new Set(groups.map((g) => g.logGroupName!)),
  };
  const groupByName = new Map(groups.map((g) => [g.logGroupName!, g]));

  const read = async (r: DesiredResource) => {
    const listed = existing[r.kind];
    let live: LiveResource | null = null;
    if (r.kind === 'log-group') {
      const g = groupByName.get(r.name);
      live = g ? await liveLogGroup(ctx, g, r.job) : null;
    } else if (!listed || listed.has(r.name)) {
      live = await ADAPTERS[r.kind].read(ctx, { name: r.name, ...(r.parent ? { parent: r.parent } : {}), job: r.job });
    }
    byKey.set(key(r.kind, r.name, r.parent), live);
    return live;
  };

  for (const r of state.resources.filter((x) => x.job === null)) await read(r);

  // The host's schedule group, desired or not: schedules of jobs that moved back to rules are found through it.
  const groupName = scheduleGroupName(ctx.settings.host);
  const groupDesired = state.resources.some((r) => r.kind === 'schedule-group');
  const group = groupDesired ? byKey.get(key('schedule-group', groupName)) : await scheduleGroupAdapter.read(ctx, { name: groupName, job: null });
  if (group && group.owned && !groupDesired) extra.push(group);
  const schedules = group?.owned ? new Set(await listScheduleNames(ctx, groupName)) : new Set<string>();
  existing.schedule = schedules;

  const byJob = new Map<string, DesiredResource[]>();
  for (const r of state.resources) if (r.job !== null) byJob.set(r.job, [...(byJob.get(r.job) ?? []), r]);
  await mapLimit([...byJob.values()], concurrency, async (rs) => {
    const of = (kind: Kind) => rs.filter((r) => r.kind === kind);
    const absent = (r: DesiredResource) => byKey.set(key(r.kind, r.name, r.parent), null);
    const fn = of('function')[0];
    const [, fnLive] = await Promise.all([Promise.all([...of('role'), ...of('log-group')].map(read)), fn ? read(fn) : Promise.resolve(null)]);
    if (fn && fnLive?.owned) {
      // One GetPolicy answers every permission of the function, and shows statements the schedule no longer has.
      const [, statements] = await Promise.all([read(of('async-config')[0]), readStatements(ctx, fn.name)]);
      const wanted = new Set(of('permission').map((p) => p.name));
      for (const p of of('permission')) {
        const attrs = statements.get(p.name);
        byKey.set(key('permission', p.name, p.parent), attrs ? { kind: 'permission', name: p.name, parent: fn.name, job: p.job, host: ctx.settings.host, owned: true, attrs } : null);
      }
      for (const [sid, attrs] of statements) {
        if (!wanted.has(sid) && sid.startsWith(`${fn.name}-`)) extra.push({ kind: 'permission', name: sid, parent: fn.name, job: fn.job, host: ctx.settings.host, owned: true, attrs });
      }
    } else {
      [...of('async-config'), ...of('permission')].forEach(absent);
    }
    await Promise.all(of('schedule').map(read));
    await Promise.all(
      of('rule').map(async (rule) => {
        const live = await read(rule);
        const target = rs.find((r) => r.kind === 'target' && r.parent === rule.name);
        if (!target) return;
        if (live?.owned) await read(target);
        else absent(target);
      }),
    );
  });

  const wantedSchedules = new Set(state.resources.filter((r) => r.kind === 'schedule').map((r) => r.name));
  for (const name of schedules) {
    if (!wantedSchedules.has(name)) extra.push({ kind: 'schedule', name, parent: groupName, job: jobOfTriggerName(name), host: ctx.settings.host, owned: true, attrs: {} });
  }

  // What the plan does not name, confirmed as this host's by its tags (an untagged resource with our prefix is not
  // ours and is never listed for deletion).
  const known = (kind: Kind) => new Set(state.resources.filter((r) => r.kind === kind).map((r) => r.name));
  const more = async (kind: 'function' | 'role' | 'rule', names: string[]) => {
    const skip = kind === 'role' ? new Set([...known('role'), ...known('scheduler-role')]) : known(kind);
    const found = await mapLimit(
      names.filter((n) => !skip.has(n)),
      concurrency,
      (name) => ADAPTERS[kind].read(ctx, { name, job: null }),
    );
    for (const l of found) if (l && l.owned) extra.push(l);
  };
  await Promise.all([more('function', fns), more('role', roles), more('rule', rules)]);
  const knownGroups = known('log-group');
  const otherGroups = await mapLimit(
    groups.filter((g) => !knownGroups.has(g.logGroupName!)),
    concurrency,
    (g) => liveLogGroup(ctx, g, null),
  );
  extra.push(...otherGroups.filter((g) => g.owned));
  return { byKey, extra };
}
