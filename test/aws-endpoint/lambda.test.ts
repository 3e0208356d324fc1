// The local AWS endpoint's Lambda control plane, driven through the real SDK v3 client: functions and their states,
// the SDK's waiters, permissions, asynchronous invocation settings, layers, tags, account settings.
import { createHash } from 'node:crypto';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  DeleteLayerVersionCommand,
  GetAccountSettingsCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetFunctionEventInvokeConfigCommand,
  GetLayerVersionCommand,
  GetPolicyCommand,
  ListFunctionsCommand,
  ListLayerVersionsCommand,
  ListTagsCommand,
  PublishLayerVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { writeZip } from '../../src/package/zip.js';
import { destroyClients, sdkClients, type SdkClients } from '../support/aws/clients.js';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const ROLE = 'arn:aws:iam::123456789012:role/fn-role';

let aws: LocalAws;
let c: SdkClients;
let zip: Buffer;
let zip2: Buffer;
beforeAll(async () => {
  aws = await startLocalAws();
  c = sdkClients(aws.endpoint);
  zip = await writeZip([{ path: 'bootstrap', content: '#!/bin/bash\necho one\n', mode: 0o755 }]);
  zip2 = await writeZip([{ path: 'bootstrap', content: '#!/bin/bash\necho two\n', mode: 0o755 }]);
});
afterAll(async () => {
  destroyClients(c);
  await aws.close();
});
beforeEach(async () => {
  aws.reset();
  await c.iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: trust }));
});

async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

const create = (name: string, extra: Record<string, unknown> = {}) =>
  c.lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: ROLE, Runtime: 'provided.al2023', Handler: 'function.handler', Code: { ZipFile: zip }, ...extra }));

