// Reading crontabs as cron does and refusing what cron refuses (issue 7, "Faithful to cron, strict about input"),
// through the CLI as a subprocess.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';
import { FROM, plan, server, type JsonJob } from '../support/crontab-input.js';

const codes = (j: JsonJob) => j.reasons.map((r) => r.code);

describe('cron syntax: what cron rejects is rejected', () => {
  it('rejects descending ranges and numbers cron cannot read, naming the field; the other lines still plan', () => {
    const root = server({});
    const tab = join(root, 'tab');
    writeFileSync(tab, ['0 0 * * * echo ok', '59-0 * * * * echo a', '0 5-1 * * * echo b', '0 0 * * 5-0 echo c', `0${'0'.repeat(120)} 1 * * * echo d`, '*/4294967297 * * * * echo e', '0 0 * * 5-7 echo f', ''].join('\n'));
    const { status, jobs } = plan([tab, '--root', root, '--timezone', 'UTC']);
    expect(status).toBe(1);
    expect(jobs.map((j) => j.status)).toEqual(['migrate', 'error', 'error', 'error', 'error', 'error', 'migrate']);
    expect(jobs[1].reasons[0]).toMatchObject({ code: 'invalid-field', field: 'minute', line: 2 });
    expect(jobs[1].reasons[0].message).toMatch(/"59-0" is descending/);
    expect(jobs[2].reasons[0]).toMatchObject({ field: 'hour' });
    expect(jobs[3].reasons[0]).toMatchObject({ field: 'day-of-week' });
    expect(jobs[3].reasons[0].message).toMatch(/write "5-7"/);
    expect(jobs[4].reasons[0]).toMatchObject({ field: 'minute' });
    expect(jobs[4].reasons[0].message).toMatch(/longer than cron reads/);
    expect(jobs[5].reasons[0].message).toMatch(/too large for cron/);
  });

  it('plans a last line without newline as an error (cron never ran it); the lines above still plan', () => {
    const root = server({});
    const tab = join(root, 'tab');
    writeFileSync(tab, 'A=1\n0 1 * * * echo one\n0 2 * * * echo two');
    const { status, jobs, stdout } = plan([tab, '--root', root, '--timezone', 'UTC']);
    expect(status).toBe(1);
    expect(jobs.map((j) => j.status)).toEqual(['migrate', 'error']);
    expect(jobs[1].reasons[0]).toMatchObject({ code: 'no-final-newline', line: 3 });
    expect(JSON.parse(stdout).summary).toMatchObject({ migrate: 1, error: 1 });
    const text = cli(['plan', tab, '--root', root, '--timezone', 'UTC', ...FROM]);
    expect(text.stdout).toMatch(/last line has no newline.*\[no-final-newline\]/);
  });

  it('rejects an impossible --from date with a usage error naming the option', () => {
    for (const bad of ['2027-02-30', '2026-02-29', '2027-04-31']) {
      const r = cli(['plan', 'x', '--from', bad]);
      expect(r.status).toBe(64);
      expect(r.stderr).toContain(`--from "${bad}" is not a date`);
    }
    expect(cli(['plan', '-', '--timezone', 'UTC', '--from', '2028-02-29'], {}, { input: '0 1 * * * echo ok\n' }).status).toBe(0);
  });
});

