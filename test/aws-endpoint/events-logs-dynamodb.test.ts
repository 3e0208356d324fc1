// The local AWS endpoint's EventBridge rules, CloudWatch Logs log groups and DynamoDB control plane, driven through
// the real SDK v3 clients.
import {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand as ListLogTagsCommand,
  ListTagsLogGroupCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand as TagLogCommand,
  paginateDescribeLogGroups,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  TagResourceCommand as TagTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
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
beforeEach(() => aws.reset());

async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';

describe('EventBridge rules', () => {
  test('PutRule creates and replaces, targets, enable/disable, tags, delete', async () => {
    const { RuleArn } = await c.events.send(new PutRuleCommand({ Name: 'c2l-web-0', ScheduleExpression: 'cron(0 3 * * ? *)', State: 'DISABLED', Description: 'nightly', Tags: [{ Key: 'managed-by', Value: 'cron2lambda' }] }));
    expect(RuleArn).toBe('arn:aws:events:us-east-1:123456789012:rule/c2l-web-0');
    expect(await c.events.send(new DescribeRuleCommand({ Name: 'c2l-web-0' }))).toMatchObject({ State: 'DISABLED', ScheduleExpression: 'cron(0 3 * * ? *)', Description: 'nightly', EventBusName: 'default' });

    // PutRule replaces the rule: a field left out is gone, State defaults to ENABLED.
    await c.events.send(new PutRuleCommand({ Name: 'c2l-web-0', ScheduleExpression: 'cron(30 3 * * ? *)' }));
    const replaced = await c.events.send(new DescribeRuleCommand({ Name: 'c2l-web-0' }));
    expect(replaced.State).toBe('ENABLED');
    expect(replaced.Description).toBeUndefined();
    await c.events.send(new DisableRuleCommand({ Name: 'c2l-web-0' }));
    expect((await c.events.send(new DescribeRuleCommand({ Name: 'c2l-web-0' }))).State).toBe('DISABLED');
    await c.events.send(new EnableRuleCommand({ Name: 'c2l-web-0' }));

    await c.events.send(new PutTargetsCommand({ Rule: 'c2l-web-0', Targets: [{ Id: 'fn', Arn: FN, Input: '{"a":1}' }] }));
    expect((await c.events.send(new ListRuleNamesByTargetCommand({ TargetArn: FN }))).RuleNames).toEqual(['c2l-web-0']);
    expect((await c.events.send(new ListTargetsByRuleCommand({ Rule: 'c2l-web-0' }))).Targets).toEqual([{ Id: 'fn', Arn: FN, Input: '{"a":1}' }]);
    const busy = await errorOf(c.events.send(new DeleteRuleCommand({ Name: 'c2l-web-0' })));
    expect(busy.name).toBe('ValidationException');
    expect(busy.message).toBe("Rule can't be deleted since it has targets.");

    await c.events.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: 'cron2lambda:host', Value: 'web' }] }));
    await c.events.send(new UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ['managed-by'] }));
    expect((await c.events.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([{ Key: 'cron2lambda:host', Value: 'web' }]);

    await c.events.send(new RemoveTargetsCommand({ Rule: 'c2l-web-0', Ids: ['fn'] }));
    await c.events.send(new DeleteRuleCommand({ Name: 'c2l-web-0' }));
    expect((await errorOf(c.events.send(new DescribeRuleCommand({ Name: 'c2l-web-0' })))).name).toBe('ResourceNotFoundException');
    // Deleting a rule that is not there succeeds, as in EventBridge.
    await c.events.send(new DeleteRuleCommand({ Name: 'c2l-web-0' }));
  });

  test('invalid expressions are refused; ListRules filters by prefix and pages', async () => {
    for (const bad of ['cron(0 3 * * *)', 'cron(0 3 * * * *)', 'rate(1 minutes)', 'rate(5 minute)', 'every day']) {
      expect((await errorOf(c.events.send(new PutRuleCommand({ Name: 'r', ScheduleExpression: bad })))).name).toBe('ValidationException');
    }
    for (let i = 0; i < 5; i++) await c.events.send(new PutRuleCommand({ Name: `c2l-a-${i}`, ScheduleExpression: 'rate(1 minute)' }));
    await c.events.send(new PutRuleCommand({ Name: 'other', ScheduleExpression: 'rate(5 minutes)' }));
    const names: string[] = [];
    let token: string | undefined;
    do {
      const p = await c.events.send(new ListRulesCommand({ NamePrefix: 'c2l-', Limit: 2, NextToken: token }));
      names.push(...p.Rules!.map((r) => r.Name!));
      token = p.NextToken;
    } while (token);
    expect(names).toEqual(['c2l-a-0', 'c2l-a-1', 'c2l-a-2', 'c2l-a-3', 'c2l-a-4']);
  });

  test('300 rules per bus: the next one is LimitExceededException (which the SDK retries as throttling)', async () => {
    aws.setQuotas({ rulesPerBus: 3 });
    for (let i = 0; i < 3; i++) await c.events.send(new PutRuleCommand({ Name: `r${i}`, ScheduleExpression: 'rate(1 day)' }));
    // Replacing an existing rule does not count.
    await c.events.send(new PutRuleCommand({ Name: 'r0', ScheduleExpression: 'rate(2 days)' }));
    const e = await errorOf(c.events.send(new PutRuleCommand({ Name: 'r3', ScheduleExpression: 'rate(1 day)' })));
    expect(e.name).toBe('LimitExceededException');
    expect(e.$metadata?.attempts).toBe(3);
  });
});

