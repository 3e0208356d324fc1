// A job's execution role: trusted by Lambda, one inline least-privilege policy, tagged as ours, under /cron2lambda/.
import { readOrNull, tagsFromList, write, type Adapter, type AwsContext } from '../adapter.js';
import { isOwned, TAG_HOST, TAG_JOB, type LiveResource } from '../model.js';
import { INLINE_POLICY, ROLE_PATH } from '../names.js';
import { normalizePolicy } from '../policy.js';
import { iamSdk } from '../sdk.js';

const {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} = iamSdk;

const POLICY_ATTR = `policy:${INLINE_POLICY}`;

function json(attr: unknown): string {
  return JSON.stringify(attr);
}

export const roleAdapter: Adapter = makeRoleAdapter('role');

/** A job's role ('role') and the host's role for Scheduler ('scheduler-role') work alike. */
export function makeRoleAdapter(kind: 'role' | 'scheduler-role'): Adapter {
  const adapter: Adapter = {
    kind,
    async read(ctx, r) {
      const got = await readOrNull(ctx, () => ctx.clients.iam.send(new GetRoleCommand({ RoleName: r.name })), ['NoSuchEntity', 'NoSuchEntityException']);
      const role = got?.Role;
      if (!role) return null;
      const tags = tagsFromList(role.Tags);
      const owned = isOwned(tags, ctx.settings.host, r.job ?? tags[TAG_JOB] ?? null);
      const live: LiveResource = { kind, name: r.name, job: tags[TAG_JOB] ?? null, host: tags[TAG_HOST] ?? null, owned, attrs: {}, ...(role.Arn ? { arn: role.Arn } : {}) };
      if (!owned) return live; // never read further into what is not ours
      const policy = await readOrNull(
        ctx,
        () => ctx.clients.iam.send(new GetRolePolicyCommand({ RoleName: r.name, PolicyName: INLINE_POLICY })),
        ['NoSuchEntity', 'NoSuchEntityException'],
      );
      live.attrs = { assumeRolePolicy: normalizePolicy(role.AssumeRolePolicyDocument), [POLICY_ATTR]: normalizePolicy(policy?.PolicyDocument) };
      return live;
    },
    async create(ctx, d) {
      const tags = Object.entries(d.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
      try {
        await write(ctx, `create role ${d.name}`, () =>
          ctx.clients.iam.send(new CreateRoleCommand({ RoleName: d.name, Path: ROLE_PATH, AssumeRolePolicyDocument: json(d.attrs.assumeRolePolicy), Tags: tags, Description: d.job ? `cron2lambda job ${d.job}` : `cron2lambda: EventBridge Scheduler for ${ctx.settings.host}` })),
        );
      } catch (e) {
        // A CreateRole whose answer was lost may have happened: if the role is there and ours, go on.
        if ((e as { name?: string }).name !== 'EntityAlreadyExists') throw e;
        const live = await adapter.read(ctx, { name: d.name, job: d.job });
        if (!live?.owned) throw e;
      }
      await write(ctx, `put policy of role ${d.name}`, () =>
        ctx.clients.iam.send(new PutRolePolicyCommand({ RoleName: d.name, PolicyName: INLINE_POLICY, PolicyDocument: json(d.attrs[POLICY_ATTR]) })),
      );
    },
    async update(ctx, change) {
      const d = change.desired!;
      for (const a of change.attrs) {
        if (a.attr === 'assumeRolePolicy') {
          await write(ctx, `update trust of role ${d.name}`, () =>
            ctx.clients.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: d.name, PolicyDocument: json(d.attrs.assumeRolePolicy) })),
          );
        } else if (a.attr === POLICY_ATTR) {
          await write(ctx, `put policy of role ${d.name}`, () =>
            ctx.clients.iam.send(new PutRolePolicyCommand({ RoleName: d.name, PolicyName: INLINE_POLICY, PolicyDocument: json(d.attrs[POLICY_ATTR]) })),
          );
        }
      }
    },
    async delete(ctx, live) {
      // IAM refuses to delete a role that still has inline policies.
      const policies = await readOrNull(ctx, () => ctx.clients.iam.send(new ListRolePoliciesCommand({ RoleName: live.name })), ['NoSuchEntity']);
      for (const p of policies?.PolicyNames ?? []) {
        await ignoreMissing(write(ctx, `delete policy of role ${live.name}`, () => ctx.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: live.name, PolicyName: p }))));
      }
      await ignoreMissing(write(ctx, `delete role ${live.name}`, () => ctx.clients.iam.send(new DeleteRoleCommand({ RoleName: live.name }))));
    },
  };
  return adapter;
}

async function ignoreMissing(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if ((e as { name?: string }).name !== 'NoSuchEntity') throw e;
  }
}

/**
 * Roles whose names carry this host's prefix, on any path: one with our name made by hand elsewhere must be seen
 * (and left alone). Ownership is then read from their tags. Up to 1000 roles per call.
 */
export async function listRoleNames(ctx: AwsContext, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await write(ctx, 'list roles', () => ctx.clients.iam.send(new ListRolesCommand({ MaxItems: 1000, ...(marker ? { Marker: marker } : {}) })));
    for (const r of page.Roles ?? []) if (r.RoleName?.startsWith(prefix)) names.push(r.RoleName);
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return names;
}
