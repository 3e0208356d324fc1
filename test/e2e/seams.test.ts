// Issue 7 tried on the integrated tree: where the crontab, secrets, output-safety and verdict work meet.
// Through the CLI as a subprocess, on crontabs and server copies written here.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';

const FROM = ['--from', '2027-01-04'];
const SLOW = 60_000;

/** A temp dir with a server copy (root/) holding the given files, and room for crontabs and outputs. */
function workspace(files: Record<string, string> = {}): { base: string; root: string } {
  const base = mkdtempSync(join(tmpdir(), 'c2l-seams-'));
  const root = join(base, 'root');
  mkdirSync(root);
  for (const [path, content] of Object.entries(files)) {
    const p = join(root, path);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, content, { mode: 0o755 });
  }
  return { base, root };
}

describe('a secret on a line that is rejected before the % split', () => {
  it('is redacted from plan, report and the manifest: an unknown macro, a % in a time field, a user name in a user crontab', () => {
    const w = workspace({ 'opt/s.sh': '#!/bin/bash\ncat\n', 'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n' });
    const crontab = join(w.base, 'crontab');
    writeFileSync(
      crontab,
      [
        '@foo /opt/s.sh % password=MacroLeak-1111',
        '* * * * % password=FieldLeak-2222',
        '* * * * * root /opt/s.sh % password=SystemLeak-3333',
        '@daily root /opt/s.sh % password=SystemLeak-4444',
        '0 1 * * * /opt/s.sh % ok',
        '',
      ].join('\n'),
    );
    const planned = [cli(['plan', crontab, '--root', w.root, ...FROM]), cli(['plan', '--json', crontab, '--root', w.root, ...FROM])];
    const report = cli(['report', crontab, '--root', w.root, '--format', 'json', ...FROM]);
    const out = join(w.base, 'out');
    const pkg = cli(['package', crontab, '--root', w.root, '--out', out, ...FROM]);
    const manifest = readFileSync(join(out, 'manifest.json'), 'utf8');
    const all = [...planned, report, pkg].map((r) => r.stdout + r.stderr).join('\n') + manifest;
    for (const r of [...planned, report, pkg]) expect(r.status).toBe(1);
    for (const v of ['MacroLeak-1111', 'FieldLeak-2222', 'SystemLeak-3333', 'SystemLeak-4444']) expect(all, v).not.toContain(v);
    // each rejected line still says what it holds
    const jobs = JSON.parse(planned[1].stdout).jobs as { source: { line: number }; findings: { code: string }[] }[];
    for (const line of [1, 2, 3, 4]) {
      expect(jobs.find((j) => j.source.line === line)!.findings.map((f) => f.code), `line ${line}`).toContain('secret');
    }
  }, SLOW);

  it('is redacted when the crontab comes from standard input or from a directory', () => {
    const w = workspace({ 'opt/s.sh': '#!/bin/bash\ncat\n', 'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\n' });
    const text = '* * * * * root /opt/s.sh % password=StdinLeak-5555\n';
    const dir = join(w.base, 'tabs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'jobs'), text.replace('StdinLeak', 'DirLeak'));
    const fromStdin = cli(['plan', '-', '--root', w.root, ...FROM], {}, { input: text });
    const fromDir = cli(['plan', '--json', dir, '--root', w.root, ...FROM]);
    expect(fromStdin.stdout).toMatch(/looks like a system crontab/);
    expect(fromStdin.stdout + fromStdin.stderr).not.toContain('StdinLeak-5555');
    expect(fromDir.stdout + fromDir.stderr).not.toContain('DirLeak-5555');
  }, SLOW);
});

describe('report --output beside the crontab', () => {
  it('writes report.md beside a crontab saved from crontab -l (cron reads no such directory)', () => {
    const w = workspace({ 'opt/s.sh': '#!/bin/bash\necho ok\n' });
    writeFileSync(join(w.base, 'crontab.txt'), '0 1 * * * /opt/s.sh\n');
    const r = cli(['report', 'crontab.txt', '--root', w.root, '--output', 'report.md', '--timezone', 'UTC', ...FROM], {}, { cwd: w.base });
    expect(r.stderr).toBe(`wrote report.md\n`);
    expect(readFileSync(join(w.base, 'report.md'), 'utf8')).toContain('# cron2lambda readiness report');
  }, SLOW);

  it('refuses it in a directory cron reads: an etc/cron.d holding the crontab, or a directory given as input', () => {
    const w = workspace({ 'opt/s.sh': '#!/bin/bash\necho ok\n' });
    const crond = join(w.root, 'etc', 'cron.d');
    mkdirSync(crond, { recursive: true });
    writeFileSync(join(crond, 'app'), '0 1 * * * root /opt/s.sh\n');
    const tabs = join(w.base, 'tabs');
    mkdirSync(tabs);
    writeFileSync(join(tabs, 'app'), '0 1 * * * /opt/s.sh\n');
    for (const [input, output] of [
      [join(crond, 'app'), join(crond, 'report')],
      [tabs, join(tabs, 'report')],
    ]) {
      const r = cli(['report', input, '--root', w.root, '--output', output, ...FROM]);
      expect(r.status, output).toBe(64);
      expect(r.stderr).toMatch(/holds a crontab being read/);
    }
  }, SLOW);
});

describe('the server zone when --root is not given', () => {
  it("is this machine's zone, not the server's: said so, and an assumption that needs attention", () => {
    // Whatever this machine's /etc/timezone holds (or not), it says nothing about the server the crontab came from.
    const w = workspace();
    const crontab = join(w.base, 'crontab');
    writeFileSync(crontab, '0 3 * * * /bin/true\n');
    const text = cli(['plan', crontab, ...FROM]);
    expect(text.stdout).not.toMatch(/server copy's etc\/(timezone|localtime)/);
    expect(text.stdout).toMatch(/^server time zone: \S+ \((assumed|this machine's)/m);
    const json = JSON.parse(cli(['plan', '--json', crontab, ...FROM]).stdout);
    expect(json.jobs[0].warnings.map((x: { code: string }) => x.code)).toContain('timezone-assumed');
    expect(json.jobs[0].verdict).toBe('needs-attention');
    // With --timezone, or a server copy, nothing is assumed.
    const given = JSON.parse(cli(['plan', '--json', crontab, '--timezone', 'Europe/Berlin', ...FROM]).stdout);
    expect(given.jobs[0].warnings.map((x: { code: string }) => x.code)).not.toContain('timezone-assumed');
  }, SLOW);
});

describe('what is said about a job', () => {
  it('a credential in the crontab command is one finding, naming the variable the bundled command reads it from', () => {
    const w = workspace({ 'opt/s.sh': '#!/bin/bash\necho ok\n' });
    const crontab = join(w.base, 'crontab');
    writeFileSync(crontab, '* * * * * /opt/s.sh --password=DupFinding-7777\n');
    const plan = JSON.parse(cli(['plan', '--json', crontab, '--root', w.root, '--timezone', 'UTC', ...FROM]).stdout);
    const secrets = plan.jobs[0].findings.filter((f: { code: string }) => f.code === 'secret');
    expect(secrets).toHaveLength(1);
    expect(secrets[0].message).toContain('$CRON2LAMBDA_SECRET_1');
  }, SLOW);

  it('a directory where a script should be is called a directory, not missing from --root', () => {
    const w = workspace({ 'opt/d/keep': 'x\n', 'opt/src.sh': '#!/bin/bash\n. /opt/d\n' });
    const crontab = join(w.base, 'crontab');
    writeFileSync(crontab, '1 * * * * /opt/d\n2 * * * * bash /opt/d\n3 * * * * /opt/src.sh\n');
    const plan = JSON.parse(cli(['plan', '--json', crontab, '--root', w.root, '--timezone', 'UTC', ...FROM]).stdout);
    for (const job of plan.jobs) {
      expect(job.status).toBe('error');
      const reason = job.reasons.find((r: { code: string }) => r.code === 'missing-file');
      expect(reason.message).toMatch(/\/opt\/d .*is a directory/);
      expect(reason.message).not.toContain('is not under --root');
    }
  }, SLOW);
});
