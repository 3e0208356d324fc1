// CRON_TZ is cronie's: Debian's and Ubuntu's cron (Vixie cron 3.0pl1 with Debian's patches) has no CRON_TZ (its
// cron(8): "cron will only handle tasks in a single timezone"; the bookworm binary holds no "CRON_TZ"). On a Debian
// server copy a line under CRON_TZ always ran in the server's zone, with CRON_TZ an ordinary variable of the job:
// the migration keeps what ran and says so. Through the CLI as users run it.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cli } from '../support/cli.js';

const FROM = ['--from', '2027-01-04'];
const CRONTAB = 'MAILTO=""\nCRON_TZ=Asia/Tokyo\n30 9 * * * /opt/app/run.sh\n15 10 * * * /opt/app/run.sh --other\n';

interface JobJson {
  id: string;
  status: string;
  verdict: string;
  verdictReasons: string[];
  environment: Record<string, string>;
  warnings: { code: string; message: string; line?: number; field?: string }[];
  schedule: { timezone: string; expressions: string[]; expressionTimezone: string; exact: boolean };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A server copy in Berlin with one script and the crontab (below the root); more files by path ("->": a link). */
function server(extra: Record<string, string>): { root: string; tab: string } {
  const root = mkdtempSync(join(tmpdir(), 'c2l-debtz-'));
  dirs.push(root);
  const files: Record<string, string> = { 'etc/timezone': 'Europe/Berlin\n', 'opt/app/run.sh': '#!/bin/sh\necho run\n', 'app.crontab': CRONTAB, ...extra };
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    if (content.startsWith('->')) symlinkSync(content.slice(2), join(root, p));
    else writeFileSync(join(root, p), content);
  }
  chmodSync(join(root, 'opt/app/run.sh'), 0o755);
  return { root, tab: join(root, 'app.crontab') };
}

function plan(args: string[]) {
  const r = cli(['plan', ...args, '--json', ...FROM]);
  expect(r.stderr).not.toMatch(/internal error/);
  return { status: r.status, plan: JSON.parse(r.stdout) as { jobs: JobJson[]; files: { warnings: { code: string; line?: number; jobs: string[]; message: string }[] }[] } };
}

