// The real bootstrap, lock.sh and bash against dynalite behind a fault-injecting proxy (all on 127.0.0.1): each lock
// call in turn is throttled, fails with a 5xx, is answered after curl gave up, or loses its answer. Across the original
// delivery and Lambda's two retries (same request id, simulated back to back) the job runs exactly once per minute,
// or the last attempt fails visibly: never a silent skip of a run that did not happen.
//
// The cases run concurrently (each its own job, proxy and bootstrap, over one dynalite): each spends most of its time
// waiting on curl's time limits and the heartbeat, and run one after another they took a minute of mostly idle wall.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/dynamodb.js';
import type { InvocationResult } from '../../src/local/runtime-api.js';
import { FAULTS, startFaultProxy, type Fault, type FaultPlan, type FaultProxy, type LockCall } from '../support/fault-proxy.js';
import { LambdaEnv, bodyOf, cleanupDirs, makeTaskDir, markerLines, ruleEvent, stopAll, tempDir } from '../support/lambda.js';

let db: LocalDynamoDb;
let counter = 0;

beforeAll(async () => {
  db = await startLocalDynamoDb();
});
// Each delivery stops its own bootstrap and proxy (deliver's finally): with concurrent cases, an afterEach that stopped
// every environment would kill the others' mid-run. stopAll is the net for anything left behind.
afterAll(async () => {
  await stopAll();
  await db.close();
  cleanupDirs();
});

/** Short lease and heartbeat so that renewals happen during a short job; curl gives up after 1 s (delay is 1.5 s). */
function env(job: string, endpoint: string): Record<string, string> {
  return {
    CRON2LAMBDA_LOCK_TABLE: db.tableName,
    CRON2LAMBDA_JOB: job,
    CRON2LAMBDA_DYNAMODB_ENDPOINT: endpoint,
    CRON2LAMBDA_LEASE_SECONDS: '3',
    CRON2LAMBDA_HEARTBEAT_SECONDS: '0.3',
    CRON2LAMBDA_LOCK_MAX_TIME: '1',
    CRON2LAMBDA_LOCK_CONNECT_TIMEOUT: '1',
  };
}

/** Faults the first call of kind CALL (and, with THEN, the first call of kind THEN_CALL after it). */
function once(call: LockCall, fault: Fault, then?: [LockCall, Fault]): FaultPlan {
  return (c) => {
    if (c.call === call && c.nth === 0) return fault;
    if (then && c.call === then[0] && c.nth === 0) return then[1];
    return undefined;
  };
}

interface Outcome {
  /** The lock item's key of the delivered minute. */
  key: string;
  results: InvocationResult[];
  runs: string[];
  proxy: FaultProxy;
  stderr: string;
}

/**
 * One minute of a job delivered up to three times (the original and Lambda's two async retries, same event and
 * request id), each delivery after the previous answered. The job waits, after it started, until the proxy has seen
 * a renewal answered 200, so every run renews its lease at least once. With failFirst, the first run exits 1.
 */
async function deliver(plan: FaultPlan, failFirst = false, extra: Record<string, string> = {}): Promise<Outcome> {
  counter += 1;
  const job = `fault-${counter}`;
  const dir = tempDir();
  const marker = join(dir, 'marker');
  const go = join(dir, 'go');
  const flag = join(dir, 'failed-once');
  const proxy = await startFaultProxy(db.endpoint);
  proxy.plan = plan;
  proxy.onCall((c) => {
    if (c.call === 'renew' && c.status === 200 && !existsSync(go)) writeFileSync(go, '');
  });
  const fail = failFirst ? `if [ ! -e ${flag} ]; then touch ${flag}; echo failed >> ${marker}; exit 1; fi; ` : '';
  const taskDir = makeTaskDir({
    jobId: job,
    command: `rm -f ${go}; ${fail}echo ran >> ${marker}; while [ ! -e ${go} ]; do sleep 0.05; done`,
  });
  let lambda: LambdaEnv | undefined;
  try {
    lambda = await LambdaEnv.start({ taskDir, environment: { ...env(job, proxy.endpoint), ...extra } });
    const results: InvocationResult[] = [];
    const event = ruleEvent('2027-01-04T18:00:00Z');
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await lambda.invoke(event, { requestId: `async-${job}` });
      results.push(r);
      if (r.kind !== 'error') break;
    }
    await proxy.settle();
    return { key: `${job}#2027-01-04T18:00Z`, results, runs: markerLines(marker), proxy, stderr: lambda.stderr.join('\n') };
  } finally {
    await lambda?.stop();
    await proxy.close();
  }
}

