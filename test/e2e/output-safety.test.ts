// What `package` may write or delete, and what no command may do with bad input: crash, or send a terminal the
// control characters of an input file. Each case is run as a user (or an attacker) would, through the CLI.
import { afterAll, describe, expect, it } from 'vitest';
import {
  existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BIN, cli, REPO, subprocessEnv, type CliResult } from '../support/cli.js';
import { functionNameFor } from '../../src/package/artifact.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'c2l-safe-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A server copy with the given scripts (path → body), and a crontab running `lines`. */
function server(scripts: Record<string, string>, lines: string[]): { root: string; crontab: string; base: string } {
  const base = tmp();
  const root = join(base, 'root');
  for (const [path, body] of Object.entries(scripts)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), body, { mode: 0o755 });
  }
  mkdirSync(join(base, 'tabs'));
  const crontab = join(base, 'tabs', 'crontab');
  writeFileSync(crontab, lines.join('\n') + '\n');
  return { root, crontab, base };
}

const OK = { '/opt/app/ok.sh': '#!/bin/sh\necho ok\n', '/opt/app/two.sh': '#!/bin/sh\necho two\n' };
const OK_LINES = ['0 3 * * * /opt/app/ok.sh', '0 4 * * * /opt/app/two.sh'];

function pkg(crontab: string, root: string, out: string, env: Record<string, string> = {}): CliResult {
  return cli(['package', crontab, '--root', root, '--out', out, '--from', '2026-12-01'], env);
}

function manifestOf(out: string) {
  return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
}

const zipsIn = (out: string) => readdirSync(out).filter((f) => f.endsWith('.zip')).sort();

/** A refusal: the given exit status, one line on stderr, and no stack trace. */
function expectOneLine(r: CliResult, status: number, text: string | RegExp) {
  expect(r.status).toBe(status);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).toMatch(text);
}

describe('package deletes only what its own previous manifest lists', () => {
  it("keeps a user's c2l-*.zip and another server's zips that no manifest in the directory lists", () => {
    const s = server(OK, OK_LINES);
    const out = join(s.base, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'c2l-mine.zip'), 'my own file');
    writeFileSync(join(out, 'c2l-other-server-00000000.zip'), 'another server');
    const r = pkg(s.crontab, s.root, out);
    expect(r.status).toBe(0);
    expect(readFileSync(join(out, 'c2l-mine.zip'), 'utf8')).toBe('my own file');
    expect(readFileSync(join(out, 'c2l-other-server-00000000.zip'), 'utf8')).toBe('another server');
    expect(r.stdout).not.toContain('removed');
  });

  it('removes the zips of its previous run whose jobs are gone, and says which', () => {
    const s = server(OK, OK_LINES);
    const out = join(s.base, 'out');
    expect(pkg(s.crontab, s.root, out).status).toBe(0);
    const before = manifestOf(out).jobs.map((j: { zip: string }) => j.zip);
    expect(zipsIn(out)).toEqual([...before].sort());
    writeFileSync(s.crontab, OK_LINES[0] + '\n');
    const r = pkg(s.crontab, s.root, out);
    expect(r.status).toBe(0);
    const gone = before.find((z: string) => !manifestOf(out).jobs.some((j: { zip: string }) => j.zip === z));
    expect(zipsIn(out)).toEqual(manifestOf(out).jobs.map((j: { zip: string }) => j.zip));
    expect(r.stdout).toContain(`removed ${gone}`);
  });

  it('removes nothing a previous manifest names by a path (../x, /abs) instead of a plain zip name in the directory', () => {
    const s = server(OK, OK_LINES);
    const out = join(s.base, 'out');
    mkdirSync(out);
    writeFileSync(join(s.base, 'c2l-victim.zip'), 'outside');
    writeFileSync(join(s.base, 'c2l-abs.zip'), 'outside too');
    writeFileSync(
      join(out, 'manifest.json'),
      JSON.stringify({ formatVersion: 1, generatedBy: 'cron2lambda 0.1.0', jobs: [{ zip: '../c2l-victim.zip' }, { zip: join(s.base, 'c2l-abs.zip') }] }),
    );
    const r = pkg(s.crontab, s.root, out);
    expect(r.status).toBe(0);
    expect(readFileSync(join(s.base, 'c2l-victim.zip'), 'utf8')).toBe('outside');
    expect(readFileSync(join(s.base, 'c2l-abs.zip'), 'utf8')).toBe('outside too');
    expect(r.stdout).toContain('"../c2l-victim.zip", which is not a zip name');
  });

  it('will not replace a manifest.json it did not write', () => {
    const s = server(OK, OK_LINES);
    const out = join(s.base, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'manifest.json'), '{"mine": true}');
    const r = pkg(s.crontab, s.root, out);
    expectOneLine(r, 1, /manifest\.json exists but is not a cron2lambda manifest/);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe('{"mine": true}');
    expect(zipsIn(out)).toEqual([]);
  });
});

