// The local AWS endpoint's STS and IAM, driven through the real SDK v3 clients.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetAccountSummaryCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  paginateListRoles,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';
import { destroyClients, sdkClients, type SdkClients } from '../support/aws/clients.js';
import { identityAllows } from '../support/aws/iam.js';

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: '*' }] });

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

async function errorOf(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
}

describe('STS', () => {
  test('GetCallerIdentity answers the local account', async () => {
    const id = await c.sts.send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe('123456789012');
    expect(id.Arn).toBe('arn:aws:iam::123456789012:user/local-test');
  });
});

describe('IAM roles', () => {
  test('create, read (URL-encoded documents as IAM sends them), tag, update, delete', async () => {
    const created = await c.iam.send(new CreateRoleCommand({ RoleName: 'c2l-web-backup', Path: '/cron2lambda/', AssumeRolePolicyDocument: trust, Tags: [{ Key: 'managed-by', Value: 'cron2lambda' }] }));
    expect(created.Role?.Arn).toBe('arn:aws:iam::123456789012:role/cron2lambda/c2l-web-backup');
    expect(created.Role?.CreateDate).toBeInstanceOf(Date);

    const got = await c.iam.send(new GetRoleCommand({ RoleName: 'c2l-web-backup' }));
    // The SDK hands the trust policy over URL-encoded, exactly as IAM sends it: callers must decode it.
    expect(got.Role?.AssumeRolePolicyDocument).toBe(encodeURIComponent(trust));
    expect(JSON.parse(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!))).toEqual(JSON.parse(trust));
    expect(got.Role?.Tags).toEqual([{ Key: 'managed-by', Value: 'cron2lambda' }]);

    await c.iam.send(new TagRoleCommand({ RoleName: 'c2l-web-backup', Tags: [{ Key: 'cron2lambda:host', Value: 'web' }] }));
    await c.iam.send(new UntagRoleCommand({ RoleName: 'c2l-web-backup', TagKeys: ['managed-by'] }));
    expect((await c.iam.send(new ListRoleTagsCommand({ RoleName: 'c2l-web-backup' }))).Tags).toEqual([{ Key: 'cron2lambda:host', Value: 'web' }]);

    const other = trust.replace('lambda.amazonaws.com', 'scheduler.amazonaws.com');
    await c.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'c2l-web-backup', PolicyDocument: other }));
    expect(decodeURIComponent((await c.iam.send(new GetRoleCommand({ RoleName: 'c2l-web-backup' }))).Role!.AssumeRolePolicyDocument!)).toBe(other);

    await c.iam.send(new PutRolePolicyCommand({ RoleName: 'c2l-web-backup', PolicyName: 'job', PolicyDocument: policy }));
    const inline = await c.iam.send(new GetRolePolicyCommand({ RoleName: 'c2l-web-backup', PolicyName: 'job' }));
    expect(inline.PolicyDocument).toBe(encodeURIComponent(policy));
    expect((await c.iam.send(new ListRolePoliciesCommand({ RoleName: 'c2l-web-backup' }))).PolicyNames).toEqual(['job']);
    expect((await c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'c2l-web-backup' }))).AttachedPolicies).toEqual([]);

    const conflict = await errorOf(c.iam.send(new DeleteRoleCommand({ RoleName: 'c2l-web-backup' })));
    expect(conflict.name).toBe('DeleteConflictException');
    expect(conflict.$metadata?.httpStatusCode).toBe(409);

    await c.iam.send(new DeleteRolePolicyCommand({ RoleName: 'c2l-web-backup', PolicyName: 'job' }));
    await c.iam.send(new DeleteRoleCommand({ RoleName: 'c2l-web-backup' }));
    expect(aws.state().roles).toEqual([]);
  });

  test('errors as the SDK surfaces them: NoSuchEntity, EntityAlreadyExists, MalformedPolicyDocument, LimitExceeded', async () => {
    expect((await errorOf(c.iam.send(new GetRoleCommand({ RoleName: 'missing' })))).name).toBe('NoSuchEntityException');
    await c.iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trust }));
    // Role names are unique regardless of case, as in IAM.
    expect((await errorOf(c.iam.send(new CreateRoleCommand({ RoleName: 'R', AssumeRolePolicyDocument: trust })))).name).toBe('EntityAlreadyExistsException');
    expect((await errorOf(c.iam.send(new PutRolePolicyCommand({ RoleName: 'r', PolicyName: 'p', PolicyDocument: '{nope' })))).name).toBe('MalformedPolicyDocumentException');
    expect((await errorOf(c.iam.send(new GetRolePolicyCommand({ RoleName: 'r', PolicyName: 'p' })))).message).toBe('The role policy with name p cannot be found.');
    aws.setQuotas({ rolesPerAccount: 1 });
    const limit = await errorOf(c.iam.send(new CreateRoleCommand({ RoleName: 'r2', AssumeRolePolicyDocument: trust })));
    expect(limit.name).toBe('LimitExceededException');
    expect(limit.message).toBe('Cannot exceed quota for RolesPerAccount: 1');
    // The SDK counts LimitExceededException among throttling errors and retries it (3 attempts in standard mode).
    expect((limit as { $metadata?: { attempts?: number } }).$metadata?.attempts).toBe(3);
  });

  test('ListRoles filters by PathPrefix and pages with Marker; GetAccountSummary counts roles against the quota', async () => {
    for (let i = 0; i < 7; i++) {
      await c.iam.send(new CreateRoleCommand({ RoleName: `c2l-${i}`, Path: '/cron2lambda/', AssumeRolePolicyDocument: trust }));
    }
    await c.iam.send(new CreateRoleCommand({ RoleName: 'someone-else', AssumeRolePolicyDocument: trust }));
    const first = await c.iam.send(new ListRolesCommand({ PathPrefix: '/cron2lambda/', MaxItems: 3 }));
    expect(first.Roles?.map((r) => r.RoleName)).toEqual(['c2l-0', 'c2l-1', 'c2l-2']);
    expect(first.IsTruncated).toBe(true);
    const names: string[] = [];
    for await (const p of paginateListRoles({ client: c.iam, pageSize: 2 }, { PathPrefix: '/cron2lambda/' })) names.push(...(p.Roles ?? []).map((r) => r.RoleName!));
    expect(names).toEqual(['c2l-0', 'c2l-1', 'c2l-2', 'c2l-3', 'c2l-4', 'c2l-5', 'c2l-6']);
    const summary = await c.iam.send(new GetAccountSummaryCommand({}));
    expect(summary.SummaryMap?.Roles).toBe(8);
    expect(summary.SummaryMap?.RolesQuota).toBe(1000);
  });
});

