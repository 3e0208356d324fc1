// Test support: Lambda functions (restJson1) with their Pending/Active state and update status, as the local AWS
// endpoint answers them. Permissions, invoke settings, layers, tags and Invoke are in lambda-extra.ts.
import { createHash, randomUUID } from 'node:crypto';
import { readZip } from '../../../src/package/zip.js';
import type { Route } from './protocol.js';
import type { Ctx, RestInput, Wire } from './service.js';
import type { Account, LambdaFunction } from './state.js';
import { AwsError, type RestResult } from './types.js';

export const lambdaRoutes: Route[] = [
  { method: 'POST', pattern: '/2015-03-31/functions', operation: 'CreateFunction' },
  { method: 'GET', pattern: '/2015-03-31/functions', operation: 'ListFunctions' },
  { method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}', operation: 'GetFunction' },
  { method: 'DELETE', pattern: '/2015-03-31/functions/{FunctionName}', operation: 'DeleteFunction' },
  { method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}/configuration', operation: 'GetFunctionConfiguration' },
  { method: 'PUT', pattern: '/2015-03-31/functions/{FunctionName}/configuration', operation: 'UpdateFunctionConfiguration' },
  { method: 'PUT', pattern: '/2015-03-31/functions/{FunctionName}/code', operation: 'UpdateFunctionCode' },
  { method: 'POST', pattern: '/2015-03-31/functions/{FunctionName}/invocations', operation: 'Invoke' },
  { method: 'POST', pattern: '/2015-03-31/functions/{FunctionName}/policy', operation: 'AddPermission' },
  { method: 'GET', pattern: '/2015-03-31/functions/{FunctionName}/policy', operation: 'GetPolicy' },
  { method: 'DELETE', pattern: '/2015-03-31/functions/{FunctionName}/policy/{StatementId}', operation: 'RemovePermission' },
  { method: 'PUT', pattern: '/2019-09-25/functions/{FunctionName}/event-invoke-config', operation: 'PutFunctionEventInvokeConfig' },
  { method: 'GET', pattern: '/2019-09-25/functions/{FunctionName}/event-invoke-config', operation: 'GetFunctionEventInvokeConfig' },
  { method: 'DELETE', pattern: '/2019-09-25/functions/{FunctionName}/event-invoke-config', operation: 'DeleteFunctionEventInvokeConfig' },
  { method: 'GET', pattern: '/2017-03-31/tags/{Resource}', operation: 'ListTags' },
  { method: 'POST', pattern: '/2017-03-31/tags/{Resource}', operation: 'TagResource' },
  { method: 'DELETE', pattern: '/2017-03-31/tags/{Resource}', operation: 'UntagResource' },
  { method: 'POST', pattern: '/2018-10-31/layers/{LayerName}/versions', operation: 'PublishLayerVersion' },
  { method: 'GET', pattern: '/2018-10-31/layers/{LayerName}/versions', operation: 'ListLayerVersions' },
  { method: 'GET', pattern: '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}', operation: 'GetLayerVersion' },
  { method: 'DELETE', pattern: '/2018-10-31/layers/{LayerName}/versions/{VersionNumber}', operation: 'DeleteLayerVersion' },
  { method: 'GET', pattern: '/2016-08-19/account-settings', operation: 'GetAccountSettings' },
];

/** Lambda's timestamp text: 2024-05-01T12:00:00.000+0000. */
export const lambdaDate = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export const sha256b64 = (b: Buffer) => createHash('sha256').update(b).digest('base64');

export function functionArn(ctx: Ctx, name: string): string {
  return `arn:aws:lambda:${ctx.region}:${ctx.account.accountId}:function:${name}`;
}

/** A function by name, ARN or partial ARN (as Lambda accepts FunctionName). */
export function findFunction(ctx: Ctx, nameOrArn: string): LambdaFunction {
  // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], ACCOUNT:function:NAME, NAME[:QUALIFIER]
  const name = nameOrArn.startsWith('arn:') ? nameOrArn.split(':')[6] : (/^(?:\d{12}:function:)?([^:]+)/.exec(nameOrArn)?.[1] ?? nameOrArn);
  const fn = ctx.account.functions.get(name ?? '');
  if (!fn) throw new AwsError('ResourceNotFoundException', `Function not found: ${functionArn(ctx, name ?? nameOrArn)}`, 404);
  return fn;
}

