import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extractZipToDir } from '../../src/local/runner.js';
import { readTemplate } from '../../src/package/handler.js';
import {
  LAMBDA_MAX_UNZIPPED_BYTES,
  LAMBDA_MAX_ZIPPED_BYTES,
  checkLambdaLimits,
  readZip,
  unzippedSize,
  writeZip,
  type ZipEntryInput,
} from '../../src/package/zip.js';
import { cleanupDirs, tempDir } from '../support/lambda.js';

afterAll(cleanupDirs);

const entries: ZipEntryInput[] = [
  { path: 'opt/app/bin/backup.sh', content: '#!/bin/sh\necho backup\n', mode: 0o755 },
  { path: 'function.sh', content: 'handler() { :; }\n', mode: 0o644 },
  { path: 'bootstrap', content: readTemplate('bootstrap'), mode: 0o755 },
  { path: 'lock.sh', content: new TextEncoder().encode(readTemplate('lock.sh')), mode: 0o644 },
  { path: 'opt/app/data/empty', content: '', mode: 0o600 },
];

describe('writeZip', () => {
  it('gives byte-identical zips for the same entries, whatever their order and the time zone', async () => {
    const a = await writeZip(entries);
    const b = await writeZip([...entries].reverse());
    const tz = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo';
    const c = await writeZip(entries);
    // Put TZ back as it was (assigning undefined would set the string "undefined" for the test files that follow).
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
    expect(b.equals(a)).toBe(true);
    expect(c.equals(a)).toBe(true);
  });

  it('stores entries sorted by path, with their unix modes and contents, and no directory entries', async () => {
    const zip = await writeZip(entries);
    const read = readZip(zip);
    expect(read.map((e) => e.path)).toEqual(['bootstrap', 'function.sh', 'lock.sh', 'opt/app/bin/backup.sh', 'opt/app/data/empty']);
    expect(Object.fromEntries(read.map((e) => [e.path, e.mode]))).toEqual({
      bootstrap: 0o755,
      'function.sh': 0o644,
      'lock.sh': 0o644,
      'opt/app/bin/backup.sh': 0o755,
      'opt/app/data/empty': 0o600,
    });
    expect(read.every((e) => !e.isDirectory)).toBe(true);
    expect(read.find((e) => e.path === 'bootstrap')!.content.toString()).toBe(readTemplate('bootstrap'));
    expect(read.find((e) => e.path === 'opt/app/data/empty')!.content.length).toBe(0);
  });

  it('stores a fixed timestamp (1980-01-01 00:00) in every entry', async () => {
    const zip = await writeZip(entries);
    // central directory: time at +12, date at +14 of each header
    let p = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    let n = 0;
    while (p >= 0) {
      expect(zip.readUInt16LE(p + 12)).toBe(0);
      expect(zip.readUInt16LE(p + 14)).toBe((0 << 9) | (1 << 5) | 1);
      n += 1;
      p = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), p + 4);
    }
    expect(n).toBe(entries.length);
  });

  it('refuses absolute, parent, duplicate and empty paths', async () => {
    for (const path of ['/etc/passwd', '../x', 'a/../b', 'a//b', '', 'dir/']) {
      await expect(writeZip([{ path, content: 'x', mode: 0o644 }])).rejects.toThrow(/bad zip entry path/);
    }
    await expect(
      writeZip([
        { path: 'a', content: 'x', mode: 0o644 },
        { path: 'a', content: 'y', mode: 0o644 },
      ]),
    ).rejects.toThrow(/duplicate/);
  });

  it('is readable by the system unzip, when one is installed, with the same modes', async () => {
    let hasUnzip = true;
    try {
      execFileSync('unzip', ['-v'], { stdio: 'ignore' });
    } catch {
      hasUnzip = false;
    }
    if (!hasUnzip) return;
    const dir = tempDir();
    writeFileSync(join(dir, 'f.zip'), await writeZip(entries));
    execFileSync('unzip', ['-q', 'f.zip', '-d', 'out'], { cwd: dir });
    expect(statSync(join(dir, 'out/bootstrap')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'out/lock.sh')).mode & 0o777).toBe(0o644);
  });
});

describe('extractZipToDir', () => {
  it('writes every file with its mode, creating directories', async () => {
    const dir = tempDir();
    const written = await extractZipToDir(await writeZip(entries), dir);
    expect(written).toHaveLength(entries.length);
    expect(statSync(join(dir, 'opt/app/bin/backup.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(dir, 'function.sh')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(dir, 'opt/app/bin/backup.sh'), 'utf8')).toBe('#!/bin/sh\necho backup\n');
  });
});

describe('Lambda size limits', () => {
  it('accepts a typical job and names each limit that is exceeded', async () => {
    const zip = await writeZip(entries);
    expect(checkLambdaLimits(zip.length, unzippedSize(entries))).toEqual([]);
    expect(checkLambdaLimits(LAMBDA_MAX_ZIPPED_BYTES, LAMBDA_MAX_UNZIPPED_BYTES)).toEqual([]);
    const problems = checkLambdaLimits(LAMBDA_MAX_ZIPPED_BYTES + 1, LAMBDA_MAX_UNZIPPED_BYTES + 1);
    expect(problems.map((p) => p.code)).toEqual(['zip-too-large', 'unzipped-too-large']);
    expect(problems[0]).toMatchObject({ args: { bytes: LAMBDA_MAX_ZIPPED_BYTES + 1, limit: 50 * 1024 * 1024 } });
    expect(problems[1]).toMatchObject({ args: { limit: 250 * 1024 * 1024 } });
  });
});
