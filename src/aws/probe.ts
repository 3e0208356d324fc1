// `cron2lambda probe` against AWS: deploy a tiny function on provided.al2023, invoke it once, record its answer,
// and delete everything it made. Every resource is named c2l-probe-<id> and tagged managed-by=cron2lambda and
// cron2lambda:probe=<id>, so a run that died half-way is cleaned up by the next one (found by name and tags; a
// resource with our name but without our tags is never touched).
//
// The role has a trust policy for lambda.amazonaws.com and no permissions at all: the probe needs none, and
// without logs:* the function cannot create a log group, so there is none to delete.
import { randomBytes } from 'node:crypto';
import type { Tag } from '@aws-sdk/client-iam';
import type { AwsClients } from './clients.js';
import { buildProbeZip } from '../runtime/probe-zip.js';
import { MACHINE_OF, parseProbeReport, snapshotFromReport, type Architecture, type RuntimeSnapshot } from '../runtime/snapshot.js';
import { iamSdk, lambdaSdk } from './sdk.js';

const { CreateRoleCommand, DeleteRoleCommand, ListRolesCommand, ListRoleTagsCommand } = iamSdk;
const {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  ListTagsCommand,
  waitUntilFunctionActiveV2,
} = lambdaSdk;

export const PROBE_PREFIX = 'c2l-probe-';
export const PROBE_ROLE_PATH = '/cron2lambda/probe/';
export const MANAGED_BY = { Key: 'managed-by', Value: 'cron2lambda' } as const;
export const PROBE_TAG = 'cron2lambda:probe';

const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export interface ProbeOptions {
  architecture: Architecture;
  /** The region the clients use (for the snapshot and the function ARN in messages). */
  region: string;
  now(): Date;
  /** Progress lines for stderr. */
  progress?(line: string): void;
  /** Waits between retries (tests pass a fast one). */
  sleep?(ms: number): Promise<void>;
  /** How long to keep retrying CreateFunction while the new role cannot be assumed yet (default 90 s). */
  roleWaitMs?: number;
  /** The run id (default random); names are c2l-probe-<id>. */
  id?: string;
}

export interface ProbeResult {
  snapshot: RuntimeSnapshot;
  /** Resources of earlier, failed runs deleted first. */
  cleanedUp: string[];
  /** Resources this run could not delete (the next run deletes them). */
  leftBehind: string[];
}

