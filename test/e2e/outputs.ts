// Every output a user can get from a crontab and a server copy: plan (text, colour, JSON), report (Markdown, JSON,
// file), package (stdout, stderr, manifest.json, every file of every zip). For the tests that grep them all.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { cli, type CliResult } from '../support/cli.js';
import { readZip } from '../../src/package/zip.js';

export interface Output {
  label: string;
  bytes: Buffer;
}

export interface Outputs {
  all: Output[];
  plan: unknown;
  manifest: ManifestLike;
  packageRun: CliResult;
  out: string;
  zips: Map<string, Map<string, Buffer>>;
}

export interface ManifestLike {
  jobs: Array<{ id: string; status: string; zip?: string; schedule?: { expressions?: string[] }; environment?: Record<string, string>; reasons?: Array<{ code: string; message: string }>; files?: string[] }>;
}

/** A server copy in a fresh temporary directory: paths → contents; a value `{ link }` makes a symlink. */
export function makeServer(files: Record<string, string | Buffer | { link: string }>): string {
  const root = mkdtempSync(join(tmpdir(), 'c2l-server-'));
  for (const [p, content] of Object.entries(files)) {
    const host = join(root, p);
    mkdirSync(dirname(host), { recursive: true });
    if (typeof content === 'object' && !Buffer.isBuffer(content)) symlinkSync(content.link, host);
    else writeFileSync(host, content, { mode: typeof content === 'string' && content.startsWith('#!') ? 0o755 : 0o644 });
  }
  return root;
}

export function writeCrontab(text: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'c2l-crontab-'));
  const file = join(dir, 'crontab');
  writeFileSync(file, text);
  return file;
}

/** A test that runs the CLI five times on a machine shared by many: minutes under load, seconds alone. */
export const SLOW = 300_000;

/** Runs plan, report and package on one crontab and server copy and collects every output. */
export function collectOutputs(crontab: string, root: string, extra: string[] = [], env: Record<string, string> = {}): Outputs {
  const base = [crontab, '--root', root, '--from', '2026-12-01', ...extra];
  const all: Output[] = [];
  const add = (label: string, r: CliResult): void => {
    expect(r.status, `${label} exit status (stderr: ${r.stderr.slice(0, 400)})`).not.toBe(70);
    all.push({ label: `${label} stdout`, bytes: Buffer.from(r.stdout) }, { label: `${label} stderr`, bytes: Buffer.from(r.stderr) });
  };
  add('plan', cli(['plan', ...base], env));
  const json = cli(['plan', ...base, '--json'], env);
  add('plan --json', json);
  add('report', cli(['report', ...base], env));
  add('report json', cli(['report', ...base, '--format', 'json'], env));
  const work = mkdtempSync(join(tmpdir(), 'c2l-out-'));
  const out = join(work, 'out');
  const packageRun = cli(['package', ...base, '--out', out], env);
  add('package', packageRun);
  const manifestBytes = readFileSync(join(out, 'manifest.json'));
  all.push({ label: 'manifest.json', bytes: manifestBytes });
  const zips = new Map<string, Map<string, Buffer>>();
  for (const f of readdirSync(out).filter((x) => x.endsWith('.zip'))) {
    const entries = new Map<string, Buffer>();
    for (const e of readZip(readFileSync(join(out, f)))) {
      entries.set(e.path, e.content);
      all.push({ label: `${f}:${e.path}`, bytes: e.content });
    }
    zips.set(f, entries);
  }
  return { all, plan: JSON.parse(json.stdout), manifest: JSON.parse(manifestBytes.toString('utf8')), packageRun, out, zips };
}

/** No planted value in any output, searched as UTF-8 bytes (so Latin-1 and binary files are searched too). */
export function expectNoneOf(outputs: Outputs, planted: readonly string[]): void {
  const leaks: string[] = [];
  for (const o of outputs.all) {
    for (const s of planted) if (o.bytes.includes(Buffer.from(s, 'utf8'))) leaks.push(`${o.label} contains ${JSON.stringify(s)}`);
  }
  expect(leaks).toEqual([]);
}

type JobLike = { id: string; status: string; findings: Array<{ code: string; file: string; line: number; message: string }>; command?: string };

export function jobs(outputs: Outputs): JobLike[] {
  return (outputs.plan as { jobs: JobLike[] }).jobs;
}