function packaged(tab: string, root: string) {
  const out = mkdtempSync(join(tmpdir(), 'c2l-debtz-out-'));
  dirs.push(out);
  const r = cli(['package', tab, '--root', root, '--out', out, '--target', 'scheduler', ...FROM]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { jobs: { environment: Record<string, string>; schedule: { timezone: string; expressions: string[] } }[] };
}

describe('CRON_TZ on a Debian server copy (no CRON_TZ in Debian\'s cron)', () => {
  it('schedules the lines in the server zone, by the daemon-zone DST rules, proved so', () => {
    const { root, tab } = server({ 'etc/debian_version': '12.5\n' });
    const { plan: p } = plan([tab, '--root', root, '--target', 'scheduler']);
    const [a, b] = p.jobs;
    // What ran: 09:30 on the server's (Berlin's) clock.
    expect(a.schedule).toMatchObject({ timezone: 'Europe/Berlin', expressionTimezone: 'Europe/Berlin', expressions: ['cron(30 9 * * ? *)'], exact: true });
    expect(b.schedule).toMatchObject({ timezone: 'Europe/Berlin', expressions: ['cron(15 10 * * ? *)'], exact: true });
    // As lines without CRON_TZ on the same server, under either target: the same proof, by the same DST rules.
    writeFileSync(join(root, 'plain.crontab'), CRONTAB.replace('CRON_TZ=Asia/Tokyo\n', '#\n'));
    for (const target of ['rule', 'scheduler']) {
      const withTz = plan([tab, '--root', root, '--target', target]).plan.jobs;
      const plain = plan([join(root, 'plain.crontab'), '--root', root, '--target', target]).plan.jobs;
      expect(withTz.map((j) => j.schedule)).toEqual(plain.map((j) => j.schedule));
    }
  });

  it('needs attention with cron-tz-ignored on each such job, said once for the file', () => {
    const { root, tab } = server({ 'etc/debian_version': '12.5\n' });
    const { plan: p } = plan([tab, '--root', root, '--target', 'scheduler']);
    const [a, b] = p.jobs;
    for (const j of [a, b]) {
      expect(j.verdict).toBe('needs-attention');
      const w = j.warnings.find((x) => x.code === 'cron-tz-ignored')!;
      expect(w).toMatchObject({ line: 2, field: 'CRON_TZ' });
      expect(w.message).toContain('CRON_TZ=Asia/Tokyo');
      expect(w.message).toContain('Europe/Berlin');
      expect(j.verdictReasons.join('\n')).toContain('warning cron-tz-ignored at');
    }
    const fileWarning = p.files[0].warnings.find((w) => w.code === 'cron-tz-ignored')!;
    expect(fileWarning).toMatchObject({ line: 2, jobs: [a.id, b.id] });
    const text = cli(['plan', tab, '--root', root, '--target', 'scheduler', ...FROM]).stdout;
    expect(text.match(/\[cron-tz-ignored\]/g)).toHaveLength(1);
    expect(text.match(/needs-attention \(cron-tz-ignored\)/g)).toHaveLength(2);
  });

  it('keeps CRON_TZ in the function environment, an ordinary variable there as in cron\'s job', () => {
    const { root, tab } = server({ 'etc/debian_version': '12.5\n' });
    expect(plan([tab, '--root', root]).plan.jobs[0].environment.CRON_TZ).toBe('Asia/Tokyo');
    const m = packaged(tab, root);
    expect(m.jobs[0].environment).toMatchObject({ CRON_TZ: 'Asia/Tokyo', TZ: 'Europe/Berlin' });
    expect(m.jobs[0].schedule).toMatchObject({ timezone: 'Europe/Berlin', expressions: ['cron(30 9 * * ? *)'] });
  });

  it('plans a line under a CRON_TZ cronie would reject (no such zone): Debian\'s cron never read it; none for CRON_TZ= or the server\'s own zone', () => {
    const { root, tab } = server({ 'etc/debian_version': '12.5\n' });
    writeFileSync(tab, 'CRON_TZ=europe/berlin\n0 5 * * * /opt/app/run.sh\nCRON_TZ=\n0 6 * * * /opt/app/run.sh\nCRON_TZ=Europe/Berlin\n0 7 * * * /opt/app/run.sh\n');
    const { status, plan: p } = plan([tab, '--root', root, '--target', 'scheduler']);
    expect(status).toBe(0);
    expect(p.jobs.map((j) => [j.status, j.schedule.timezone, j.verdict])).toEqual([
      ['migrate', 'Europe/Berlin', 'needs-attention'],
      ['migrate', 'Europe/Berlin', 'ready'],
      ['migrate', 'Europe/Berlin', 'ready'],
    ]);
    expect(p.jobs[0].warnings.map((w) => w.code)).toEqual(['cron-tz-ignored']);
    expect(p.jobs[0].environment.CRON_TZ).toBe('europe/berlin');
  });

  it('changes nothing on a copy that is not Debian, nor on a Debian copy with cronie (crond) installed', () => {
    const rhel = server({});
    const cronieOnDebian = server({ 'etc/debian_version': '12.5\n', 'usr/sbin/crond': 'ELF', 'var/lib/dpkg/info/cronie.list': '/usr/sbin/crond\n' });
    for (const { root, tab } of [rhel, cronieOnDebian]) {
      const { plan: p } = plan([tab, '--root', root, '--target', 'scheduler']);
      const [a] = p.jobs;
      expect(a.schedule).toMatchObject({ timezone: 'Asia/Tokyo', expressionTimezone: 'Asia/Tokyo', expressions: ['cron(30 9 * * ? *)'], exact: true });
      expect(a.verdict).toBe('ready');
      expect(a.warnings.map((w) => w.code)).not.toContain('cron-tz-ignored');
      expect(p.files[0].warnings.map((w) => w.code)).not.toContain('cron-tz-ignored');
      const m = packaged(tab, root);
      expect(m.jobs[0].environment.CRON_TZ).toBeUndefined();
      expect(m.jobs[0].environment.TZ).toBe('Asia/Tokyo');
    }
  });

  it('tells cronie from Debian\'s cron by what the Debian-family copy holds: dpkg\'s cronie record, or crond without cron', () => {
    const zoneOf = (extra: Record<string, string>) => {
      const { root, tab } = server({ 'etc/debian_version': '12.5\n', ...extra });
      return plan([tab, '--root', root, '--target', 'scheduler']).plan.jobs[0].schedule.timezone;
    };
    expect(zoneOf({ 'var/lib/dpkg/info/cronie.list': '/usr/sbin/crond\n' })).toBe('Asia/Tokyo');
    expect(zoneOf({ 'usr/sbin/crond': 'ELF' })).toBe('Asia/Tokyo');
    // Debian's cron with a crond alias (a link to it) is still Debian's cron.
    expect(zoneOf({ 'usr/sbin/cron': 'ELF', 'usr/sbin/crond': '->/usr/sbin/cron' })).toBe('Europe/Berlin');
    expect(zoneOf({ 'usr/sbin/cron': 'ELF' })).toBe('Europe/Berlin');
  });

  it('keeps cronie semantics without --root (the crontab is read on this machine)', () => {
    const r = cli(['plan', '-', '--timezone', 'Europe/Berlin', '--target', 'scheduler', '--json', ...FROM], {}, { input: CRONTAB });
    const a = (JSON.parse(r.stdout) as { jobs: JobJson[] }).jobs[0];
    expect(a.schedule).toMatchObject({ timezone: 'Asia/Tokyo', expressions: ['cron(30 9 * * ? *)'] });
    expect(a.warnings.map((w) => w.code)).not.toContain('cron-tz-ignored');
  });
});
