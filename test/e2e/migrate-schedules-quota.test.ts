// Preflight counts the account's schedules (every group, every page) against the schedules quota before any write
// (issue 10), as it counts rules per bus.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';
import { crontabDir, migrateApp01 } from '../support/migrate.js';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({ region: 'eu-west-1' });
});
afterAll(async () => aws.close());
beforeEach(() => aws.reset());

const NY = 'CRON_TZ=America/New_York\n30 2 * * * /opt/app/bin/hello.sh\n0 12 * * * /opt/app/bin/hello.sh --noon\n';

function migrate(dir: string, args: string[] = []) {
  return migrateApp01(aws.endpoint, join(dir, 'deploy'), ['--from', '2026-12-01', '--target', 'scheduler', ...args]);
}

/** Schedules someone else owns, put straight into the account (more than one page of ListSchedules). */
function foreignSchedules(n: number): void {
  const now = aws.account.now();
  for (let i = 0; i < n; i++) {
    const name = `other-${String(i).padStart(4, '0')}`;
    aws.account.schedules.set(`default/${name}`, {
      group: 'default',
      name,
      arn: `arn:aws:scheduler:eu-west-1:${aws.account.accountId}:schedule/default/${name}`,
      config: { ScheduleExpression: 'rate(1 hour)', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Arn: 'arn:aws:lambda:eu-west-1:123456789012:function:other', RoleArn: 'arn:aws:iam::123456789012:role/other' } },
      createdAt: now,
      modifiedAt: now,
    });
  }
}

describe('migrate --target scheduler: the schedules quota', { timeout: 300_000 }, () => {
  it('stops before the first write when the schedules would not fit, counting schedules on every page', async () => {
    foreignSchedules(150);
    aws.setQuotas({ schedulesPerAccount: 151 }); // the account really holds only one more
    const dir = crontabDir({ deploy: NY });
    const r = await migrate(dir, ['--yes', '--schedules-quota', '151']);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/Cannot fit: EventBridge Scheduler schedules: 150 of 151; this run would add 2/);
    expect(r.stderr).toContain('stopped before any change: schedule-quota');
    expect(aws.mutatingCalls()).toEqual([]);
    expect(aws.calls.filter((c) => c.operation === 'ListSchedules').length).toBeGreaterThanOrEqual(2);
  });

  it('goes ahead when they fit, and by default assumes the default quota of a million', async () => {
    foreignSchedules(150);
    const dir = crontabDir({ deploy: NY });
    const fits = await migrate(dir, ['--dry-run', '--json', '--schedules-quota', '152']);
    expect(fits.status, fits.stderr).toBe(0);
    expect(JSON.parse(fits.stdout).preflight).toMatchObject({ schedules: { used: 150, quota: 152, adding: 2 }, problems: [] });
    const byDefault = await migrate(dir, ['--dry-run', '--json']);
    expect(byDefault.status, byDefault.stderr).toBe(0);
    expect(JSON.parse(byDefault.stdout).preflight.schedules).toEqual({ used: 150, quota: 1_000_000, adding: 2 });
    expect(await migrate(dir, ['--dry-run', '--schedules-quota', '0'])).toMatchObject({ status: 64 });
  });
});
