// The job's zone as a bundled TZif file: read safely from the packaging machine, put in the zip, and used by bootstrap
// (TZ=:<task root>/zoneinfo/<zone>) when the runtime has no time-zone data, so `date` prints local time.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { packageJob } from '../../src/package/artifact.js';
import { isTzif2, readSystemZone, zoneFilePath } from '../../src/package/zoneinfo.js';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/dynamodb.js';
import type { Job, JobBundle } from '../../src/plan/plan.js';
import { LambdaEnv, bodyOf, cleanupDirs, makeTaskDir, ruleEvent, stopAll, tempDir } from '../support/lambda.js';

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterEach(stopAll);
afterAll(async () => {
  await db.close();
  cleanupDirs();
});

const tokyo = readSystemZone('Asia/Tokyo');

describe('readSystemZone', () => {
  it('reads a TZif v2+ file of a zone from this machine', () => {
    expect(tokyo).toBeDefined();
    expect(isTzif2(tokyo!)).toBe(true);
  });

  it('refuses names that are not zone paths, files outside the zoneinfo tree, and files that are not TZif', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'Fake'), 'not a tzif file, just text that is long enough to pass a length check');
    symlinkSync('/etc/passwd', join(dir, 'Escape'));
    mkdirSync(join(dir, 'Asia'));
    writeFileSync(join(dir, 'Asia', 'Tokyo'), tokyo!);
    expect(readSystemZone('Asia/Tokyo', dir)).toEqual(tokyo);
    expect(readSystemZone('Fake', dir)).toBeUndefined();
    expect(readSystemZone('Escape', dir)).toBeUndefined();
    expect(readSystemZone('../etc/passwd', dir)).toBeUndefined();
    expect(readSystemZone('/etc/passwd', dir)).toBeUndefined();
    expect(readSystemZone('No/Such_Zone', dir)).toBeUndefined();
  });
});

describe('packageJob', () => {
  const job = (zone: string, environment: Record<string, string> = {}): Job =>
    ({
      id: 'z-1',
      source: { file: 'crontab', line: 1, text: '' },
      status: 'migrate',
      reasons: [],
      warnings: [],
      command: 'date',
      stdin: null,
      environment,
      home: null,
      findings: [],
      verdict: 'ready',
      verdictReasons: [],
      files: [],
      schedule: { timezone: zone } as Job['schedule'],
    }) as Job;
  const analysis: JobBundle = { command: 'date', dropped: [], files: [] };
  const templates = { bootstrap: '', lock: '', handler: '@@ENV_NOTES@@ @@SHELL@@ @@HOME@@ @@ENV_ARGS@@ @@COMMAND@@ @@STDIN@@ @@JOB_ID@@', zoneinfo: readSystemZone };

  it('bundles the TZif file of the zone it sets as TZ, and keeps TZ the zone name', () => {
    const p = packageJob(job('Asia/Tokyo'), analysis, templates, { lockTable: 'l' });
    expect(p.environment.TZ).toBe('Asia/Tokyo');
    const entry = p.entries.find((e) => e.path === zoneFilePath('Asia/Tokyo'));
    expect(entry).toMatchObject({ path: 'zoneinfo/Asia/Tokyo', mode: 0o644 });
    expect(Buffer.from(entry!.content as Uint8Array).equals(Buffer.from(tokyo!))).toBe(true);
  });

  it('bundles nothing for UTC, for a crontab TZ of its own, or without a reader', () => {
    expect(packageJob(job('UTC'), analysis, templates, { lockTable: 'l' }).entries.some((e) => e.path.startsWith('zoneinfo/'))).toBe(false);
    expect(packageJob(job('Asia/Tokyo', { TZ: 'Europe/Paris' }), analysis, templates, { lockTable: 'l' }).entries.some((e) => e.path.startsWith('zoneinfo/'))).toBe(false);
    const { zoneinfo: _none, ...plain } = templates;
    expect(packageJob(job('Asia/Tokyo'), analysis, plain, { lockTable: 'l' }).entries.some((e) => e.path.startsWith('zoneinfo/'))).toBe(false);
  });
});

describe('bootstrap with no system time-zone data', () => {
  async function runDate(bundle: boolean): Promise<{ offset: string; tz: string }> {
    const out = tempDir();
    const job = `zone-${bundle ? 'bundled' : 'missing'}`;
    const taskDir = makeTaskDir({ jobId: job, command: `date +%z > ${out}/offset; printf %s "$TZ" > ${out}/tz` });
    if (bundle) {
      mkdirSync(join(taskDir, 'zoneinfo', 'Asia'), { recursive: true });
      writeFileSync(join(taskDir, 'zoneinfo', 'Asia', 'Tokyo'), tokyo!);
    }
    const env = await LambdaEnv.start({
      taskDir,
      environment: {
        CRON2LAMBDA_LOCK_TABLE: db.tableName,
        CRON2LAMBDA_JOB: job,
        CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint,
        TZ: 'Asia/Tokyo',
        // glibc looks zone names up here: an empty directory hides the system's zoneinfo
        TZDIR: tempDir('c2l-no-zoneinfo-'),
      },
    });
    expect(bodyOf(await env.invoke(ruleEvent('2027-01-04T18:00:00Z')))).toMatchObject({ exitCode: 0 });
    return { offset: readFileSync(join(out, 'offset'), 'utf8').trim(), tz: readFileSync(join(out, 'tz'), 'utf8') };
  }

  it('gives the job local time from the bundled file (TZ names it after a colon)', async () => {
    const { offset, tz } = await runDate(true);
    expect(offset).toBe('+0900');
    expect(tz).toMatch(/^:\/.*\/zoneinfo\/Asia\/Tokyo$/);
  });

  it('(control) prints UTC without the bundled file, so the system zoneinfo really is hidden', async () => {
    const { offset, tz } = await runDate(false);
    expect(offset).toBe('+0000');
    expect(tz).toBe('Asia/Tokyo');
  });
});
