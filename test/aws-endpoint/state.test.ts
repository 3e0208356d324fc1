// The local AWS endpoint's state: the snapshot tests assert on, changes made "by hand" (no call in the log), and
// reset() returning to the start options.
import { CreateRoleCommand, TagRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { DescribeRuleCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeZip } from '../../src/package/zip.js';
import { destroyClients, sdkClients, type SdkClients } from '../support/aws/clients.js';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let aws: LocalAws;
let c: SdkClients;
beforeAll(async () => {
  aws = await startLocalAws({ timings: { tableCreatingMs: 1234 }, quotas: { rulesPerBus: 7 } });
  c = sdkClients(aws.endpoint);
});
afterAll(async () => {
  destroyClients(c);
  await aws.close();
});

test('state() snapshots what the calls made; a change by hand shows in answers and leaves no call', async () => {
  await c.iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust }));
  await c.iam.send(new TagRoleCommand({ RoleName: 'r', Tags: [{ Key: 'managed-by', Value: 'cron2lambda' }] }));
  const zip = await writeZip([{ path: 'bootstrap', content: '#!/bin/bash\n', mode: 0o755 }]);
  await c.lambda.send(new CreateFunctionCommand({ FunctionName: 'f', Role: 'arn:aws:iam::123456789012:role/r', Runtime: 'provided.al2023', Handler: 'h', MemorySize: 128, Code: { ZipFile: zip } }));
  await c.events.send(new PutRuleCommand({ Name: 'f-0', ScheduleExpression: 'cron(0 3 * * ? *)', State: 'DISABLED' }));

  const s = aws.state();
  expect(s.roles).toEqual([{ name: 'r', arn: 'arn:aws:iam::123456789012:role/r', path: '/', assumeRolePolicy: JSON.parse(trust), tags: { 'managed-by': 'cron2lambda' }, inlinePolicies: {}, attachedPolicies: [] }]);
  expect(s.functions[0]).toMatchObject({ name: 'f', state: 'Active', lastUpdateStatus: 'Successful', codeSize: zip.length, config: { MemorySize: 128, Runtime: 'provided.al2023' } });
  expect(s.rules[0]).toMatchObject({ name: 'f-0', state: 'DISABLED', targets: [] });

  const before = aws.calls.length;
  aws.account.functions.get('f')!.config.MemorySize = 512;
  aws.account.rules.get('default/f-0')!.state = 'ENABLED';
  expect((await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'f' }))).MemorySize).toBe(512);
  expect((await c.events.send(new DescribeRuleCommand({ Name: 'f-0' }))).State).toBe('ENABLED');
  expect(aws.calls.slice(before).map((x) => x.operation)).toEqual(['GetFunctionConfiguration', 'DescribeRule']);
});

test('reset() empties the account, the log and the faults, and returns timings and quotas to the start options', async () => {
  aws.setTimings({ tableCreatingMs: 0, functionPendingMs: 99 });
  aws.setQuotas({ rulesPerBus: 300 });
  aws.setThrottle({ probability: 1 });
  aws.reset();
  expect(aws.account.timings).toMatchObject({ tableCreatingMs: 1234, functionPendingMs: 0 });
  expect(aws.account.quotas.rulesPerBus).toBe(7);
  expect(aws.calls).toEqual([]);
  expect(aws.state()).toMatchObject({ roles: [], functions: [], rules: [], logGroups: [], tables: [], schedules: [] });
  expect((await c.events.send(new DescribeRuleCommand({ Name: 'f-0' })).catch((e: Error) => e)) as Error).toMatchObject({ name: 'ResourceNotFoundException' });
});
