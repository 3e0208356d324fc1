// Shared by the crontab input tests (input-cli.test.ts, input-hostile.test.ts): a server copy on disk, and `plan
// --json` through the CLI as a subprocess.
import { expect } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli.js';

export const FROM = ['--from', '2027-01-04'];

export interface JsonJob {
  status: string;
  source: { file: string; line: number; text: string };
  reasons: { code: string; field?: string; message: string; line?: number }[];
  warnings: { code: string; message: string }[];
  schedule?: { timezone: string; expressions: string[] };
}

/** A server copy with the given files (paths relative to the root); a value starting with "->" is a symlink. */
export function server(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'c2l-input-'));
  for (const [path, content] of Object.entries(files)) {
    const p = join(root, path);
    mkdirSync(join(p, '..'), { recursive: true });
    if (content.startsWith('->')) symlinkSync(content.slice(2), p);
    else writeFileSync(p, content);
  }
  return root;
}

/** `plan ARGS --json` from 2027-01-04; never an internal error. */
export function plan(args: string[], input?: string) {
  const r = cli(['plan', ...args, '--json', ...FROM], {}, input === undefined ? {} : { input });
  expect(r.stderr).not.toMatch(/internal error/);
  const json = r.stdout ? JSON.parse(r.stdout) : null;
  return { ...r, plan: json, jobs: (json?.jobs ?? []) as JsonJob[] };
}
