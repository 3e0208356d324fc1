// The overlap policy (CRON2LAMBDA_OVERLAP=allow|forbid, CRON2LAMBDA_OVERLAP_WAIT): cron's `flock -n` on Lambda,
// with the real bootstrap, lock.sh and bash against dynalite on 127.0.0.1.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/dynamodb.js';
import type { InvocationResult } from '../../src/local/runtime-api.js';
import { LambdaEnv, bodyOf, cleanupDirs, makeTaskDir, markerLines, ruleEvent, stopAll, tempDir } from '../support/lambda.js';

let db: LocalDynamoDb;
let n = 0;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterEach(stopAll);
afterAll(async () => {
  await db.close();
  cleanupDirs();
});

function env(job: string, extra: Record<string, string> = {}): Record<string, string> {
  return { CRON2LAMBDA_LOCK_TABLE: db.tableName, CRON2LAMBDA_JOB: job, CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint, ...extra };
}

/** A job that records its start and end and runs until the file "go" exists (of its own minute, else any). */
function busyJob(job: string) {
  const dir = tempDir();
  const marker = join(dir, 'marker');
  const go = join(dir, 'go');
  const taskDir = makeTaskDir({
    jobId: job,
    command: `m=$(date +%s%N); echo "start $m" >> ${marker}; while [ ! -e ${go} ]; do sleep 0.05; done; echo "end $m" >> ${marker}`,
  });
  return { taskDir, marker, go };
}

describe('two deliveries of different minutes while the first run is busy', () => {
  async function twoMinutes(policy: Record<string, string>): Promise<{ first: InvocationResult; second: InvocationResult; marker: string; job: string; log: string }> {
    const job = `ov-${++n}`;
    const { taskDir, marker, go } = busyJob(job);
    const a = await LambdaEnv.start({ taskDir, environment: env(job, policy) });
    const b = await LambdaEnv.start({ taskDir, environment: env(job, policy) });
    const first = a.invoke(ruleEvent('2027-01-04T18:00:00Z'), { requestId: `${job}-first` });
    await a.waitForLine(/holder=.*-first: acquired/);
    while (markerLines(marker).length === 0) await new Promise((r) => setTimeout(r, 20));
    // with allow, the second run waits for "go" as well: let it go once it has started
    const second = b.invoke(ruleEvent('2027-01-04T18:10:00Z'), { requestId: `${job}-second` });
    const done = await Promise.race([second.then(() => 'second'), (async () => {
      while (markerLines(marker).length < 2) await new Promise((r) => setTimeout(r, 20));
      return 'started';
    })()]);
    expect(['second', 'started']).toContain(done);
    writeFileSync(go, '');
    return { first: await first, second: await second, marker, job, log: b.stderr.join('\n') };
  }

  it('forbid: the second skips with success, says why in its answer and log, and its minute stays decided', async () => {
    const { first, second, marker, job, log } = await twoMinutes({ CRON2LAMBDA_OVERLAP: 'forbid' });
    expect(log).toMatch(new RegExp(`skipped: an earlier run of job ${job} \\(holder ${job}-first\\) is still running, and its overlap policy is forbid`));
    expect(bodyOf(first)).toMatchObject({ exitCode: 0, skipped: false });
    expect(bodyOf(second)).toEqual({ exitCode: null, durationMs: 0, skipped: true, reason: 'overlap' });
    expect(markerLines(marker).map((l) => l.split(' ')[0])).toEqual(['start', 'end']);
    expect(await db.getLock(`${job}#2027-01-04T18:10Z`)).toMatchObject({ state: 'skipped', holder: `${job}-second` });
    expect(await db.getLock(`${job}#2027-01-04T18:00Z`)).toMatchObject({ state: 'done' });
    // the job lock is released at the end of the run
    expect(await db.getLock(`${job}#running`)).toBeUndefined();
  });

  it('allow (the default): both run, overlapping', async () => {
    const { first, second, marker } = await twoMinutes({});
    expect(bodyOf(first)).toMatchObject({ exitCode: 0, skipped: false });
    expect(bodyOf(second)).toMatchObject({ exitCode: 0, skipped: false });
    expect(markerLines(marker).map((l) => l.split(' ')[0])).toEqual(['start', 'start', 'end', 'end']);
  });
});

it('forbid with a wait: the second run waits for the first to end, then runs', async () => {
  const job = `ov-${++n}`;
  const { taskDir, marker, go } = busyJob(job);
  const policy = { CRON2LAMBDA_OVERLAP: 'forbid', CRON2LAMBDA_OVERLAP_WAIT: '120' };
  const a = await LambdaEnv.start({ taskDir, environment: env(job, policy) });
  const b = await LambdaEnv.start({ taskDir, environment: env(job, policy) });
  const first = a.invoke(ruleEvent('2027-01-04T19:00:00Z'), { requestId: `${job}-first` });
  while (markerLines(marker).length === 0) await new Promise((r) => setTimeout(r, 20));
  const second = b.invoke(ruleEvent('2027-01-04T19:10:00Z'), { requestId: `${job}-second` });
  await b.waitForLine(/job lock .*holder=.*-second: skipped live/); // it has seen the first run alive
  writeFileSync(go, '');
  expect(bodyOf(await first)).toMatchObject({ exitCode: 0, skipped: false });
  expect(bodyOf(await second)).toMatchObject({ exitCode: 0, skipped: false });
  expect(markerLines(marker).map((l) => l.split(' ')[0])).toEqual(['start', 'end', 'start', 'end']);
});

