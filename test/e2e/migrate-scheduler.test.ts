// `migrate --target scheduler` (issue 10): schedules in the job's zone, a group and a role per host, switching a job
// between rules and Scheduler with exactly one trigger enabled at each step, and prune leaving nothing behind.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';
import { crontabDir, migrateApp01 } from '../support/migrate.js';
import { writeZip } from '../../src/package/zip.js';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({ region: 'eu-west-1' });
});
afterAll(async () => aws.close());
beforeEach(() => aws.reset());

// 01:30 comes twice on New York's fall-back day: cronie runs a CRON_TZ job in both passes, Scheduler once.
const NY = 'CRON_TZ=America/New_York\nGREETING=hello\n30 1 * * * /opt/app/bin/hello.sh%first line\n';

function migrate(dir: string, args: string[] = []) {
  return migrateApp01(aws.endpoint, join(dir, 'deploy'), ['--from', '2026-12-01', ...args]);
}

/** Enabled triggers (rules with a target, schedules) per function name. */
function enabledTriggers(): Map<string, string[]> {
  const s = aws.state();
  const out = new Map<string, string[]>();
  const add = (fn: string, what: string) => out.set(fn, [...(out.get(fn) ?? []), what]);
  for (const r of s.rules) if (r.state === 'ENABLED') for (const t of r.targets) add(String(t.Arn).split(':').pop()!, `rule ${r.name}`);
  for (const sc of s.schedules) if (sc.config.State === 'ENABLED') add(String((sc.config.Target as { Arn: string }).Arn).split(':').pop()!, `schedule ${sc.name}`);
  return out;
}

