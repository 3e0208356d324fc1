// The function, its asynchronous invocation settings, its permissions for EventBridge, and the AWS CLI layer.
import type { Architecture, GetFunctionCommandOutput } from '@aws-sdk/client-lambda';
import { readOrNull, waiterConfig, write, type Adapter, type AwsContext } from '../adapter.js';
import { LAYER_SYMBOL } from '../desired.js';
import { isOwned, TAG_HOST, TAG_JOB, type Attrs, type DesiredResource } from '../model.js';
import { AWS_CLI_LAYER } from '../names.js';
import { RUNTIME } from '../../package/artifact.js';
import { lambdaSdk } from '../sdk.js';

const {
  AddPermissionCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  GetPolicyCommand,
  ListFunctionsCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  PutFunctionEventInvokeConfigCommand,
  RemovePermissionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} = lambdaSdk;

const NOT_FOUND = ['ResourceNotFoundException'];

function functionAttrs(got: GetFunctionCommandOutput): Attrs {
  const c = got.Configuration ?? {};
  return {
    runtime: c.Runtime ?? null,
    handler: c.Handler ?? null,
    role: c.Role ?? null,
    architecture: c.Architectures?.[0] ?? 'x86_64',
    memoryMb: c.MemorySize ?? null,
    timeoutSeconds: c.Timeout ?? null,
    environment: { ...(c.Environment?.Variables ?? {}) },
    layers: (c.Layers ?? []).map((l) => l.Arn ?? ''),
    subnetIds: [...(c.VpcConfig?.SubnetIds ?? [])].sort(),
    securityGroupIds: [...(c.VpcConfig?.SecurityGroupIds ?? [])].sort(),
    codeSha256: c.CodeSha256 ?? null,
  };
}

/** The layer ARNs to give Lambda: our layer's symbol becomes the version apply just published or found. */
function layerArns(ctx: AwsContext, layers: string[]): string[] {
  return layers.map((l) => {
    if (l !== LAYER_SYMBOL) return l;
    if (!ctx.layer.arn) throw new Error(`the ${AWS_CLI_LAYER} layer has no published version yet`);
    return ctx.layer.arn;
  });
}

function configuration(ctx: AwsContext, d: DesiredResource) {
  const a = d.attrs;
  return {
    FunctionName: d.name,
    Runtime: a.runtime as 'provided.al2023',
    Handler: a.handler as string,
    Role: a.role as string,
    MemorySize: a.memoryMb as number,
    Timeout: a.timeoutSeconds as number,
    Environment: { Variables: a.environment as Record<string, string> },
    Layers: layerArns(ctx, a.layers as string[]),
    VpcConfig: { SubnetIds: a.subnetIds as string[], SecurityGroupIds: a.securityGroupIds as string[] },
  };
}

async function waitActive(ctx: AwsContext, name: string) {
  await waitUntilFunctionActiveV2(waiterConfig(ctx, ctx.clients.lambda), { FunctionName: name });
}

async function waitUpdated(ctx: AwsContext, name: string) {
  await waitUntilFunctionUpdatedV2(waiterConfig(ctx, ctx.clients.lambda), { FunctionName: name });
}

const CODE_ATTRS = new Set(['codeSha256', 'architecture']);

