// CommonJS dependencies run with a V8 code cache. Node 20 has no compile cache of its own (module.enableCompileCache
// is Node 22), and the big CommonJS dependencies (the AWS SDK, archiver, zod) cost each CLI run that loads them more
// to find, read and compile than to run: measured per process, the SDK ~0.36 s of CPU from node_modules, 0.23 s as
// one file with its cache; archiver 0.24 s and 0.08 s; zod 0.16 s and 0.06 s. src/build/bundle.ts writes each as one
// minified file into dist/bundle/ with its cache beside it (FILE.cache); from src/ and dist/ (tests, benchmarks)
// they are required from node_modules.
//
// V8 checks a cache before using it: made by another V8 version or under other V8 flags (see v8-flags.ts), it is
// rejected and the file is compiled from its source, as require() would have. V8 checks the source by its length
// only, so the cache starts with a SHA-256 of the source it was made for, checked here (~2 ms for the SDK): a stale
// or foreign cache costs the time of reading it, never a wrong result.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/**
 * The bundle's copy of a dependency (NAME.cjs, beside this module only in dist/bundle/), or null elsewhere. What it
 * exports is the build's choice: src/build/bundle.ts.
 */
export function bundledCopy(name: string): unknown {
  const file = fileURLToPath(new URL(`./${name}.cjs`, import.meta.url));
  return existsSync(file) ? loadWithCodeCache(file).exports : null;
}

/** A CommonJS dependency, by package name: the bundle's copy, else require() from node_modules. T: its type. */
export function requireDependency<T>(id: string): T {
  return (bundledCopy(id) ?? createRequire(import.meta.url)(id)) as T;
}
