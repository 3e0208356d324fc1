// The local AWS endpoint's EventBridge Scheduler, driven through the real SDK v3 client.
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateScheduleCommand,
  paginateListSchedules,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { destroyClients, sdkClients, type SdkClients } from '../support/aws/clients.js';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';

let aws: LocalAws;
let c: SdkClients;
beforeAll(async () => {
  aws = await startLocalAws();
  c = sdkClients(aws.endpoint);
});
afterAll(async () => {
  destroyClients(c);
  await aws.close();
});
const schedulerTrust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] });
beforeEach(async () => {
  aws.reset();
  await c.iam.send(new CreateRoleCommand({ RoleName: 'c2l-web-scheduler', AssumeRolePolicyDocument: schedulerTrust }));
});

async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

const schedule = (name: string, extra: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: name,
  GroupName: 'c2l-web',
  ScheduleExpression: 'cron(30 2 * * ? *)',
  ScheduleExpressionTimezone: 'America/New_York',
  FlexibleTimeWindow: { Mode: 'OFF' },
  State: 'DISABLED',
  Target: {
    Arn: 'arn:aws:lambda:us-east-1:123456789012:function:c2l-web-backup',
    RoleArn: 'arn:aws:iam::123456789012:role/c2l-web-scheduler',
    Input: '{"time": "<aws.scheduler.scheduled-time>"}',
    RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
  },
  ...extra,
});

test('groups with tags; schedules created, read, replaced by UpdateSchedule, listed, deleted', async () => {
  const { ScheduleGroupArn } = await c.scheduler.send(new CreateScheduleGroupCommand({ Name: 'c2l-web', Tags: [{ Key: 'managed-by', Value: 'cron2lambda' }] }));
  expect(ScheduleGroupArn).toBe('arn:aws:scheduler:us-east-1:123456789012:schedule-group/c2l-web');
  expect((await c.scheduler.send(new GetScheduleGroupCommand({ Name: 'c2l-web' }))).State).toBe('ACTIVE');
  expect((await errorOf(c.scheduler.send(new CreateScheduleGroupCommand({ Name: 'c2l-web' })))).name).toBe('ConflictException');

  await c.scheduler.send(new TagResourceCommand({ ResourceArn: ScheduleGroupArn, Tags: [{ Key: 'cron2lambda:host', Value: 'web' }] }));
  await c.scheduler.send(new UntagResourceCommand({ ResourceArn: ScheduleGroupArn, TagKeys: ['managed-by'] }));
  expect((await c.scheduler.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }))).Tags).toEqual([{ Key: 'cron2lambda:host', Value: 'web' }]);

  const { ScheduleArn } = await c.scheduler.send(new CreateScheduleCommand(schedule('backup-0')));
  expect(ScheduleArn).toBe('arn:aws:scheduler:us-east-1:123456789012:schedule/c2l-web/backup-0');
  const got = await c.scheduler.send(new GetScheduleCommand({ Name: 'backup-0', GroupName: 'c2l-web' }));
  expect(got).toMatchObject({ State: 'DISABLED', ScheduleExpressionTimezone: 'America/New_York', FlexibleTimeWindow: { Mode: 'OFF' }, Target: { Input: '{"time": "<aws.scheduler.scheduled-time>"}' } });
  expect(got.CreationDate).toBeInstanceOf(Date);
  expect((await errorOf(c.scheduler.send(new CreateScheduleCommand(schedule('backup-0'))))).name).toBe('ConflictException');

  // UpdateSchedule replaces everything: the time zone left out is gone, State defaults to ENABLED.
  await c.scheduler.send(new UpdateScheduleCommand({ ...schedule('backup-0'), ScheduleExpressionTimezone: undefined, State: undefined }));
  const updated = await c.scheduler.send(new GetScheduleCommand({ Name: 'backup-0', GroupName: 'c2l-web' }));
  expect(updated.ScheduleExpressionTimezone).toBeUndefined();
  expect(updated.State).toBe('ENABLED');

  for (let i = 1; i < 5; i++) await c.scheduler.send(new CreateScheduleCommand(schedule(`backup-${i}`)));
  await c.scheduler.send(new CreateScheduleCommand(schedule('other', { GroupName: undefined })));
  const names: string[] = [];
  for await (const p of paginateListSchedules({ client: c.scheduler, pageSize: 2 }, { GroupName: 'c2l-web', NamePrefix: 'backup-' })) names.push(...p.Schedules!.map((s) => s.Name!));
  expect(names).toEqual(['backup-0', 'backup-1', 'backup-2', 'backup-3', 'backup-4']);
  expect((await c.scheduler.send(new ListSchedulesCommand({ State: 'DISABLED' }))).Schedules?.map((s) => `${s.GroupName}/${s.Name}`)).toEqual([
    'c2l-web/backup-1',
    'c2l-web/backup-2',
    'c2l-web/backup-3',
    'c2l-web/backup-4',
    'default/other',
  ]);

  await c.scheduler.send(new DeleteScheduleCommand({ Name: 'backup-0', GroupName: 'c2l-web' }));
  const gone = await errorOf(c.scheduler.send(new GetScheduleCommand({ Name: 'backup-0', GroupName: 'c2l-web' })));
  expect(gone.name).toBe('ResourceNotFoundException');
  expect(gone.$metadata?.httpStatusCode).toBe(404);

  // Deleting a group deletes its schedules.
  await c.scheduler.send(new DeleteScheduleGroupCommand({ Name: 'c2l-web' }));
  expect(aws.state().schedules.map((s) => `${s.group}/${s.name}`)).toEqual(['default/other']);
  expect((await c.scheduler.send(new ListScheduleGroupsCommand({}))).ScheduleGroups?.map((g) => g.Name)).toEqual(['default']);
  expect((await errorOf(c.scheduler.send(new DeleteScheduleGroupCommand({ Name: 'c2l-web' })))).name).toBe('ResourceNotFoundException');
});

