// Test support: Lambda resource policy, asynchronous invocation settings, tags, layers, account settings and Invoke.
import { randomUUID } from 'node:crypto';
import { findFunction, isPending, lambdaDate, lambdaFunctionOps, lambdaRoutes, sha256b64, totalCodeSize } from './lambda.js';
import type { Ctx, RestInput, RestService } from './service.js';
import type { LayerVersion, PolicyStatement } from './state.js';
import { AwsError, type RestResult } from './types.js';

const NOT_FOUND = () => new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);

function principalOf(principal: string): PolicyStatement['Principal'] {
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  return { Service: principal };
}

function policyDocument(statements: PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}

function eventInvokeConfigBody(ctx: Ctx, name: string): Record<string, unknown> {
  const fn = findFunction(ctx, name);
  const c = fn.eventInvokeConfig;
  if (!c) throw new AwsError('ResourceNotFoundException', `The function ${fn.arn} doesn't have an EventInvokeConfig`, 404);
  return {
    LastModified: c.LastModified / 1000,
    FunctionArn: `${fn.arn}:$LATEST`,
    MaximumRetryAttempts: c.MaximumRetryAttempts,
    MaximumEventAgeInSeconds: c.MaximumEventAgeInSeconds,
    DestinationConfig: c.DestinationConfig ?? { OnSuccess: {}, OnFailure: {} },
  };
}

/** Tags name a function by ARN. */
function taggedFunction(ctx: Ctx, resource: string) {
  if (!resource.startsWith('arn:')) throw new AwsError('ValidationException', `1 validation error detected: Value '${resource}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`, 400);
  return findFunction(ctx, resource);
}

function layerBody(v: LayerVersion, host: string): Record<string, unknown> {
  return {
    Content: { Location: `http://${host}/__local/lambda/layer/${encodeURIComponent(v.layerName)}/${v.version}`, CodeSha256: v.codeSha256, CodeSize: v.codeSize },
    LayerArn: v.layerArn,
    LayerVersionArn: v.arn,
    Description: v.description ?? '',
    CreatedDate: lambdaDate(v.createdAt),
    Version: v.version,
    CompatibleRuntimes: v.compatibleRuntimes,
    CompatibleArchitectures: v.compatibleArchitectures,
    LicenseInfo: v.licenseInfo,
  };
}

function findLayerVersion(ctx: Ctx, name: string, version: string): LayerVersion {
  const v = ctx.account.layers.get(name)?.find((x) => x.version === Number(version));
  if (!v) throw NOT_FOUND();
  return v;
}

async function invoke({ labels, headers, raw }: RestInput, ctx: Ctx): Promise<RestResult> {
  const fn = findFunction(ctx, labels.FunctionName);
  if (isPending(ctx.account, fn)) {
    throw new AwsError('ResourceConflictException', 'The operation cannot be performed at this time. The function is currently in the following state: Pending', 409);
  }
  const type = headers['x-amz-invocation-type'] ?? 'RequestResponse';
  if (type === 'DryRun') return { status: 204 };
  if (!ctx.invoke) throw new AwsError('ServiceException', 'Invoke is not available on this endpoint', 500);
  const c = fn.config as { Environment?: { Variables?: Record<string, string> }; Timeout?: number; Handler?: string };
  const run = ctx.invoke(fn.zip, {
    functionName: fn.name,
    functionArn: fn.arn,
    region: ctx.region,
    payload: raw.length ? raw : Buffer.from('{}'),
    environment: c.Environment?.Variables ?? {},
    timeoutMs: (c.Timeout ?? 3) * 1000,
    handler: c.Handler,
  });
  if (type === 'Event') {
    run.catch(() => undefined);
    return { status: 202, raw: Buffer.alloc(0) };
  }
  const answer = await run;
  const out: Record<string, string> = { 'X-Amz-Executed-Version': '$LATEST', 'Content-Type': 'application/json' };
  if (answer.functionError) out['X-Amz-Function-Error'] = answer.functionError;
  if (headers['x-amz-log-type'] === 'Tail') out['X-Amz-Log-Result'] = Buffer.from(Buffer.from(answer.log).subarray(-4096)).toString('base64');
  return { status: 200, headers: out, raw: answer.payload };
}

