// Test support: IAM (awsQuery) roles and their policies and tags, as the local AWS endpoint answers them.
import { QueryParams, XmlMap } from './protocol.js';
import { randomId, type Ctx, type QueryService } from './service.js';
import type { Account, Role } from './state.js';
import { AwsError } from './types.js';

/** IAM answers policy documents URL-encoded (RFC 3986); the SDK hands them over as they are. */
export const encodePolicy = (doc: string) => encodeURIComponent(doc);

const MAX_INLINE_POLICY_CHARS = 10_240;
const MAX_TAGS = 50;

function findRole(a: Account, name: string): Role {
  const role = a.roles.get(name.toLowerCase());
  if (!role) throw new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  return role;
}

function checkPolicy(doc: string): void {
  try {
    const parsed = JSON.parse(doc) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
  } catch {
    throw new AwsError('MalformedPolicyDocument', 'This policy contains invalid Json', 400);
  }
}

function readTags(p: QueryParams): Map<string, string> {
  const tags = new Map<string, string>();
  for (const t of p.structs('Tags')) tags.set(t.req('Key'), t.get('Value') ?? '');
  return tags;
}

function roleXml(r: Role, withTags: boolean): Record<string, unknown> {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.id,
    Arn: r.arn,
    CreateDate: new Date(r.createdAt),
    AssumeRolePolicyDocument: encodePolicy(r.assumeRolePolicy),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
    Tags: withTags && r.tags.size > 0 ? [...r.tags].map(([Key, Value]) => ({ Key, Value })) : undefined,
    RoleLastUsed: withTags ? {} : undefined,
  };
}

function inlineSize(r: Role, replacing?: string, doc?: string): number {
  let n = 0;
  for (const [name, d] of r.inlinePolicies) if (name !== replacing) n += d.replace(/\s/g, '').length;
  return n + (doc ? doc.replace(/\s/g, '').length : 0);
}

export function createRole(ctx: Ctx, p: QueryParams): Role {
  const a = ctx.account;
  const name = p.req('RoleName');
  const doc = p.req('AssumeRolePolicyDocument');
  if (a.roles.has(name.toLowerCase())) throw new AwsError('EntityAlreadyExists', `Role with name ${name} already exists.`, 409);
  if (a.roles.size >= a.quotas.rolesPerAccount) {
    throw new AwsError('LimitExceeded', `Cannot exceed quota for RolesPerAccount: ${a.quotas.rolesPerAccount}`, 409);
  }
  checkPolicy(doc);
  const tags = readTags(p);
  if (tags.size > MAX_TAGS) throw new AwsError('LimitExceeded', `Cannot exceed quota for TagsPerRole: ${MAX_TAGS}`, 409);
  const path = p.get('Path') ?? '/';
  const role: Role = {
    name,
    id: randomId('AROA'),
    arn: `arn:aws:iam::${a.accountId}:role${path}${name}`,
    path,
    createdAt: a.now(),
    assumeRolePolicy: doc,
    description: p.get('Description'),
    maxSessionDuration: p.int('MaxSessionDuration') ?? 3600,
    tags,
    inlinePolicies: new Map(),
    attachedPolicies: new Map(),
  };
  a.roles.set(name.toLowerCase(), role);
  return role;
}