describe('time-zone names', () => {
  it('accepts only exact tz names for --timezone, suggesting the right one', () => {
    for (const [given, suggestion] of [['europe/berlin', 'Europe/Berlin'], ['tokyo', 'Asia/Tokyo'], ['JST', 'Asia/Tokyo'], ['new york', 'America/New_York'], ['us/eastern', 'America/New_York']]) {
      const r = cli(['plan', 'x', '--timezone', given]);
      expect(r.status, given).toBe(64);
      expect(r.stderr).toContain(`--timezone "${given}" is not an IANA time zone`);
      expect(r.stderr).toContain(`did you mean ${suggestion}`);
    }
  });

  it('rejects CRON_TZ that is not an exact tz name on the lines it governs, and warns on legacy names', () => {
    const root = server({});
    const tab = join(root, 'tab');
    writeFileSync(tab, ['CRON_TZ=europe/berlin', '0 1 * * * echo a', 'CRON_TZ=EST', '0 2 * * * echo b', 'CRON_TZ=US/Eastern', '0 3 * * * echo c', 'CRON_TZ=Etc/GMT+5', '0 4 * * * echo d', 'CRON_TZ=Asia/Tokyo', '0 5 * * * echo e', 'CRON_TZ=', '0 6 * * * echo f', ''].join('\n'));
    const { jobs } = plan([tab, '--root', root, '--timezone', 'Asia/Kolkata']);
    expect(jobs.map((j) => j.status)).toEqual(['error', 'migrate', 'migrate', 'migrate', 'migrate', 'migrate']);
    // An empty CRON_TZ is none at all (cronie): the server's zone applies.
    expect(jobs[5].schedule!.timezone).toBe('Asia/Kolkata');
    expect(jobs[0].reasons[0]).toMatchObject({ code: 'invalid-timezone', field: 'CRON_TZ', line: 1 });
    expect(jobs[0].reasons[0].message).toContain('did you mean Europe/Berlin');
    const legacy = (j: JsonJob) => j.warnings.find((w) => w.code === 'legacy-timezone')?.message;
    expect(legacy(jobs[1])).toMatch(/EST is UTC-05:00 all year, with no daylight saving time.*America\/New_York/);
    expect(legacy(jobs[2])).toMatch(/legacy name for America\/New_York/);
    expect(legacy(jobs[3])).toMatch(/UTC-05:00/);
    expect(legacy(jobs[4])).toBeUndefined();
    // EST keeps its meaning (UTC-5 all year): 02:00 EST is 07:00 UTC in January and in July.
    expect(jobs[1].schedule!.expressions).toEqual(['cron(0 7 * * ? *)']);
  });
});

