// Read-only: the live state of every desired resource, and this host's resources the plan no longer names.
// Children are read only when their parent exists and is ours, so a first run spends no calls on what cannot be.
import type { AwsContext } from './adapter.js';
import { ADAPTERS } from './adapters/index.js';
import { listFunctionNames, readStatements } from './adapters/lambda.js';
import { listLogGroups } from './adapters/logs.js';
import { listRoleNames } from './adapters/iam.js';
import { listRuleNames } from './adapters/events.js';
import type { DesiredState } from './desired.js';
import type { LiveState } from './diff.js';
import { key, type DesiredResource, type LiveResource } from './model.js';
import { hostPrefix } from './names.js';
import { mapLimit } from './pool.js';

export async function readLive(ctx: AwsContext, state: DesiredState, concurrency: number): Promise<LiveState> {
  const byKey = new Map<string, LiveResource | null>();
  const extra: LiveResource[] = [];
  const read = async (r: DesiredResource) => {
    const live = await ADAPTERS[r.kind].read(ctx, { name: r.name, ...(r.parent ? { parent: r.parent } : {}), job: r.job });
    byKey.set(key(r.kind, r.name, r.parent), live);
    return live;
  };

  for (const r of state.resources.filter((x) => x.job === null)) await read(r);

  const byJob = new Map<string, DesiredResource[]>();
  for (const r of state.resources) if (r.job !== null) byJob.set(r.job, [...(byJob.get(r.job) ?? []), r]);
  await mapLimit([...byJob.values()], concurrency, async (rs) => {
    const of = (kind: DesiredResource['kind']) => rs.filter((r) => r.kind === kind);
    const absent = (r: DesiredResource) => byKey.set(key(r.kind, r.name, r.parent), null);
    await Promise.all([...of('role'), ...of('log-group')].map(read));
    const fn = of('function')[0];
    const fnLive = fn ? await read(fn) : null;
    if (fn && fnLive?.owned) {
      await read(of('async-config')[0]);
      // One GetPolicy answers every permission of the function, and shows statements the schedule no longer has.
      const statements = await readStatements(ctx, fn.name);
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
    for (const rule of of('rule')) {
      const live = await read(rule);
      const target = rs.find((r) => r.kind === 'target' && r.parent === rule.name);
      if (!target) continue;
      if (live?.owned) await read(target);
      else absent(target);
    }
  });

  // What the plan does not name: this host's functions, roles, log groups and rules, found by name prefix and
  // confirmed by their tags (an untagged resource with our prefix is not ours and is never listed for deletion).
  const prefix = hostPrefix(ctx.settings.host);
  const known = (kind: DesiredResource['kind']) => new Set(state.resources.filter((r) => r.kind === kind).map((r) => r.name));
  const [fns, roles, rules, groups] = await Promise.all([
    listFunctionNames(ctx, prefix),
    ctx.settings.roleArn ? Promise.resolve([] as string[]) : listRoleNames(ctx, prefix),
    listRuleNames(ctx, prefix),
    listLogGroups(ctx, prefix, known('log-group')),
  ]);
  const more = async (kind: 'function' | 'role' | 'rule', names: string[]) => {
    const skip = known(kind);
    const found = await mapLimit(
      names.filter((n) => !skip.has(n)),
      concurrency,
      (name) => ADAPTERS[kind].read(ctx, { name, job: null }),
    );
    for (const l of found) if (l && l.owned) extra.push(l);
  };
  await more('function', fns);
  await more('role', roles);
  await more('rule', rules);
  extra.push(...groups.filter((g) => g.owned));
  return { byKey, extra };
}

