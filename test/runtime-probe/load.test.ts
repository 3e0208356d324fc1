// Choosing the runtime snapshot: --probe-file, the cache, the shipped list; stale probes, hostile paths and files.
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/errors.js';
import { cacheDir, cachePath, chooseRuntime, runtimeFilesOf, STALE_AFTER_DAYS, type RuntimeFiles } from '../../src/runtime/load.js';
import { probeSnapshot } from '../support/runtime.js';

const NOW = new Date('2026-11-30T12:00:00Z');

function files(map: Record<string, string>, env: NodeJS.ProcessEnv = { HOME: '/home/u' }): RuntimeFiles {
  return { env, now: () => NOW, readIfExists: (p) => map[p] ?? null };
}

describe('chooseRuntime', () => {
  it('prefers --probe-file, then the cache for the region and architecture, then the shipped list', () => {
    const snap = JSON.stringify(probeSnapshot({ region: 'eu-west-1' }));
    const cache = cachePath({ HOME: '/home/u' }, 'eu-west-1', 'x86_64');
    expect(cache).toBe('/home/u/.cache/cron2lambda/runtime-eu-west-1-x86_64.json');
    expect(chooseRuntime({ probeFile: '/p.json' }, files({ '/p.json': snap, [cache]: snap })).how).toBe('probe-file');
    expect(chooseRuntime({ region: 'eu-west-1' }, files({ [cache]: snap })).how).toBe('cache');
    expect(chooseRuntime({}, files({ [cache]: snap }, { HOME: '/home/u', AWS_DEFAULT_REGION: 'eu-west-1' })).how).toBe('cache');
    expect(chooseRuntime({}, files({ [cache]: snap })).how).toBe('shipped');
    expect(chooseRuntime({ region: 'eu-west-1', arch: 'arm64' }, files({ [cache]: snap })).how).toBe('shipped');
  });

  it('counts the age in whole days and notes a probe older than 90 days', () => {
    const fresh = chooseRuntime({ probeFile: '/p' }, files({ '/p': JSON.stringify(probeSnapshot({ takenAt: '2026-11-20T13:00:00Z' })) }));
    expect(fresh.ageDays).toBe(9);
    expect(fresh.notes).toEqual([]);
    const old = chooseRuntime({ probeFile: '/p' }, files({ '/p': JSON.stringify(probeSnapshot({ takenAt: '2026-01-01T00:00:00Z' })) }));
    expect(old.ageDays).toBeGreaterThan(STALE_AFTER_DAYS);
    expect(old.notes).toEqual([expect.stringContaining('days old; run `cron2lambda probe --region eu-west-1 --arch x86_64` again')]);
  });

  it('uses XDG_CACHE_HOME only when it is absolute, and refuses region names that could leave the cache directory', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/h' })).toBe('/x/cache/cron2lambda');
    expect(cacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/h' })).toBe('/h/.cache/cron2lambda');
    for (const region of ['../../etc', 'eu-west-1/../x', 'EU-WEST-1']) {
      expect(() => chooseRuntime({ region }, files({}))).toThrow(UsageError);
    }
    expect(() => chooseRuntime({}, files({}, { HOME: '/h', AWS_REGION: '../x' }))).toThrow(/AWS_REGION/);
  });

  it('rejects a snapshot file that is too large or not a file, without reading it into memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2l-load-'));
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, 17 * 1024 * 1024); // sparse: no 17 MB written
    const io = { env: { HOME: dir }, now: () => NOW, readCapped: (): never => { throw new Error('must not be read'); } };
    expect(() => chooseRuntime({ probeFile: big }, runtimeFilesOf(io))).toThrow(InputError);
    expect(() => chooseRuntime({ probeFile: big }, runtimeFilesOf(io))).toThrow(/at most 16777216/);
    expect(() => chooseRuntime({ probeFile: dir }, runtimeFilesOf(io))).toThrow(/not a regular file/);
  });
});
