// The plan recommends --target scheduler, and counts the jobs it would make exact (issue 10), through the CLI.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';

const FROM = ['--from', '2026-12-01'];

function crontab(): string {
  const dir = mkdtempSync(join(tmpdir(), 'c2l-hint-'));
  const file = join(dir, 'ny.crontab');
  // 30 1: inexact under rules and under Scheduler (cronie runs it in both passes of the fall-back hour); 0 12 and
  // 15 9: exact only under Scheduler; 0 *: exact under both (every hour in UTC is every hour in New York).
  writeFileSync(file, 'CRON_TZ=America/New_York\n30 1 * * * /bin/a\n0 12 * * * /bin/b\n15 9 * * 1-5 /bin/c\n0 * * * * /bin/d\n');
  return file;
}

describe('plan: the scheduler recommendation', () => {
  it('counts the jobs --target scheduler would make exact, in JSON and in one text line', () => {
    const file = crontab();
    const json = JSON.parse(cli(['plan', file, '--json', ...FROM]).stdout);
    expect(json.jobs.map((j: { schedule: { exact: boolean; schedulerExact?: boolean } }) => [j.schedule.exact, j.schedule.schedulerExact]))
      .toEqual([[false, false], [false, true], [false, true], [true, undefined]]);
    expect(json.summary.schedulerWouldMakeExact).toBe(2);

    const text = cli(['plan', file, ...FROM]).stdout;
    const lines = text.split('\n').filter((l) => l.includes('--target scheduler would make'));
    expect(lines).toEqual(['--target scheduler would make 2 of 3 inexact schedules exact (it evaluates them in their own time zone)']);
  });

  it('says nothing under --target scheduler, nor when no job would gain', () => {
    const file = crontab();
    const sched = cli(['plan', file, '--target', 'scheduler', ...FROM]);
    expect(sched.stdout).not.toContain('would make');
    expect(JSON.parse(cli(['plan', file, '--target', 'scheduler', '--json', ...FROM]).stdout).summary.schedulerWouldMakeExact).toBe(0);

    const dir = mkdtempSync(join(tmpdir(), 'c2l-hint-'));
    const tokyo = join(dir, 'tokyo.crontab');
    writeFileSync(tokyo, 'CRON_TZ=Asia/Tokyo\n30 2 * * * /bin/a\n');
    const plain = cli(['plan', tokyo, ...FROM]);
    expect(plain.stdout).not.toContain('would make');
    expect(JSON.parse(cli(['plan', tokyo, '--json', ...FROM]).stdout).summary.schedulerWouldMakeExact).toBe(0);
  });
});