describe('functions', () => {
  test('create, get, update code and configuration, list, delete', async () => {
    const created = await create('c2l-web-backup', { MemorySize: 256, Timeout: 900, Environment: { Variables: { AA: '1' } }, Tags: { 'managed-by': 'cron2lambda' }, Architectures: ['arm64'] });
    expect(created.CodeSha256).toBe(createHash('sha256').update(zip).digest('base64'));
    expect(created.CodeSize).toBe(zip.length);
    expect(created.FunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:c2l-web-backup');
    expect(created.Architectures).toEqual(['arm64']);
    expect(created.$metadata.httpStatusCode).toBe(201);

    for (const ref of ['c2l-web-backup:$LATEST', '123456789012:function:c2l-web-backup', `${created.FunctionArn}:$LATEST`]) {
      expect((await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: ref }))).FunctionName).toBe('c2l-web-backup');
    }
    const got = await c.lambda.send(new GetFunctionCommand({ FunctionName: 'c2l-web-backup' }));
    expect(got.Configuration?.State).toBe('Active');
    expect(got.Configuration?.LastUpdateStatus).toBe('Successful');
    expect(got.Configuration?.Environment?.Variables).toEqual({ AA: '1' });
    expect(got.Tags).toEqual({ 'managed-by': 'cron2lambda' });
    // Code.Location serves the zip back, as the presigned S3 URL does.
    expect(Buffer.from(await (await fetch(got.Code!.Location!)).arrayBuffer()).equals(zip)).toBe(true);

    const code = await c.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'c2l-web-backup', ZipFile: zip2 }));
    expect(code.CodeSha256).toBe(createHash('sha256').update(zip2).digest('base64'));
    const conf = await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'c2l-web-backup', MemorySize: 512 }));
    expect(conf.MemorySize).toBe(512);
    // A configuration update keeps what it does not name.
    expect(conf.Environment?.Variables).toEqual({ AA: '1' });
    expect(conf.Timeout).toBe(900);

    await create('c2l-web-other');
    const list = await c.lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toEqual(['c2l-web-backup', 'c2l-web-other']);
    // As in Lambda, ListFunctions leaves out State and LastUpdateStatus (GetFunction has them).
    expect(list.Functions?.[0].State).toBeUndefined();
    expect(list.Functions?.[0].LastUpdateStatus).toBeUndefined();
    expect(list.Functions?.[0].CodeSha256).toBe(createHash('sha256').update(zip2).digest('base64'));

    await c.lambda.send(new DeleteFunctionCommand({ FunctionName: 'c2l-web-backup' }));
    const gone = await errorOf(c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'c2l-web-backup' })));
    expect(gone.name).toBe('ResourceNotFoundException');
    expect(gone.$metadata?.httpStatusCode).toBe(404);
    expect(gone.message).toBe('Function not found: arn:aws:lambda:us-east-1:123456789012:function:c2l-web-backup');
  });

  test('ListFunctions pages with Marker', async () => {
    for (let i = 0; i < 5; i++) await create(`f${i}`);
    const names: string[] = [];
    for await (const p of paginateListFunctions({ client: c.lambda, pageSize: 2 }, {})) names.push(...p.Functions!.map((f) => f.FunctionName!));
    expect(names).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
  });

  test('errors: exists, bad zip, bad limits, role not yet assumable', async () => {
    await create('f');
    const exists = await errorOf(create('f'));
    expect(exists.name).toBe('ResourceConflictException');
    expect(exists.$metadata?.httpStatusCode).toBe(409);
    expect((await errorOf(create('g', { Code: { ZipFile: Buffer.from('not a zip') } }))).name).toBe('InvalidParameterValueException');
    expect((await errorOf(create('g', { Timeout: 901 }))).name).toBe('ValidationException');
    // One-letter names fail the key pattern; Lambda's own variables are refused by name (TZ is allowed).
    expect((await errorOf(create('g', { Environment: { Variables: { X: '1' } } }))).name).toBe('ValidationException');
    const reserved = await errorOf(create('g', { Environment: { Variables: { TZ: ':UTC', AWS_DEFAULT_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x' } } }));
    expect(reserved.name).toBe('InvalidParameterValueException');
    expect(reserved.message).toMatch(/contains reserved keys that are currently not supported for modification\. Reserved keys used in this request: AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID$/);
    expect((await create('tz', { Environment: { Variables: { TZ: ':UTC', LANG: 'C' } } })).Environment?.Variables).toEqual({ TZ: ':UTC', LANG: 'C' });
    expect((await errorOf(create('g', { Role: 'arn:aws:iam::123456789012:role/missing' }))).message).toBe('The role defined for the function cannot be assumed by Lambda.');

    aws.setTimings({ roleAssumableAfterMs: 60_000 });
    await c.iam.send(new CreateRoleCommand({ RoleName: 'young', AssumeRolePolicyDocument: trust }));
    const young = await errorOf(create('h', { Role: 'arn:aws:iam::123456789012:role/young' }));
    expect(young.name).toBe('InvalidParameterValueException');
    expect(young.message).toBe('The role defined for the function cannot be assumed by Lambda.');
    aws.advanceClock(60_000);
    expect((await create('h', { Role: 'arn:aws:iam::123456789012:role/young' })).FunctionName).toBe('h');
  });

  test('Pending after create and InProgress after an update refuse updates; the SDK waiters wait them out', async () => {
    aws.setTimings({ functionPendingMs: 300, functionUpdateMs: 300 });
    const created = await create('f');
    expect(created.State).toBe('Pending');
    expect(created.StateReasonCode).toBe('Creating');
    const pending = await errorOf(c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f', MemorySize: 256 })));
    expect(pending.name).toBe('ResourceConflictException');
    expect(pending.message).toBe('The operation cannot be performed at this time. The function is currently in the following state: Pending');

    const active = await waitUntilFunctionActiveV2({ client: c.lambda, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { FunctionName: 'f' });
    expect(active.state).toBe('SUCCESS');

    const updated = await c.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'f', MemorySize: 256 }));
    expect(updated.LastUpdateStatus).toBe('InProgress');
    const busy = await errorOf(c.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'f', ZipFile: zip2 })));
    expect(busy.name).toBe('ResourceConflictException');
    expect(busy.message).toBe('The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:f');

    const done = await waitUntilFunctionUpdatedV2({ client: c.lambda, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { FunctionName: 'f' });
    expect(done.state).toBe('SUCCESS');
    await c.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'f', ZipFile: zip2 }));
  });
});

