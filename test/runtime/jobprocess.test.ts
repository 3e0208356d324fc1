// How bootstrap runs a job: background processes it leaves behind, heavy output, ~/.curlrc, proxy variables, TMPDIR.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/dynamodb.js';
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

function lockEnv(job: string, extra: Record<string, string> = {}): Record<string, string> {
  return { CRON2LAMBDA_LOCK_TABLE: db.tableName, CRON2LAMBDA_JOB: job, CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint, ...extra };
}

/** Alive and not a zombie (an orphan's zombie waits for an init that may reap it late). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('background processes the job leaves behind', () => {
  it('do not hold the invocation open: after the grace period the job\'s process group is ended and the answer goes out', async () => {
    const job = `bg-${++n}`;
    const dir = tempDir();
    // a leftover that keeps stderr open, one that does not (nohup-style), and one that finishes within the grace
    const taskDir = makeTaskDir({
      jobId: job,
      shell: '/bin/bash',
      command: `sleep 300 & echo $! > ${dir}/a; (exec sleep 301 >/dev/null 2>&1 </dev/null) & echo $! > ${dir}/b; (sleep 0.2; echo late-line >&2) & echo main-done`,
    });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job, { CRON2LAMBDA_GRACE_SECONDS: '1' }) });
    const result = await env.invoke(ruleEvent('2027-01-04T18:00:00Z'));
    expect(bodyOf(result)).toMatchObject({ exitCode: 0, skipped: false });
    for (const f of ['a', 'b']) expect(running(Number(readFileSync(join(dir, f), 'utf8')))).toBe(false);
    expect(env.stdout).toContain('main-done');
    expect(env.stderr).toContain('late-line'); // written within the grace period
    expect(env.stderr.join('\n')).toMatch(/processes it started are still running after 1 s: ending its process group/);
  });

  it('that finish within the grace period are not killed and say nothing about it', async () => {
    const job = `bg-${++n}`;
    const dir = tempDir();
    const taskDir = makeTaskDir({ jobId: job, command: `(sleep 0.3; echo finished > ${dir}/bg) & true` });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    expect(bodyOf(await env.invoke(ruleEvent('2027-01-04T18:01:00Z')))).toMatchObject({ exitCode: 0 });
    expect(readFileSync(join(dir, 'bg'), 'utf8')).toBe('finished\n');
    expect(env.stderr.join('\n')).not.toMatch(/ending its process group/);
  });
  it('that left its process group and hold its stderr open do not hold the invocation open: it is answered and the minute marked done', async () => {
    // `set -m` (or setsid) puts a background process in a process group of its own, out of reach of the group kill;
    // bootstrap says it does not wait for the stderr such a process holds, and must not wait for it after all
    const job = `bg-${++n}`;
    const dir = tempDir();
    const taskDir = makeTaskDir({ jobId: job, shell: '/bin/bash', command: `set -m; sleep 30 & echo $! > ${dir}/pid; echo main-done` });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job, { CRON2LAMBDA_GRACE_SECONDS: '1' }) });
    try {
      const t0 = Date.now();
      const result = await env.invoke(ruleEvent('2027-01-04T18:04:00Z'));
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(bodyOf(result)).toMatchObject({ exitCode: 0, skipped: false });
      expect((await db.getLock(`${job}#2027-01-04T18:04Z`))?.state).toBe('done');
      expect(env.stderr.join('\n')).toMatch(/stderr is still held open by a process outside its process group; not waiting for it/);
    } finally {
      killQuietly(Number(readFileSync(join(dir, 'pid'), 'utf8')));
    }
  });

  it('that left its process group and hold its stderr open do not delay a failure either, and the error says why it has no stderr lines', async () => {
    const job = `bg-${++n}`;
    const dir = tempDir();
    const taskDir = makeTaskDir({ jobId: job, shell: '/bin/bash', command: `set -m; sleep 30 & echo $! > ${dir}/pid; echo oops >&2; exit 3` });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job, { CRON2LAMBDA_GRACE_SECONDS: '1' }) });
    try {
      const t0 = Date.now();
      const result = await env.invoke(ruleEvent('2027-01-04T18:05:00Z'));
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(result.kind).toBe('error');
      const message = String(bodyOf(result).errorMessage);
      expect(message).toMatch(/exited with status 3/);
      expect(message).not.toMatch(/wrote nothing to stderr/);
      expect(message).toMatch(/stderr is still held open by a process outside its process group/);
      expect(await db.getLock(`${job}#2027-01-04T18:05Z`)).toBeUndefined();
    } finally {
      killQuietly(Number(readFileSync(join(dir, 'pid'), 'utf8')));
    }
  });

  it('a job that closes its stderr early is not reported as leaving it open, and its stderr lines still reach the error', async () => {
    // the copier then ends (and bash reaps it) while the job still runs: its answer must still be read
    const job = `bg-${++n}`;
    const ok = makeTaskDir({ jobId: job, command: `exec 2>/dev/null; sleep 0.3; echo main-done` });
    const env = await LambdaEnv.start({ taskDir: ok, environment: lockEnv(job) });
    for (const minute of ['18:06', '18:07']) {
      expect(bodyOf(await env.invoke(ruleEvent(`2027-01-04T${minute}:00Z`)))).toMatchObject({ exitCode: 0, skipped: false });
    }
    const failJob = `bg-${++n}`;
    const failing = makeTaskDir({ jobId: failJob, command: `echo oops >&2; exec 2>/dev/null; sleep 0.3; exit 5` });
    const env2 = await LambdaEnv.start({ taskDir: failing, environment: lockEnv(failJob) });
    const result = await env2.invoke(ruleEvent('2027-01-04T18:08:00Z'));
    expect(result.kind).toBe('error');
    expect(String(bodyOf(result).errorMessage)).toMatch(/exited with status 5 after \d+ ms\. Last stderr lines:\noops$/);
    for (const e of [env, env2]) {
      expect(e.stderr.filter((l) => /held open|invalid file descriptor|bootstrap: line/.test(l))).toEqual([]);
    }
  });
});

describe('output', () => {
  // c2l-copy from the zip, and tee with tail where the copier is absent or does not start
  it.each([
    ['the zip\'s copier', {}],
    ['tee, without a copier', { omit: ['copier'] }],
  ] as const)('copies 3 MB of stderr and a 1 MB line intact, in order, and keeps the last lines for the error (%s)', async (_via, taskOptions) => {
    const job = `out-${++n}`;
    const dir = tempDir();
    const script = join(dir, 'noisy.sh');
    // 30,000 numbered lines of ~100 bytes, one line of 1 MB, then the last lines and a failure
    writeFileSync(
      script,
      `i=0; pad=$(printf '%090d' 0); while [ $i -lt 30000 ]; do echo "line-$i $pad"; i=$((i+1)); done >&2\n` +
        `head -c 1048576 /dev/zero | tr '\\0' 'x' >&2; echo >&2\nprintf 'tail-1\\ntail-2\\n' >&2; exit 4\n`,
    );
    const taskDir = makeTaskDir({ jobId: job, shell: '/bin/bash', command: `bash ${script}`, ...taskOptions });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    const result = await env.invoke(ruleEvent('2027-01-04T18:02:00Z'));
    expect(result.kind).toBe('error');
    expect(env.stderr.join('\n')).not.toMatch(/does not run here/);
    const numbered = env.stderr.filter((l) => l.startsWith('line-'));
    expect(numbered).toHaveLength(30000);
    expect(numbered.every((l, i) => l.startsWith(`line-${i} `) && l.length === 6 + String(i).length + 90)).toBe(true);
    expect(env.stderr.some((l) => l.length === 1048576 && /^x+$/.test(l))).toBe(true);
    const message = String(bodyOf(result).errorMessage);
    expect(message).toMatch(/exited with status 4/);
    const lines = message.split('\n');
    expect(lines.slice(-3)).toEqual(['x'.repeat(1000), 'tail-1', 'tail-2']);
  });

  it('falls back to tee, with a warning, when the copier for this machine does not start', async () => {
    const job = `out-${++n}`;
    const hosttype = execFileSync('bash', ['-c', 'printf %s "$HOSTTYPE"'], { encoding: 'utf8' });
    // an ELF header and nothing else: exec fails, as it would for a copier of another architecture
    const taskDir = makeTaskDir({
      jobId: job,
      command: `for i in 1 2 3; do echo "err-$i" >&2; done; exit 3`,
      files: { [`c2l-copy-${hosttype}`]: '\x7fELF' },
    });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job) });
    const result = await env.invoke(ruleEvent('2027-01-04T18:03:00Z'));
    expect(result.kind).toBe('error');
    expect(env.stderr.join('\n')).toMatch(new RegExp(`c2l-copy-${hosttype} does not run here; copying the job's stderr with tee instead`));
    // copied as the job wrote them (the error's log line then repeats them)
    expect(env.stderr.filter((l) => l.startsWith('err-')).slice(0, 3)).toEqual(['err-1', 'err-2', 'err-3']);
    expect(String(bodyOf(result).errorMessage).split('\n').slice(-3)).toEqual(['err-1', 'err-2', 'err-3']);
  });
});

describe('curl', () => {
  it('ignores ~/.curlrc (-q): a .curlrc sending everything to a dead proxy changes nothing', async () => {
    const job = `curlrc-${++n}`;
    const home = tempDir();
    writeFileSync(join(home, '.curlrc'), 'proxy = "http://127.0.0.1:9"\nnoproxy = ""\n');
    const marker = join(tempDir(), 'marker');
    const taskDir = makeTaskDir({ jobId: job, command: `echo ran >> ${marker}` });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job, { HOME: home, CURL_HOME: home }) });
    expect(bodyOf(await env.invoke(ruleEvent('2027-01-04T18:03:00Z')))).toMatchObject({ exitCode: 0, skipped: false });
    expect(markerLines(marker)).toEqual(['ran']);
    expect(existsSync(join(home, '.curlrc'))).toBe(true);
  });

  // A crontab's variables become the function's environment, and a crontab often sets a proxy for its jobs
  // (http_proxy, https_proxy, ALL_PROXY, ...): the jobs keep it, but bootstrap's own requests never go through it.
  const proxyVars = (proxy: string) =>
    Object.fromEntries(['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'ALL_PROXY', 'all_proxy'].map((v) => [v, proxy]));

  it('ignores proxy variables for the Runtime API and the lock table; the job still has them', async () => {
    const job = `proxy-${++n}`;
    const out = join(tempDir(), 'proxy');
    const taskDir = makeTaskDir({ jobId: job, command: `echo "$http_proxy $HTTPS_PROXY $ALL_PROXY" >> ${out}` });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job, proxyVars('http://127.0.0.1:9')) });
    const result = await Promise.race([env.invoke(ruleEvent('2027-01-04T18:09:00Z')), env.proc.exited.then((e) => ({ exited: e }))]);
    expect(result).toMatchObject({ kind: 'response' });
    expect(bodyOf(result as Parameters<typeof bodyOf>[0])).toMatchObject({ exitCode: 0, skipped: false });
    expect(markerLines(out)).toEqual(['http://127.0.0.1:9 http://127.0.0.1:9 http://127.0.0.1:9']);
    expect((await db.getLock(`${job}#2027-01-04T18:09Z`))?.state).toBe('done');
  });

  it('does not send the lock\'s https requests to an https_proxy', async () => {
    const job = `proxy-${++n}`;
    let connections = 0;
    const proxy = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = proxy.address() as AddressInfo;
      const taskDir = makeTaskDir({ jobId: job, command: 'true' });
      // an https endpoint where nothing listens: the lock fails either way, but never by way of the proxy
      const env = await LambdaEnv.start({
        taskDir,
        environment: lockEnv(job, {
          // only the https ones: the Runtime API (http) is the other test's
          https_proxy: `http://127.0.0.1:${port}`,
          HTTPS_PROXY: `http://127.0.0.1:${port}`,
          CRON2LAMBDA_DYNAMODB_ENDPOINT: 'https://127.0.0.1:9',
          CRON2LAMBDA_LOCK_RETRY_SECONDS: '1',
        }),
      });
      // a lost answer (the proxy's reset) is read back until a second before the deadline: keep that short
      const result = await env.invoke(ruleEvent('2027-01-04T18:10:00Z'), { deadlineMs: Date.now() + 6000 });
      expect(result.kind).toBe('error');
      expect(String(bodyOf(result).errorMessage)).toMatch(/DynamoDB endpoint https:\/\/127\.0\.0\.1:9 not reachable/);
      expect(connections).toBe(0);
    } finally {
      proxy.close();
    }
  });
});

describe('the crontab\'s variables, which are the function\'s environment too', () => {
  it('a CURL_CA_BUNDLE for the jobs (a file Lambda does not have) does not stop the lock\'s https requests', async () => {
    const job = `ca-${++n}`;
    // an https endpoint that accepts and hangs up: curl gets as far as TLS unless its CA file fails first
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const { port } = server.address() as AddressInfo;
      const taskDir = makeTaskDir({ jobId: job, command: 'true' });
      const env = await LambdaEnv.start({
        taskDir,
        environment: lockEnv(job, {
          CURL_CA_BUNDLE: '/nonexistent-c2l/corp-ca.pem',
          CRON2LAMBDA_DYNAMODB_ENDPOINT: `https://127.0.0.1:${port}`,
          CRON2LAMBDA_LOCK_RETRY_SECONDS: '1',
        }),
      });
      const result = await env.invoke(ruleEvent('2027-01-04T18:12:00Z'), { deadlineMs: Date.now() + 6000 });
      expect(result.kind).toBe('error');
      const message = String(bodyOf(result).errorMessage);
      expect(message).toMatch(/DynamoDB endpoint https:\/\/127\.0\.0\.1:\d+ not reachable/);
      expect(message).not.toMatch(/curl exit 77|certificate file/);
    } finally {
      server.close();
    }
  });

  it.each([['FUNCNEST', '3']])('runs a job whose crontab sets %s=%s, a bash setting that would change bootstrap itself; the job keeps it', async (name, value) => {
    // FUNCNEST limits how deeply bash functions nest: bootstrap's own nest deeper than 3
    const job = `bashvar-${++n}`;
    const out = join(tempDir(), 'bashvar');
    const taskDir = makeTaskDir({ jobId: job, command: `echo "$${name}" >> ${out}`, environment: { [name]: value } });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job, { [name]: value }) });
    const result = await Promise.race([env.invoke(ruleEvent('2027-01-04T18:12:00Z')), env.proc.exited.then((e) => ({ exited: e }))]);
    expect(result).toMatchObject({ kind: 'response' });
    expect(bodyOf(result as Parameters<typeof bodyOf>[0])).toMatchObject({ exitCode: 0, skipped: false });
    expect(markerLines(out)).toEqual([value]);
    expect(env.api.initErrors).toEqual([]);
  });

  it('runs a job whose crontab sets a TMPDIR that does not exist here, which the job keeps (bootstrap\'s own scratch goes to /tmp)', async () => {
    // only /tmp is writable on Lambda, and the crontab's variables are the function's environment
    const job = `tmpdir-${++n}`;
    const out = join(tempDir(), 'tmpdir');
    const taskDir = makeTaskDir({ jobId: job, command: `echo "$TMPDIR" >> ${out}` });
    const env = await LambdaEnv.start({ taskDir, environment: lockEnv(job, { TMPDIR: '/nonexistent-c2l/tmp' }) });
    const result = await Promise.race([env.invoke(ruleEvent('2027-01-04T18:11:00Z')), env.proc.exited.then((e) => ({ exited: e }))]);
    expect(result).toMatchObject({ kind: 'response' });
    expect(bodyOf(result as Parameters<typeof bodyOf>[0])).toMatchObject({ exitCode: 0, skipped: false });
    expect(markerLines(out)).toEqual(['/nonexistent-c2l/tmp']);
    expect(env.api.initErrors).toEqual([]);
    // SIGTERM, not the SIGKILL of stopAll: bootstrap's EXIT trap removes its scratch directory from /tmp
    env.proc.kill('SIGTERM');
    await env.proc.exited;
  });
});