export const iam: QueryService = {
  protocol: 'query',
  ops: {
    CreateRole: (p, ctx) => ({ Role: roleXml(createRole(ctx, p), true) }),
    GetRole: (p, ctx) => ({ Role: roleXml(findRole(ctx.account, p.req('RoleName')), true) }),
    UpdateAssumeRolePolicy: (p, ctx) => {
      const role = findRole(ctx.account, p.req('RoleName'));
      const doc = p.req('PolicyDocument');
      checkPolicy(doc);
      role.assumeRolePolicy = doc;
      return undefined;
    },
    UpdateRole: (p, ctx) => {
      const role = findRole(ctx.account, p.req('RoleName'));
      if (p.get('Description') !== undefined) role.description = p.get('Description');
      if (p.int('MaxSessionDuration') !== undefined) role.maxSessionDuration = p.int('MaxSessionDuration')!;
      return {};
    },
    DeleteRole: (p, ctx) => {
      const role = findRole(ctx.account, p.req('RoleName'));
      if (role.inlinePolicies.size > 0) throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
      if (role.attachedPolicies.size > 0) throw new AwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', 409);
      ctx.account.roles.delete(role.name.toLowerCase());
      return undefined;
    },
    PutRolePolicy: (p, ctx) => {
      const role = findRole(ctx.account, p.req('RoleName'));
      const name = p.req('PolicyName');
      const doc = p.req('PolicyDocument');
      checkPolicy(doc);
      if (inlineSize(role, name, doc) > MAX_INLINE_POLICY_CHARS) {
        throw new AwsError('LimitExceeded', `Maximum policy size of ${MAX_INLINE_POLICY_CHARS} bytes exceeded for role ${role.name}`, 409);
      }
      role.inlinePolicies.set(name, doc);
      return undefined;
    },
    GetRolePolicy: (p, ctx) => {
      const role = findRole(ctx.account, p.req('RoleName'));
      const name = p.req('PolicyName');
      const doc = role.inlinePolicies.get(name);
      if (doc === undefined) throw new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
      return { RoleName: role.name, PolicyName: name, PolicyDocument: encodePolicy(doc) };
    },
    DeleteRolePolicy: (p, ctx) => {
      const role = findRole(ctx.account, p.req('RoleName'));
      const name = p.req('PolicyName');
      if (!role.inlinePolicies.delete(name)) throw new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, 404);
      return undefined;
    },
    ListRolePolicies: (p, ctx) => ({ PolicyNames: [...findRole(ctx.account, p.req('RoleName')).inlinePolicies.keys()].sort(), IsTruncated: false }),
    AttachRolePolicy: (p, ctx) => {
      const role = findRole(ctx.account, p.req('RoleName'));
      const arn = p.req('PolicyArn');
      role.attachedPolicies.set(arn, arn.slice(arn.lastIndexOf('/') + 1));
      return undefined;
    },
    DetachRolePolicy: (p, ctx) => {
      const role = findRole(ctx.account, p.req('RoleName'));
      const arn = p.req('PolicyArn');
      if (!role.attachedPolicies.delete(arn)) throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, 404);
      return undefined;
    },
    ListAttachedRolePolicies: (p, ctx) => ({
      AttachedPolicies: [...findRole(ctx.account, p.req('RoleName')).attachedPolicies].map(([PolicyArn, PolicyName]) => ({ PolicyName, PolicyArn })),
      IsTruncated: false,
    }),
    ListRoleTags: (p, ctx) => ({
      Tags: [...findRole(ctx.account, p.req('RoleName')).tags].map(([Key, Value]) => ({ Key, Value })),
      IsTruncated: false,
    }),
    TagRole: (p, ctx) => {
      const role = findRole(ctx.account, p.req('RoleName'));
      const merged = new Map([...role.tags, ...readTags(p)]);
      if (merged.size > MAX_TAGS) throw new AwsError('LimitExceeded', `Cannot exceed quota for TagsPerRole: ${MAX_TAGS}`, 409);
      role.tags.clear();
      for (const [k, v] of merged) role.tags.set(k, v);
      return undefined;
    },
    UntagRole: (p, ctx) => {
      const role = findRole(ctx.account, p.req('RoleName'));
      for (const k of p.strings('TagKeys')) role.tags.delete(k);
      return undefined;
    },
    ListRoles: (p, ctx) => {
      const prefix = p.get('PathPrefix') ?? '/';
      const all = [...ctx.account.roles.values()].filter((r) => r.path.startsWith(prefix)).sort((x, y) => (x.name.toLowerCase() < y.name.toLowerCase() ? -1 : 1));
      const max = p.int('MaxItems') ?? 100;
      const marker = p.get('Marker');
      const start = marker ? all.findIndex((r) => r.name.toLowerCase() === Buffer.from(marker, 'base64url').toString()) : 0;
      if (start < 0) throw new AwsError('ValidationError', 'Invalid Marker', 400);
      const items = all.slice(start, start + max);
      const next = all[start + max];
      return {
        Roles: items.map((r) => roleXml(r, false)),
        IsTruncated: next !== undefined,
        Marker: next ? Buffer.from(next.name.toLowerCase()).toString('base64url') : undefined,
      };
    },
    GetAccountSummary: (_p, ctx) => {
      const a = ctx.account;
      const policies = [...a.roles.values()].reduce((n, r) => n + r.inlinePolicies.size, 0);
      return {
        SummaryMap: new XmlMap([
          ['Roles', a.roles.size],
          ['RolesQuota', a.quotas.rolesPerAccount],
          ['RolePolicySizeQuota', MAX_INLINE_POLICY_CHARS],
          ['Policies', 0],
          ['PoliciesQuota', 1500],
          ['AttachedPoliciesPerRoleQuota', 10],
          ['InstanceProfiles', 0],
          ['InstanceProfilesQuota', 1000],
          ['Users', 1],
          ['UsersQuota', 5000],
          ['Groups', 0],
          ['GroupsQuota', 300],
          ['ServerCertificates', 0],
          ['ServerCertificatesQuota', 20],
          ['AccountMFAEnabled', 0],
          ['InlineRolePolicies', policies],
        ]),
      };
    },
  },
};