test('validation and quota errors', async () => {
  expect((await errorOf(c.scheduler.send(new CreateScheduleCommand(schedule('x'))))).name).toBe('ResourceNotFoundException');
  await c.scheduler.send(new CreateScheduleGroupCommand({ Name: 'c2l-web' }));
  expect((await errorOf(c.scheduler.send(new CreateScheduleCommand(schedule('x', { ScheduleExpressionTimezone: 'Mars/Olympus' }))))).name).toBe('ValidationException');
  expect((await errorOf(c.scheduler.send(new CreateScheduleCommand(schedule('x', { ScheduleExpression: 'cron(30 2 * * * *)' }))))).name).toBe('ValidationException');
  // The target's role must exist and trust scheduler.amazonaws.com (and IAM must have caught up with a new one).
  const lambdaTrust = schedulerTrust.replace('scheduler.amazonaws.com', 'lambda.amazonaws.com');
  await c.iam.send(new CreateRoleCommand({ RoleName: 'wrong-trust', AssumeRolePolicyDocument: lambdaTrust }));
  // Scheduler assumes the role with aws:SourceArn = the schedule group's ARN: a condition naming schedules fails.
  const bySchedule = JSON.parse(schedulerTrust);
  bySchedule.Statement[0].Condition.ArnLike = { 'aws:SourceArn': 'arn:aws:scheduler:us-east-1:123456789012:schedule/c2l-web/*' };
  await c.iam.send(new CreateRoleCommand({ RoleName: 'by-schedule', AssumeRolePolicyDocument: JSON.stringify(bySchedule) }));
  const otherAccount = schedulerTrust.replace('"123456789012"', '"210987654321"');
  await c.iam.send(new CreateRoleCommand({ RoleName: 'other-account', AssumeRolePolicyDocument: otherAccount }));
  for (const name of ['missing', 'wrong-trust', 'by-schedule', 'other-account']) {
    const RoleArn = `arn:aws:iam::123456789012:role/${name}`;
    const e = await errorOf(c.scheduler.send(new CreateScheduleCommand(schedule('x', { Target: { ...schedule('x').Target!, RoleArn } }))));
    expect([name, e.name, e.message]).toEqual([name, 'ValidationException', 'The execution role you provide must allow AWS EventBridge Scheduler to assume the role.']);
  }
  const byGroup = JSON.parse(schedulerTrust);
  byGroup.Statement[0].Condition.ArnLike = { 'aws:SourceArn': 'arn:aws:scheduler:us-east-1:123456789012:schedule-group/c2l-*' };
  await c.iam.send(new CreateRoleCommand({ RoleName: 'by-group', AssumeRolePolicyDocument: JSON.stringify(byGroup) }));
  await c.scheduler.send(new CreateScheduleCommand(schedule('g', { Target: { ...schedule('g').Target!, RoleArn: 'arn:aws:iam::123456789012:role/by-group' } })));
  await c.scheduler.send(new DeleteScheduleCommand({ Name: 'g', GroupName: 'c2l-web' }));
  aws.setTimings({ roleAssumableAfterMs: 60_000 });
  await c.iam.send(new CreateRoleCommand({ RoleName: 'young', AssumeRolePolicyDocument: schedulerTrust }));
  const young = { ...schedule('x').Target!, RoleArn: 'arn:aws:iam::123456789012:role/young' };
  expect((await errorOf(c.scheduler.send(new CreateScheduleCommand(schedule('x', { Target: young }))))).name).toBe('ValidationException');
  aws.advanceClock(60_000);
  await c.scheduler.send(new CreateScheduleCommand(schedule('x', { Target: young })));
  await c.scheduler.send(new DeleteScheduleCommand({ Name: 'x', GroupName: 'c2l-web' }));

  aws.setQuotas({ schedulesPerAccount: 1 });
  await c.scheduler.send(new CreateScheduleCommand(schedule('x')));
  const quota = await errorOf(c.scheduler.send(new CreateScheduleCommand(schedule('y'))));
  expect(quota.name).toBe('ServiceQuotaExceededException');
  expect(quota.$metadata?.httpStatusCode).toBe(402);
});
