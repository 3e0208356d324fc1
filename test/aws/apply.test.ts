// apply's graph with fake adapters: dependency order, per-job isolation, bounded concurrency, rules enabled last.
import { describe, expect, it } from 'vitest';
import type { Adapter, AwsContext } from '../../src/aws/adapter.js';
import { apply, type Executors } from '../../src/aws/apply.js';
import { KINDS, type Change, type Kind } from '../../src/aws/model.js';
import { transientClass, retrying } from '../../src/aws/retry.js';

function change(kind: Kind, name: string, job: string | null, action: Change['action'] = 'create', state?: string): Change {
  return { action, kind, name, job, attrs: [], desired: { kind, name, job, attrs: state ? { state } : {} } };
}

function jobChanges(job: string, state = 'DISABLED'): Change[] {
  // Listed in reverse on purpose: apply orders by dependency, not by list order.
  return [change('target', 'cron2lambda', job), change('rule', `${job}-1`, job, 'create', state), change('permission', `${job}-1`, job), change('async-config', job, job), change('function', job, job), change('log-group', job, job), change('role', job, job)];
}

function fakes(options: { fail?: string; delayMs?: number } = {}) {
  const log: string[] = [];
  let running = 0;
  let peak = 0;
  const op = (verb: string) => async (_ctx: AwsContext, x: { kind: Kind; name: string }) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, options.delayMs ?? 1));
    running--;
    const entry = `${verb} ${x.kind} ${x.name}`;
    log.push(entry);
    if (options.fail === entry) throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
  };
  const adapter = (kind: Kind): Adapter => ({
    kind,
    read: async () => null,
    create: (ctx, d) => op('create')(ctx, d),
    update: (ctx, c) => op('update')(ctx, c),
    delete: (ctx, l) => op('delete')(ctx, l),
  });
  const executors: Executors = {
    adapters: Object.fromEntries(KINDS.map((k) => [k, adapter(k)])) as Record<Kind, Adapter>,
    enable: async (_ctx, rule) => void log.push(`enable rule ${rule}`),
  };
  return { log, executors, peak: () => peak };
}

const ctx = {} as AwsContext;

describe('apply', () => {
  it('creates in dependency order and enables a rule only after its target', async () => {
    const f = fakes();
    const changes = [...jobChanges('a', 'ENABLED'), change('table', 'locks', null)];
    const r = await apply(ctx, changes, { concurrency: 4, executors: f.executors });
    expect(r.failedJobs).toEqual([]);
    const at = (s: string) => f.log.indexOf(s);
    expect(at('create table locks')).toBe(0);
    expect(at('create role a')).toBeLessThan(at('create function a'));
    expect(at('create log-group a')).toBeLessThan(at('create function a'));
    expect(at('create function a')).toBeLessThan(at('create permission a-1'));
    expect(at('create permission a-1')).toBeLessThan(at('create target cron2lambda'));
    expect(at('create rule a-1')).toBeLessThan(at('create target cron2lambda'));
    expect(f.log[f.log.length - 1]).toBe('enable rule a-1');
    expect(r.results.every((x) => x.status === 'done')).toBe(true);
  });

  it("stops only the failing job: its later changes are not attempted, the other jobs complete", async () => {
    const f = fakes({ fail: 'create function b' });
    const r = await apply(ctx, [...jobChanges('a'), ...jobChanges('b'), ...jobChanges('c')], { concurrency: 2, executors: f.executors });
    expect(r.failedJobs).toEqual(['b']);
    const of = (job: string) => r.results.filter((x) => x.change.job === job);
    expect(of('a').every((x) => x.status === 'done')).toBe(true);
    expect(of('c').every((x) => x.status === 'done')).toBe(true);
    expect(of('b').find((x) => x.change.kind === 'function')).toMatchObject({ status: 'failed', error: 'AccessDeniedException: denied' });
    expect(of('b').filter((x) => x.status === 'skipped').map((x) => x.change.kind).sort()).toEqual(['async-config', 'permission', 'rule', 'target']);
    expect(f.log).not.toContain('create permission b-1');
  });

  it('attempts no job when a shared resource fails', async () => {
    const f = fakes({ fail: 'create table locks' });
    const r = await apply(ctx, [change('table', 'locks', null), ...jobChanges('a')], { concurrency: 2, executors: f.executors });
    expect(r.failedJobs).toEqual(['a']);
    expect(f.log).toEqual(['create table locks']);
  });

  it('keeps at most `concurrency` jobs in flight and deletes triggers before functions', async () => {
    const f = fakes({ delayMs: 5 });
    const jobs = Array.from({ length: 12 }, (_, i) => [change('function', `f${i}`, `j${i}`), change('role', `r${i}`, `j${i}`)]).flat();
    await apply(ctx, jobs, { concurrency: 3, executors: f.executors });
    expect(f.peak()).toBeLessThanOrEqual(3 * 2);
    const g = fakes();
    await apply(ctx, [change('function', 'old', 'x', 'delete'), change('role', 'old', 'x', 'delete'), change('rule', 'old-1', 'x', 'delete')].map((c) => ({ ...c, live: { kind: c.kind, name: c.name, job: 'x', host: 'h', owned: true, attrs: {} } })), { concurrency: 1, executors: g.executors });
    expect(g.log).toEqual(['delete rule old-1', 'delete function old', 'delete role old']);
  });
});

describe('retry', () => {
  it('waits out a role Lambda cannot assume yet, a busy function and throttling, and nothing else', async () => {
    expect(transientClass(Object.assign(new Error('The role defined for the function cannot be assumed by Lambda.'), { name: 'InvalidParameterValueException' }))).toBe('role-not-assumable');
    expect(transientClass(Object.assign(new Error('The operation cannot be performed at this time. An update is in progress for resource: x'), { name: 'ResourceConflictException' }))).toBe('conflict');
    expect(transientClass(Object.assign(new Error('Function already exist: x'), { name: 'ResourceConflictException' }))).toBeNull();
    expect(transientClass(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }))).toBe('throttling');
    expect(transientClass(Object.assign(new Error('denied'), { name: 'AccessDenied' }))).toBeNull();
    let calls = 0;
    const slept: number[] = [];
    const v = await retrying(
      async () => {
        if (++calls < 4) throw Object.assign(new Error('The role defined for the function cannot be assumed by Lambda.'), { name: 'InvalidParameterValueException' });
        return 'ok';
      },
      { sleep: async (ms) => void slept.push(ms), timing: { baseDelayMs: 100, maxDelayMs: 400, budgetMs: 10_000 } },
    );
    expect(v).toBe('ok');
    expect(slept).toHaveLength(3);
    expect(Math.max(...slept)).toBeLessThanOrEqual(400);
  });
});
