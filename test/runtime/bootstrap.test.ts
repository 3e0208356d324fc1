// The real bootstrap + lock.sh + a rendered function.sh, run by bash against the local Runtime API and dynalite.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it as vitestIt } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/dynamodb.js';
import { extractZipToDir, startBootstrap } from '../../src/local/runner.js';
import { readTemplate, renderHandler } from '../../src/package/handler.js';
import { writeZip } from '../../src/package/zip.js';
import { startRuntimeApi } from '../../src/local/runtime-api.js';
import {
  LambdaEnv,
  bodyOf,
  cleanupDirs,
  makeTaskDir,
  markerLines,
  ruleEvent,
  stopAll,
  tempDir,
  withOwnEnvs,
} from '../support/lambda.js';

// Most cases wait on bash, curl and short leases rather than compute, so the suites run their cases concurrently
// (describe.concurrent; the leases suite, which measures lease timing, stays one case at a time). Each case stops the
// environments it started when it ends (withOwnEnvs), and stopAll after the file is the net for the rest.
const it = (name: string, body: () => Promise<void>, timeout?: number) => vitestIt(name, () => withOwnEnvs(body), timeout);

let db: LocalDynamoDb;
let jobCounter = 0;

beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterAll(async () => {
  await stopAll();
  await db.close();
  cleanupDirs();
});

/** A fresh job id per test, so tests sharing the table do not share lock keys. */
function newJob(): string {
  jobCounter += 1;
  return `job-${jobCounter}`;
}

function lockEnv(job: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    CRON2LAMBDA_LOCK_TABLE: db.tableName,
    CRON2LAMBDA_JOB: job,
    CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint,
    ...extra,
  };
}