export const isPending = (a: Account, fn: LambdaFunction) => a.now() < fn.pendingUntil;
export const isUpdating = (a: Account, fn: LambdaFunction) => a.now() < fn.updatingUntil;

/** Updates are refused while the function is Pending or an update is InProgress (the real message text). */
export function assertUpdatable(ctx: Ctx, fn: LambdaFunction): void {
  if (isPending(ctx.account, fn)) {
    throw new AwsError('ResourceConflictException', 'The operation cannot be performed at this time. The function is currently in the following state: Pending', 409);
  }
  if (isUpdating(ctx.account, fn)) {
    throw new AwsError('ResourceConflictException', `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`, 409);
  }
}

function validationError(field: string, value: unknown, constraint: string): AwsError {
  return new AwsError('ValidationException', `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`, 400);
}

/** Keys Lambda sets itself and refuses in a function's configuration (Lambda developer guide, "Defined runtime
 * environment variables"). TZ, LANG, PATH and LD_LIBRARY_PATH are not among them. */
export const RESERVED_ENV = new Set([
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
]);

function checkConfig(ctx: Ctx, c: Wire): void {
  if (c.Timeout !== undefined && (c.Timeout < 1 || c.Timeout > 900)) throw validationError('timeout', c.Timeout, c.Timeout < 1 ? 'Member must have value greater than or equal to 1' : 'Member must have value less than or equal to 900');
  if (c.MemorySize !== undefined && (c.MemorySize < 128 || c.MemorySize > 10240)) throw validationError('memorySize', c.MemorySize, c.MemorySize < 128 ? 'Member must have value greater than or equal to 128' : 'Member must have value less than or equal to 10240');
  for (const k of Object.keys(c.Environment?.Variables ?? {})) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(k)) throw validationError('environment.variables', k, 'Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+');
  }
  const reserved = Object.keys(c.Environment?.Variables ?? {}).filter((k) => RESERVED_ENV.has(k));
  if (reserved.length) {
    throw new AwsError('InvalidParameterValueException', `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`, 400);
  }
  if (c.Environment?.Variables && Buffer.byteLength(JSON.stringify(c.Environment.Variables)) > 4096) {
    throw new AwsError('InvalidParameterValueException', 'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.', 400);
  }
  if ((c.Layers?.length ?? 0) > 5) throw new AwsError('InvalidParameterValueException', 'Cannot reference more than 5 layers.', 400);
  for (const arn of c.Layers ?? []) {
    const m = /^arn:aws:lambda:[^:]+:(\d+):layer:([^:]+):(\d+)$/.exec(arn);
    if (!m) throw new AwsError('ValidationException', `1 validation error detected: Value '[${arn}]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)]`, 400);
    if (m[1] === ctx.account.accountId && !ctx.account.layers.get(m[2])?.some((v) => v.version === Number(m[3]))) {
      throw new AwsError('InvalidParameterValueException', `Layer version ${arn} does not exist.`, 400);
    }
  }
  if (c.Role !== undefined) checkRole(ctx, c.Role);
}

/** The role must exist, trust lambda.amazonaws.com and be old enough (IAM is eventually consistent). */
function checkRole(ctx: Ctx, roleArn: string): void {
  const a = ctx.account;
  const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!m) throw validationError('role', roleArn, 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
  const role = a.roles.get(m[2].toLowerCase());
  const cannot = new AwsError('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.', 400);
  if (!role || !role.assumeRolePolicy.includes('lambda.amazonaws.com')) throw cannot;
  if (a.now() - role.createdAt < a.timings.roleAssumableAfterMs) throw cannot;
}

function checkZip(zip: Buffer): void {
  try {
    readZip(zip);
  } catch {
    throw new AwsError('InvalidParameterValueException', 'Could not unzip uploaded file. Please check your file, then try to upload again.', 400);
  }
}

export function totalCodeSize(a: Account): number {
  let n = 0;
  for (const f of a.functions.values()) n += f.codeSize;
  for (const vs of a.layers.values()) for (const v of vs) n += v.codeSize;
  return n;
}