describe('cron2lambda migrate --target scheduler', { timeout: 300_000 }, () => {
  it('shows where Scheduler differs from cron, creates schedules in the zone with the scheduled time as input, and then writes nothing', async () => {
    const dir = crontabDir({ deploy: NY });
    const dry = await migrate(dir, ['--target', 'scheduler', '--dry-run']);
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/\+ schedule group c2l-app01-[0-9a-f]{8}/);
    expect(dry.stdout).toMatch(/\+ schedule c2l-app01-hello-[0-9a-f]{10}-1 of c2l-app01-[0-9a-f]{8}\n\s+cron\(30 1 \* \* \? \*\) in America\/New_York, DISABLED/);
    expect(dry.stdout).toMatch(/differs from cron at:\n\s+cron runs, AWS does not: 2027-11-07T06:30Z \(local 2027-11-07 01:30\) \[dst-overlap\]/);
    expect(aws.mutatingCalls()).toEqual([]);

    const r = await migrate(dir, ['--target', 'scheduler', '--yes']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Schedules are DISABLED');
    const s = aws.state();
    expect(s.rules).toEqual([]);
    expect(s.functions[0].policy).toEqual([]); // no Lambda permission for Scheduler
    expect(s.scheduleGroups.find((g) => g.name.startsWith('c2l-app01-'))!.tags).toMatchObject({ 'managed-by': 'cron2lambda', 'cron2lambda:host': 'app01' });
    expect(s.schedules[0].config).toMatchObject({
      ScheduleExpression: 'cron(30 1 * * ? *)',
      ScheduleExpressionTimezone: 'America/New_York',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    const target = s.schedules[0].config.Target as { Arn: string; RoleArn: string; Input: string };
    expect(target.Arn).toBe(s.functions[0].arn);
    expect(JSON.parse(target.Input)).toEqual({ time: '<aws.scheduler.scheduled-time>' });
    const role = s.roles.find((x) => x.arn === target.RoleArn)!;
    expect(JSON.stringify(role.assumeRolePolicy)).toContain('scheduler.amazonaws.com');
    expect(JSON.stringify(role.assumeRolePolicy)).toContain('aws:SourceAccount');
    expect(JSON.stringify(role.inlinePolicies)).toContain('function:c2l-app01-*');

    aws.resetCalls();
    const again = await migrate(dir, ['--target', 'scheduler', '--yes']);
    expect(again.stdout).toContain('No changes.');
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('switches a job rule → scheduler → rule with exactly one enabled trigger after each step, and prune leaves nothing', async () => {
    const dir = crontabDir({ deploy: NY });
    expect((await migrate(dir, ['--enable', '--yes'])).status).toBe(0);
    const fn = aws.state().functions[0].name;
    expect(enabledTriggers().get(fn)).toEqual([`rule ${fn}-1`]);

    const toScheduler = await migrate(dir, ['--target', 'scheduler', '--enable', '--yes']);
    expect(toScheduler.status, toScheduler.stdout + toScheduler.stderr).toBe(0);
    expect(enabledTriggers().get(fn)).toEqual([`schedule ${fn}-1`]);
    expect(aws.state().rules).toEqual([]);
    expect(aws.state().functions[0].policy).toEqual([]); // the rule's permission went with it
    // The schedule was created before the rule was deleted: no minute without a trigger.
    const ops = aws.mutatingCalls().map((c) => c.operation);
    expect(ops.indexOf('CreateSchedule')).toBeLessThan(ops.indexOf('DeleteRule'));

    aws.resetCalls();
    const back = await migrate(dir, ['--enable', '--yes']);
    expect(back.status, back.stdout + back.stderr).toBe(0);
    expect(enabledTriggers().get(fn)).toEqual([`rule ${fn}-1`]);
    const ops2 = aws.mutatingCalls().map((c) => c.operation);
    expect(ops2.indexOf('EnableRule')).toBeLessThan(ops2.indexOf('DeleteSchedule'));
    expect(back.stdout).toMatch(/No longer in the plan \(kept; --prune deletes them\): 2/); // the group and Scheduler's role

    writeFileSync(join(dir, 'deploy'), '# retired\n');
    const pruned = await migrate(dir, ['--prune', '--yes']);
    expect(pruned.status, pruned.stdout + pruned.stderr).toBe(0);
    const s = aws.state();
    expect([s.functions, s.roles, s.rules, s.logGroups, s.scheduleGroups.filter((g) => g.name !== 'default'), s.schedules]).toEqual([[], [], [], [], [], []]);
    expect(s.tables).toHaveLength(1);
  });
  it('moving back to rules with --prune: when a rule cannot be created, Scheduler\'s group and role stay, so the job keeps its schedule; a re-run finishes', async () => {
    const dir = crontabDir({ deploy: NY });
    expect((await migrate(dir, ['--target', 'scheduler', '--enable', '--yes'])).status).toBe(0);
    const fn = aws.state().functions[0].name;
    expect(enabledTriggers().get(fn)).toEqual([`schedule ${fn}-1`]);

    aws.failNext({ service: 'events', operation: 'PutRule', error: 'AccessDeniedException' });
    const failed = await migrate(dir, ['--enable', '--prune', '--yes']);
    expect(failed.status, failed.stdout + failed.stderr).toBe(1);
    expect(enabledTriggers().get(fn)).toEqual([`schedule ${fn}-1`]);
    expect(aws.state().roles.map((r) => r.name)).toContain(`${aws.state().scheduleGroups.find((g) => g.name !== 'default')?.name}-scheduler`);

    const again = await migrate(dir, ['--enable', '--prune', '--yes']);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(enabledTriggers().get(fn)).toEqual([`rule ${fn}-1`]);
    expect([aws.state().scheduleGroups.filter((g) => g.name !== 'default'), aws.state().schedules]).toEqual([[], []]);
  });
  it('--prune keeps the group and Scheduler role while a job in the plan is blocked, so its schedule is left alone', async () => {
    const dir = crontabDir({ deploy: 'MAILTO=""\n0 23 28-31 * * /opt/app/bin/billing.sh\n' });
    const installer = join(dir, 'awscliv2.zip');
    writeFileSync(installer, await writeZip([
      { path: 'aws/install', content: '#!/bin/sh\n', mode: 0o755 },
      { path: 'aws/dist/aws', content: '#!/bin/sh\necho aws-cli/2.99.0\n', mode: 0o755 },
    ]));
    const first = await migrate(dir, ['--target', 'scheduler', '--enable', '--yes', '--aws-cli-zip', installer]);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    const fn = aws.state().functions[0].name;
    expect(enabledTriggers().get(fn)).toEqual([`schedule ${fn}-1`]);

    // The same job without the layer flag is blocked: kept as it is, its schedule too.
    const r = await migrate(dir, ['--target', 'scheduler', '--enable', '--yes', '--prune']);
    expect(r.stdout).toMatch(/aws-cli-layer/);
    expect(enabledTriggers().get(fn)).toEqual([`schedule ${fn}-1`]);
    expect(aws.state().roles.some((x) => x.name.endsWith('-scheduler'))).toBe(true);
  });
});
