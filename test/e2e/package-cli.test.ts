// `package` and `invoke` as users run them, on the shipped example.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { cli, FIXTURES } from '../support/cli.js';
import { readZip } from '../../src/package/zip.js';

const ROOT = join(FIXTURES, 'servers/app01');
const APP01 = join(FIXTURES, 'crontabs/app01.crontab');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'c2l-pkg-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function packageTo(out: string, extra: string[] = [], crontab = APP01, root = ROOT) {
  const r = cli(['package', crontab, '--root', root, '--out', out, '--from', '2026-12-01', ...extra]);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  return { ...r, manifest };
}

describe('cron2lambda package', () => {
  it('writes one zip per migrated job and a manifest with the public fields', () => {
    const out = tmp();
    const { status, manifest, stdout } = packageTo(out);
    expect(status).toBe(0);
    expect(stdout).toContain('5 packaged, 1 skipped, 0 error');
    expect(manifest.formatVersion).toBe(1);
    const backup = manifest.jobs[0];
    expect(backup).toMatchObject({
      source: { file: APP01, line: 10 },
      status: 'migrate',
      handler: 'function.handler',
      runtime: 'provided.al2023',
      environment: {
        CRON2LAMBDA_LOCK_TABLE: 'cron2lambda-locks',
        CRON2LAMBDA_JOB: backup.id,
        TZ: 'Asia/Tokyo',
        SHELL: '/bin/bash',
        MAILTO: 'ops@example.com',
        HOME: '/home/deploy',
      },
      layers: [],
      files: ['/opt/app/bin/backup.sh', '/opt/app/bin/notify.sh', '/opt/app/bin/rotate.sh', '/opt/app/lib/common.sh', '/opt/app/lib/config.sh', '/opt/app/lib/log.sh'],
    });
    // PATH stays in function.sh (with Lambda's entries added): a crontab PATH must not hide curl from bootstrap.
    expect(backup.environment.PATH).toBeUndefined();
    expect(backup.environment.CRON_TZ).toBeUndefined();
    expect(backup.functionName).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(backup.zip).toBe(`${backup.functionName}.zip`);
    const zipBytes = readFileSync(join(out, backup.zip));
    expect(createHash('sha256').update(zipBytes).digest('hex')).toBe(backup.sha256);
    const billing = manifest.jobs.find((j: { id: string }) => j.id.startsWith('app01-billing-'));
    expect(billing.layers).toEqual(['aws-cli']);
    const reboot = manifest.jobs.find((j: { status: string }) => j.status === 'skip');
    expect(reboot.zip).toBeUndefined();
    expect(reboot.reasons[0].code).toBe('reboot');
    expect(readdirSync(out).filter((f) => f.endsWith('.zip'))).toHaveLength(5);
  });

  it('puts bootstrap (0755), lock.sh, function.sh, the stderr copiers (0755) and the scripts at their server paths in each zip', () => {
    const out = tmp();
    const { manifest } = packageTo(out);
    const entries = readZip(readFileSync(join(out, manifest.jobs[0].zip)));
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect([...byPath.keys()]).toEqual([
      'bootstrap', 'c2l-copy-aarch64', 'c2l-copy-x86_64', 'function.sh', 'lock.sh',
      'opt/app/bin/backup.sh', 'opt/app/bin/notify.sh', 'opt/app/bin/rotate.sh',
      'opt/app/lib/common.sh', 'opt/app/lib/config.sh', 'opt/app/lib/log.sh',
      'zoneinfo/Asia/Tokyo', // the job's zone, for a runtime without time-zone data
    ]);
    expect(byPath.get('bootstrap')!.mode! & 0o777).toBe(0o755);
    expect(byPath.get('lock.sh')!.mode! & 0o777).toBe(0o644);
    expect(byPath.get('c2l-copy-x86_64')!.mode! & 0o777).toBe(0o755);
    expect(byPath.get('c2l-copy-aarch64')!.mode! & 0o777).toBe(0o755);
    expect(byPath.get('opt/app/bin/backup.sh')!.mode! & 0o777).toBe(0o755);
    expect(byPath.get('opt/app/lib/common.sh')!.mode! & 0o777).toBe(0o644);
    const fn = byPath.get('function.sh')!.content.toString();
    // The command runs from the bundle, and the file redirection is dropped (output goes to CloudWatch Logs).
    expect(fn).toContain('"$LAMBDA_TASK_ROOT"/opt/app/bin/backup.sh --full');
    expect(fn).not.toContain('/var/log/backup.log');
    const backup = byPath.get('opt/app/bin/backup.sh')!.content.toString();
    expect(backup).toContain('source "$LAMBDA_TASK_ROOT"/opt/app/lib/config.sh');
  });

  it('builds byte-identical zips and manifest from the same input', () => {
    const a = tmp();
    const b = tmp();
    packageTo(a);
    packageTo(b);
    const files = readdirSync(a).sort();
    expect(readdirSync(b).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
  });

  it('makes a job whose script is missing an error, names the file and line, and packages the rest', () => {
    const out = tmp();
    const dir = tmp();
    const crontab = join(dir, 'crontab');
    writeFileSync(crontab, '0 1 * * * /opt/app/bin/report.sh\n0 2 * * * /opt/app/bin/gone.sh --now\n');
    const { status, manifest } = packageTo(out, [], crontab);
    expect(status).toBe(1);
    expect(manifest.jobs[0].zip).toBeDefined();
    expect(manifest.jobs[1]).toMatchObject({ status: 'error', verdict: 'blocked' });
    expect(manifest.jobs[1].zip).toBeUndefined();
    expect(manifest.jobs[1].reasons[0]).toMatchObject({ code: 'missing-file', file: crontab, line: 2 });
    expect(manifest.jobs[1].reasons[0].message).toContain('/opt/app/bin/gone.sh');
  });

  it('removes zips its previous manifest lists for jobs that are gone, and keeps every other file', () => {
    const out = tmp();
    writeFileSync(join(out, 'c2l-old-00000000.zip'), 'stale');
    writeFileSync(join(out, 'c2l-unlisted-00000000.zip'), 'not ours');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ formatVersion: 1, generatedBy: 'cron2lambda 0.1.0', jobs: [{ zip: 'c2l-old-00000000.zip' }] }));
    const { stdout } = packageTo(out);
    expect(readdirSync(out)).not.toContain('c2l-old-00000000.zip');
    expect(stdout).toContain('removed c2l-old-00000000.zip');
    expect(readdirSync(out)).toContain('c2l-unlisted-00000000.zip');
    expect(readdirSync(out)).toContain('notes.txt');
  });

  it('needs --out', () => {
    expect(cli(['package', APP01]).status).toBe(64);
  });
});