/** Epoch seconds of a UTC minute like 2027-01-04T18:00Z. */
function minuteEpoch(minute: string): number {
  return Date.parse(minute.replace('Z', ':00Z')) / 1000;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.concurrent('one invocation', () => {
  it('runs the command once, answers {"exitCode":0,...} and marks the minute done', async () => {
    const job = newJob();
    const out = tempDir();
    const marker = join(out, 'marker');
    const taskDir = makeTaskDir({ jobId: job, command: `echo ran >> ${marker}; echo to-stdout; echo to-stderr >&2` });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    const deadline = Date.now() + 60_000;

    const result = await env.invoke(ruleEvent('2027-01-04T18:00:23Z'), { deadlineMs: deadline, requestId: 'req-success-1' });

    expect(result.kind).toBe('response');
    const body = bodyOf(result);
    expect(body).toMatchObject({ exitCode: 0, skipped: false });
    expect(typeof body.durationMs).toBe('number');
    expect(markerLines(marker)).toEqual(['ran']);
    expect(env.stdout).toContain('to-stdout');
    expect(env.stderr).toContain('to-stderr');
    const item = await db.getLock(`${job}#2027-01-04T18:00Z`);
    expect(item).toMatchObject({
      key: `${job}#2027-01-04T18:00Z`,
      state: 'done',
      holder: 'req-success-1',
      deadline,
      ttl: minuteEpoch('2027-01-04T18:00Z') + 7 * 86400,
    });
    expect(item!.finished).toBeGreaterThanOrEqual(item!.started);
  });

  it('reports a non-zero exit on the error endpoint with the status and the last 20 stderr lines, and releases the lock', async () => {
    const job = newJob();
    const out = tempDir();
    const marker = join(out, 'marker');
    // 30 numbered stderr lines, then one with JSON-hostile characters, then exit 3.
    const taskDir = makeTaskDir({
      jobId: job,
      shell: '/bin/bash',
      command: `echo ran >> ${marker}; for i in $(seq 1 30); do echo "err-$i" >&2; done; printf 'q"uote\\\\back\\ttab\\001ctl\\n' >&2; exit 3`,
    });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });

    const result = await env.invoke(ruleEvent('2027-01-04T18:05:00Z'));

    expect(result.kind).toBe('error');
    if (result.kind !== 'error') return;
    expect(result.errorType).toBe('Runtime.ExitError');
    const body = bodyOf(result);
    expect(body.errorType).toBe('Runtime.ExitError');
    expect(body.stackTrace).toEqual([]);
    const message = String(body.errorMessage);
    expect(message).toContain('exited with status 3');
    const lines = message.split('\n');
    // last 20 stderr lines: err-12 .. err-30 and the hostile line, in order
    expect(lines.slice(-20)).toEqual([...Array.from({ length: 19 }, (_, i) => `err-${i + 12}`), 'q"uote\\back\ttab\u0001ctl']);
    expect(lines).not.toContain('err-11');
    expect(markerLines(marker)).toEqual(['ran']);
    expect(await db.getLock(`${job}#2027-01-04T18:05Z`)).toBeUndefined();
  });

  it('still answers the Runtime API when the lock table goes away during the run (lock update and answer share one curl)', async () => {
    const own = await startLocalDynamoDb();
    try {
      const job = newJob();
      const taskDir = makeTaskDir({ jobId: job, command: 'echo started; sleep 1; echo finished' });
      const env = await LambdaEnv.start({
        taskDir,
        // done is retried for one second (default 30) before the run gives up on it
        environment: { CRON2LAMBDA_LOCK_TABLE: own.tableName, CRON2LAMBDA_JOB: job, CRON2LAMBDA_DYNAMODB_ENDPOINT: own.endpoint, CRON2LAMBDA_LOCK_RETRY_SECONDS: '1' },
      });
      const pending = env.invoke(ruleEvent('2027-01-04T18:01:00Z'), { requestId: 'req-table-gone' });
      await env.waitForLine('started');
      await own.close();
      const result = await pending;
      expect(result.kind).toBe('response');
      expect(bodyOf(result)).toMatchObject({ exitCode: 0, skipped: false });
      expect(env.stderr.join('\n')).toMatch(/the job succeeded but the lock .* was not marked done: DynamoDB endpoint .* not reachable/);
    } finally {
      await own.close().catch(() => undefined);
    }
  });

  it('names the signal when the command is killed by one', async () => {
    const job = newJob();
    const taskDir = makeTaskDir({ jobId: job, command: 'kill -TERM $$' });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    const result = await env.invoke(ruleEvent('2027-01-04T18:06:00Z'));
    expect(result.kind).toBe('error');
    expect(String(bodyOf(result).errorMessage)).toMatch(/status 143 \(signal TERM\).*nothing to stderr/);
  });

  it('skips a duplicate delivery of the same minute, in the same and in another environment', async () => {
    const job = newJob();
    const marker = join(tempDir(), 'marker');
    const taskDir = makeTaskDir({ jobId: job, command: `echo ran >> ${marker}` });
    const env1 = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    const env2 = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });

    const first = await env1.invoke(ruleEvent('2027-01-04T18:10:05Z'), { requestId: 'first' });
    const again = await env1.invoke(ruleEvent('2027-01-04T18:10:40Z'));
    const other = await env2.invoke({ time: '2027-01-04T18:10:00Z', source: 'cron2lambda.scheduler' });

    expect(bodyOf(first)).toMatchObject({ exitCode: 0, skipped: false });
    expect(bodyOf(again)).toEqual({ exitCode: null, durationMs: 0, skipped: true, reason: 'done' });
    expect(bodyOf(other)).toEqual({ exitCode: null, durationMs: 0, skipped: true, reason: 'done' });
    expect(markerLines(marker)).toEqual(['ran']);
    expect(await db.getLock(`${job}#2027-01-04T18:10Z`)).toMatchObject({ state: 'done', holder: 'first' });
  });

  it("runs Lambda's retry of a failed run (the failure released the lock)", async () => {
    const job = newJob();
    const dir = tempDir();
    const marker = join(dir, 'marker');
    const flag = join(dir, 'failed-once');
    const taskDir = makeTaskDir({
      jobId: job,
      command: `if [ -e ${flag} ]; then echo ok >> ${marker}; else touch ${flag}; echo failing >> ${marker}; exit 1; fi`,
    });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    const event = ruleEvent('2027-01-04T18:15:02Z');

    const failed = await env.invoke(event, { requestId: 'async-1' });
    expect(failed.kind).toBe('error');
    expect(await db.getLock(`${job}#2027-01-04T18:15Z`)).toBeUndefined();

    // Lambda's async retry re-sends the same event with the same request id.
    const retried = await env.invoke(event, { requestId: 'async-1' });
    expect(bodyOf(retried)).toMatchObject({ exitCode: 0, skipped: false });
    expect(markerLines(marker)).toEqual(['failing', 'ok']);
    expect(await db.getLock(`${job}#2027-01-04T18:15Z`)).toMatchObject({ state: 'done', holder: 'async-1' });

    // and a late duplicate of the same minute after the success is skipped
    expect(bodyOf(await env.invoke(event))).toMatchObject({ skipped: true });
    expect(markerLines(marker)).toEqual(['failing', 'ok']);
  });

  it('runs each distinct minute once', async () => {
    const job = newJob();
    const marker = join(tempDir(), 'marker');
    const taskDir = makeTaskDir({ jobId: job, command: `echo run >> ${marker}` });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    const times = ['2027-01-04T18:20:01Z', '2027-01-04T18:21:59Z', '2027-01-04T18:20:30Z', '2027-01-04T19:20:00Z', '2027-01-04T18:21:00Z'];
    const skipped: boolean[] = [];
    for (const time of times) skipped.push(bodyOf(await env.invoke(ruleEvent(time))).skipped as boolean);
    expect(skipped).toEqual([false, false, true, false, true]);
    expect(markerLines(marker)).toHaveLength(3);
    const keys = (await db.scan()).map((i) => i.key).filter((k) => String(k).startsWith(`${job}#`));
    expect(keys).toEqual([`${job}#2027-01-04T18:20Z`, `${job}#2027-01-04T18:21Z`, `${job}#2027-01-04T19:20Z`]);
  });

  it('takes the scheduled minute from the top-level "time" in UTC, not from a nested one', async () => {
    const job = newJob();
    const taskDir = makeTaskDir({ jobId: job, command: 'true' });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    await env.invoke({ detail: { time: '1999-01-01T00:00:00Z' }, time: '2027-01-05T03:30:45+09:00' });
    const keys = (await db.scan()).map((i) => i.key).filter((k) => String(k).startsWith(`${job}#`));
    expect(keys).toEqual([`${job}#2027-01-04T18:30Z`]);
  });

  it('refuses an event without a parseable time and does not run the command', async () => {
    const job = newJob();
    const marker = join(tempDir(), 'marker');
    const taskDir = makeTaskDir({ jobId: job, command: `echo ran >> ${marker}` });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    for (const event of [{}, { detail: { time: '2027-01-04T18:00:00Z' } }, { time: '2027-02-30T00:00:00Z' }, { time: 'now' }, 'not json']) {
      const result = await env.invoke(event);
      expect(result.kind).toBe('error');
      if (result.kind === 'error') expect(result.errorType).toBe('Cron2Lambda.InvalidEvent');
    }
    expect(markerLines(marker)).toEqual([]);
    expect((await db.scan()).filter((i) => String(i.key).startsWith(`${job}#`))).toEqual([]);
  });
});

