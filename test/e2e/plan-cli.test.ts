// The CLI as users run it: a subprocess over the crontabs in fixtures/.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, FIXTURES } from '../support/cli.js';
import { probeSnapshot, writeSnapshot } from '../support/runtime.js';

const FROM = ['--from', '2026-12-01'];
const ROOT = ['--root', join(FIXTURES, 'servers/app01')];

function planJson(args: string[]) {
  const r = cli(['plan', ...args, '--json', ...FROM]);
  return { ...r, plan: JSON.parse(r.stdout) };
}

describe('cron2lambda plan', () => {
  it('plans the shipped example: every schedule exact, @reboot skipped, exit 0', () => {
    const r = cli(['plan', join(FIXTURES, 'crontabs/app01.crontab'), ...ROOT, ...FROM]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('cron(30 17 ? * SUN-FRI *)');
    expect(r.stdout).toContain('exact: all 626 fire times from 2026-12-01 to 2028-11-30 match');
    expect(r.stdout).toMatch(/6 jobs: 5 migrate, 1 skip, 0 error · 5 schedules: 5 exact, 0 inexact/);
    expect(r.stdout).not.toMatch(/\u001b\[/); // not a terminal: no colour
  });

  it('prints one JSON document with the public fields, logs nothing on stdout besides it', () => {
    const { status, plan, stderr } = planJson([join(FIXTURES, 'crontabs/app01.crontab'), ...ROOT]);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(plan.formatVersion).toBe(1);
    const backup = plan.jobs[0];
    expect(backup).toMatchObject({
      source: { file: join(FIXTURES, 'crontabs/app01.crontab'), line: 10, text: '30 2 * * 1-6   /opt/app/bin/backup.sh --full >> /var/log/backup.log 2>&1' },
      status: 'migrate',
      reasons: [],
      command: '/opt/app/bin/backup.sh --full >> /var/log/backup.log 2>&1',
      stdin: null,
      environment: { SHELL: '/bin/bash', CRON_TZ: 'Asia/Tokyo', MAILTO: 'ops@example.com' },
      schedule: { cron: '30 2 * * 1-6', timezone: 'Asia/Tokyo', target: 'rule', expressions: ['cron(30 17 ? * SUN-FRI *)'], exact: true, drift: [] },
    });
    expect(plan.host).toBe('app01'); // the last component of --root
    expect(backup.id).toMatch(/^app01-backup-[0-9a-f]{10}$/);
    const billing = plan.jobs.find((j: { id: string }) => j.id.startsWith('app01-billing-'));
    expect(billing.stdin).toBe('month end run\n');
    expect(billing.command).toBe('[ "$(date -d tomorrow +%d)" = 01 ] && /opt/app/bin/billing.sh');
  });

  it('takes the host from the --root directory however it is spelled (., ./, dir/.), so job ids do not change with it', () => {
    const crontab = join(FIXTURES, 'crontabs/app01.crontab');
    const ids = (args: string[], cwd?: string) => {
      const r = cli(['plan', crontab, ...args, '--json', ...FROM], {}, cwd ? { cwd } : {});
      const plan = JSON.parse(r.stdout);
      return { host: plan.host, ids: plan.jobs.map((j: { id: string }) => j.id) };
    };
    const plain = ids(ROOT);
    expect(plain.host).toBe('app01');
    const app01 = join(FIXTURES, 'servers/app01');
    expect(ids(['--root', '.'], app01)).toEqual(plain);
    expect(ids(['--root', './'], app01)).toEqual(plain);
    expect(ids(['--root', 'app01/.'], join(FIXTURES, 'servers'))).toEqual(plain);
  });

  it('accounts for every line: jobs + variables + blank/comment lines = lines', () => {
    for (const f of ['app01.crontab', 'rejected.crontab', 'accepted-odd.crontab', 'crlf.crontab', 'env.crontab']) {
      const { plan } = planJson([join(FIXTURES, 'crontabs', f)]);
      const file = plan.files[0];
      expect(file.jobs + file.variables + file.blankOrComment, f).toBe(file.lines);
      expect(plan.jobs.map((j: { source: { line: number } }) => j.source.line).length, f).toBe(file.jobs);
    }
  });

  it('rejects each bad line with file, line and field, keeps the good ones, and exits 1', () => {
    const file = join(FIXTURES, 'crontabs/rejected.crontab');
    const { status, plan } = planJson([file]);
    expect(status).toBe(1);
    const byLine = new Map(plan.jobs.map((j: { source: { line: number } }) => [j.source.line, j]));
    expect((byLine.get(2) as { status: string }).status).toBe('migrate');
    expect((byLine.get(19) as { status: string }).status).toBe('migrate');
    const fieldOf = (line: number) => (byLine.get(line) as { reasons: { field: string; file: string; line: number }[] }).reasons[0];
    expect(fieldOf(3)).toMatchObject({ field: 'minute', file, line: 3 });
    expect(fieldOf(4)).toMatchObject({ field: 'hour' });
    expect(fieldOf(5)).toMatchObject({ field: 'day-of-month' });
    expect(fieldOf(6)).toMatchObject({ field: 'month' });
    expect(fieldOf(7)).toMatchObject({ field: 'day-of-week' });
    expect(fieldOf(8)).toMatchObject({ field: 'minute', code: 'invalid-field' });
    expect(fieldOf(16)).toMatchObject({ field: 'command', code: 'missing-command' });
    expect(fieldOf(17)).toMatchObject({ code: 'unknown-macro' });
    const errors = plan.jobs.filter((j: { status: string }) => j.status === 'error');
    expect(errors).toHaveLength(16);
  });

  it('plans what cron accepts but never fires, with a warning, and macros as cron expands them', () => {
    const { status, plan } = planJson([join(FIXTURES, 'crontabs/accepted-odd.crontab')]);
    expect(status).toBe(0);
    const job = (n: number) => plan.jobs.find((j: { source: { line: number } }) => j.source.line === n);
    expect(job(2).warnings.map((w: { code: string }) => w.code)).toContain('never-fires');
    expect(job(2).schedule.expressions).toEqual([]);
    // Line 4 used to be a reversed range "5-1" (accepted, matching nothing); cron rejects it, so it moved to
    // test/e2e/input-cli.test.ts. A step beyond its range is accepted by cron and matches the range's start only.
    expect(job(4).schedule.expressions).toEqual(['cron(0 0 1 * ? *)']);
    expect(job(5).schedule.expressions).toEqual(job(6).schedule.expressions);
    expect(job(8).schedule.exact).toBe(false);
    expect(job(8).schedule.drift[0].reason).toBe('day-and');
    expect(job(9).warnings.map((w: { code: string }) => w.code)).toContain('day-or');
    expect(job(10).schedule.cron).toBe('0 0 1 1 *');
    expect(job(16).schedule.cron).toBe('0 * * * *');
  });

  // Changed on purpose (issue 7): the last line without newline used to be planned; cron rejects it.
  it('reads CRLF, tabs, trailing blanks, and rejects a last line without newline', () => {
    const { plan, status } = planJson([join(FIXTURES, 'crontabs/crlf.crontab')]);
    expect(status).toBe(1);
    expect(plan.jobs.map((j: { command: string }) => j.command)).toEqual(['/bin/echo tabbed', '/usr/bin/printf "%s" x', '/bin/echo last']);
    expect(plan.jobs.map((j: { status: string }) => j.status)).toEqual(['migrate', 'migrate', 'error']);
    expect(plan.jobs[2].reasons[0]).toMatchObject({ code: 'no-final-newline', line: 6 });
    expect(plan.jobs[1].stdin).toBe('line one\nline%two\n');
    expect(plan.jobs[0].environment).toEqual({ A: 'two  words', B: 'plain trailing' });
  });

  it('uses CRON_TZ for the lines below it, rejects an unknown zone on the lines it governs only', () => {
    const { status, plan } = planJson([join(FIXTURES, 'crontabs/env.crontab'), '--timezone', 'Europe/Berlin']);
    expect(status).toBe(1);
    const zones = plan.jobs.map((j: { schedule?: { timezone: string }; status: string }) => j.schedule?.timezone ?? j.status);
    expect(zones).toEqual(['Europe/Berlin', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Eucla', 'error', 'UTC']);
    expect(plan.jobs[4].reasons[0]).toMatchObject({ code: 'invalid-timezone', field: 'CRON_TZ', line: 12 });
    expect(plan.jobs[2].schedule.expressions).toEqual(['cron(30 21 * * ? *)']);
    expect(plan.jobs[5].warnings.map((w: { code: string }) => w.code)).toContain('tz-variable');
  });

  it('warns when no zone is known and reads the schedule as UTC', () => {
    // A root with no etc/timezone and no etc/localtime link (the default root "/" would be this machine's zone).
    const { plan } = planJson([join(FIXTURES, 'crontabs/crlf.crontab'), '--root', mkdtempSync(join(tmpdir(), 'c2l-nozone-'))]);
    expect(plan.timezoneSource).toBe('default');
    expect(plan.jobs[0].schedule.timezone).toBe('UTC');
    expect(plan.jobs[0].warnings.map((w: { code: string }) => w.code)).toContain('timezone-assumed');
  });

  it('reads system crontabs with their user field, by path or with --system', () => {
    const byPath = planJson([join(FIXTURES, 'servers/app01/etc/crontab')]).plan;
    expect(byPath.jobs[0]).toMatchObject({ user: 'root', command: 'cd / && run-parts --report /etc/cron.hourly' });
    const byFlag = planJson([join(FIXTURES, 'crontabs/etc-crontab'), '--system']).plan;
    expect(byFlag.jobs.map((j: { user: string }) => j.user)).toEqual(['root', 'root', 'root', 'root', 'www-data']);
    expect(byFlag.jobs[2].schedule.cron).toBe('47 6 * * 7');
  });

  it('shows the DST drift of a New York crontab under rules, and keeps the zone under Scheduler', () => {
    const rule = planJson([join(FIXTURES, 'crontabs/ny.crontab')]).plan;
    expect(rule.jobs[0].schedule.exact).toBe(true);
    expect(rule.jobs[1].schedule.exact).toBe(false);
    expect(rule.jobs[1].schedule.drift[0].reason).toBe('dst-offset');
    const sched = planJson([join(FIXTURES, 'crontabs/ny.crontab'), '--target', 'scheduler']).plan;
    expect(sched.jobs[1].schedule.expressions).toEqual(['cron(30 2 * * ? *)']);
    // Under CRON_TZ cronie reads 02:30 on New York's clock: on the spring-forward day it never comes, for cron as for
    // Scheduler.
    expect(sched.jobs[1].schedule.exact).toBe(true);
    expect(sched.jobs[2].schedule.exact).toBe(true);
    // A server in New York (no CRON_TZ) runs 02:30 at 03:00 that day; Scheduler skips it.
    const r = cli(['plan', '-', '--timezone', 'America/New_York', '--target', 'scheduler', '--json', ...FROM], {}, { input: '30 2 * * * /usr/local/bin/nightly.sh\n' });
    expect(JSON.parse(r.stdout).jobs[0].schedule.drift[0]).toMatchObject({ reason: 'dst-gap', local: '2027-03-14T03:00' });
    // An empty CRON_TZ reads the server's clock but is a CRON_TZ to cronie: no 03:00 run that day (recorded from crond).
    const empty = cli(['plan', '-', '--timezone', 'America/New_York', '--target', 'scheduler', '--json', ...FROM], {}, { input: 'CRON_TZ=\n30 2 * * * /usr/local/bin/nightly.sh\n' });
    expect(JSON.parse(empty.stdout).jobs[0].schedule).toMatchObject({ timezone: 'America/New_York', exact: true });
  });

  it('keeps ids stable across runs and independent of line numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2l-ids-'));
    const original = readFileSync(join(FIXTURES, 'crontabs/app01.crontab'), 'utf8');
    const a = join(dir, 'app01.crontab');
    writeFileSync(a, original);
    const first = planJson([a]).plan.jobs.map((j: { id: string }) => j.id);
    writeFileSync(a, '# a new comment\n\nNEW=1\n' + original);
    const second = planJson([a]).plan.jobs.map((j: { id: string }) => j.id);
    expect(second).toEqual(first);
    writeFileSync(a, original + '30 2 * * 1-6   /opt/app/bin/backup.sh --full >> /var/log/backup.log 2>&1\n');
    const third = planJson([a]).plan.jobs.map((j: { id: string }) => j.id);
    // An identical line gets an id of its own (its ordinal is hashed); the first copy keeps its id.
    expect(third.slice(0, first.length)).toEqual(first);
    expect(third[third.length - 1]).toMatch(/-backup-[0-9a-f]{10}$/);
    expect(new Set(third).size).toBe(third.length);
  });

  it('keys ids on host, user, command and stdin: a new schedule keeps the id, another host changes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2l-ids-'));
    const a = join(dir, 'deploy');
    writeFileSync(a, '30 2 * * * /opt/app/bin/backup.sh --full\n0 1 * * * /opt/app/bin/backup.sh --full%in\n');
    const ids = (args: string[]) => planJson([a, ...args]).plan.jobs.map((j: { id: string }) => j.id);
    const first = ids(['--host', 'db01.prod']);
    expect(first[0]).toMatch(/^db01-prod-backup-[0-9a-f]{10}$/);
    expect(first[1]).not.toBe(first[0]); // stdin is identity
    writeFileSync(a, '45 4 * * 1-5 /opt/app/bin/backup.sh --full\n0 1 * * * /opt/app/bin/backup.sh --full%in\n');
    expect(ids(['--host', 'db01.prod'])).toEqual(first);
    expect(ids(['--host', 'DB01.prod'])).toEqual(first); // host names are case-insensitive
    expect(ids(['--host', 'db01.staging'])[0]).not.toBe(first[0]);
    expect(ids(['--host', 'db01.prod', '--user', 'backup'])[0]).not.toBe(first[0]);
    const r = cli(['plan', a, '--host', '../etc', '--json']);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('--host');
  });

  it('plans the other files when one cannot be read', () => {
    const r = cli(['plan', '/nonexistent/crontab', join(FIXTURES, 'crontabs/ny.crontab'), '--json', ...FROM]);
    expect(r.status).toBe(1);
    const plan = JSON.parse(r.stdout);
    expect(plan.files[0].error).toMatchObject({ code: 'unreadable-file' });
    expect(plan.jobs).toHaveLength(3);
  });

  it('exits 64 on usage errors', () => {
    expect(cli(['plan']).status).toBe(64);
    expect(cli(['plan', 'x', '--target', 'lambda']).status).toBe(64);
    const tz = cli(['plan', join(FIXTURES, 'crontabs/ny.crontab'), '--timezone', 'Mars/Base']);
    expect(tz.status).toBe(64);
    expect(tz.stderr).toContain('--timezone "Mars/Base" is not an IANA time zone');
    expect(cli(['plan', 'x', '--horizon', 'forever']).status).toBe(64);
    expect(cli(['plan', 'x', '--bogus']).status).toBe(64);
    expect(cli(['nope']).status).toBe(64);
  });

  it('respects NO_COLOR and colours only when asked', () => {
    const file = join(FIXTURES, 'crontabs/ny.crontab');
    expect(cli(['plan', file, ...FROM], { FORCE_COLOR: '1' }).stdout).toMatch(/\u001b\[/);
    expect(cli(['plan', file, ...FROM], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toMatch(/\u001b\[/);
  });

  it('--fail-on gates CI on readiness', () => {
    const args = ['plan', join(FIXTURES, 'crontabs/app01.crontab'), ...ROOT, ...FROM];
    expect(cli(args).status).toBe(0);
    // Without a probe the missing `find` is unverified (a warning); a probe that lacks it makes the job blocked.
    expect(cli([...args, '--fail-on', 'blocked']).status).toBe(0);
    expect(cli([...args, '--fail-on', 'blocked', '--probe-file', writeSnapshot(probeSnapshot())]).status).toBe(1);
    expect(cli([...args, '--fail-on', 'warning']).status).toBe(1);
  }, 240_000); // four CLI runs: about 20 s here alone, far more with the machine shared

  it('sets HOME as cron does: the crontab HOME, else the owner\'s home from the server\'s /etc/passwd', () => {
    const root = mkdtempSync(join(tmpdir(), 'c2l-root-'));
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'var/spool/cron/crontabs'), { recursive: true });
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1000::/home/deploy:/bin/bash\n');
    const tab = join(root, 'var/spool/cron/crontabs/deploy');
    writeFileSync(tab, '0 1 * * * /bin/true\nHOME=/srv/app\n0 2 * * * /bin/true\n');
    const { plan } = planJson([tab, '--root', root]);
    expect(plan.jobs.map((j: { home: string }) => j.home)).toEqual(['/home/deploy', '/srv/app']);
    const other = planJson([tab, '--root', root, '--user', 'root']).plan;
    expect(other.jobs[0].home).toBe('/root');
  });

  it('warns that cron never ran a user crontab whose owner the server\'s /etc/passwd does not list (ORPHAN)', () => {
    // A copy of /var/spool/cron/crontabs often holds the crontab of a user deleted long ago: cron ignored it
    // (cronie's database.c: "ORPHAN", "no passwd entry"), and migrating it would start jobs that never ran.
    const root = mkdtempSync(join(tmpdir(), 'c2l-root-'));
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'var/spool/cron/crontabs'), { recursive: true });
    writeFileSync(join(root, 'etc/timezone'), 'UTC\n');
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1000::/home/deploy:/bin/bash\n');
    for (const user of ['deploy', 'olduser']) writeFileSync(join(root, `var/spool/cron/crontabs/${user}`), 'MAILTO=""\n0 1 * * * /bin/true\n0 2 * * * /bin/true\n');
    const r = planJson([join(root, 'var/spool/cron/crontabs'), '--root', root]);
    const jobs = r.plan.jobs as { source: { file: string }; verdict: string; warnings: { code: string; message: string }[] }[];
    const of = (user: string) => jobs.filter((j) => j.source.file.endsWith(`/${user}`));
    expect(of('deploy').map((j) => [j.verdict, j.warnings.map((w) => w.code)])).toEqual([['ready', []], ['ready', []]]);
    expect(of('olduser').map((j) => [j.verdict, j.warnings.map((w) => w.code)])).toEqual([['needs-attention', ['unknown-user']], ['needs-attention', ['unknown-user']]]);
    expect(of('olduser')[0].warnings[0].message).toMatch(/olduser is not in the server's \/etc\/passwd: cron ignores/);
    const files = r.plan.files as { file: string; warnings: { code: string; jobs: string[] }[] }[];
    expect(files.find((f) => f.file.endsWith('/olduser'))!.warnings).toMatchObject([{ code: 'unknown-user', jobs: [expect.any(String), expect.any(String)] }]);
    // said once for the file in text
    const text = cli(['plan', join(root, 'var/spool/cron/crontabs/olduser'), '--root', root, ...FROM]).stdout;
    expect(text.match(/olduser is not in the server's \/etc\/passwd/g)?.length).toBe(1);
    // --user names the owner too; a copy without /etc/passwd says nothing (nothing to judge by)
    const tab = join(root, 'tab');
    writeFileSync(tab, '0 1 * * * /bin/true\n');
    expect(planJson([tab, '--root', root, '--user', 'olduser']).plan.jobs[0].warnings.map((w: { code: string }) => w.code)).toEqual(['unknown-user']);
    expect(planJson([tab, '--root', root, '--user', 'deploy']).plan.jobs[0].warnings).toEqual([]);
    const bare = mkdtempSync(join(tmpdir(), 'c2l-root-'));
    mkdirSync(join(bare, 'etc'));
    writeFileSync(join(bare, 'etc/timezone'), 'UTC\n');
    expect(planJson([tab, '--root', bare, '--user', 'olduser']).plan.jobs[0].warnings).toEqual([]);
  });
});