describe('CloudWatch Logs', () => {
  test('create with tags, retention, describe by prefix with paging, tags by ARN, delete', async () => {
    await c.logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/c2l-web-0', tags: { 'managed-by': 'cron2lambda' } }));
    expect((await errorOf(c.logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/c2l-web-0' })))).name).toBe('ResourceAlreadyExistsException');
    await c.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/aws/lambda/c2l-web-0', retentionInDays: 14 }));
    expect((await errorOf(c.logs.send(new PutRetentionPolicyCommand({ logGroupName: '/aws/lambda/c2l-web-0', retentionInDays: 4 })))).name).toBe('InvalidParameterException');
    const [g] = (await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/c2l-web-' }))).logGroups!;
    expect(g).toMatchObject({ logGroupName: '/aws/lambda/c2l-web-0', retentionInDays: 14, arn: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/c2l-web-0:*' });
    expect(typeof g.creationTime).toBe('number');

    await c.logs.send(new TagLogCommand({ resourceArn: g.logGroupArn, tags: { 'cron2lambda:host': 'web' } }));
    // The tagging APIs take logGroupArn; DescribeLogGroups' arn ends in ':*' and names nothing there.
    expect((await errorOf(c.logs.send(new ListLogTagsCommand({ resourceArn: g.arn })))).name).toBe('ResourceNotFoundException');
    expect((await c.logs.send(new ListLogTagsCommand({ resourceArn: g.logGroupArn }))).tags).toEqual({ 'managed-by': 'cron2lambda', 'cron2lambda:host': 'web' });
    expect((await c.logs.send(new ListTagsLogGroupCommand({ logGroupName: g.logGroupName }))).tags).toEqual({ 'managed-by': 'cron2lambda', 'cron2lambda:host': 'web' });

    await c.logs.send(new DeleteRetentionPolicyCommand({ logGroupName: g.logGroupName }));
    expect((await c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: g.logGroupName }))).logGroups![0].retentionInDays).toBeUndefined();

    for (let i = 1; i < 5; i++) await c.logs.send(new CreateLogGroupCommand({ logGroupName: `/aws/lambda/c2l-web-${i}` }));
    const names: string[] = [];
    for await (const p of paginateDescribeLogGroups({ client: c.logs, pageSize: 2 }, { logGroupNamePrefix: '/aws/lambda/c2l-' })) names.push(...p.logGroups!.map((x) => x.logGroupName!));
    expect(names).toHaveLength(5);

    await c.logs.send(new DeleteLogGroupCommand({ logGroupName: g.logGroupName }));
    const gone = await errorOf(c.logs.send(new DeleteLogGroupCommand({ logGroupName: g.logGroupName })));
    expect(gone.name).toBe('ResourceNotFoundException');
    expect(gone.message).toBe('The specified log group does not exist.');
  });
});

describe('DynamoDB control plane', () => {
  test('CreateTable is CREATING for a while, the SDK waiter sees it ACTIVE; TTL; tags', async () => {
    aws.setTimings({ tableCreatingMs: 300 });
    const created = await c.dynamodb.send(
      new CreateTableCommand({
        TableName: 'cron2lambda-locks',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
        Tags: [{ Key: 'managed-by', Value: 'cron2lambda' }],
      }),
    );
    expect(created.TableDescription?.TableStatus).toBe('CREATING');
    expect(created.TableDescription?.CreationDateTime).toBeInstanceOf(Date);
    const busy = await errorOf(c.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: 'cron2lambda-locks', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } })));
    expect(busy.name).toBe('ResourceInUseException');
    await waitUntilTableExists({ client: c.dynamodb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: 'cron2lambda-locks' });
    const table = (await c.dynamodb.send(new DescribeTableCommand({ TableName: 'cron2lambda-locks' }))).Table!;
    expect(table.TableStatus).toBe('ACTIVE');
    expect((await c.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(['cron2lambda-locks']);
    expect(table.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');

    await c.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: 'cron2lambda-locks', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }));
    expect((await c.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'cron2lambda-locks' }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
    expect((await errorOf(c.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: 'cron2lambda-locks', TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } })))).name).toBe('ValidationException');

    await c.dynamodb.send(new TagTableCommand({ ResourceArn: table.TableArn, Tags: [{ Key: 'cron2lambda:host', Value: 'web' }] }));
    expect((await c.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: table.TableArn }))).Tags).toEqual([
      { Key: 'managed-by', Value: 'cron2lambda' },
      { Key: 'cron2lambda:host', Value: 'web' },
    ]);
    expect((await errorOf(c.dynamodb.send(new CreateTableCommand({ TableName: 'cron2lambda-locks', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }] })))).name).toBe('ResourceInUseException');
    const missing = await errorOf(c.dynamodb.send(new DescribeTableCommand({ TableName: 'nope' })));
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(missing.message).toBe('Requested resource not found: Table: nope not found');
  });
});
