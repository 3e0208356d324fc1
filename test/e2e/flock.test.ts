// Issue 13, end to end: a job whose server command used `flock -n` (and whose script takes flock on a descriptor)
// plans as overlap `forbid`, packages without flock, and runs from its zip with the real bootstrap, bash and dynalite:
// a delivery of a later minute while the first run is still busy skips.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/dynamodb.js';
import { readZip } from '../../src/package/zip.js';
import { cli } from '../support/cli.js';
import { LambdaEnv, bodyOf, cleanupDirs, markerLines, ruleEvent, stopAll, tempDir } from '../support/lambda.js';

const FROM = ['--from', '2026-12-01', '--timezone', 'UTC'];
const dirs: string[] = [];
// no 'flock' in these paths: the test looks for the word in the packaged files
const tmp = (prefix = 'c2l-ovl-e2e-') => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

/** A server tree: /opt/batch/sync.sh locks fd 9 itself, records its start and end, and runs until GO exists. */
function server() {
  const dir = tmp();
  const root = join(dir, 'root');
  const marker = join(dir, 'marker');
  const go = join(dir, 'go');
  mkdirSync(join(root, 'opt/batch'), { recursive: true });
  const script = [
    '#!/bin/bash',
    '# the usual single-instance guard, inside the script as well',
    'exec 9>/var/lock/sync-inner.lock',
    'flock -n 9 || exit 1',
    'm=$(date +%s%N)',
    `echo "start $m $*" >> ${marker}`,
    `while [ ! -e ${go} ]; do sleep 0.05; done`,
    `echo "end $m" >> ${marker}`,
    '',
  ].join('\n');
  writeFileSync(join(root, 'opt/batch/sync.sh'), script, { mode: 0o755 });
  const crontab = join(dir, 'crontab');
  writeFileSync(crontab, '*/10 * * * * flock -n /var/lock/sync.lock /opt/batch/sync.sh args\n');
  return { root, crontab, marker, go, dir };
}