// Tests ask identityAllows what a role could do on AWS (the endpoint does not enforce IAM): it must say no where IAM does.
describe('identityAllows', () => {
  const fn = 'arn:aws:lambda:eu-west-1:123456789012:function:c2l-app-*';
  const doc = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fn, `${fn}:*`], Condition: { StringEquals: { 'aws:ResourceTag/cron2lambda:host': 'app' } } }],
  };
  const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:c2l-app-hello-0123456789';

  test('matches action, resource pattern and every condition key; a key the request lacks fails', () => {
    expect(identityAllows(doc, 'lambda:InvokeFunction', arn, { 'aws:ResourceTag/cron2lambda:host': 'app' })).toBe(true);
    expect(identityAllows(doc, 'Lambda:invokefunction', `${arn}:$LATEST`, { 'AWS:ResourceTag/Cron2Lambda:Host': 'app' })).toBe(true);
    expect(identityAllows(doc, 'lambda:InvokeFunction', arn, { 'aws:ResourceTag/cron2lambda:host': 'app-01' })).toBe(false);
    expect(identityAllows(doc, 'lambda:InvokeFunction', arn, {})).toBe(false);
    expect(identityAllows(doc, 'lambda:GetFunction', arn, { 'aws:ResourceTag/cron2lambda:host': 'app' })).toBe(false);
    expect(identityAllows(doc, 'lambda:InvokeFunction', arn.replace('c2l-app-', 'c2l-web-'), { 'aws:ResourceTag/cron2lambda:host': 'app' })).toBe(false);
    expect(identityAllows(JSON.stringify({ Statement: [{ ...doc.Statement[0], Condition: undefined }] }), 'lambda:InvokeFunction', arn.replace('c2l-app-', 'c2l-app-01-'))).toBe(true);
  });

  test('refuses to answer for a condition operator it does not model', () => {
    const other = { Statement: [{ ...doc.Statement[0], Condition: { Bool: { 'aws:SecureTransport': 'true' } } }] };
    expect(() => identityAllows(other, 'lambda:InvokeFunction', arn, { 'aws:SecureTransport': 'true' })).toThrow(/Bool is not modelled/);
  });
});