describe('package never writes through a symbolic link', () => {
  it('leaves a file outside --out alone when a zip name in --out is a link to it; that job fails, the other is packaged', () => {
    const s = server(OK, OK_LINES);
    const out = join(s.base, 'out');
    mkdirSync(out);
    const victim = join(s.base, 'victim');
    writeFileSync(victim, 'precious');
    expect(pkg(s.crontab, s.root, join(s.base, 'probe')).status).toBe(0);
    const [first, second] = manifestOf(join(s.base, 'probe')).jobs;
    symlinkSync(victim, join(out, first.zip));
    // Even a manifest that lists the name does not make a link ours.
    writeFileSync(join(out, 'manifest.json'), JSON.stringify({ formatVersion: 1, generatedBy: 'cron2lambda x', jobs: [{ zip: first.zip }] }));
    const r = pkg(s.crontab, s.root, out);
    expect(r.status).toBe(1);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(out, first.zip)).isSymbolicLink()).toBe(true);
    const m = manifestOf(out);
    expect(m.jobs[0]).toMatchObject({ status: 'error', reasons: [expect.objectContaining({ code: 'out-path-taken' })] });
    expect(m.jobs[0].reasons[0].message).toContain('is a symbolic link');
    expect(m.jobs[1].zip).toBe(second.zip);
    expect(existsSync(join(out, second.zip))).toBe(true);
  });

  it('refuses a manifest.json that is a link, and the file it points to stays as it was', () => {
    const s = server(OK, OK_LINES);
    const out = join(s.base, 'out');
    mkdirSync(out);
    const victim = join(s.base, 'victim.json');
    writeFileSync(victim, '{"formatVersion":1,"generatedBy":"cron2lambda","jobs":[]}');
    symlinkSync(victim, join(out, 'manifest.json'));
    const r = pkg(s.crontab, s.root, out);
    expectOneLine(r, 1, /manifest\.json is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('{"formatVersion":1,"generatedBy":"cron2lambda","jobs":[]}');
  });

  it('refuses an --out that is itself a symbolic link, naming its target', () => {
    const s = server(OK, OK_LINES);
    const real = join(s.base, 'real');
    mkdirSync(real);
    symlinkSync(real, join(s.base, 'link'));
    const r = pkg(s.crontab, s.root, join(s.base, 'link'));
    expectOneLine(r, 64, new RegExp(`is a symbolic link to ${real}`));
    expect(readdirSync(real)).toEqual([]);
  });
});

