// A CommonJS file run with a V8 code cache: Node 20 has no compile cache of its own (module.enableCompileCache is
// Node 22), and the bundled AWS SDK (scripts/bundle.mjs) is about 1 MB that `migrate` and `probe` compiled at every
// start (~0.1 s of CPU). The cache is written at build time, next to the file (FILE.cache).
//
// V8 checks a cache before using it: made by another V8 version or under other V8 flags (see cli/v8-flags.ts), it is
// rejected and the file is compiled from its source, as require() would have. V8 checks the source by its length
// only, so the cache starts with a SHA-256 of the source it was made for, checked here (~2 ms for the SDK): a stale
// or foreign cache costs the time of reading it, never a wrong result.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

export interface Loaded {
  exports: unknown;
  /** used: compiled from the cache; rejected: V8 refused it; none: no cache file. */
  cache: 'used' | 'rejected' | 'none';
}

// require()'s own wrapper, so the file sees what a CommonJS module sees.
const wrap = (source: string) => `(function (exports, require, module, __filename, __dirname) {${source}\n})`;

const DIGEST_BYTES = 32;
const digest = (source: string): Buffer => createHash('sha256').update(source).digest();

function run(script: Script, file: string): unknown {
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

/** Runs FILE (CommonJS) as require() would, compiled from FILE.cache when V8 accepts it. */
export function loadWithCodeCache(file: string): Loaded {
  const source = readFileSync(file, 'utf8');
  let stored: Buffer | undefined;
  try {
    stored = readFileSync(`${file}.cache`);
  } catch {
    stored = undefined; // no cache (a build that did not write one): compiled from source
  }
  // Only a cache made for this very source is handed to V8.
  const cachedData = stored?.subarray(0, DIGEST_BYTES).equals(digest(source)) ? stored.subarray(DIGEST_BYTES) : undefined;
  const script = new Script(wrap(source), { filename: file, cachedData });
  const cache = stored === undefined ? 'none' : cachedData === undefined || script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: run(script, file), cache };
}

/**
 * Writes FILE.cache (build time). The file is run first, so that the functions its loading calls are compiled and
 * in the cache too; V8 compiles the rest lazily, as without a cache.
 */
export function writeCodeCache(file: string): void {
  const source = readFileSync(file, 'utf8');
  const script = new Script(wrap(source), { filename: file });
  run(script, file);
  writeFileSync(`${file}.cache`, Buffer.concat([digest(source), script.createCachedData()]));
}