/** Never a silent skip: a skipped answer only after a run that succeeded; a minute not run ends in a visible error. */
function expectNoSilentSkip(o: Outcome, expect: ExpectStatic): void {
  const last = o.results[o.results.length - 1];
  if (!o.runs.includes('ran')) expect(last.kind).toBe('error');
  for (const r of o.results) {
    if (r.kind === 'response' && bodyOf(r).skipped === true) expect(o.runs).toContain('ran');
  }
}

describe.concurrent('a job that succeeds, with one fault on one lock call', () => {
  const cases: [LockCall, Fault][] = (['acquire', 'renew', 'done'] as const).flatMap((call) => FAULTS.map((f) => [call, f] as [LockCall, Fault]));
  it.for(cases)('%s meets %s: the job runs exactly once and the answer is its success', async ([call, fault], { expect }) => {
    const o = await deliver(once(call, fault));
    expectNoSilentSkip(o, expect);
    expect(o.proxy.seen.some((c) => c.call === call && c.fault === fault)).toBe(true);
    expect(o.runs).toEqual(['ran']);
    expect(o.results).toHaveLength(1);
    expect(bodyOf(o.results[0])).toMatchObject({ exitCode: 0, skipped: false });
    expect(await db.getLock(o.key)).toMatchObject({ state: 'done' });
  });
});

describe.concurrent('a job that fails once, with one fault on its release', () => {
  it.for(FAULTS.map((f) => [f]))('release meets %s: the retry runs the job (no skip), which then succeeds', async ([fault], { expect }) => {
    const o = await deliver(once('release', fault), true);
    expectNoSilentSkip(o, expect);
    expect(o.proxy.seen.some((c) => c.call === 'release' && c.fault === fault)).toBe(true);
    expect(o.runs).toEqual(['failed', 'ran']);
    expect(o.results.map((r) => r.kind)).toEqual(['error', 'response']);
    expect(bodyOf(o.results[1])).toMatchObject({ exitCode: 0, skipped: false });
    expect(await db.getLock(o.key)).toMatchObject({ state: 'done' });
  });
});

describe.concurrent('an acquire whose answer is lost, then a fault on the read-back', () => {
  it.for((['throttle', '5xx', 'drop', 'delay'] as Fault[]).map((f) => [f]))(
    'read-back meets %s: the job still runs exactly once',
    async ([fault], { expect }) => {
      const o = await deliver(once('acquire', 'drop', ['read', fault]));
      expectNoSilentSkip(o, expect);
      expect(o.proxy.seen.some((c) => c.call === 'read' && c.fault === fault)).toBe(true);
      expect(o.runs).toEqual(['ran']);
      expect(o.results.map((r) => r.kind)).toEqual(['response']);
      expect(bodyOf(o.results[0])).toMatchObject({ exitCode: 0, skipped: false });
      expect(o.stderr).toMatch(/acquired \(confirmed by reading it back\)/);
    },
  );
});

describe.concurrent('a lock table that keeps failing', () => {
  it('fails every delivery visibly as Cron2Lambda.LockError and never runs or skips the job', async ({ expect }) => {
    // retries for 2 s per delivery instead of 30
    const o = await deliver(() => 'throttle', false, { CRON2LAMBDA_LOCK_RETRY_SECONDS: '2' });
    expect(o.runs).toEqual([]);
    expect(o.results.map((r) => r.kind)).toEqual(['error', 'error', 'error']);
    for (const r of o.results) if (r.kind === 'error') expect(r.errorType).toBe('Cron2Lambda.LockError');
    expect(String(bodyOf(o.results[0]).errorMessage)).toMatch(/ThrottlingException/);
  });
});