describe('package refuses dangerous output directories', () => {
  const s = server(OK, OK_LINES);
  const cases: [string, () => string, RegExp, Record<string, string>?][] = [
    ['/', () => '/', /is the root directory/],
    ['/etc', () => '/etc', /system directory/],
    ['/tmp (writable by every user)', () => '/tmp', /system directory|writable by every user/],
    ['a world-writable directory', () => {
      const d = join(s.base, 'shared');
      mkdirSync(d, { recursive: true, mode: 0o777 });
      spawnSync('chmod', ['0777', d]);
      return d;
    }, /writable by every user/],
    ['the home directory itself', () => join(s.base, 'home'), /your home directory/, { HOME: join(s.base, 'home') }],
    ['--root', () => s.root, /is the --root directory/],
    ['the directory holding the crontab (an /etc/cron.d would read manifest.json)', () => join(s.base, 'tabs'), /holds the crontab/],
    ['a path under /proc', () => '/proc/self/cwd/x', /under \/proc/],
  ];
  for (const [what, dir, message, env] of cases) {
    it(`refuses ${what} with one line, exit 64, writing nothing`, () => {
      mkdirSync(join(s.base, 'home'), { recursive: true });
      const d = dir();
      const before = existsSync(d) ? readdirSync(d).sort() : null;
      const shared = !d.startsWith(s.base);
      // For the machine's own directories --root does not exist: a tool that failed to refuse --out would still stop
      // at --root, so this test never writes into / or /etc, even against a broken build.
      const r = pkg(s.crontab, shared ? join(s.base, 'no-such-root') : s.root, d, env);
      expectOneLine(r, 64, message);
      // Other processes write in /tmp meanwhile: the listing is compared only for directories of this test.
      if (before && !shared) expect(readdirSync(d).sort()).toEqual(before);
    });
  }
});