describe('cron2lambda invoke', () => {
  const HELLO = join(FIXTURES, 'crontabs/hello.crontab');

  it('runs the job through its real bootstrap, streams its output and exits with its status', () => {
    const r = cli(['invoke', HELLO, '--root', ROOT, '--line', '4', '--time', '2027-01-04T18:00:05Z']);
    expect(r.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^hello from .* \(TZ=Europe\/Berlin, HOME=\/tmp\)$/m);
    expect(r.stdout).toContain('stdin: first line of stdin\nstdin: second line\n');
  });

  it('runs a scheduled minute once however many times it is delivered', () => {
    const r = cli(['invoke', HELLO, '--root', ROOT, '--line', '4', '--deliveries', '3']);
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^hello from/gm)).toHaveLength(1);
    expect(r.stderr.match(/"skipped":true/g)).toHaveLength(2);
  });

  it('exits with the script status when it fails, and reruns on the next delivery (the lock was released)', () => {
    const dir = tmp();
    const root = join(dir, 'root');
    mkdirSync(join(root, 'opt'), { recursive: true });
    cpSync(join(ROOT, 'opt'), join(root, 'opt'), { recursive: true });
    writeFileSync(join(root, 'opt/app/bin/fail.sh'), '#!/bin/bash\necho "about to fail" >&2\nexit 3\n', { mode: 0o755 });
    const crontab = join(dir, 'crontab');
    writeFileSync(crontab, '*/5 * * * * /opt/app/bin/fail.sh\n');
    const r = cli(['invoke', crontab, '--root', root, '--line', '1', '--deliveries', '2']);
    expect(r.status).toBe(3);
    expect(r.stderr.match(/the job exited with status 3/g)?.length).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toContain('about to fail');
  });

  it('refuses --line on a crontab directory where two files have a job on that line, naming both, and runs neither', () => {
    const dir = tmp();
    const root = join(dir, 'root');
    mkdirSync(join(root, 'opt'), { recursive: true });
    writeFileSync(join(root, 'opt/say.sh'), '#!/bin/sh\necho "ran $1"\n', { mode: 0o755 });
    const tabs = join(dir, 'cron.d');
    mkdirSync(tabs);
    writeFileSync(join(tabs, 'a'), '0 1 * * * root /opt/say.sh a\n');
    writeFileSync(join(tabs, 'b'), '0 1 * * * root /opt/say.sh b\n');
    const r = cli(['invoke', tabs, '--system', '--root', root, '--timezone', 'UTC', '--line', '1']);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(64);
    expect(r.stderr).toContain(`${join(tabs, 'a')}:1`);
    expect(r.stderr).toContain(`${join(tabs, 'b')}:1`);
    expect(r.stderr).toMatch(/--job/);
  });

  it("keeps the crontab's SHELLOPTS and BASH_ENV for the job, out of bootstrap (no trace of the role's keys, a runtime that runs)", () => {
    const dir = tmp();
    const root = join(dir, 'root');
    mkdirSync(join(root, 'opt'), { recursive: true });
    writeFileSync(join(root, 'opt/ok.sh'), '#!/bin/sh\necho "job ran with SHELLOPTS=$SHELLOPTS"\n', { mode: 0o755 });
    const profile = join(dir, 'profile.sh');
    writeFileSync(profile, 'exit 7\n');
    for (const variable of ['SHELLOPTS=xtrace', 'SHELLOPTS=noexec', `BASH_ENV=${profile}`]) {
      const crontab = join(dir, 'crontab');
      writeFileSync(crontab, `${variable}\n0 1 * * * /opt/ok.sh\n`);
      const r = cli(['invoke', crontab, '--root', root, '--timezone', 'UTC', '--line', '2']);
      expect(r.stderr).not.toContain('local/fake/secret'); // the fake AWS_SECRET_ACCESS_KEY the runner gives bootstrap
      expect(r.stderr).toContain('delivery 1: response {"exitCode":0');
      expect(r.status).toBe(0);
      // noexec: where /bin/sh is bash the job does nothing either, as under cron
      if (variable !== 'SHELLOPTS=noexec') expect(r.stdout).toContain('job ran with SHELLOPTS=');
      if (variable === 'SHELLOPTS=xtrace') expect(r.stdout).toContain('xtrace');
    }
  });

  it('rejects a --time that is not an ISO date-time a scheduled event can carry, as a usage error', () => {
    // Date() read "0" as 2000-01-01 and "-1" as 2001-01-01 and delivered those; years before 1970 or past 9999
    // reached bootstrap, which failed the run as an invalid event (exit 1, "the job did not run")
    for (const time of ['0', '-1', '1969-12-31T23:59:59Z', '+099999-01-01T00:00:00Z', '2027-13-01T00:00:00Z']) {
      const r = cli(['invoke', HELLO, '--root', ROOT, '--line', '4', '--time', time]);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`--time "${time}" is not an ISO date-time`);
      expect(r.status).toBe(64);
    }
  });

  it('ends a job at --timeout as Lambda does: the whole sandbox killed, one that left its session too, a Sandbox.Timedout outcome, exit 124', () => {
    const dir = tmp();
    const root = join(dir, 'root');
    mkdirSync(join(root, 'opt'), { recursive: true });
    // the job, a background child of it, and one that left the session (setsid: out of reach of a session or group
    // kill, it kept running after invoke returned) each leave a marker if they outlive the timeout
    const crontab = join(dir, 'crontab');
    writeFileSync(crontab, `CRON_TZ=UTC\n0 3 * * * (sleep 8; touch ${dir}/bg) & setsid sh -c 'sleep 8; touch ${dir}/sid' & sleep 8; touch ${dir}/fg\n`);
    const started = Date.now();
    const r = cli(['invoke', crontab, '--root', root, '--line', '2', '--time', '2027-01-04T03:00:05Z', '--timeout', '2']);
    const took = Date.now() - started;
    expect(r.stderr).toMatch(/delivery 1: error \{"errorMessage":"RequestId: [0-9a-f-]+ Error: Task timed out after 2\.00 seconds","errorType":"Sandbox\.Timedout"\}/);
    expect(r.status).toBe(124);
    expect(took).toBeLessThan(8000);
    // nothing of the job is left running (its shell and subshell carry the directory in their command line)
    const alive = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return /\/(fg|sid)\b/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8').split(dir).slice(1).join(''));
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
    const wait = started + 9000 - Date.now();
    if (wait > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    expect(readdirSync(dir).sort()).toEqual(['crontab', 'root']);
  }, 60_000);

  it('leaves nothing of the job running after it answers: a daemon it started (setsid) ends with the local sandbox', () => {
    const dir = tmp();
    const root = join(dir, 'root');
    mkdirSync(join(root, 'opt'), { recursive: true });
    const crontab = join(dir, 'crontab');
    writeFileSync(crontab, `CRON_TZ=UTC\n0 3 * * * setsid sh -c 'echo $$ > ${dir}/pid; sleep 3; touch ${dir}/late' >/dev/null 2>&1 </dev/null & sleep 0.5; echo started\n`);
    const r = cli(['invoke', crontab, '--root', root, '--line', '2', '--time', '2027-01-04T03:00:05Z']);
    expect(r.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(r.stdout).toBe('started\n');
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    expect(pid).toBeGreaterThan(1);
    expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')).toBe(false);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3500);
    expect(readdirSync(dir).sort()).toEqual(['crontab', 'pid', 'root']);
  }, 60_000);

  it('rejects an unknown job with the ids it knows, as a usage error', () => {
    const r = cli(['invoke', HELLO, '--root', ROOT, '--job', 'nope']);
    expect(r.status).toBe(64);
    expect(r.stderr).toMatch(/no job with id nope .*hello-[0-9a-f]{10} \(line 4\)/);
  });
});