export const functionAdapter: Adapter = {
  kind: 'function',
  async read(ctx, r) {
    const got = await readOrNull(ctx, () => ctx.clients.lambda.send(new GetFunctionCommand({ FunctionName: r.name })), NOT_FOUND);
    if (!got) return null;
    const tags = got.Tags ?? {};
    const owned = isOwned(tags, ctx.settings.host, r.job ?? tags[TAG_JOB] ?? null);
    return {
      kind: 'function',
      name: r.name,
      job: tags[TAG_JOB] ?? null,
      host: tags[TAG_HOST] ?? null,
      owned,
      attrs: owned ? functionAttrs(got) : {},
      ...(got.Configuration?.FunctionArn ? { arn: got.Configuration.FunctionArn } : {}),
    };
  },
  async create(ctx, d) {
    if (!d.zip) throw new Error(`no zip for ${d.name}`);
    const zip = d.zip;
    try {
      // Just after CreateRole, Lambda may not yet be able to assume the role: write() waits that out.
      await write(ctx, `create function ${d.name}`, () =>
        ctx.clients.lambda.send(
          new CreateFunctionCommand({
            ...configuration(ctx, d),
            Code: { ZipFile: zip },
            Architectures: [d.attrs.architecture as Architecture],
            PackageType: 'Zip',
            Tags: d.tags,
          }),
        ),
      );
    } catch (e) {
      // A create whose answer was lost: the next run reads it back and updates; here, report the failure.
      if ((e as { name?: string }).name !== 'ResourceConflictException') throw e;
      const live = await functionAdapter.read(ctx, { name: d.name, job: d.job });
      if (!live?.owned) throw e;
    }
    await waitActive(ctx, d.name);
  },
  async update(ctx, change) {
    const d = change.desired!;
    const names = new Set(change.attrs.map((a) => a.attr));
    // An update while the function is Pending or mid-update fails with ResourceConflictException: wait first.
    await waitActive(ctx, d.name);
    if ([...names].some((n) => CODE_ATTRS.has(n))) {
      await write(
        ctx,
        `update code of ${d.name}`,
        () => ctx.clients.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: d.name, ZipFile: d.zip, Architectures: [d.attrs.architecture as Architecture] })),
        () => waitUpdated(ctx, d.name),
      );
      await waitUpdated(ctx, d.name);
    }
    if ([...names].some((n) => !CODE_ATTRS.has(n))) {
      await write(
        ctx,
        `update configuration of ${d.name}`,
        () => ctx.clients.lambda.send(new UpdateFunctionConfigurationCommand(configuration(ctx, d))),
        () => waitUpdated(ctx, d.name),
      );
      await waitUpdated(ctx, d.name);
    }
  },
  async delete(ctx, live) {
    try {
      await write(ctx, `delete function ${live.name}`, () => ctx.clients.lambda.send(new DeleteFunctionCommand({ FunctionName: live.name })));
    } catch (e) {
      if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
    }
  },
};

export async function listFunctionNames(ctx: AwsContext, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await write(ctx, 'list functions', () => ctx.clients.lambda.send(new ListFunctionsCommand({ ...(marker ? { Marker: marker } : {}) })));
    for (const f of page.Functions ?? []) if (f.FunctionName?.startsWith(prefix)) names.push(f.FunctionName);
    marker = page.NextMarker;
  } while (marker);
  return names;
}

export const asyncConfigAdapter: Adapter = {
  kind: 'async-config',
  async read(ctx, r) {
    const got = await readOrNull(ctx, () => ctx.clients.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: r.name })), NOT_FOUND);
    if (!got) return null;
    return {
      kind: 'async-config',
      name: r.name,
      job: r.job,
      host: ctx.settings.host,
      owned: true,
      attrs: {
        maximumRetryAttempts: got.MaximumRetryAttempts ?? null,
        maximumEventAgeSeconds: got.MaximumEventAgeInSeconds ?? null,
        onFailure: got.DestinationConfig?.OnFailure?.Destination ?? null,
      },
    };
  },
  async create(ctx, d) {
    await putAsync(ctx, d);
  },
  async update(ctx, change) {
    await putAsync(ctx, change.desired!);
  },
  async delete() {
    // Goes with its function.
  },
};

function putAsync(ctx: AwsContext, d: DesiredResource) {
  const onFailure = d.attrs.onFailure as string | null;
  // Put replaces the whole configuration: an absent destination removes one set earlier.
  return write(ctx, `set async invoke config of ${d.name}`, () =>
    ctx.clients.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: d.name,
        MaximumRetryAttempts: d.attrs.maximumRetryAttempts as number,
        MaximumEventAgeInSeconds: d.attrs.maximumEventAgeSeconds as number,
        DestinationConfig: onFailure ? { OnFailure: { Destination: onFailure } } : {},
      }),
    ),
  );
}