export class ProbeError extends Error {
  override name = 'ProbeError';
  constructor(
    message: string,
    readonly cleanedUp: string[] = [],
    readonly leftBehind: string[] = [],
  ) {
    super(message);
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function errName(e: unknown): string {
  return (e as { name?: string })?.name ?? '';
}

function owned(tags: Record<string, string | undefined> | undefined): boolean {
  return tags?.[MANAGED_BY.Key] === MANAGED_BY.Value && tags?.[PROBE_TAG] !== undefined;
}

/** Delete the probe functions and roles earlier runs left (ours by name and tags); returns what was deleted. */
export async function cleanupLeftovers(aws: AwsClients, progress: (l: string) => void = () => undefined): Promise<{ deleted: string[]; failed: string[] }> {
  const deleted: string[] = [];
  const failed: string[] = [];
  let marker: string | undefined;
  do {
    const page = await aws.lambda.send(new ListFunctionsCommand({ Marker: marker, MaxItems: 50 }));
    for (const f of page.Functions ?? []) {
      if (!f.FunctionName?.startsWith(PROBE_PREFIX) || !f.FunctionArn) continue;
      const { Tags } = await aws.lambda.send(new ListTagsCommand({ Resource: f.FunctionArn }));
      if (!owned(Tags)) continue;
      const what = `function ${f.FunctionName}`;
      try {
        await deleteFunction(aws, f.FunctionName);
        deleted.push(what);
        progress(`deleted ${what} left by an earlier probe`);
      } catch {
        failed.push(what);
      }
    }
    marker = page.NextMarker;
  } while (marker);
  let rmarker: string | undefined;
  do {
    const page = await aws.iam.send(new ListRolesCommand({ PathPrefix: PROBE_ROLE_PATH, Marker: rmarker }));
    for (const r of page.Roles ?? []) {
      if (!r.RoleName?.startsWith(PROBE_PREFIX)) continue;
      const { Tags } = await aws.iam.send(new ListRoleTagsCommand({ RoleName: r.RoleName }));
      if (!owned(Object.fromEntries((Tags ?? []).map((t: Tag) => [t.Key ?? '', t.Value])))) continue;
      const what = `role ${r.RoleName}`;
      try {
        await deleteRole(aws, r.RoleName);
        deleted.push(what);
        progress(`deleted ${what} left by an earlier probe`);
      } catch {
        failed.push(what);
      }
    }
    rmarker = page.IsTruncated ? page.Marker : undefined;
  } while (rmarker);
  return { deleted, failed };
}

async function deleteFunction(aws: AwsClients, name: string): Promise<void> {
  try {
    await aws.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  } catch (e) {
    if (errName(e) !== 'ResourceNotFoundException') throw e;
  }
}

async function deleteRole(aws: AwsClients, name: string): Promise<void> {
  try {
    await aws.iam.send(new DeleteRoleCommand({ RoleName: name }));
  } catch (e) {
    if (errName(e) !== 'NoSuchEntityException' && errName(e) !== 'NoSuchEntity') throw e;
  }
}

/** The error CreateFunction answers while a new role has not reached Lambda yet. */
function roleNotAssumable(e: unknown): boolean {
  return errName(e) === 'InvalidParameterValueException' && /cannot be assumed/i.test((e as Error).message ?? '');
}

export async function runProbe(aws: AwsClients, options: ProbeOptions): Promise<ProbeResult> {
  const progress = options.progress ?? (() => undefined);
  const sleep = options.sleep ?? defaultSleep;
  const id = options.id ?? randomBytes(6).toString('hex');
  const name = `${PROBE_PREFIX}${id}`;
  const tags = { [MANAGED_BY.Key]: MANAGED_BY.Value, [PROBE_TAG]: id };

  let earlier: { deleted: string[]; failed: string[] };
  try {
    earlier = await cleanupLeftovers(aws, progress);
  } catch (e) {
    throw new ProbeError(`could not look for what earlier probes left (nothing was created): ${errName(e) ? `${errName(e)}: ` : ''}${(e as Error).message}`);
  }
  const made: Array<'role' | 'function'> = [];
  let result: RuntimeSnapshot | null = null;
  let failure: unknown = null;
  try {
    progress(`creating role ${name}`);
    const role = await aws.iam.send(
      new CreateRoleCommand({
        RoleName: name,
        Path: PROBE_ROLE_PATH,
        AssumeRolePolicyDocument: TRUST_POLICY,
        Description: 'cron2lambda probe: deleted when the probe ends',
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    made.push('role');
    const zip = await buildProbeZip();
    progress(`creating function ${name} (provided.al2023, ${options.architecture})`);
    const deadline = Date.now() + (options.roleWaitMs ?? 90_000);
    for (let attempt = 0; ; attempt++) {
      try {
        await aws.lambda.send(
          new CreateFunctionCommand({
            FunctionName: name,
            Runtime: 'provided.al2023',
            Handler: 'probe.handler',
            Role: role.Role!.Arn!,
            Code: { ZipFile: zip },
            Architectures: [options.architecture],
            MemorySize: 128,
            Timeout: 60,
            Description: 'cron2lambda probe: deleted when the probe ends',
            Tags: tags,
          }),
        );
        break;
      } catch (e) {
        // A new role takes a few seconds to reach Lambda: retry with backoff until it can be assumed.
        if (!roleNotAssumable(e) || Date.now() >= deadline) throw e;
        if (attempt === 0) progress('waiting until Lambda can assume the new role');
        await sleep(Math.min(1000 * 2 ** attempt, 8000));
      }
    }
    made.push('function');
    await waitUntilFunctionActiveV2({ client: aws.lambda, maxWaitTime: 300, minDelay: 1, maxDelay: 5 }, { FunctionName: name });
    progress(`invoking ${name}`);
    const inv = await aws.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode('{}') }));
    const text = new TextDecoder().decode(inv.Payload ?? new Uint8Array());
    if (inv.FunctionError) throw new ProbeError(`the probe function failed (${inv.FunctionError}): ${text.slice(0, 2000)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ProbeError(`the probe function answered something that is not JSON: ${text.slice(0, 300)}`);
    }
    const report = parseProbeReport(json);
    if (!report.ok) throw new ProbeError(`the probe function's answer does not have the expected format: ${report.error}`);
    const expected = MACHINE_OF[options.architecture];
    if (report.value.machine !== expected) {
      throw new ProbeError(`the probe function ran on ${report.value.machine}, not ${expected} (--arch ${options.architecture})`);
    }
    const conf = await aws.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    result = snapshotFromReport(report.value, {
      region: options.region,
      architecture: options.architecture,
      takenAt: options.now(),
      runtimeVersionArn: conf.RuntimeVersionConfig?.RuntimeVersionArn ?? null,
    });
  } catch (e) {
    failure = e;
  }

  // Always clean up what this run made, even after a failure; what cannot be deleted now, the next run deletes.
  const leftBehind: string[] = [...earlier.failed];
  if (made.includes('function')) {
    try {
      await deleteFunction(aws, name);
      progress(`deleted function ${name}`);
    } catch {
      leftBehind.push(`function ${name}`);
    }
  }
  if (made.includes('role')) {
    try {
      await deleteRole(aws, name);
      progress(`deleted role ${name}`);
    } catch {
      leftBehind.push(`role ${name}`);
    }
  }
  if (failure !== null || result === null) {
    const msg = failure instanceof Error ? failure.message : String(failure);
    throw new ProbeError(`probe failed: ${errName(failure) && !(failure instanceof ProbeError) ? `${errName(failure)}: ` : ''}${msg}`, earlier.deleted, leftBehind);
  }
  return { snapshot: result, cleanedUp: earlier.deleted, leftBehind };
}