const extraOps: Record<string, (input: RestInput, ctx: Ctx) => RestResult | Promise<RestResult>> = {
  AddPermission: ({ labels, body }, ctx) => {
    const fn = findFunction(ctx, labels.FunctionName);
    if (body.RevisionId !== undefined && body.RevisionId !== fn.revisionId) {
      throw new AwsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id', 412);
    }
    const sid = body.StatementId as string;
    if (fn.policy.some((s) => s.Sid === sid)) {
      throw new AwsError('ResourceConflictException', `The statement id (${sid}) provided already exists. Please choose a new statement id, or remove the existing statement.`, 409);
    }
    const condition: Record<string, Record<string, string>> = {};
    if (body.SourceAccount) condition.StringEquals = { 'AWS:SourceAccount': body.SourceAccount };
    if (body.SourceArn) condition.ArnLike = { 'AWS:SourceArn': body.SourceArn };
    const statement: PolicyStatement = {
      Sid: sid,
      Effect: 'Allow',
      Principal: principalOf(body.Principal as string),
      Action: body.Action as string,
      Resource: fn.arn,
      ...(Object.keys(condition).length ? { Condition: condition } : {}),
    };
    fn.policy.push(statement);
    fn.revisionId = randomUUID();
    return { status: 201, body: { Statement: JSON.stringify(statement) } };
  },
  GetPolicy: ({ labels }, ctx) => {
    const fn = findFunction(ctx, labels.FunctionName);
    if (fn.policy.length === 0) throw NOT_FOUND();
    return { body: { Policy: policyDocument(fn.policy), RevisionId: fn.revisionId } };
  },
  RemovePermission: ({ labels }, ctx) => {
    const fn = findFunction(ctx, labels.FunctionName);
    const i = fn.policy.findIndex((s) => s.Sid === labels.StatementId);
    if (i < 0) throw new AwsError('ResourceNotFoundException', `Statement ${labels.StatementId} is not found in resource policy.`, 404);
    fn.policy.splice(i, 1);
    fn.revisionId = randomUUID();
    return { status: 204 };
  },
  PutFunctionEventInvokeConfig: ({ labels, body }, ctx) => {
    const fn = findFunction(ctx, labels.FunctionName);
    const r = body.MaximumRetryAttempts;
    const age = body.MaximumEventAgeInSeconds;
    if (r !== undefined && (r < 0 || r > 2)) throw new AwsError('ValidationException', `1 validation error detected: Value '${r}' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2`, 400);
    if (age !== undefined && (age < 60 || age > 21600)) throw new AwsError('ValidationException', `1 validation error detected: Value '${age}' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value ${age < 60 ? 'greater than or equal to 60' : 'less than or equal to 21600'}`, 400);
    fn.eventInvokeConfig = { MaximumRetryAttempts: r, MaximumEventAgeInSeconds: age, DestinationConfig: body.DestinationConfig, LastModified: ctx.account.now() };
    return { body: eventInvokeConfigBody(ctx, fn.name) };
  },
  GetFunctionEventInvokeConfig: ({ labels }, ctx) => ({ body: eventInvokeConfigBody(ctx, labels.FunctionName) }),
  DeleteFunctionEventInvokeConfig: ({ labels }, ctx) => {
    eventInvokeConfigBody(ctx, labels.FunctionName);
    findFunction(ctx, labels.FunctionName).eventInvokeConfig = undefined;
    return { status: 204 };
  },
  ListTags: ({ labels }, ctx) => ({ body: { Tags: Object.fromEntries(taggedFunction(ctx, labels.Resource).tags) } }),
  TagResource: ({ labels, body }, ctx) => {
    const fn = taggedFunction(ctx, labels.Resource);
    for (const [k, v] of Object.entries((body.Tags ?? {}) as Record<string, string>)) fn.tags.set(k, v);
    return { status: 204 };
  },
  UntagResource: ({ labels, query }, ctx) => {
    const fn = taggedFunction(ctx, labels.Resource);
    for (const k of query.getAll('tagKeys')) fn.tags.delete(k);
    return { status: 204 };
  },
  PublishLayerVersion: ({ labels, body, headers }, ctx) => {
    const a = ctx.account;
    const name = labels.LayerName;
    if (!body.Content?.ZipFile) throw new AwsError('InvalidParameterValueException', 'Please provide a source for layer content.', 400);
    const zip = Buffer.from(body.Content.ZipFile as string, 'base64');
    if (totalCodeSize(a) + zip.length > a.quotas.codeStorageBytes) throw new AwsError('CodeStorageExceededException', 'Code storage limit exceeded.', 400);
    const version = (a.layerVersionCounter.get(name) ?? 0) + 1;
    a.layerVersionCounter.set(name, version);
    const layerArn = `arn:aws:lambda:${ctx.region}:${a.accountId}:layer:${name}`;
    const v: LayerVersion = {
      layerName: name,
      version,
      layerArn,
      arn: `${layerArn}:${version}`,
      zip,
      codeSha256: sha256b64(zip),
      codeSize: zip.length,
      description: body.Description,
      compatibleRuntimes: body.CompatibleRuntimes,
      compatibleArchitectures: body.CompatibleArchitectures,
      licenseInfo: body.LicenseInfo,
      createdAt: a.now(),
    };
    a.layers.set(name, [...(a.layers.get(name) ?? []), v]);
    return { status: 201, body: layerBody(v, headers.host ?? '127.0.0.1') };
  },
  ListLayerVersions: ({ labels, query, headers }, ctx) => {
    const runtime = query.get('CompatibleRuntime');
    const arch = query.get('CompatibleArchitecture');
    const all = [...(ctx.account.layers.get(labels.LayerName) ?? [])]
      .filter((v) => (!runtime || v.compatibleRuntimes?.includes(runtime)) && (!arch || v.compatibleArchitectures?.includes(arch)))
      .sort((x, y) => y.version - x.version);
    const max = Number(query.get('MaxItems') ?? 50);
    const start = query.get('Marker') ? Number(query.get('Marker')) : 0;
    const items = all.slice(start, start + max).map((v) => {
      const { Content: _c, LayerArn: _l, ...rest } = layerBody(v, headers.host ?? '127.0.0.1');
      return rest;
    });
    return { body: { LayerVersions: items, NextMarker: start + max < all.length ? String(start + max) : undefined } };
  },
  GetLayerVersion: ({ labels, headers }, ctx) => ({ body: layerBody(findLayerVersion(ctx, labels.LayerName, labels.VersionNumber), headers.host ?? '127.0.0.1') }),
  DeleteLayerVersion: ({ labels }, ctx) => {
    const vs = ctx.account.layers.get(labels.LayerName);
    if (vs) ctx.account.layers.set(labels.LayerName, vs.filter((v) => v.version !== Number(labels.VersionNumber)));
    return { status: 204 };
  },
  GetAccountSettings: (_i, ctx) => ({
    body: {
      AccountLimit: {
        TotalCodeSize: ctx.account.quotas.codeStorageBytes,
        CodeSizeUnzipped: 262144000,
        CodeSizeZipped: 52428800,
        ConcurrentExecutions: 1000,
        UnreservedConcurrentExecutions: 1000,
      },
      AccountUsage: { TotalCodeSize: totalCodeSize(ctx.account), FunctionCount: ctx.account.functions.size },
    },
  }),
  Invoke: invoke,
};

export const lambda: RestService = {
  protocol: 'rest-json',
  routes: lambdaRoutes,
  ops: { ...lambdaFunctionOps, ...extraOps },
};

