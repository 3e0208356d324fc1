// The Markdown report goes into change tickets, where it is rendered: text from the crontab, the scripts and their
// file names must show as written and never become HTML, links or table cells of its own.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cli } from '../support/cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function server(scripts: Record<string, string>, lines: string[], tabName = 'crontab'): { root: string; crontab: string; base: string } {
  const base = mkdtempSync(join(tmpdir(), 'c2l-report-'));
  dirs.push(base);
  const root = join(base, 'root');
  for (const [path, body] of Object.entries(scripts)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), body, { mode: 0o755 });
  }
  mkdirSync(join(base, 'tabs'));
  const crontab = join(base, 'tabs', tabName);
  writeFileSync(crontab, lines.join('\n') + '\n');
  return { root, crontab, base };
}

const FROM = ['--from', '2026-12-01', '--timezone', 'UTC'];

describe('report --format markdown on hostile names', () => {
  it('writes a script path holding an HTML tag or a link as text, not as a tag or a link', () => {
    const script = '/opt/[see](javascript:alert(1))/<img src=x onerror=alert(1)>.sh';
    const s = server({ [script]: '#!/bin/sh\nnotacommand\n' }, [`0 1 * * * "${script}"`]);
    const r = cli(['report', s.crontab, '--root', s.root, ...FROM]);
    expect(r.status).toBe(0);
    const row = r.stdout.split('\n').find((l) => l.includes('missing-command'));
    expect(row).toBeDefined();
    // outside code spans, `<img` would be an element wherever the ticket renders HTML
    const outsideCode = row!.replace(/`[^`]*`/g, '');
    expect(outsideCode).not.toMatch(/(^|[^\\])<img/);
    expect(outsideCode).not.toMatch(/(^|[^\\])\[see\]\(/);
    expect(outsideCode).toContain('/opt/\\[see\\](javascript:alert(1))/\\<img src=x onerror=alert(1)\\>.sh:2');
  });

  it('shows backticks in the crontab line as backticks (command substitution is not a quoted string)', () => {
    const s = server({ '/opt/ok.sh': '#!/bin/sh\necho ok\n' }, ['0 1 * * * /opt/ok.sh `hostname` ``x``']);
    const r = cli(['report', s.crontab, '--root', s.root, ...FROM]);
    expect(r.status).toBe(0);
    const source = r.stdout.split('\n').find((l) => l.startsWith('- Source:'));
    expect(source).toContain('``` 0 1 * * * /opt/ok.sh `hostname` ``x`` ```');
  });
});

describe('report accounts for every crontab file it was given', () => {
  it('says which files of a crontab directory it did not read, and why, in Markdown and JSON', () => {
    const s = server({ '/opt/ok.sh': '#!/bin/sh\necho ok\n' }, ['0 1 * * * root /opt/ok.sh'], 'app');
    const tabs = dirname(s.crontab);
    // a package manager's leftover (cron skips it) and a link out of the server copy (cron reads it on the server)
    writeFileSync(join(tabs, 'app.dpkg-old'), '0 2 * * * root /opt/ok.sh\n');
    symlinkSync('/etc/cron.d/elsewhere', join(tabs, 'linked'));
    const md = cli(['report', tabs, '--system', '--root', s.root, ...FROM]);
    const plan = JSON.parse(cli(['plan', tabs, '--system', '--root', s.root, '--json', ...FROM]).stdout);
    const noted = plan.files.filter((f: { notes?: unknown[] }) => f.notes?.length);
    expect(noted.map((f: { file: string }) => f.file)).toEqual([join(tabs, 'app.dpkg-old'), join(tabs, 'linked')]);
    for (const f of noted) {
      const [note] = f.notes;
      expect(md.stdout).toContain(f.file);
      expect(md.stdout).toContain(note.message.replace(/[<>[\]&]/g, '\\$&'));
      expect(md.stdout).toContain(`\`${note.code}\``);
    }
    const json = JSON.parse(cli(['report', tabs, '--system', '--root', s.root, '--format', 'json', ...FROM]).stdout);
    expect(json.files.filter((f: { notes?: unknown[] }) => f.notes?.length)).toEqual(
      noted.map((f: { file: string; notes: unknown[] }) => ({ file: f.file, notes: f.notes, warnings: [] })),
    );
  });
});
