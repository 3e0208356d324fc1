// The published package carries what `npx cron2lambda` needs: the launcher with its shebang, the build (and the bundle
// the launcher runs), the templates.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../support/cli.js';

describe('npm pack', () => {
  it('ships bin, dist and templates, and no tests, fixtures or zips', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
    for (const f of ['bin/cron2lambda.js', 'dist/bundle/cron2lambda.js', 'dist/bundle/proof-worker.js', 'dist/cli/main.js', 'dist/schedule/translate.js', 'templates/bootstrap', 'templates/lock.sh', 'templates/function.sh.tmpl', 'package.json', 'README.md']) {
      expect(files, f).toContain(f);
    }
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('fixtures/') || f.startsWith('src/') || f.endsWith('.zip'))).toBe(false);
  });

  it('has an executable launcher with a node shebang, and a bin entry for it', () => {
    const bin = join(REPO, 'bin/cron2lambda.js');
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ cron2lambda: 'bin/cron2lambda.js' });
    expect(pkg.engines.node).toBe('>=20.0.0');
  });
});