function checkStorage(a: Account, adding: number): void {
  if (totalCodeSize(a) + adding > a.quotas.codeStorageBytes) throw new AwsError('CodeStorageExceededException', 'Code storage limit exceeded.', 400);
}

export function configuration(ctx: Ctx, fn: LambdaFunction): Record<string, unknown> {
  const a = ctx.account;
  const c = fn.config as Wire;
  const pending = isPending(a, fn);
  const updating = isUpdating(a, fn);
  const layers = (c.Layers ?? []) as string[];
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: c.Runtime,
    Role: c.Role,
    Handler: c.Handler,
    CodeSize: fn.codeSize,
    Description: c.Description ?? '',
    Timeout: c.Timeout ?? 3,
    MemorySize: c.MemorySize ?? 128,
    LastModified: lambdaDate(fn.lastModified),
    CodeSha256: fn.codeSha256,
    Version: '$LATEST',
    VpcConfig: c.VpcConfig ? { SubnetIds: c.VpcConfig.SubnetIds ?? [], SecurityGroupIds: c.VpcConfig.SecurityGroupIds ?? [], VpcId: (c.VpcConfig.SubnetIds ?? []).length ? 'vpc-0local' : '' } : undefined,
    Environment: c.Environment?.Variables ? { Variables: c.Environment.Variables } : undefined,
    DeadLetterConfig: c.DeadLetterConfig,
    TracingConfig: { Mode: c.TracingConfig?.Mode ?? 'PassThrough' },
    RevisionId: fn.revisionId,
    Layers: layers.length ? layers.map((arn) => ({ Arn: arn, CodeSize: layerSize(a, arn) })) : undefined,
    State: pending ? 'Pending' : 'Active',
    StateReason: pending ? 'The function is being created.' : undefined,
    StateReasonCode: pending ? 'Creating' : undefined,
    LastUpdateStatus: pending ? undefined : updating ? 'InProgress' : 'Successful',
    LastUpdateStatusReason: updating ? 'The function is being updated.' : undefined,
    LastUpdateStatusReasonCode: updating ? 'Updating' : undefined,
    PackageType: 'Zip',
    Architectures: c.Architectures ?? ['x86_64'],
    EphemeralStorage: c.EphemeralStorage ?? { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: c.LoggingConfig ?? { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
  };
}

function layerSize(a: Account, arn: string): number {
  const m = /:layer:([^:]+):(\d+)$/.exec(arn);
  return (m && a.layers.get(m[1])?.find((v) => v.version === Number(m[2]))?.codeSize) || 0;
}

/** ListFunctions returns a subset of the configuration: state and update status only come from GetFunction. */
function listed(config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  for (const k of ['State', 'StateReason', 'StateReasonCode', 'LastUpdateStatus', 'LastUpdateStatusReason', 'LastUpdateStatusReasonCode']) delete out[k];
  return out;
}

/** Keys of CreateFunction kept as the function's configuration (code and tags are kept apart). */
const CONFIG_KEYS = ['Role', 'Runtime', 'Handler', 'Description', 'Timeout', 'MemorySize', 'VpcConfig', 'Environment', 'DeadLetterConfig', 'KMSKeyArn', 'TracingConfig', 'Layers', 'Architectures', 'EphemeralStorage', 'LoggingConfig'];

function pick(body: Wire, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (body[k] !== undefined) out[k] = body[k];
  return out;
}

function checkRevision(fn: LambdaFunction, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== fn.revisionId) {
    throw new AwsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id', 412);
  }
}

function startUpdate(ctx: Ctx, fn: LambdaFunction): void {
  const now = ctx.account.now();
  fn.lastModified = now;
  fn.updatingUntil = now + ctx.account.timings.functionUpdateMs;
  fn.revisionId = randomUUID();
}