describe('permissions, invoke settings, tags, layers, account', () => {
  test('AddPermission / GetPolicy / RemovePermission with SourceArn and SourceAccount conditions', async () => {
    await create('f');
    const ruleArn = 'arn:aws:events:us-east-1:123456789012:rule/c2l-web-backup-0';
    const added = await c.lambda.send(new AddPermissionCommand({ FunctionName: 'f', StatementId: 'events-0', Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: ruleArn, SourceAccount: '123456789012' }));
    expect(JSON.parse(added.Statement!)).toMatchObject({ Sid: 'events-0', Principal: { Service: 'events.amazonaws.com' } });
    const dup = await errorOf(c.lambda.send(new AddPermissionCommand({ FunctionName: 'f', StatementId: 'events-0', Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' })));
    expect(dup.name).toBe('ResourceConflictException');

    const policy = JSON.parse((await c.lambda.send(new GetPolicyCommand({ FunctionName: 'f' }))).Policy!);
    expect(policy.Statement).toEqual([
      {
        Sid: 'events-0',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: 'arn:aws:lambda:us-east-1:123456789012:function:f',
        Condition: { StringEquals: { 'AWS:SourceAccount': '123456789012' }, ArnLike: { 'AWS:SourceArn': ruleArn } },
      },
    ]);
    await c.lambda.send(new RemovePermissionCommand({ FunctionName: 'f', StatementId: 'events-0' }));
    expect((await errorOf(c.lambda.send(new GetPolicyCommand({ FunctionName: 'f' })))).name).toBe('ResourceNotFoundException');
    expect((await errorOf(c.lambda.send(new RemovePermissionCommand({ FunctionName: 'f', StatementId: 'events-0' })))).name).toBe('ResourceNotFoundException');
  });

  test('event invoke config: put, get, delete', async () => {
    await create('f');
    expect((await errorOf(c.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'f' })))).name).toBe('ResourceNotFoundException');
    const dest = 'arn:aws:sqs:us-east-1:123456789012:failures';
    await c.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'f', MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600, DestinationConfig: { OnFailure: { Destination: dest } } }));
    const got = await c.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'f' }));
    expect(got).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600, DestinationConfig: { OnFailure: { Destination: dest } } });
    expect(got.LastModified).toBeInstanceOf(Date);
    expect((await errorOf(c.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'f', MaximumRetryAttempts: 3 })))).name).toBe('ValidationException');
    await c.lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'f' }));
    expect((await errorOf(c.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'f' })))).name).toBe('ResourceNotFoundException');
  });

  test('tags by function ARN', async () => {
    const arn = (await create('f', { Tags: { a: '1' } })).FunctionArn!;
    await c.lambda.send(new TagResourceCommand({ Resource: arn, Tags: { b: '2', c: '3' } }));
    await c.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['a', 'c'] }));
    expect((await c.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({ b: '2' });
  });

  test('layers: publish, list newest first, get, delete; versions are never reused; functions reference them', async () => {
    const v1 = await c.lambda.send(new PublishLayerVersionCommand({ LayerName: 'awscli', Content: { ZipFile: zip }, Description: 'sha:1', CompatibleRuntimes: ['provided.al2023'] }));
    const v2 = await c.lambda.send(new PublishLayerVersionCommand({ LayerName: 'awscli', Content: { ZipFile: zip2 }, Description: 'sha:2', CompatibleRuntimes: ['provided.al2023'] }));
    expect(v1.Version).toBe(1);
    expect(v2.LayerVersionArn).toBe('arn:aws:lambda:us-east-1:123456789012:layer:awscli:2');
    expect(v2.Content?.CodeSha256).toBe(createHash('sha256').update(zip2).digest('base64'));
    const listed = await c.lambda.send(new ListLayerVersionsCommand({ LayerName: 'awscli', CompatibleRuntime: 'provided.al2023' }));
    expect(listed.LayerVersions?.map((v) => [v.Version, v.Description])).toEqual([[2, 'sha:2'], [1, 'sha:1']]);
    expect((await c.lambda.send(new GetLayerVersionCommand({ LayerName: 'awscli', VersionNumber: 1 }))).Description).toBe('sha:1');

    const fn = await create('f', { Layers: [v2.LayerVersionArn!] });
    expect(fn.Layers).toEqual([{ Arn: v2.LayerVersionArn, CodeSize: zip2.length }]);
    expect((await errorOf(create('g', { Layers: ['arn:aws:lambda:us-east-1:123456789012:layer:awscli:9'] }))).name).toBe('InvalidParameterValueException');

    await c.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'awscli', VersionNumber: 2 }));
    expect((await errorOf(c.lambda.send(new GetLayerVersionCommand({ LayerName: 'awscli', VersionNumber: 2 })))).name).toBe('ResourceNotFoundException');
    const v3 = await c.lambda.send(new PublishLayerVersionCommand({ LayerName: 'awscli', Content: { ZipFile: zip2 } }));
    expect(v3.Version).toBe(3);
  });

  test('GetAccountSettings reports code storage used against the limit', async () => {
    await create('f');
    await create('g');
    const s = await c.lambda.send(new GetAccountSettingsCommand({}));
    expect(s.AccountLimit?.TotalCodeSize).toBe(75 * 1024 ** 3);
    expect(s.AccountUsage).toEqual({ TotalCodeSize: 2 * zip.length, FunctionCount: 2 });
    aws.setQuotas({ codeStorageBytes: 2 * zip.length + 1 });
    expect((await errorOf(create('h'))).name).toBe('CodeStorageExceededException');
  });
});
