// Faults of the local AWS endpoint as the real SDK clients see them: each service's throttling error, retried by the
// SDK's standard and adaptive strategies; rate limits; one-off failures; access denied; the call log.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { CreateRoleCommand, GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetAccountSettingsCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { ListRulesCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ListScheduleGroupsCommand } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { writeZip } from '../../src/package/zip.js';
import { destroyClients, sdkClients, type SdkClients } from '../support/aws/clients.js';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let aws: LocalAws;
let once: SdkClients;
beforeAll(async () => {
  aws = await startLocalAws();
  once = sdkClients(aws.endpoint, { maxAttempts: 1 });
});
afterAll(async () => {
  destroyClients(once);
  await aws.close();
});
beforeEach(() => aws.reset());

async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

/** One read-only call per service. */
const probes = (c: SdkClients) => ({
  sts: () => c.sts.send(new GetCallerIdentityCommand({})),
  iam: () => c.iam.send(new GetAccountSummaryCommand({})),
  lambda: () => c.lambda.send(new GetAccountSettingsCommand({})),
  events: () => c.events.send(new ListRulesCommand({})),
  logs: () => c.logs.send(new DescribeLogGroupsCommand({})),
  scheduler: () => c.scheduler.send(new ListScheduleGroupsCommand({})),
});

describe('throttling', () => {
  test("each service answers with its own throttling error, as the SDK names it", async () => {
    aws.setThrottle({ probability: 1 });
    const p = probes(once);
    const seen: Record<string, [string, number | undefined]> = {};
    for (const [service, call] of Object.entries(p)) {
      const e = await errorOf(call());
      seen[service] = [e.name, e.$metadata?.httpStatusCode];
    }
    seen.dynamodb = ((e) => [e.name, e.$metadata?.httpStatusCode] as [string, number | undefined])(await errorOf(once.dynamodb.send(new DescribeTableCommand({ TableName: 'x' }))));
    expect(seen).toEqual({
      sts: ['Throttling', 400],
      iam: ['Throttling', 400],
      lambda: ['TooManyRequestsException', 429],
      events: ['ThrottlingException', 400],
      logs: ['ThrottlingException', 400],
      dynamodb: ['ThrottlingException', 400],
      scheduler: ['ThrottlingException', 429],
    });
    expect(aws.calls.every((c) => c.injected === 'throttle')).toBe(true);
  });

  for (const retryMode of ['standard', 'adaptive'] as const) {
    test(`20 % of calls throttled at random: every call completes under the SDK's ${retryMode} retries`, async () => {
      const c = sdkClients(aws.endpoint, { retryMode, maxAttempts: 8 });
      try {
        aws.setThrottle({ probability: 0.2, seed: 7 });
        const p = probes(c);
        const results = await Promise.all(Array.from({ length: 60 }, (_, i) => [p.sts, p.iam, p.lambda, p.events, p.logs, p.scheduler][i % 6]()));
        expect(results).toHaveLength(60);
        const throttled = aws.calls.filter((x) => x.injected === 'throttle').length;
        expect(throttled).toBeGreaterThan(5);
        expect(aws.calls.length).toBe(60 + throttled);
        expect(Math.max(...results.map((r) => r.$metadata.attempts ?? 1))).toBeGreaterThan(1);
      } finally {
        destroyClients(c);
      }
    });
  }

  test('a rate limit (Lambda 15/s) throttles a burst past it; the SDK retries until all complete', async () => {
    const c = sdkClients(aws.endpoint, { maxAttempts: 10 });
    try {
      aws.setRates({ lambda: 15 });
      const results = await Promise.all(Array.from({ length: 30 }, () => c.lambda.send(new GetAccountSettingsCommand({}))));
      expect(results).toHaveLength(30);
      const throttled = aws.calls.filter((x) => x.errorCode === 'TooManyRequestsException');
      expect(throttled.length).toBeGreaterThan(0);
      expect(aws.calls.filter((x) => x.status === 200)).toHaveLength(30);
      // Other services are not limited.
      await Promise.all(Array.from({ length: 30 }, () => c.events.send(new ListRulesCommand({}))));
      expect(aws.calls.filter((x) => x.service === 'events' && x.status !== 200)).toEqual([]);
    } finally {
      destroyClients(c);
    }
  });
  test('an operation with its own rate (GetFunction 100/s) is not counted against its service (15/s)', async () => {
    aws.setRates({ lambda: 2, 'lambda:GetFunction': 100 });
    const gets = await Promise.allSettled(Array.from({ length: 20 }, () => once.lambda.send(new GetFunctionCommand({ FunctionName: 'f' }))));
    expect(gets.map((r) => (r.status === 'rejected' ? (r.reason as Error).name : 'ok'))).toEqual(Array(20).fill('ResourceNotFoundException'));
    const settings = await Promise.allSettled(Array.from({ length: 10 }, () => once.lambda.send(new GetAccountSettingsCommand({}))));
    expect(settings.filter((r) => r.status === 'rejected' && (r.reason as Error).name === 'TooManyRequestsException').length).toBeGreaterThanOrEqual(8);
  });
});