describe('package and one other run into the same directory', () => {
  it('refuses to start while a live process holds the lock, and writes nothing', () => {
    const s = server(OK, OK_LINES);
    const out = join(s.base, 'out');
    mkdirSync(out);
    const lock = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-11-30T05:00:00.000Z', token: 'held', writing: [] });
    writeFileSync(join(out, '.cron2lambda.lock'), lock);
    const r = pkg(s.crontab, s.root, out);
    expectOneLine(r, 1, new RegExp(`another cron2lambda package run \\(pid ${process.pid} on ${hostname()}, started 2026-11-30T05:00:00.000Z\\) is writing to`));
    expect(readdirSync(out)).toEqual(['.cron2lambda.lock']);
    expect(readFileSync(join(out, '.cron2lambda.lock'), 'utf8')).toBe(lock);
  });

  it('takes over the lock of a dead run with a note, owns the zips it was writing, and removes its temporary files', () => {
    const s = server(OK, OK_LINES);
    const probe = join(s.base, 'probe');
    expect(pkg(s.crontab, s.root, probe).status).toBe(0);
    const name = manifestOf(probe).jobs[0].zip;
    const out = join(s.base, 'out');
    mkdirSync(out);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(join(out, '.cron2lambda.lock'), JSON.stringify({ pid: dead, host: hostname(), startedAt: 'then', token: 'gone', writing: [name] }));
    writeFileSync(join(out, name), 'half a zip');
    writeFileSync(join(out, `.c2l-tmp-${dead}-0badc0de-${name}`), 'partial');
    const r = pkg(s.crontab, s.root, out);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`took over the lock of a run that is gone (pid ${dead}`);
    expect(readdirSync(out).sort()).toEqual([...zipsIn(probe), 'manifest.json'].sort());
    expect(readFileSync(join(out, name))).toEqual(readFileSync(join(probe, name)));
  });

  it('leaves exactly the zips its manifest lists when two runs for different servers start at once', async () => {
    const scripts: Record<string, string> = {};
    const a: string[] = [];
    const b: string[] = [];
    for (let i = 0; i < 60; i++) {
      scripts[`/opt/a/job${i}.sh`] = `#!/bin/sh\necho a${i}\n`;
      a.push(`${i} 1 * * * /opt/a/job${i}.sh`);
    }
    for (let i = 0; i < 54; i++) {
      scripts[`/opt/b/job${i}.sh`] = `#!/bin/sh\necho b${i}\n`;
      b.push(`${i} 2 * * * /opt/b/job${i}.sh`);
    }
    const s = server(scripts, a);
    const tabB = join(s.base, 'tabs', 'crontab-b');
    writeFileSync(tabB, b.join('\n') + '\n');
    const out = join(s.base, 'out');
    const run = (tab: string) =>
      new Promise<{ status: number | null; stderr: string }>((done) => {
        const p = spawn(process.execPath, [BIN, 'package', tab, '--root', s.root, '--out', out, '--from', '2026-12-01'], { cwd: REPO, env: subprocessEnv() });
        let stderr = '';
        p.stderr.on('data', (d) => (stderr += d));
        p.stdout.resume();
        p.on('close', (status) => done({ status, stderr }));
      });
    const results = await Promise.all([run(s.crontab), run(tabB)]);
    for (const r of results) {
      if (r.status !== 0) expectOneLine({ ...r, stdout: '' }, 1, /another cron2lambda package run .* is writing to/);
    }
    const listed = manifestOf(out).jobs.map((j: { zip: string }) => j.zip).sort();
    expect([60, 54]).toContain(listed.length);
    expect(zipsIn(out)).toEqual(listed);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('bad output paths are an error on that job or one clear line, never a crash', () => {
  it("rejects a job whose server file takes the place of the runtime's lock.sh, bootstrap or function.sh, and packages the rest", () => {
    const s = server(
      { ...OK, '/lock.sh': '#!/bin/sh\necho mine\n', '/function.sh': '#!/bin/sh\n', '/bootstrap/run.sh': '#!/bin/sh\n' },
      ['0 1 * * * /lock.sh', '0 2 * * * /function.sh', '0 3 * * * /bootstrap/run.sh', OK_LINES[0]],
    );
    const out = join(s.base, 'out');
    const r = pkg(s.crontab, s.root, out);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const m = manifestOf(out);
    const reason = (i: number) => m.jobs[i].reasons.find((x: { code: string }) => x.code === 'bundle-path-collision');
    expect(reason(0).message).toContain("the server file /lock.sh would take the place of the runtime's own lock.sh");
    expect(reason(1).message).toContain('the server file /function.sh');
    expect(reason(2).message).toContain('/bootstrap/run.sh needs a directory where the runtime');
    expect(m.jobs.slice(0, 3).map((j: { status: string }) => j.status)).toEqual(['error', 'error', 'error']);
    expect(m.jobs[3].status).toBe('migrate');
    expect(zipsIn(out)).toEqual([m.jobs[3].zip]);
    expect(r.stdout).toContain('bundle-path-collision');
  });

  it('makes a directory named like a zip in --out an error on that job, and packages the rest', () => {
    const s = server(OK, OK_LINES);
    const out = join(s.base, 'out');
    expect(pkg(s.crontab, s.root, join(s.base, 'probe')).status).toBe(0);
    const [first, second] = manifestOf(join(s.base, 'probe')).jobs;
    mkdirSync(join(out, first.zip), { recursive: true });
    const r = pkg(s.crontab, s.root, out);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const m = manifestOf(out);
    expect(m.jobs[0].reasons[0]).toMatchObject({ code: 'out-path-taken' });
    expect(m.jobs[0].reasons[0].message).toContain('is a directory');
    expect(existsSync(join(out, second.zip))).toBe(true);
    expect(functionNameFor(second.id) + '.zip').toBe(second.zip);
  });

  it('refuses an --out that names a file with one line, exit 64', () => {
    const s = server(OK, OK_LINES);
    const file = join(s.base, 'file');
    writeFileSync(file, 'x');
    expectOneLine(pkg(s.crontab, s.root, file), 64, /--out ".*file" is a file/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('says in one line (exit 1) when --out lies under a file', () => {
    const s = server(OK, OK_LINES);
    const file = join(s.base, 'file');
    writeFileSync(file, 'x');
    expectOneLine(pkg(s.crontab, s.root, join(file, 'sub')), 1, /file\/sub: a part of the path is not a directory/);
  });

  it('refuses report --output into a missing directory with one line, exit 64', () => {
    const s = server(OK, OK_LINES);
    const r = cli(['report', s.crontab, '--root', s.root, '--output', join(s.base, 'missing', 'report.md')]);
    expectOneLine(r, 64, /the directory .*missing does not exist/);
  });

  it('refuses report --output beside the crontab it reads (cron would read the report in an /etc/cron.d)', () => {
    const s = server(OK, OK_LINES);
    const r = cli(['report', join(s.base, 'tabs'), '--root', s.root, '--output', join(s.base, 'tabs', 'report.md')]);
    expectOneLine(r, 64, /holds a crontab being read/);
    expect(readdirSync(join(s.base, 'tabs'))).toEqual(['crontab']);
  });

  it('writes report --output over a link by replacing the link, never the file it points to', () => {
    const s = server(OK, OK_LINES);
    const victim = join(s.base, 'victim');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, join(s.base, 'report.md'));
    const r = cli(['report', s.crontab, '--root', s.root, '--output', join(s.base, 'report.md')]);
    expect(r.status).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(join(s.base, 'report.md')).isFile()).toBe(true);
    expect(readFileSync(join(s.base, 'report.md'), 'utf8')).toContain('# cron2lambda readiness report');
  });
});

// C0 (but TAB and LF), DEL, C1 and the bidi controls: what must never reach a terminal raw.
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const withoutOwnColour = (s: string) => s.replace(/\u001b\[\d+m/g, '');

describe('terminal control sequences from input files are shown escaped', () => {
  const hostile = '\u001b]0;owned\u0007\u001b[2J\u009b31m\u202eevil\u2066';
  const s = server({ ...OK, [`/opt/app/x\u001b[31m.sh`]: '#!/bin/sh\n' }, [
    `0 3 * * * /opt/app/ok.sh '${hostile}'`,
    `0 4 * * * /opt/app/x\u001b[31m.sh`,
    `BAD${hostile}LINE`,
  ]);

  for (const [name, args] of [
    ['plan text', ['plan', s.crontab, '--root', s.root]],
    ['plan --json', ['plan', s.crontab, '--root', s.root, '--json']],
    ['report markdown', ['report', s.crontab, '--root', s.root]],
    ['report json', ['report', s.crontab, '--root', s.root, '--format', 'json']],
    ['an error naming a hostile file', ['plan', join(s.base, `no\u001b[2Jsuch\u202e`), '--root', s.root]],
  ] as const) {
    it(`in ${name}, with and without colour`, () => {
      for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '1' }] as Record<string, string>[]) {
        const r = cli([...args], env);
        expect(r.status).not.toBe(70);
        const all = withoutOwnColour(r.stdout + r.stderr);
        expect(all).not.toMatch(RAW);
        expect(all).toMatch(/\\x1b|\\u001b/);
      }
    });
  }

  it('in the package summary and its notes', () => {
    const out = join(s.base, 'out');
    const r = pkg(s.crontab, s.root, out, { FORCE_COLOR: '1' });
    expect(r.status).not.toBe(70);
    expect(withoutOwnColour(r.stdout + r.stderr)).not.toMatch(RAW);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).not.toMatch(RAW);
  });
});

describe('when --root is not given', () => {
  const s = server(OK, OK_LINES);
  it('plan says once, at the top, that / of this machine is read', () => {
    const r = cli(['plan', s.crontab]);
    expect(r.stdout.split('\n')[0]).toContain('--root not given: scripts are read from / on this machine');
    expect(r.stdout.split('--root not given')).toHaveLength(2);
    expect(r.stderr).not.toContain('--root not given');
  });

  it('plan --json carries it as a field, and stdout stays one JSON document', () => {
    const r = cli(['plan', s.crontab, '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.notices).toEqual([expect.objectContaining({ code: 'root-default' })]);
  });

  it('package and report say it once; with --root nothing is said', () => {
    const out = join(s.base, 'out');
    const p = cli(['package', s.crontab, '--out', out]);
    expect(p.stdout.split('--root not given')).toHaveLength(2);
    expect(manifestOf(out).notices).toEqual([expect.objectContaining({ code: 'root-default' })]);
    const rep = cli(['report', s.crontab]);
    expect(rep.stdout.split('--root not given')).toHaveLength(2);
    expect(cli(['plan', s.crontab, '--root', s.root]).stdout).not.toContain('--root not given');
    expect(JSON.parse(cli(['plan', s.crontab, '--root', s.root, '--json']).stdout).notices).toBeUndefined();
  });
});