describe.concurrent('the function zip', () => {
  it('runs a job extracted from its zip: bootstrap, lock.sh, function.sh and a 0755 script under its original path', async () => {
    const job = newJob();
    const out = tempDir();
    const zip = await writeZip([
      { path: 'bootstrap', content: readTemplate('bootstrap'), mode: 0o755 },
      { path: 'lock.sh', content: readTemplate('lock.sh'), mode: 0o644 },
      {
        path: 'function.sh',
        content: renderHandler({
          jobId: job,
          command: `$LAMBDA_TASK_ROOT/opt/app/bin/backup.sh nightly > ${out}/result`,
          stdin: null,
          shell: '/bin/sh',
          environment: { TARGET: 's3://bucket' },
          home: null,
        }),
        mode: 0o644,
      },
      { path: 'opt/app/bin/backup.sh', content: '#!/bin/sh\necho "backup $1 to $TARGET"\n', mode: 0o755 },
    ]);
    const taskDir = tempDir('c2l-zip-');
    await extractZipToDir(zip, taskDir);
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    expect(bodyOf(await env.invoke(ruleEvent('2027-01-04T18:55:00Z')))).toMatchObject({ exitCode: 0, skipped: false });
    expect(readFileSync(join(out, 'result'), 'utf8')).toBe('backup nightly to s3://bucket\n');
  });
});

