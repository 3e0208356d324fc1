// Hostile and messy crontab input (session 5 bug hunt): line endings, encodings, links in a server copy, the same
// crontab given twice, sizes that made the plan quadratic. Through the CLI as a subprocess, as input-cli.test.ts.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';
import { FROM, plan, server } from '../support/crontab-input.js';

describe('messy line endings and blanks inside a line', () => {
  it('reads a macro line whose command holds a CR, a Unicode line separator or a no-break space without crashing', () => {
    const root = server({});
    const tab = join(root, 'tab');
    // A CR inside a line (a CR-only or mixed file), U+2028, U+00A0: cron splits the macro from the command at a
    // blank or tab only, and keeps everything after it as the command.
    writeFileSync(tab, '@daily echo a\rb\n@hourly echo c\u2028d\n@daily\u00a0echo e\n0 1 * * * root echo f\rg\n');
    const r = plan([tab, '--root', root, '--timezone', 'UTC']);
    expect(r.stderr).toBe('');
    expect(r.jobs.map((j) => j.status)).toEqual(['migrate', 'migrate', 'error', 'error']);
    expect(r.jobs[2].reasons[0]).toMatchObject({ code: 'unknown-macro', line: 3, field: 'schedule' });
    const sys = plan([tab, '--root', root, '--timezone', 'UTC', '--system']);
    expect(sys.stderr).toBe('');
    expect(sys.jobs[3]).toMatchObject({ status: 'migrate', user: 'root' });
  });
});

