import { describe, expect, it } from 'vitest';
import { isOwnZipName, parseLock, readPreviousManifest } from '../../src/package/ownership.js';
import { functionNameFor } from '../../src/package/artifact.js';

describe('zip names a run may own', () => {
  it('are what functionNameFor makes, plus .zip, and never a path', () => {
    expect(isOwnZipName(`${functionNameFor('backup-0a1b2c3d')}.zip`)).toBe(true);
    expect(isOwnZipName(`${functionNameFor('x'.repeat(200))}.zip`)).toBe(true);
    for (const bad of ['../c2l-x.zip', '/tmp/c2l-x.zip', 'c2l-a/b.zip', 'c2l-.zip', 'c2l-x.zip/', 'manifest.json', 'c2l-x.zip\n', 7, null]) {
      expect(isOwnZipName(bad)).toBe(false);
    }
  });
});

describe('a previous manifest.json', () => {
  it('lists the zips it owns and the entries it names by something other than a plain zip name', () => {
    const text = JSON.stringify({ formatVersion: 1, generatedBy: 'cron2lambda 0.1.0', jobs: [{ zip: 'c2l-a.zip' }, { id: 'x' }, { zip: '../c2l-b.zip' }, { zip: 'c2l-a.zip' }] });
    expect(readPreviousManifest(text)).toEqual({ kind: 'ours', zips: ['c2l-a.zip'], ignored: ['../c2l-b.zip'] });
  });

  it('is foreign when it is not JSON, not version 1, not ours, or has no jobs', () => {
    expect(readPreviousManifest('nope')).toMatchObject({ kind: 'foreign', why: 'it is not JSON' });
    expect(readPreviousManifest('[]')).toMatchObject({ kind: 'foreign' });
    expect(readPreviousManifest('{"formatVersion":2,"generatedBy":"cron2lambda","jobs":[]}')).toMatchObject({ kind: 'foreign' });
    expect(readPreviousManifest('{"formatVersion":1,"generatedBy":"other","jobs":[]}')).toMatchObject({ kind: 'foreign' });
    expect(readPreviousManifest('{"formatVersion":1,"generatedBy":"cron2lambda"}')).toMatchObject({ kind: 'foreign' });
    expect(readPreviousManifest(null)).toEqual({ kind: 'none' });
  });
});

describe('the lock record', () => {
  it('keeps only plain zip names from a dead run', () => {
    expect(parseLock(JSON.stringify({ pid: 12, host: 'h', startedAt: 't', token: 'k', writing: ['c2l-a.zip', '../x'] }))).toEqual({
      pid: 12, host: 'h', startedAt: 't', token: 'k', writing: ['c2l-a.zip'],
    });
    expect(parseLock('{"pid":0,"host":"h","token":"k"}')).toBeNull();
    expect(parseLock('garbage')).toBeNull();
  });
});