describe.concurrent('lock errors never run the command unlocked', () => {
  it('reports an unreachable lock table (closed port) as Cron2Lambda.LockError', async () => {
    const job = newJob();
    const marker = join(tempDir(), 'marker');
    const taskDir = makeTaskDir({ jobId: job, command: `echo ran >> ${marker}` });
    const port = await closedPort();
    const env = await LambdaEnv.start({
      taskDir,
      // connection refused is retried (it may be passing); for one second here instead of 30
      environment: lockEnv(job, { CRON2LAMBDA_DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`, CRON2LAMBDA_LOCK_RETRY_SECONDS: '1' }),
    });
    const result = await env.invoke(ruleEvent('2027-01-04T18:25:00Z'));
    expect(result.kind).toBe('error');
    if (result.kind !== 'error') return;
    expect(result.errorType).toBe('Cron2Lambda.LockError');
    expect(String(bodyOf(result).errorMessage)).toMatch(/not reachable/);
    expect(markerLines(marker)).toEqual([]);
  });

  it('reports access denied (HTTP 400 AccessDeniedException) as Cron2Lambda.LockError, with a signed request', async () => {
    const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
    const stub: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        res.writeHead(400, { 'Content-Type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazon.coral.service#AccessDeniedException',
            message: 'User: arn:aws:sts::123456789012:assumed-role/job/fn is not authorized to perform: dynamodb:PutItem',
          }),
        );
      });
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', () => resolve()));
    try {
      const job = newJob();
      const marker = join(tempDir(), 'marker');
      const taskDir = makeTaskDir({ jobId: job, command: `echo ran >> ${marker}` });
      const env = await LambdaEnv.start({
        taskDir,
        environment: lockEnv(job, { CRON2LAMBDA_DYNAMODB_ENDPOINT: `http://127.0.0.1:${(stub.address() as AddressInfo).port}` }),
      });
      const result = await env.invoke(ruleEvent('2027-01-04T18:26:00Z'), { requestId: 'denied-1' });
      expect(result.kind).toBe('error');
      if (result.kind !== 'error') return;
      expect(result.errorType).toBe('Cron2Lambda.LockError');
      expect(String(bodyOf(result).errorMessage)).toMatch(/HTTP 400.*AccessDeniedException.*not authorized/);
      expect(markerLines(marker)).toEqual([]);

      // exactly one request (access denied is not retried): the conditional PutItem, SigV4-signed with the session token
      expect(seen).toHaveLength(1);
      const { headers, body } = seen[0];
      expect(headers['x-amz-target']).toBe('DynamoDB_20120810.PutItem');
      expect(headers['content-type']).toBe('application/x-amz-json-1.0');
      expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCALFAKE\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=[^ ]*x-amz-date[^ ]*, Signature=[0-9a-f]{64}$/);
      expect(headers['x-amz-security-token']).toBe('local-fake-session-token');
      const put = JSON.parse(body);
      expect(put).toMatchObject({
        TableName: db.tableName,
        Item: { key: { S: `${job}#2027-01-04T18:26Z` }, state: { S: 'running' }, holder: { S: 'denied-1' }, lease: { N: expect.any(String) } },
        ConditionExpression: 'attribute_not_exists(#k)',
      });
    } finally {
      await new Promise<void>((resolve) => stub.close(() => resolve()));
    }
  });
});