describe('one-off failures and access denied', () => {
  test('failNext fails the next matching call once with the given code; a 5xx is retried by the SDK', async () => {
    const c = sdkClients(aws.endpoint);
    try {
      aws.failNext({ service: 'iam', operation: 'CreateRole', error: 'ServiceFailure', status: 500 });
      aws.failNext({ service: 'events', operation: 'PutRule', error: 'ConcurrentModificationException', message: 'try later' });
      const role = await c.iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust }));
      expect(role.$metadata.attempts).toBe(2);
      const e = await errorOf(c.events.send(new PutRuleCommand({ Name: 'x', ScheduleExpression: 'rate(1 day)' })));
      expect(e.name).toBe('ConcurrentModificationException');
      expect(e.message).toBe('try later');
      await c.events.send(new PutRuleCommand({ Name: 'x', ScheduleExpression: 'rate(1 day)' }));
      expect(aws.calls.map((x) => [x.operation, x.status, x.errorCode, x.injected])).toEqual([
        ['CreateRole', 500, 'ServiceFailure', 'failNext'],
        ['CreateRole', 200, undefined, undefined],
        ['PutRule', 400, 'ConcurrentModificationException', 'failNext'],
        ['PutRule', 200, undefined, undefined],
      ]);
      expect(aws.state().rules.map((r) => r.name)).toEqual(['x']);
    } finally {
      destroyClients(c);
    }
  });

  test('fail each mutating call in turn: kind + skip pick the Nth mutating call; $accessDenied speaks each service', async () => {
    const c = sdkClients(aws.endpoint);
    const steps = [
      () => c.iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust })),
      () => c.iam.send(new GetAccountSummaryCommand({})),
      () => c.logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/f' })),
      () => c.events.send(new PutRuleCommand({ Name: 'x', ScheduleExpression: 'rate(1 day)' })),
    ];
    const failedAt: [string, string][] = [];
    try {
      for (let i = 0; i < 3; i++) {
        aws.reset();
        aws.failNext({ kind: 'mutating', skip: i, error: '$accessDenied' });
        for (const step of steps) {
          try {
            await step();
          } catch (e) {
            failedAt.push([aws.calls.at(-1)!.operation, (e as Error).name]);
          }
        }
        expect(aws.calls.filter((x) => x.injected)).toHaveLength(1);
      }
    } finally {
      destroyClients(c);
    }
    expect(failedAt).toEqual([
      ['CreateRole', 'AccessDenied'],
      ['CreateLogGroup', 'AccessDeniedException'],
      ['PutRule', 'AccessDeniedException'],
    ]);
  });

  test('$dropResponse: the call takes effect, its answer is lost, and the SDK retry meets what it made', async () => {
    const c = sdkClients(aws.endpoint);
    try {
      aws.failNext({ service: 'iam', operation: 'CreateRole', error: '$dropResponse' });
      const e = await errorOf(c.iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust })));
      expect(e.name).toBe('EntityAlreadyExistsException');
      expect(aws.calls.map((x) => [x.operation, x.status, x.injected])).toEqual([
        ['CreateRole', 200, 'dropResponse'],
        ['CreateRole', 409, undefined],
      ]);
      expect(aws.state().roles.map((r) => r.name)).toEqual(['r']);
    } finally {
      destroyClients(c);
    }
  });

  test('denyAccess answers AccessDenied (IAM, STS) or AccessDeniedException (the others)', async () => {
    aws.denyAccess({ service: 'iam' });
    aws.denyAccess({ service: 'lambda', operation: 'GetFunction', count: 1 });
    expect((await errorOf(once.iam.send(new GetAccountSummaryCommand({})))).name).toBe('AccessDenied');
    const denied = await errorOf(once.lambda.send(new GetFunctionCommand({ FunctionName: 'f' })));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.$metadata?.httpStatusCode).toBe(403);
    expect((await errorOf(once.lambda.send(new GetFunctionCommand({ FunctionName: 'f' })))).name).toBe('ResourceNotFoundException');
  });
});

test('the call log classifies every call and names its resource', async () => {
  const c = sdkClients(aws.endpoint);
  try {
    await c.iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust }));
    const zip = await writeZip([{ path: 'bootstrap', content: '#!/bin/bash\n', mode: 0o755 }]);
    await c.lambda.send(new CreateFunctionCommand({ FunctionName: 'f', Role: 'arn:aws:iam::123456789012:role/r', Runtime: 'provided.al2023', Handler: 'h', Code: { ZipFile: zip } }));
    await c.lambda.send(new GetFunctionCommand({ FunctionName: 'f' }));
    await errorOf(c.lambda.send(new GetFunctionCommand({ FunctionName: 'g' })));
    expect(aws.calls.map(({ service, operation, kind, mutating, status, errorCode, resource }) => ({ service, operation, kind, mutating, status, errorCode, resource }))).toEqual([
      { service: 'iam', operation: 'CreateRole', kind: 'mutating', mutating: true, status: 200, errorCode: undefined, resource: 'r' },
      { service: 'lambda', operation: 'CreateFunction', kind: 'mutating', mutating: true, status: 201, errorCode: undefined, resource: 'f' },
      { service: 'lambda', operation: 'GetFunction', kind: 'read', mutating: false, status: 200, errorCode: undefined, resource: 'f' },
      { service: 'lambda', operation: 'GetFunction', kind: 'read', mutating: false, status: 404, errorCode: 'ResourceNotFoundException', resource: 'g' },
    ]);
    expect(aws.mutatingCalls()).toHaveLength(2);
  } finally {
    destroyClients(c);
  }
});