export const sts: QueryService = {
  protocol: 'query',
  ops: {
    GetCallerIdentity: (_p, ctx) => ({
      UserId: 'AIDALOCALTESTUSER0001',
      Account: ctx.account.accountId,
      Arn: `arn:aws:iam::${ctx.account.accountId}:user/local-test`,
    }),
  },
};

/** Whether a trust policy lets SERVICE assume the role with this request context (e.g. aws:SourceAccount and
 * aws:SourceArn, which EventBridge Scheduler supplies as the account and the schedule group's ARN). Evaluates Allow
 * statements for the service principal and sts:AssumeRole, with StringEquals/StringLike/ArnEquals/ArnLike
 * conditions; a condition on a key the context lacks fails, as in IAM. Other operators are not modelled (allowed). */
export function trustAllows(doc: string, service: string, context: Record<string, string>): boolean {
  let policy: { Statement?: unknown };
  try {
    policy = JSON.parse(doc) as { Statement?: unknown };
  } catch {
    return false;
  }
  const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const like = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);
  const ctx = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return list(policy.Statement as Record<string, unknown>[] | undefined).some((st) => {
    if (st.Effect !== 'Allow') return false;
    const principal = st.Principal as { Service?: string | string[] } | undefined;
    if (!list(principal?.Service).includes(service)) return false;
    if (!list(st.Action as string | string[]).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')) return false;
    for (const [op, conds] of Object.entries((st.Condition ?? {}) as Record<string, Record<string, string | string[]>>)) {
      const wildcard = /Like$/.test(op);
      if (!/^(StringEquals|StringLike|ArnEquals|ArnLike)$/.test(op)) continue;
      for (const [key, values] of Object.entries(conds)) {
        const actual = ctx.get(key.toLowerCase());
        if (actual === undefined) return false;
        if (!list(values).some((v) => (wildcard ? like(v, actual) : v === actual))) return false;
      }
    }
    return true;
  });
}

/**
 * Whether an identity policy allows ACTION on RESOURCE with this request context (e.g. `aws:ResourceTag/<key>` for
 * each tag of the resource, as Lambda supplies for InvokeFunction). No service calls this: IAM is not enforced here,
 * so tests ask it what a role's policy would let the role do on AWS. Allow statements only (none of ours Deny);
 * Action and Resource with `*` and `?` wildcards; conditions StringEquals, StringLike, ArnEquals, ArnLike (every key
 * must hold, a key the context lacks fails, as in IAM). Any other operator throws: an answer it cannot give is not
 * a yes.
 */
export function identityAllows(doc: string | object, action: string, resource: string, context: Record<string, string> = {}): boolean {
  const policy = (typeof doc === 'string' ? JSON.parse(doc.startsWith('%7B') ? decodeURIComponent(doc) : doc) : doc) as { Statement?: unknown };
  const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const like = (pattern: string, value: string, caseless = false) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseless ? 'i' : '').test(value);
  const ctx = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  return list(policy.Statement as Record<string, unknown>[] | undefined).some((st) => {
    if (st.Effect !== 'Allow') return false;
    if (st.NotAction !== undefined || st.NotResource !== undefined) throw new Error('identityAllows: NotAction/NotResource are not modelled');
    if (!list(st.Action as string | string[]).some((a) => like(a, action, true))) return false;
    if (!list(st.Resource as string | string[]).some((r) => like(r, resource))) return false;
    for (const [op, conds] of Object.entries((st.Condition ?? {}) as Record<string, Record<string, string | string[]>>)) {
      if (!/^(StringEquals|StringLike|ArnEquals|ArnLike)$/.test(op)) throw new Error(`identityAllows: condition operator ${op} is not modelled`);
      const wildcard = /Like$/.test(op);
      for (const [key, values] of Object.entries(conds)) {
        const actual = ctx.get(key.toLowerCase());
        if (actual === undefined) return false;
        if (!list(values).some((v) => (wildcard ? like(v, actual) : v === actual))) return false;
      }
    }
    return true;
  });
}