interface Statement {
  Sid?: string;
  Principal?: { Service?: string } | string;
  Action?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

/** The statements of a function's resource policy (one GetPolicy per function, shared by its permissions). */
export async function readStatements(ctx: AwsContext, functionName: string): Promise<Map<string, Attrs>> {
  const got = await readOrNull(ctx, () => ctx.clients.lambda.send(new GetPolicyCommand({ FunctionName: functionName })), NOT_FOUND);
  const out = new Map<string, Attrs>();
  if (!got?.Policy) return out;
  const doc = JSON.parse(got.Policy) as { Statement?: Statement[] };
  for (const s of doc.Statement ?? []) {
    if (!s.Sid) continue;
    const cond = s.Condition ?? {};
    const pick = (name: string) => {
      for (const m of Object.values(cond)) for (const [k, v] of Object.entries(m)) if (k.toLowerCase() === name.toLowerCase()) return Array.isArray(v) ? v[0] : v;
      return null;
    };
    out.set(s.Sid, {
      principal: typeof s.Principal === 'string' ? s.Principal : (s.Principal?.Service ?? null),
      action: Array.isArray(s.Action) ? s.Action[0] : (s.Action ?? null),
      sourceArn: pick('AWS:SourceArn'),
      sourceAccount: pick('AWS:SourceAccount'),
    });
  }
  return out;
}

export const permissionAdapter: Adapter = {
  kind: 'permission',
  async read(ctx, r) {
    const attrs = (await readStatements(ctx, r.parent!)).get(r.name);
    return attrs ? { kind: 'permission', name: r.name, parent: r.parent!, job: r.job, host: ctx.settings.host, owned: true, attrs } : null;
  },
  async create(ctx, d) {
    try {
      await write(ctx, `add permission ${d.name}`, () =>
        ctx.clients.lambda.send(
          new AddPermissionCommand({
            FunctionName: d.parent!,
            StatementId: d.name,
            Action: d.attrs.action as string,
            Principal: d.attrs.principal as string,
            SourceArn: d.attrs.sourceArn as string,
            SourceAccount: d.attrs.sourceAccount as string,
          }),
        ),
      );
    } catch (e) {
      // The statement id is taken: an earlier attempt whose answer was lost. Compare, and replace if it differs.
      if ((e as { name?: string }).name !== 'ResourceConflictException') throw e;
      const live = await permissionAdapter.read(ctx, { name: d.name, parent: d.parent!, job: d.job });
      if (!live) throw e;
      if (JSON.stringify(live.attrs) !== JSON.stringify(d.attrs)) {
        await permissionAdapter.delete(ctx, live);
        await permissionAdapter.create(ctx, d);
      }
    }
  },
  async update(ctx, change) {
    await permissionAdapter.delete(ctx, change.live!);
    await permissionAdapter.create(ctx, change.desired!);
  },
  async delete(ctx, live) {
    try {
      await write(ctx, `remove permission ${live.name}`, () => ctx.clients.lambda.send(new RemovePermissionCommand({ FunctionName: live.parent!, StatementId: live.name })));
    } catch (e) {
      if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
    }
  },
};

const LAYER_DESCRIPTION = 'AWS CLI v2 for cron2lambda, sha256:';

/** Our AWS CLI layer, found by the content hash in a version's description: published once, reused after. */
export const layerAdapter: Adapter = {
  kind: 'layer',
  async read(ctx, r) {
    let marker: string | undefined;
    const want = (ctx.settings.awsCliLayer && 'sha256' in ctx.settings.awsCliLayer ? ctx.settings.awsCliLayer.sha256 : '') || null;
    do {
      const page = await readOrNull(ctx, () => ctx.clients.lambda.send(new ListLayerVersionsCommand({ LayerName: r.name, ...(marker ? { Marker: marker } : {}) })), NOT_FOUND);
      for (const v of page?.LayerVersions ?? []) {
        const sha = v.Description?.startsWith(LAYER_DESCRIPTION) ? v.Description.slice(LAYER_DESCRIPTION.length) : null;
        if (sha && sha === want && v.LayerVersionArn) {
          ctx.layer.arn = v.LayerVersionArn;
          return { kind: 'layer', name: r.name, job: null, host: null, owned: true, attrs: { contentSha256: sha }, arn: v.LayerVersionArn };
        }
      }
      marker = page?.NextMarker;
    } while (marker);
    return null;
  },
  async create(ctx, d) {
    if (!ctx.layer.zip) throw new Error('no AWS CLI layer zip');
    const zip = ctx.layer.zip;
    const got = await write(ctx, `publish layer ${d.name}`, () =>
      ctx.clients.lambda.send(
        new PublishLayerVersionCommand({
          LayerName: d.name,
          Description: `${LAYER_DESCRIPTION}${d.attrs.contentSha256 as string}`,
          Content: { ZipFile: zip },
          CompatibleRuntimes: [RUNTIME],
          CompatibleArchitectures: [ctx.settings.architecture],
        }),
      ),
    );
    ctx.layer.arn = got.LayerVersionArn;
  },
  async update(ctx, change) {
    await layerAdapter.create(ctx, change.desired!);
  },
  async delete() {
    // Layer versions are immutable and cheap; old ones are left for functions that may still use them.
  },
};

