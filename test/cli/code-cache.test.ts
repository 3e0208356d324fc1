// CommonJS dependencies with a code cache: a file runs as require() would run it, from its cache when V8 accepts the
// cache and from its source when there is none or V8 refuses it; and the caches the build writes are accepted under
// the CLI's V8 flags (a cache made under other flags would silently cost every `migrate` its compile time).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWithCodeCache, writeCodeCache } from '../../src/code-cache.js';
import { REPO, subprocessEnv } from '../support/cli.js';

function module(): string {
  const dir = mkdtempSync(join(tmpdir(), 'c2l-code-cache-'));
  const file = join(dir, 'm.cjs');
  // Sees what a CommonJS module sees: exports, module, require, __filename, __dirname.
  writeFileSync(file, "const { basename } = require('node:path');\nmodule.exports = { twice: (n) => n * 2, self: basename(__filename), dir: __dirname, same: exports === module.exports };\n");
  return file;
}

describe('loadWithCodeCache', () => {
  it('runs a file without a cache from its source, and from the cache writeCodeCache made', () => {
    const file = module();
    const first = loadWithCodeCache(file);
    expect(first.cache).toBe('none');
    writeCodeCache(file);
    const second = loadWithCodeCache(file);
    expect(second.cache).toBe('used');
    for (const { exports } of [first, second]) {
      const m = exports as { twice: (n: number) => number; self: string; dir: string; same: boolean };
      expect(m.twice(21)).toBe(42);
      expect(m).toMatchObject({ self: 'm.cjs', dir: join(file, '..'), same: true });
    }
  });

  it('compiles from the source when V8 rejects the cache (other source, or not a cache at all)', () => {
    const file = module();
    writeCodeCache(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('n * 2', 'n * 3'));
    const changed = loadWithCodeCache(file);
    expect(changed.cache).toBe('rejected');
    expect((changed.exports as { twice: (n: number) => number }).twice(2)).toBe(6);
    writeFileSync(`${file}.cache`, 'not a code cache');
    const garbage = loadWithCodeCache(file);
    expect(garbage.cache).toBe('rejected');
    expect((garbage.exports as { twice: (n: number) => number }).twice(2)).toBe(6);
  });
});

describe('the bundle\'s copies of CommonJS dependencies (npm test builds them before the tests)', () => {
  it('are accepted from their caches under the CLI V8 flags: the AWS SDK with every @aws-sdk dependency, archiver, zod', () => {
    // A process of its own, in the state of a CLI process: v8-flags.js imported first, as main.ts does.
    const script = `
      await import(${JSON.stringify(join(REPO, 'dist/v8-flags.js'))});
      const { loadWithCodeCache } = await import(${JSON.stringify(join(REPO, 'dist/code-cache.js'))});
      const load = (name) => loadWithCodeCache(${JSON.stringify(join(REPO, 'dist/bundle'))} + '/' + name + '.cjs');
      const sdk = load('aws-sdk'), archiver = load('archiver'), zod = load('zod');
      console.log(JSON.stringify({
        sdk: { cache: sdk.cache, packages: Object.keys(sdk.exports), lambda: typeof sdk.exports['@aws-sdk/client-lambda'].LambdaClient },
        archiver: { cache: archiver.cache, zip: typeof archiver.exports('zip').append },
        zod: { cache: zod.cache, parsed: zod.exports.z.object({ a: zod.exports.z.number() }).safeParse({ a: 'x' }).success },
      }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: subprocessEnv() });
    expect(r.status, r.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const sdk = Object.keys(pkg.dependencies).filter((d) => d.startsWith('@aws-sdk/'));
    expect(JSON.parse(r.stdout)).toEqual({
      sdk: { cache: 'used', packages: sdk, lambda: 'function' },
      archiver: { cache: 'used', zip: 'function' },
      zod: { cache: 'used', parsed: false },
    });
  });
});
