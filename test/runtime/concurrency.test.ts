// Many Lambda environments (one bootstrap process and one Runtime API each) receiving deliveries at the same time.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/dynamodb.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { LambdaEnv, bodyOf, cleanupDirs, makeTaskDir, markerLines, ruleEvent, stopAll, tempDir } from '../support/lambda.js';

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterEach(stopAll);
afterAll(async () => {
  await db.close();
  cleanupDirs();
});

function lockEnv(job: string): Record<string, string> {
  return { CRON2LAMBDA_LOCK_TABLE: db.tableName, CRON2LAMBDA_JOB: job, CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint };
}

/** Starts N environments and waits until every bootstrap is long-polling for its event. */
async function startEnvs(n: number, taskDir: string, job: string): Promise<LambdaEnv[]> {
  const envs = await Promise.all(Array.from({ length: n }, () => LambdaEnv.start({ taskDir, environment: lockEnv(job) })));
  await Promise.all(envs.map((env) => env.api.waitUntilPolling()));
  return envs;
}

it('runs the command exactly once when 20 deliveries of one minute arrive at once (20 bootstraps, one event each)', async () => {
  const job = 'herd';
  const marker = join(tempDir(), 'marker');
  // The run is slow enough that every other delivery finds the lock "running", not "done".
  const taskDir = makeTaskDir({ jobId: job, command: `echo "$$" >> ${marker}; sleep 0.5` });
  const envs = await startEnvs(20, taskDir, job);

  const results = await Promise.all(
    envs.map((env, i) => env.invoke(ruleEvent(`2027-01-04T18:00:${String(i).padStart(2, '0')}Z`), { requestId: `herd-${i}` })),
  );

  const bodies = results.map(bodyOf);
  const ran = bodies.filter((b) => b.skipped === false);
  expect(ran).toHaveLength(1);
  expect(ran[0]).toMatchObject({ exitCode: 0 });
  expect(bodies.filter((b) => b.skipped === true)).toHaveLength(19);
  expect(markerLines(marker)).toHaveLength(1);
  const winner = results[bodies.indexOf(ran[0])].requestId;
  expect(await db.getLock(`${job}#2027-01-04T18:00Z`)).toMatchObject({ state: 'done', holder: winner });
});

it('runs each of 5 minutes exactly once when 4 deliveries of each arrive at once', async () => {
  const job = 'minutes';
  const marker = join(tempDir(), 'marker');
  const taskDir = makeTaskDir({ jobId: job, command: `echo "$CRON2LAMBDA_JOB" >> ${marker}; sleep 0.2` });
  const envs = await startEnvs(20, taskDir, job);

  const minutes = [0, 1, 2, 3, 4].map((m) => `2027-01-04T19:0${m}`);
  const results = await Promise.all(envs.map((env, i) => env.invoke(ruleEvent(`${minutes[i % 5]}:${String(i).padStart(2, '0')}Z`))));

  expect(results.map(bodyOf).filter((b) => b.skipped === false)).toHaveLength(5);
  expect(markerLines(marker)).toHaveLength(5);
  const items = (await db.scan()).filter((i) => String(i.key).startsWith(`${job}#`));
  expect(items.map((i) => [i.key, i.state])).toEqual(minutes.map((m) => [`${job}#${m}Z`, 'done']));
});

it('runs the command once when 20 deliveries of one minute arrive at once and 10 % of lock calls are throttled', async () => {
  const job = 'herd-throttled';
  const marker = join(tempDir(), 'marker');
  const proxy = await startFaultProxy(db.endpoint);
  try {
    // a fixed pseudo-random sequence (LCG), so a failure can be replayed
    let seed = 9;
    proxy.plan = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % 10 === 0 ? 'throttle' : undefined;
    };
    const taskDir = makeTaskDir({ jobId: job, command: `echo "$$" >> ${marker}; sleep 0.5` });
    const envs = await Promise.all(
      Array.from({ length: 20 }, () =>
        LambdaEnv.start({ taskDir, environment: { ...lockEnv(job), CRON2LAMBDA_DYNAMODB_ENDPOINT: proxy.endpoint } }),
      ),
    );
    await Promise.all(envs.map((env) => env.api.waitUntilPolling()));
    const results = await Promise.all(envs.map((env, i) => env.invoke(ruleEvent(`2027-01-04T20:00:${String(i).padStart(2, '0')}Z`))));

    expect(proxy.seen.filter((c) => c.fault === 'throttle').length).toBeGreaterThan(0);
    expect(results.map((r) => r.kind)).toEqual(Array(20).fill('response'));
    const bodies = results.map(bodyOf);
    expect(bodies.filter((b) => b.skipped === false)).toHaveLength(1);
    expect(bodies.filter((b) => b.skipped === true)).toHaveLength(19);
    expect(markerLines(marker)).toHaveLength(1);
    expect(await db.getLock(`${job}#2027-01-04T20:00Z`)).toMatchObject({ state: 'done' });
  } finally {
    await proxy.close();
  }
});