it('forbid with a wait: a duplicate delivery of a waiting minute skips it, however long the wait (the minute\'s lease is renewed while waiting)', async () => {
  const job = `ov-${++n}`;
  const { taskDir, marker, go } = busyJob(job);
  const policy = { CRON2LAMBDA_OVERLAP: 'forbid', CRON2LAMBDA_OVERLAP_WAIT: '120', CRON2LAMBDA_LEASE_SECONDS: '2', CRON2LAMBDA_HEARTBEAT_SECONDS: '0.5' };
  const a = await LambdaEnv.start({ taskDir, environment: env(job, policy) });
  const b = await LambdaEnv.start({ taskDir, environment: env(job, policy) });
  const c = await LambdaEnv.start({ taskDir, environment: env(job, policy) });
  const first = a.invoke(ruleEvent('2027-01-04T19:20:00Z'), { requestId: `${job}-first` });
  while (markerLines(marker).length === 0) await new Promise((r) => setTimeout(r, 20));
  const second = b.invoke(ruleEvent('2027-01-04T19:30:00Z'), { requestId: `${job}-second` });
  await b.waitForLine(/job lock .*holder=.*-second: skipped live/); // waiting for the first run
  // longer than the lease of 19:30, which the second delivery took and holds while it waits
  await new Promise((r) => setTimeout(r, 3500));
  const duplicate = c.invoke(ruleEvent('2027-01-04T19:30:00Z'), { requestId: `${job}-duplicate` });
  const seen = await Promise.race([duplicate.then(() => 'answered'), c.waitForLine(/lock job=.*minute=2027-01-04T19:30Z holder=.*-duplicate: took over/).then(() => 'took over')]);
  writeFileSync(go, '');
  expect(bodyOf(await first)).toMatchObject({ exitCode: 0, skipped: false });
  expect(bodyOf(await second)).toMatchObject({ exitCode: 0, skipped: false });
  const dup = await duplicate;
  // 19:20 once, 19:30 once
  expect(markerLines(marker).map((l) => l.split(' ')[0])).toEqual(['start', 'end', 'start', 'end']);
  expect(seen).toBe('answered');
  expect(bodyOf(dup)).toMatchObject({ skipped: true, reason: 'live' });
  expect(await db.getLock(`${job}#2027-01-04T19:30Z`)).toMatchObject({ state: 'done', holder: `${job}-second` });
});

it('forbid: a holder killed mid-run does not block the job beyond its lease', async () => {
  const job = `ov-${++n}`;
  const { taskDir, marker, go } = busyJob(job);
  const policy = { CRON2LAMBDA_OVERLAP: 'forbid', CRON2LAMBDA_LEASE_SECONDS: '2', CRON2LAMBDA_HEARTBEAT_SECONDS: '0.5' };
  const killed = await LambdaEnv.start({ taskDir, environment: env(job, policy) });
  const pending = killed.invoke(ruleEvent('2027-01-04T20:00:00Z'), { requestId: `${job}-killed` });
  while (markerLines(marker).length === 0) await new Promise((r) => setTimeout(r, 20));
  killed.proc.kill('SIGKILL');
  await killed.stop();
  expect((await pending).kind).toBe('abandoned');
  const { lease } = (await db.getLock(`${job}#running`)) as unknown as { lease: number };
  await new Promise((r) => setTimeout(r, Math.max(0, lease - Date.now() + 50)));

  writeFileSync(go, '');
  const next = await LambdaEnv.start({ taskDir, environment: env(job, policy) });
  const result = await next.invoke(ruleEvent('2027-01-04T20:10:00Z'), { requestId: `${job}-next` });
  expect(bodyOf(result)).toMatchObject({ exitCode: 0, skipped: false });
  expect(next.stderr.join('\n')).toMatch(new RegExp(`job lock job=${job} holder=${job}-next: took over expired \\(holder ${job}-killed`));
  expect(markerLines(marker).map((l) => l.split(' ')[0])).toEqual(['start', 'start', 'end']);
});

it('forbid: 20 concurrent deliveries of distinct minutes run the job exactly once, the others skip', async () => {
  const job = `ov-${++n}`;
  const { taskDir, marker, go } = busyJob(job);
  const envs = await Promise.all(Array.from({ length: 20 }, () => LambdaEnv.start({ taskDir, environment: env(job, { CRON2LAMBDA_OVERLAP: 'forbid' }) })));
  await Promise.all(envs.map((e) => e.api.waitUntilPolling()));
  const answered: InvocationResult[] = [];
  const all = envs.map((e, i) =>
    e.invoke(ruleEvent(`2027-01-04T21:${String(i).padStart(2, '0')}:00Z`)).then((r) => {
      answered.push(r);
      return r;
    }),
  );
  // the one run goes on until the 19 others have answered
  while (answered.length < 19) await new Promise((r) => setTimeout(r, 50));
  writeFileSync(go, '');
  const bodies = (await Promise.all(all)).map(bodyOf);
  expect(bodies.filter((b) => b.skipped === false)).toHaveLength(1);
  expect(bodies.filter((b) => b.reason === 'overlap')).toHaveLength(19);
  expect(markerLines(marker).map((l) => l.split(' ')[0])).toEqual(['start', 'end']);
  expect(existsSync(go)).toBe(true);
});

it('refuses an overlap policy it does not know at start-up', async () => {
  const job = `ov-${++n}`;
  const { taskDir } = busyJob(job);
  const e = await LambdaEnv.start({ taskDir, environment: env(job, { CRON2LAMBDA_OVERLAP: 'sometimes' }) });
  const err = await e.api.waitForInitError();
  expect(String((err.json as { errorMessage: string }).errorMessage)).toMatch(/CRON2LAMBDA_OVERLAP must be allow or forbid/);
});