/** The job's id: stable across runs (it hashes the crontab's file name, not its directory), so planned once. */
let knownId: string | undefined;
function planId(s: ReturnType<typeof server>): string {
  knownId ??= JSON.parse(cli(['plan', s.crontab, '--root', s.root, '--json', ...FROM]).stdout).jobs[0].id;
  return knownId!;
}

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterEach(stopAll);
afterAll(async () => {
  await db?.close();
  cleanupDirs();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('a job that used flock -n on the server', () => {
  it('plans as forbid (JSON and text), the flock finding is a warning that says so', () => {
    const s = server();
    const r = cli(['plan', s.crontab, '--root', s.root, '--json', ...FROM]);
    expect(r.status).toBe(0);
    const job = JSON.parse(r.stdout).jobs[0];
    knownId = job.id;
    expect(job.overlap).toEqual({ policy: 'forbid', waitSeconds: 0, source: 'flock-command' });
    const flocks = job.findings.filter((f: { code: string }) => f.code === 'flock');
    expect(flocks.map((f: { severity: string; file: string; line: number; detail: unknown }) => [f.severity, f.file, f.line, f.detail])).toEqual([
      ['warning', '/opt/batch/sync.sh', 4, { lock: '/var/lock/sync-inner.lock', replaced: true, overlap: job.overlap }],
      ['warning', s.crontab, 1, { lock: '/var/lock/sync.lock', replaced: true, overlap: job.overlap }],
    ]);
    expect(job.findings.map((f: { code: string }) => f.code)).not.toContain('missing-command');
    expect(job.findings.map((f: { code: string }) => f.code)).not.toContain('write-outside-tmp');
    expect(job.verdict).toBe('needs-attention');

    const text = cli(['plan', s.crontab, '--root', s.root, ...FROM]);
    expect(text.stdout).toContain('overlap   forbid: a run that finds the previous one still running skips (from the crontab line\'s flock)');
    expect(text.stdout).toMatch(/warning {3}flock \/var\/lock\/sync.lock is a lock on this server only .*the job-level lock in the lock table replaces it.*; the plan chose overlap forbid/);
  }, 180_000);

  it('--overlap JOB=allow or JOB=forbid:SECONDS overrides the plan (JSON and text)', () => {
    const s = server();
    const id = planId(s);
    const allow = JSON.parse(cli(['plan', s.crontab, '--root', s.root, '--json', '--overlap', `${id}=allow`, ...FROM]).stdout).jobs[0];
    expect(allow.overlap).toEqual({ policy: 'allow', waitSeconds: 0, source: 'option' });
    const text = cli(['plan', s.crontab, '--root', s.root, '--overlap', `${id}=forbid:120`, ...FROM]);
    expect(text.stdout).toContain('overlap   forbid: a run waits up to 120 s for the previous one to finish, then skips (set by --overlap)');
  }, 180_000);

  it('--overlap naming an unknown job, or a bad value, is a usage error (64)', () => {
    const s = server();
    const unknown = cli(['plan', s.crontab, '--root', s.root, '--overlap', 'nope-12345678=forbid', ...FROM]);
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toContain('--overlap names a job not in the plan: nope-12345678');
    const bad = cli(['plan', s.crontab, '--root', s.root, '--overlap', `${planId(s)}=forbid:901`, ...FROM]);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain('the wait is at most 900 seconds');
  }, 180_000);

  it('package takes --overlap too: an allow job has no overlap variables', () => {
    const s = server();
    const out = tmp('c2l-ovl-out-');
    expect(cli(['package', s.crontab, '--root', s.root, '--out', out, '--overlap', `${planId(s)}=allow`, ...FROM]).status).toBe(0);
    const job = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).jobs[0];
    expect(job.overlap).toEqual({ policy: 'allow', waitSeconds: 0, source: 'option' });
    expect(job.environment.CRON2LAMBDA_OVERLAP).toBeUndefined();
  }, 180_000);

  it('packages without flock and, run from its zip, skips a later minute while the first run is busy', async () => {
    const s = server();
    const out = tmp('c2l-ovl-out-');
    const p = cli(['package', s.crontab, '--root', s.root, '--out', out, ...FROM]);
    expect(p.status).toBe(0);
    const job = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).jobs[0];
    expect(job.overlap).toEqual({ policy: 'forbid', waitSeconds: 0, source: 'flock-command' });
    expect(job.environment).toMatchObject({ CRON2LAMBDA_OVERLAP: 'forbid', CRON2LAMBDA_OVERLAP_WAIT: '0' });

    // unzip into a task directory, as Lambda does
    const taskDir = tempDir('c2l-task-');
    const entries = readZip(readFileSync(join(out, job.zip)));
    for (const e of entries) {
      if (e.isDirectory) continue;
      mkdirSync(dirname(join(taskDir, e.path)), { recursive: true });
      writeFileSync(join(taskDir, e.path), e.content);
      chmodSync(join(taskDir, e.path), e.mode ?? 0o644);
    }
    const functionSh = readFileSync(join(taskDir, 'function.sh'), 'utf8');
    const script = readFileSync(join(taskDir, 'opt/batch/sync.sh'), 'utf8');
    expect(functionSh).not.toMatch(/flock/);
    expect(functionSh).toContain(`'"$LAMBDA_TASK_ROOT"/opt/batch/sync.sh args'`);
    expect(script).not.toMatch(/flock/);
    expect(script).toContain('exec 9>/dev/null\n: || exit 1\n');

    const environment = { ...job.environment, CRON2LAMBDA_LOCK_TABLE: db.tableName, CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint };
    const a = await LambdaEnv.start({ taskDir, environment, functionName: job.functionName });
    const b = await LambdaEnv.start({ taskDir, environment, functionName: job.functionName });
    const first = a.invoke(ruleEvent('2027-01-04T18:00:00Z'), { requestId: 'ovl-first' });
    while (markerLines(s.marker).length === 0) await new Promise((r) => setTimeout(r, 20));
    // the first run is busy until "go" exists: a later minute, in another sandbox
    const second = await b.invoke(ruleEvent('2027-01-04T18:10:00Z'), { requestId: 'ovl-second' });
    expect(bodyOf(second)).toEqual({ exitCode: null, durationMs: 0, skipped: true, reason: 'overlap' });
    expect(b.stderr.join('\n')).toContain(`skipped: an earlier run of job ${job.id} (holder ovl-first) is still running, and its overlap policy is forbid`);
    writeFileSync(s.go, '');
    expect(bodyOf(await first)).toMatchObject({ exitCode: 0, skipped: false });
    expect(markerLines(s.marker).map((l) => l.split(' ')[0])).toEqual(['start', 'end']);
    expect(markerLines(s.marker)[0]).toMatch(/^start \d+ args$/);
    // no output on stderr from a missing flock or an unwritable lock file
    expect(a.stderr.join('\n')).not.toMatch(/flock|sync-inner\.lock|No such file|Permission denied/);

    // once the first run is over, a later minute runs
    const third = await b.invoke(ruleEvent('2027-01-04T18:20:00Z'), { requestId: 'ovl-third' });
    expect(bodyOf(third)).toMatchObject({ exitCode: 0, skipped: false });
    expect(markerLines(s.marker).map((l) => l.split(' ')[0])).toEqual(['start', 'end', 'start', 'end']);
    expect(existsSync(s.go)).toBe(true);
  }, 180_000);
});