export const lambdaFunctionOps: Record<string, (input: RestInput, ctx: Ctx) => RestResult> = {
  CreateFunction: ({ body }, ctx) => {
    const a = ctx.account;
    const name = body.FunctionName as string;
    if (!name || !/^[a-zA-Z0-9-_]{1,64}$/.test(name)) throw validationError('functionName', name, 'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?');
    if (a.functions.has(name)) throw new AwsError('ResourceConflictException', `Function already exist: ${name}`, 409);
    if (!body.Code?.ZipFile) throw new AwsError('InvalidParameterValueException', 'Please provide a source for function code.', 400);
    if (!body.Runtime) throw new AwsError('InvalidParameterValueException', 'The runtime parameter is required for a function of package type Zip.', 400);
    if (body.Role === undefined) throw validationError('role', null, 'Member must not be null');
    checkConfig(ctx, body);
    const zip = Buffer.from(body.Code.ZipFile as string, 'base64');
    checkZip(zip);
    checkStorage(a, zip.length);
    const now = a.now();
    const fn: LambdaFunction = {
      name,
      arn: functionArn(ctx, name),
      config: pick(body, CONFIG_KEYS),
      zip,
      codeSha256: sha256b64(zip),
      codeSize: zip.length,
      createdAt: now,
      lastModified: now,
      revisionId: randomUUID(),
      pendingUntil: now + a.timings.functionPendingMs,
      updatingUntil: 0,
      tags: new Map(Object.entries((body.Tags ?? {}) as Record<string, string>)),
      policy: [],
    };
    a.functions.set(name, fn);
    return { status: 201, body: configuration(ctx, fn) };
  },
  GetFunction: ({ labels, headers }, ctx) => {
    const fn = findFunction(ctx, labels.FunctionName);
    return {
      body: {
        Configuration: configuration(ctx, fn),
        Code: { RepositoryType: 'S3', Location: `http://${headers.host ?? '127.0.0.1'}/__local/lambda/code/${encodeURIComponent(fn.name)}` },
        Tags: fn.tags.size ? Object.fromEntries(fn.tags) : undefined,
      },
    };
  },
  GetFunctionConfiguration: ({ labels }, ctx) => ({ body: configuration(ctx, findFunction(ctx, labels.FunctionName)) }),
  ListFunctions: ({ query }, ctx) => {
    const all = [...ctx.account.functions.values()].sort((x, y) => (x.name < y.name ? -1 : 1));
    const max = Math.min(Number(query.get('MaxItems') ?? 50), 50);
    const marker = query.get('Marker');
    const start = marker ? all.findIndex((f) => f.name === Buffer.from(marker, 'base64url').toString()) : 0;
    if (start < 0) throw new AwsError('InvalidParameterValueException', 'Invalid marker', 400);
    const next = all[start + max];
    return { body: { Functions: all.slice(start, start + max).map((f) => listed(configuration(ctx, f))), NextMarker: next ? Buffer.from(next.name).toString('base64url') : undefined } };
  },
  UpdateFunctionConfiguration: ({ labels, body }, ctx) => {
    const fn = findFunction(ctx, labels.FunctionName);
    assertUpdatable(ctx, fn);
    checkRevision(fn, body.RevisionId);
    checkConfig(ctx, body);
    Object.assign(fn.config, pick(body, CONFIG_KEYS));
    startUpdate(ctx, fn);
    return { body: configuration(ctx, fn) };
  },
  UpdateFunctionCode: ({ labels, body }, ctx) => {
    const fn = findFunction(ctx, labels.FunctionName);
    assertUpdatable(ctx, fn);
    checkRevision(fn, body.RevisionId);
    if (!body.ZipFile) throw new AwsError('InvalidParameterValueException', 'Please provide a source for function code.', 400);
    const zip = Buffer.from(body.ZipFile as string, 'base64');
    checkZip(zip);
    checkStorage(ctx.account, zip.length - fn.codeSize);
    if (body.DryRun) return { body: { ...configuration(ctx, fn), CodeSha256: sha256b64(zip), CodeSize: zip.length } };
    fn.zip = zip;
    fn.codeSha256 = sha256b64(zip);
    fn.codeSize = zip.length;
    if (body.Architectures) fn.config.Architectures = body.Architectures;
    startUpdate(ctx, fn);
    return { body: configuration(ctx, fn) };
  },
  DeleteFunction: ({ labels }, ctx) => {
    const fn = findFunction(ctx, labels.FunctionName);
    ctx.account.functions.delete(fn.name);
    return { status: 204 };
  },
};