describe("the server's zone from the server copy", () => {
  const tab = (root: string) => {
    const p = join(root, 'tab');
    writeFileSync(p, '0 9 * * * echo a\n');
    return p;
  };

  it('reads etc/timezone, then the etc/localtime link, before assuming UTC, and says where it came from', () => {
    const debian = server({ 'etc/timezone': 'Europe/Berlin\n', 'etc/localtime': '->/usr/share/zoneinfo/Asia/Tokyo' });
    const a = plan([tab(debian), '--root', debian]);
    expect(a.plan).toMatchObject({ timezone: 'Europe/Berlin', timezoneSource: 'etc/timezone' });
    expect(a.jobs[0].schedule!.timezone).toBe('Europe/Berlin');
    expect(a.jobs[0].warnings.map((w) => w.code)).not.toContain('timezone-assumed');

    const rhel = server({ 'etc/localtime': '../usr/share/zoneinfo/Asia/Tokyo' .replace(/^/, '->') });
    const b = plan([tab(rhel), '--root', rhel]);
    expect(b.plan).toMatchObject({ timezone: 'Asia/Tokyo', timezoneSource: 'etc/localtime' });
    expect(b.jobs[0].schedule!.expressions).toEqual(['cron(0 0 * * ? *)']);

    const broken = server({ 'etc/timezone': 'tokyo\n', 'etc/localtime': '->/usr/share/zoneinfo/America/New_York' });
    const c = plan([tab(broken), '--root', broken]);
    expect(c.plan).toMatchObject({ timezone: 'America/New_York', timezoneSource: 'etc/localtime' });
    expect(c.plan.timezoneNotes[0]).toMatch(/etc\/timezone: "tokyo" is not an IANA time zone: did you mean Asia\/Tokyo/);

    const none = server({ 'etc/localtime': 'TZif2 a copied file has no name' });
    const d = plan([tab(none), '--root', none]);
    expect(d.plan).toMatchObject({ timezone: 'UTC', timezoneSource: 'default' });
    expect(d.jobs[0].warnings.map((w) => w.code)).toContain('timezone-assumed');

    const given = plan([tab(debian), '--root', debian, '--timezone', 'Asia/Kolkata']);
    expect(given.plan).toMatchObject({ timezone: 'Asia/Kolkata', timezoneSource: 'option' });
  });

  it('says the zone and its source once in the text output', () => {
    const root = server({ 'etc/timezone': 'Europe/Berlin\n' });
    const p = tab(root);
    writeFileSync(p, '0 9 * * * echo a\n0 10 * * * echo b\n');
    const r = cli(['plan', p, '--root', root, ...FROM]);
    expect(r.stdout.match(/server time zone: Europe\/Berlin \(read from the server copy's etc\/timezone\)/g)).toHaveLength(1);
  });
});

describe('system crontab lines in a user crontab', () => {
  it('says "looks like a system crontab: use --system", not that the user name is a missing command', () => {
    const root = server({ 'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\ndeploy:x:1000:1000::/home/deploy:/bin/bash\n' });
    const tab = join(root, 'tab');
    writeFileSync(tab, '0 1 * * * root echo a\n0 2 * * * deploy echo b\n0 3 * * * echo root\n');
    const { jobs, status } = plan([tab, '--root', root, '--timezone', 'UTC']);
    expect(status).toBe(1);
    expect(jobs.map((j) => j.status)).toEqual(['error', 'error', 'migrate']);
    expect(codes(jobs[0])).toEqual(['looks-like-system-crontab']);
    expect(jobs[1].reasons[0].message).toMatch(/looks like a system crontab: "deploy".*use --system/);
    expect(JSON.stringify(jobs)).not.toMatch(/missing-(command|file)/);
    const text = cli(['plan', tab, '--root', root, '--timezone', 'UTC', ...FROM]).stdout;
    expect(text.match(/looks like a system crontab: 2 lines have a user name after the schedule; read it with --system/g)).toHaveLength(1);
    const sys = plan([tab, '--root', root, '--timezone', 'UTC', '--system']);
    expect(sys.jobs.slice(0, 2).map((j) => j.status)).toEqual(['migrate', 'migrate']);
  });
});

describe('where crontabs come from', () => {
  it('reads "-" from standard input, named (stdin)', () => {
    const root = server({});
    const { status, jobs } = plan(['-', '--root', root, '--timezone', 'UTC'], '0 1 * * * echo from-stdin\n');
    expect(status).toBe(0);
    expect(jobs[0].source).toMatchObject({ file: '(stdin)', line: 1, text: '0 1 * * * echo from-stdin' });
    expect(cli(['plan', '-', '-']).status).toBe(64);
  });

  it('reads every file of a directory that cron reads, as system crontabs in etc/cron.d, listing the skipped ones', () => {
    const files = {
      'etc/cron.d/app': '0 1 * * * root echo app\n',
      'etc/cron.d/app.cron': '0 2 * * * root echo dotted\n',
      'etc/cron.d/.hidden': '0 3 * * * root echo hidden\n',
      'etc/cron.d/app~': '0 4 * * * root echo backup\n',
      'etc/cron.d/app.rpmsave': '0 5 * * * root echo rpmsave\n',
      'etc/cron.d/app.dpkg-old': '0 6 * * * root echo dpkg\n',
      'etc/cron.d/sub/nested': '0 7 * * * root echo nested\n',
    };
    const rhel = server(files);
    const a = plan([join(rhel, 'etc/cron.d'), '--root', rhel, '--timezone', 'UTC']);
    expect(a.status).toBe(0);
    expect(a.jobs.map((j) => j.source.text.split(' ').pop())).toEqual(['app', 'dotted']);
    expect(a.plan.files.filter((f: { system: boolean }) => f.system)).toHaveLength(a.plan.files.length);
    const skipped = a.plan.files.filter((f: { notes?: unknown[] }) => f.notes).map((f: { file: string }) => f.file.split('/').pop());
    expect(skipped.sort()).toEqual(['.hidden', 'app.dpkg-old', 'app.rpmsave', 'app~']);
    // On a Debian server copy, cron.d names follow run-parts rules: no dots at all.
    const debian = server({ ...files, 'etc/debian_version': '12.5\n' });
    const b = plan([join(debian, 'etc/cron.d'), '--root', debian, '--timezone', 'UTC']);
    expect(b.jobs.map((j) => j.source.text.split(' ').pop())).toEqual(['app']);
    const note = b.plan.files.find((f: { file: string }) => f.file.endsWith('app.cron')).notes[0];
    expect(note).toMatchObject({ code: 'skipped-by-name' });
    expect(note.message).toMatch(/run-parts/);
  });
});

describe('symbolic links in a server copy', () => {
  it('resolves a link in etc/cron.d inside --root, as the server would, and never reads this machine\'s target', () => {
    const outside = mkdtempSync(join(tmpdir(), 'c2l-outside-'));
    writeFileSync(join(outside, 'shadow'), 'root:$6$planted-hash-c2l:19000:0:99999:7:::\n');
    const root = server({
      'etc/cron-real/app': '0 1 * * * root echo via-link\n',
      'etc/cron.d/app': '->/etc/cron-real/app',
      'etc/cron.d/evil': `->${join(outside, 'shadow')}`,
      'etc/timezone': `->${join(outside, 'shadow')}`,
    });
    const r = plan([join(root, 'etc/cron.d'), '--root', root, '--timezone', 'UTC']);
    expect(r.jobs.map((j) => j.source.text)).toEqual(['0 1 * * * root echo via-link']);
    expect(r.plan.files.find((f: { file: string }) => f.file.endsWith('evil')).error.message).toMatch(/does not exist in the server copy/);
    const z = plan([join(root, 'etc/cron.d'), '--root', root]);
    expect(z.plan.timezoneSource).toBe('default');
    for (const out of [r.stdout, z.stdout, cli(['plan', join(root, 'etc/cron.d'), '--root', root, ...FROM]).stdout]) expect(out).not.toContain('planted-hash');
  });
});

describe('resource limits and binary input', () => {
  it('refuses /dev/zero, a FIFO and a file over 1 MiB with one line each, and still plans the others', () => {
    const root = server({ tab: '0 1 * * * echo ok\n', big: `0 1 * * * echo ${'x'.repeat(2 << 20)}\n` });
    const fifo = join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const { status, plan: p, jobs } = plan(['/dev/zero', fifo, join(root, 'big'), join(root, 'tab'), '--root', root, '--timezone', 'UTC']);
    expect(status).toBe(1);
    expect(jobs.map((j) => j.status)).toEqual(['migrate']);
    const errors = p.files.map((f: { error?: { message: string } }) => f.error?.message ?? null);
    expect(errors[0]).toMatch(/\/dev\/zero: is a character device, not a regular file/);
    expect(errors[1]).toMatch(/fifo: is a FIFO, not a regular file/);
    expect(errors[2]).toMatch(/big: larger than 1 MiB/);
    expect(errors[3]).toBeNull();
  });

  it('refuses standard input over 1 MiB without reading all of it', () => {
    const r = cli(['plan', '-', '--timezone', 'UTC', ...FROM], {}, { input: `# ${'y'.repeat(3 << 20)}\n` });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/cannot read standard input: larger than 1 MiB/);
  });

  it('rejects lines holding NUL bytes without crashing, in a text file and in a binary one', () => {
    const root = server({});
    const tab = join(root, 'tab');
    writeFileSync(tab, '0 1 * * * echo a\u0000secret-after-nul\n0 2 * * * echo b\nFOO=x\u0000y\n');
    const { status, jobs, stdout } = plan([tab, '--root', root, '--timezone', 'UTC']);
    expect(status).toBe(1);
    expect(jobs.map((j) => [j.status, codes(j)[0]])).toEqual([['error', 'nul-byte'], ['migrate', undefined], ['error', 'nul-byte']]);
    expect(stdout).not.toContain('secret-after-nul');
    const bin = join(root, 'bin');
    const bytes = Buffer.alloc(8192);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 256;
    writeFileSync(bin, bytes);
    const b = cli(['plan', bin, '--root', root, '--timezone', 'UTC', ...FROM]);
    expect(b.status).toBe(1);
    expect(b.stderr).toBe('');
  });
});