describe('leases', () => {
  // Issue 9 replaced the deadline takeover: a holder is dead once its lease is not renewed, whatever its deadline.
  it('lets the next delivery take over the minute of a holder killed with SIGKILL once its lease has ended', async () => {
    const job = newJob();
    const dir = tempDir();
    const marker = join(dir, 'marker');
    const flag = join(dir, 'first-run');
    const taskDir = makeTaskDir({
      jobId: job,
      command: `echo ran >> ${marker}; if [ ! -e ${flag} ]; then touch ${flag}; echo started-long; sleep 30; fi`,
    });
    const minute = '2027-01-04T18:30Z';
    // a 2 s lease; no waiting for a nearly ended lease, so "live" and "expired" are both seen
    const lease = { CRON2LAMBDA_LEASE_SECONDS: '2', CRON2LAMBDA_HEARTBEAT_SECONDS: '0.5', CRON2LAMBDA_TAKEOVER_WAIT_SECONDS: '0' };
    const killed = await LambdaEnv.start({ taskDir, environment: lockEnv(job, lease) });
    const deadline = Date.now() + 300_000;
    const pending = killed.invoke(ruleEvent('2027-01-04T18:30:01Z'), { deadlineMs: deadline, requestId: 'killed-1' });
    await killed.waitForLine('started-long');
    expect(await db.getLock(`${job}#${minute}`)).toMatchObject({ state: 'running', holder: 'killed-1', deadline });
    // The sandbox dies (out of memory, crash): no release, no renewal.
    killed.proc.kill('SIGKILL');
    await killed.proc.exited;
    await killed.stop();
    expect((await pending).kind).toBe('abandoned');

    const next = await LambdaEnv.start({ taskDir, environment: lockEnv(job, lease) });
    const { lease: leaseEnd } = (await db.getLock(`${job}#${minute}`)) as unknown as { lease: number };
    // While its lease lasts the holder may be alive: the delivery skips (this one is fast enough to see it live,
    // or else finds it expired and runs; both are right, the run count below decides).
    const early = await next.invoke(ruleEvent('2027-01-04T18:30:02Z'), { requestId: 'early-1' });
    const ranEarly = bodyOf(early).skipped === false;
    if (!ranEarly) expect(bodyOf(early)).toMatchObject({ skipped: true, reason: 'live' });

    await new Promise((r) => setTimeout(r, Math.max(0, leaseEnd - Date.now() + 50)));
    const late = await next.invoke(ruleEvent('2027-01-04T18:30:03Z'), { requestId: 'takeover-1' });
    expect(markerLines(marker)).toEqual(['ran', 'ran']);
    if (ranEarly) {
      expect(bodyOf(late)).toMatchObject({ skipped: true, reason: 'done' });
    } else {
      expect(bodyOf(late)).toMatchObject({ exitCode: 0, skipped: false });
      expect(await db.getLock(`${job}#${minute}`)).toMatchObject({ state: 'done', holder: 'takeover-1' });
    }
    expect(next.stderr.join('\n')).toMatch(new RegExp(`lock job=${job} minute=${minute} holder=(early|takeover)-1: took over expired \\(holder killed-1`));
  });

  it('keeps a live holder whose job outlasts several leases: a delivery meanwhile skips, and the run is marked done', async () => {
    const job = newJob();
    const dir = tempDir();
    const marker = join(dir, 'marker');
    const go = join(dir, 'go');
    const taskDir = makeTaskDir({ jobId: job, command: `echo ran >> ${marker}; echo started; while [ ! -e ${go} ]; do sleep 0.05; done` });
    const lease = { CRON2LAMBDA_LEASE_SECONDS: '1', CRON2LAMBDA_HEARTBEAT_SECONDS: '0.2', CRON2LAMBDA_TAKEOVER_WAIT_SECONDS: '0' };
    const holder = await LambdaEnv.start({ taskDir, environment: lockEnv(job, lease) });
    const other = await LambdaEnv.start({ taskDir, environment: lockEnv(job, lease) });
    const running = holder.invoke(ruleEvent('2027-01-04T18:31:00Z'), { requestId: 'live-1' });
    await holder.waitForLine('started');
    const key = `${job}#2027-01-04T18:31Z`;
    // wait until the lease has been renewed past three times its first length
    const first = (await db.getLock(key)) as unknown as { lease: number; started: number };
    for (;;) {
      const now = (await db.getLock(key)) as unknown as { lease: number };
      if (now.lease > first.started + 3000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const meanwhile = await other.invoke(ruleEvent('2027-01-04T18:31:30Z'), { requestId: 'meanwhile-1' });
    writeFileSync(go, '');
    expect(bodyOf(await running)).toMatchObject({ exitCode: 0, skipped: false });
    expect(bodyOf(meanwhile)).toMatchObject({ skipped: true, reason: 'live' });
    expect(markerLines(marker)).toEqual(['ran']);
    expect(await db.getLock(key)).toMatchObject({ state: 'done', holder: 'live-1' });
  });
});

describe.concurrent('output and input', () => {
  it('streams stdout and stderr line by line while the command is still running', async () => {
    const job = newJob();
    const go = join(tempDir(), 'go');
    const taskDir = makeTaskDir({
      jobId: job,
      command: `echo first-out; echo first-err >&2; while [ ! -e ${go} ]; do sleep 0.05; done; echo last-out`,
    });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    let finished = false;
    const result = env.invoke(ruleEvent('2027-01-04T18:35:00Z')).then((r) => ((finished = true), r));
    await env.waitForLine('first-out');
    await env.waitForLine('first-err');
    expect(finished).toBe(false);
    expect(env.stdout).not.toContain('last-out');
    writeFileSync(go, '');
    expect(bodyOf(await result)).toMatchObject({ exitCode: 0 });
    expect(env.stdout).toContain('last-out');
  });

  it("feeds the crontab line's % text to the command's stdin, and /dev/null without one", async () => {
    const job = newJob();
    const dir = tempDir();
    const withStdin = makeTaskDir({ jobId: job, command: `cat > ${dir}/stdin.txt`, stdin: "Dear ops,\n  it's $HOME `x`\n\nbye\n" });
    const env = await LambdaEnv.start({ taskDir: withStdin, environment: lockEnv(job) });
    expect(bodyOf(await env.invoke(ruleEvent('2027-01-04T18:40:00Z')))).toMatchObject({ exitCode: 0 });
    expect(readFileSync(`${dir}/stdin.txt`, 'utf8')).toBe("Dear ops,\n  it's $HOME `x`\n\nbye\n");

    const job2 = newJob();
    const without = makeTaskDir({ jobId: job2, command: `cat > ${dir}/none.txt` });
    const env2 = await LambdaEnv.start({ taskDir: without, environment: lockEnv(job2) });
    expect(bodyOf(await env2.invoke(ruleEvent('2027-01-04T18:40:00Z')))).toMatchObject({ exitCode: 0 });
    expect(readFileSync(`${dir}/none.txt`, 'utf8')).toBe('');
  });

  it('passes crontab variables to the command but never lets them override AWS_*, LAMBDA_*, _HANDLER or CRON2LAMBDA_*', async () => {
    const job = newJob();
    const dir = tempDir();
    const home = join(dir, 'home');
    mkdirSync(home);
    const taskDir = makeTaskDir({
      jobId: job,
      command: `env > ${dir}/env.txt; pwd > ${dir}/pwd.txt`,
      environment: {
        MAILTO: 'ops@example.com',
        GREETING: `it's "quoted" $HOME \`id\` \\ end`,
        PATH: '/custom/bin:/usr/bin',
        HOME: home,
        AWS_REGION: 'eu-west-9',
        AWS_ACCESS_KEY_ID: 'FROM-CRONTAB',
        LAMBDA_TASK_ROOT: '/nope',
        CRON2LAMBDA_JOB: 'evil',
        CRON2LAMBDA_LOCK_TABLE: 'evil',
        _HANDLER: 'evil.handler',
      },
    });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    expect(bodyOf(await env.invoke(ruleEvent('2027-01-04T18:45:00Z')))).toMatchObject({ exitCode: 0 });
    const vars = Object.fromEntries(
      readFileSync(`${dir}/env.txt`, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(vars).toMatchObject({
      MAILTO: 'ops@example.com',
      GREETING: `it's "quoted" $HOME \`id\` \\ end`,
      PATH: '/custom/bin:/usr/bin:/usr/local/bin:/bin:/opt/bin',
      HOME: home,
      SHELL: '/bin/sh',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDLOCALFAKE',
      LAMBDA_TASK_ROOT: taskDir,
      CRON2LAMBDA_JOB: job,
      CRON2LAMBDA_LOCK_TABLE: db.tableName,
      _HANDLER: 'function.handler',
    });
    expect(readFileSync(`${dir}/pwd.txt`, 'utf8').trim()).toBe(home);
    expect(await db.getLock(`${job}#2027-01-04T18:45Z`)).toMatchObject({ state: 'done' });
    const functionSh = readFileSync(join(taskDir, 'function.sh'), 'utf8');
    const note = /# Crontab variables NOT passed, because they would clobber[^:]*:([^]*?)\n# PATH/.exec(functionSh);
    expect(note).not.toBeNull();
    expect(note![1].replace(/\n#/g, '').split(/[\s,.]+/).filter(Boolean)).toEqual([
      'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'LAMBDA_TASK_ROOT', 'CRON2LAMBDA_JOB', 'CRON2LAMBDA_LOCK_TABLE', '_HANDLER',
    ]);
  });

  it('runs in /tmp with HOME=/tmp when the home directory does not exist here', async () => {
    const job = newJob();
    const dir = tempDir();
    const taskDir = makeTaskDir({ jobId: job, command: `pwd > ${dir}/pwd.txt; echo "$HOME" > ${dir}/home.txt`, home: '/home/nobody-here' });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    expect(bodyOf(await env.invoke(ruleEvent('2027-01-04T18:50:00Z')))).toMatchObject({ exitCode: 0 });
    expect(readFileSync(`${dir}/pwd.txt`, 'utf8').trim()).toBe('/tmp');
    expect(readFileSync(`${dir}/home.txt`, 'utf8').trim()).toBe('/tmp');
  });
});

describe.concurrent('start-up', () => {
  async function initError(options: { taskDir: string; environment: Record<string, string>; path?: string }) {
    const api = await startRuntimeApi();
    const proc = startBootstrap({ taskDir: options.taskDir, runtimeApi: api.address, environment: options.environment, path: options.path });
    try {
      const [err, exit] = await Promise.all([api.waitForInitError(), proc.exited]);
      return { err, exit, json: err.json as Record<string, unknown> };
    } finally {
      proc.kill();
      await api.close();
    }
  }

  it('reports a missing function.sh on /runtime/init/error and exits non-zero', async () => {
    const job = newJob();
    const { err, exit, json } = await initError({ taskDir: makeTaskDir({ jobId: job, omit: ['function.sh'] }), environment: lockEnv(job) });
    expect(exit.code).not.toBe(0);
    expect(err.errorType).toBe('Runtime.NoSuchHandler');
    expect(json).toMatchObject({ errorType: 'Runtime.NoSuchHandler', stackTrace: [] });
    expect(String(json.errorMessage)).toMatch(/function\.sh is missing/);
  });

  it('reports a function.sh that does not define handler', async () => {
    const job = newJob();
    const taskDir = makeTaskDir({ jobId: job, functionSh: 'not_the_handler() { :; }\n' });
    const { exit, json } = await initError({ taskDir, environment: lockEnv(job) });
    expect(exit.code).not.toBe(0);
    expect(String(json.errorMessage)).toMatch(/does not define the shell function 'handler'/);
  });

  it('reports a missing CRON2LAMBDA_LOCK_TABLE or an invalid CRON2LAMBDA_JOB', async () => {
    const job = newJob();
    const taskDir = makeTaskDir({ jobId: job });
    const { CRON2LAMBDA_LOCK_TABLE: _omit, ...noTable } = lockEnv(job);
    const a = await initError({ taskDir, environment: noTable });
    expect(a.exit.code).not.toBe(0);
    expect(a.json).toMatchObject({ errorType: 'Cron2Lambda.InitError' });
    expect(String(a.json.errorMessage)).toMatch(/CRON2LAMBDA_LOCK_TABLE is not set/);
    const b = await initError({ taskDir, environment: lockEnv('bad job/#') });
    expect(String(b.json.errorMessage)).toMatch(/CRON2LAMBDA_JOB must match/);
  });

  it('reports a crontab SHELL that does not exist on the runtime', async () => {
    const job = newJob();
    const taskDir = makeTaskDir({ jobId: job, shell: '/usr/local/bin/no-such-zsh' });
    const { json } = await initError({ taskDir, environment: lockEnv(job) });
    expect(String(json.errorMessage)).toMatch(/crontab SHELL \/usr\/local\/bin\/no-such-zsh does not exist/);
  });

  it('reports a missing command it needs (mktemp absent from PATH)', async () => {
    const job = newJob();
    const bin = tempDir('c2l-bin-');
    const curl = execFileSync('bash', ['-c', 'command -v curl'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    symlinkSync(curl, join(bin, 'curl'));
    const { exit, json } = await initError({ taskDir: makeTaskDir({ jobId: job }), environment: lockEnv(job), path: bin });
    expect(exit.code).not.toBe(0);
    expect(String(json.errorMessage)).toMatch(/required command 'mktemp' not found/);
  });

  it('exits promptly when the Runtime API answers 500', async () => {
    const job = newJob();
    const api = await startRuntimeApi();
    api.failNextWith = 500;
    const started = Date.now();
    const proc = startBootstrap({ taskDir: makeTaskDir({ jobId: job }), runtimeApi: api.address, environment: lockEnv(job) });
    const exit = await proc.exited;
    await api.close();
    expect(exit.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