describe('file names from a crontab directory in the text output', () => {
  it('shows a newline in a file name escaped, so the name cannot print a fake job line', () => {
    const root = server({});
    const dir = join(root, 'spool');
    mkdirSync(dir);
    const fake = 'fake.crontab:9  evil-job  MIGRATE  exact';
    writeFileSync(join(dir, `x\n${fake}`), '0 1 * * * echo hi\nFOO=1\n0 2 * * * echo no-newline-at-end');
    for (const command of ['plan', 'report']) {
      const r = cli([command, dir, '--root', root, '--timezone', 'UTC', ...FROM]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain('x\\nfake.crontab');
      expect(r.stdout.split('\n').filter((l) => l.includes('evil-job') && !l.includes('x\\nfake'))).toEqual([]);
    }
  });
});

describe('a sixth time field', () => {
  it('rejects a line whose command (or user) starts with *, as cronie does ("bad command"), naming the field', () => {
    const root = server({});
    const tab = join(root, 'tab');
    // Quartz/Spring six-field cron and a doubled star: cronie's load_entry "catch a common typo" rejects these, so
    // they never ran; read as five fields they would run `* /bin/true` (a glob) every 5 hours.
    writeFileSync(tab, '0 */5 * * * * /bin/true\n@daily *.sh\n0 1 * * * echo ok *\n');
    const r = plan([tab, '--root', root, '--timezone', 'UTC']);
    expect(r.status).toBe(1);
    expect(r.jobs.map((j) => j.status)).toEqual(['error', 'error', 'migrate']);
    expect(r.jobs[0].reasons[0]).toMatchObject({ code: 'missing-command', field: 'command', line: 1 });
    expect(r.jobs[0].reasons[0].message).toMatch(/starts with \*/);
    const sys = plan([tab, '--root', root, '--timezone', 'UTC', '--system']);
    expect(sys.jobs[0]).toMatchObject({ status: 'error' });
  });
});

describe('a byte-order mark', () => {
  it('rejects a first line that starts with a UTF-8 byte-order mark, as cron does, and shows the mark', () => {
    const root = server({});
    const tab = join(root, 'tab');
    // cron reads the three bytes EF BB BF as the start of the minute field: "bad minute", the job never ran.
    writeFileSync(tab, '\ufeff0 1 * * * echo bom\n0 2 * * * echo ok\n');
    const r = plan([tab, '--root', root, '--timezone', 'UTC']);
    expect(r.status).toBe(1);
    expect(r.jobs.map((j) => j.status)).toEqual(['error', 'migrate']);
    expect(r.jobs[0].reasons[0]).toMatchObject({ code: 'invalid-field', field: 'minute', line: 1 });
    expect(cli(['plan', tab, '--root', root, '--timezone', 'UTC', ...FROM]).stdout).toContain('\\ufeff0 1 * * * echo bom');
  });
});

describe('bytes that are not UTF-8', () => {
  it('does not migrate a command or variable whose Latin-1 bytes it cannot carry unchanged; the other lines still plan', () => {
    const root = server({});
    const tab = join(root, 'tab');
    // An ISO-8859-1 crontab: "café" is 63 61 66 E9. Decoded as UTF-8 the E9 becomes U+FFFD, which the function
    // would then run (EF BF BD): not what cron ran.
    writeFileSync(tab, Buffer.concat([
      Buffer.from('0 1 * * * echo ok\n0 2 * * * printf "caf'), Buffer.from([0xe9]), Buffer.from('\\n" > /tmp/x\n'),
      Buffer.from('GREETING=caf'), Buffer.from([0xe9]), Buffer.from('\n0 3 * * * echo "$GREETING"\n'),
    ]));
    const r = plan([tab, '--root', root, '--timezone', 'UTC']);
    expect(r.status).toBe(1);
    expect(r.jobs.map((j) => j.status)).toEqual(['migrate', 'error', 'error']);
    expect(r.jobs[1].reasons[0]).toMatchObject({ code: 'not-utf8', line: 2, field: 'command' });
    expect(r.jobs[2].reasons[0]).toMatchObject({ code: 'not-utf8', line: 4, field: 'environment' });
    expect(r.jobs[2].reasons[0].message).toMatch(/GREETING \(set on line 3\)/);
    const out = join(root, 'out');
    const p = cli(['package', tab, '--root', root, '--timezone', 'UTC', '--out', out, ...FROM]);
    expect(p.status).toBe(1);
    expect(p.stdout.match(/^packaged/gm)).toHaveLength(1);
  });
});

describe('work bounded by the input', () => {
  it('refuses a crontab whose variables, repeated on every job below them, would make the plan quadratic; the others plan', () => {
    const root = server({});
    const tab = join(root, 'tab');
    // 1,500 variables above 1,500 jobs: 60 KB of input, 2.25 million variable values in the plan (each job carries
    // the crontab's variables). 15,000 of each, still under 1 MiB, took minutes and gigabytes, then exit 70.
    const n = 1500;
    writeFileSync(tab, [...Array.from({ length: n }, (_, i) => `V${i}=v`), ...Array.from({ length: n }, (_, i) => `* * * * * echo ${i}`), ''].join('\n'));
    const ok = join(root, 'ok');
    writeFileSync(ok, 'A=1\n0 1 * * * echo ok\n');
    const r = plan([tab, ok, '--root', root, '--timezone', 'UTC']);
    expect(r.status).toBe(1);
    expect(r.jobs.map((j) => j.source.file)).toEqual([ok]);
    expect(r.plan.files[0].error.message).toMatch(/1500 variables .* 1500 jobs/);
  });
});

describe('a file name that is not UTF-8 in a crontab directory', () => {
  it('says the name is the problem, not "no such file", and plans the other files', () => {
    const root = server({ 'etc/cron.d/app': '0 1 * * * root echo app\n' });
    // "café" in Latin-1: cronie reads the file; Node lists the name with U+FFFD, a name no file has.
    writeFileSync(Buffer.from(`${join(root, 'etc/cron.d')}/caf\xe9`, 'latin1'), '0 2 * * * root echo latin\n');
    const r = plan([join(root, 'etc/cron.d'), '--root', root, '--timezone', 'UTC']);
    expect(r.status).toBe(1);
    expect(r.jobs.map((j) => j.source.text)).toEqual(['0 1 * * * root echo app']);
    const bad = r.plan.files.find((f: { file: string }) => f.file.includes('caf'));
    expect(bad.error.message).toMatch(/name is not UTF-8/);
    expect(bad.error.message).not.toMatch(/no such file/);
  });
});

describe('the crontab SHELL', () => {
  it('judges the SHELL a crontab sets against the runtime, naming its line: zsh is not on provided.al2023, bash is', () => {
    const root = server({});
    const tab = join(root, 'tab');
    writeFileSync(tab, 'SHELL=/usr/bin/zsh\n0 1 * * * echo zsh\nSHELL=/bin/bash\n0 2 * * * echo bash\n');
    const r = plan([tab, '--root', root, '--timezone', 'UTC']);
    const [zsh, bash] = r.plan.jobs as { verdict: string; findings: { code: string; line: number; message: string }[] }[];
    expect(zsh.findings.map((f) => [f.code, f.line])).toEqual([['missing-command', 1]]);
    expect(zsh.findings[0].message).toMatch(/zsh/);
    expect(zsh.verdict).toBe('needs-attention');
    expect(bash.findings).toEqual([]);
    expect(bash.verdict).toBe('ready');
  });
});

describe('a crontab given twice', () => {
  it('refuses to read the same crontab twice (its jobs would be migrated twice and run twice on AWS)', () => {
    const root = server({ 'etc/cron.d/app': '0 1 * * * root echo app\n', tab: '0 1 * * * echo ok\n' });
    const tab = join(root, 'tab');
    for (const args of [[tab, tab], [tab, `${root}/./tab`], [join(root, 'etc/cron.d'), join(root, 'etc/cron.d/app')]]) {
      const r = cli(['plan', ...args, '--root', root, '--timezone', 'UTC', ...FROM]);
      expect(r.status).toBe(64);
      expect(r.stderr).toMatch(/is given twice/);
      expect(r.stdout).toBe('');
    }
  });
});

describe('a link in etc/cron.d whose target is a directory on this machine', () => {
  it('reads the target in the server copy, where it is a file, instead of dropping the crontab unsaid', () => {
    // On the server /tmp is whatever the copy holds; here it is this machine's directory, which the link must not
    // be judged by: the crontab was dropped with no note, no error and exit 0.
    const root = server({ tmp: '0 1 * * * root echo via-link\n', 'etc/cron.d/job': '->/tmp' });
    const r = plan([join(root, 'etc/cron.d'), '--root', root, '--timezone', 'UTC']);
    expect(r.status).toBe(0);
    expect(r.jobs.map((j) => j.source.text)).toEqual(['0 1 * * * root echo via-link']);
  });
});

describe('a link inside --root given as a crontab argument (a shell glob such as etc/cron.d/*)', () => {
  it('is resolved inside --root as in a directory, and never reads this machine\'s target', () => {
    const outside = mkdtempSync(join(tmpdir(), 'c2l-outside-'));
    writeFileSync(join(outside, 'shadow'), 'root:$6$planted-hash-c2l:19000:0:99999:7:::\n');
    const root = server({
      'srv/app-cron': '0 1 * * * root echo via-link\n',
      'etc/cron.d/app': '->/srv/app-cron',
      'etc/cron.d/evil': `->${join(outside, 'shadow')}`,
    });
    const r = plan([join(root, 'etc/cron.d/app'), join(root, 'etc/cron.d/evil'), '--root', root, '--timezone', 'UTC']);
    expect(r.jobs.map((j) => j.source.text)).toEqual(['0 1 * * * root echo via-link']);
    expect(r.plan.files[1].error.message).toMatch(/does not exist in the server copy/);
    expect(r.stdout).not.toContain('planted-hash');
  });
});

describe('a directory in the server copy given through a link', () => {
  it('lists the directory the link points to in the copy, not the one of that name on this machine', () => {
    const outside = mkdtempSync(join(tmpdir(), 'c2l-outside-'));
    writeFileSync(join(outside, 'x'), 'root:$6$planted-hash-c2l:19000:0:99999:7:::\n');
    const root = server({ 'srv/cron.d/app': '0 1 * * * root echo server\n', 'etc/cron.d': `->${outside}` });
    // On the server etc/cron.d -> <outside> does not exist; with the copy's own link fixed to /srv/cron.d it is read.
    const r = plan([join(root, 'etc/cron.d'), '--root', root, '--timezone', 'UTC']);
    expect(r.stdout).not.toContain('planted-hash');
    expect(r.jobs).toEqual([]);
    expect(r.plan.files[0].error.message).toMatch(/does not exist in the server copy/);
    const root2 = server({ 'srv/cron.d/app': '0 1 * * * root echo server\n', 'etc/cron.d': '->/srv/cron.d' });
    const r2 = plan([join(root2, 'etc/cron.d'), '--root', root2, '--timezone', 'UTC']);
    expect(r2.jobs.map((j) => j.source.text)).toEqual(['0 1 * * * root echo server']);
    expect(r2.plan.files[0].system).toBe(true);
  });
});

describe('etc/debian_version as a link in the server copy', () => {
  it('is judged inside --root: a link to a file of this machine does not make the copy Debian (run-parts rules)', () => {
    // On this machine the link's target exists; in the server copy it does not, so the server's cron is not
    // Debian's and reads cron.d names with a dot. Judged on this machine, app.cron was skipped (run-parts rules).
    const outside = mkdtempSync(join(tmpdir(), 'c2l-debian-'));
    writeFileSync(join(outside, 'debian_version'), '12.5\n');
    const root = server({ 'etc/cron.d/app.cron': '0 1 * * * root echo app\n', 'etc/debian_version': `->${join(outside, 'debian_version')}` });
    const r = plan([join(root, 'etc/cron.d'), '--root', root, '--timezone', 'UTC']);
    expect(r.status).toBe(0);
    expect(r.jobs.map((j) => j.source.text)).toEqual(['0 1 * * * root echo app']);
  });
});
