// The data of provisioning: what a job needs in AWS (desired), what is there (live), and the changes between them.
// Pure types and helpers; the adapters fill Live from SDK answers and carry out Changes.

/** Resource kinds in dependency order. The last three are --target scheduler's. */
export type Kind =
  | 'table'
  | 'layer'
  | 'role'
  | 'log-group'
  | 'function'
  | 'async-config'
  | 'rule'
  | 'permission'
  | 'target'
  | 'schedule-group'
  | 'scheduler-role'
  | 'schedule';

export const KINDS: readonly Kind[] = ['table', 'layer', 'role', 'log-group', 'function', 'async-config', 'rule', 'permission', 'target', 'schedule-group', 'scheduler-role', 'schedule'];

/** A comparable attribute value: JSON data, compared after canonical serialisation. */
export type Attr = string | number | boolean | null | Attr[] | { [key: string]: Attr };
export type Attrs = Record<string, Attr>;

/** Tags on every resource that carries tags. Ownership is these three, exactly. */
export const TAG_MANAGED_BY = 'managed-by';
export const TAG_HOST = 'cron2lambda:host';
export const TAG_JOB = 'cron2lambda:job';
export const MANAGED_BY = 'cron2lambda';

export interface DesiredResource {
  kind: Kind;
  /** The resource's name (role name, function name, rule name, log group name, statement id for permissions). */
  name: string;
  /** The job it belongs to; null for resources every job shares (lock table, AWS CLI layer). */
  job: string | null;
  /** The parent resource for kinds that live inside another (permission → function, target → rule). */
  parent?: string;
  attrs: Attrs;
  /** Tags to set at creation (kinds that carry tags). */
  tags?: Record<string, string>;
  /** The function's zip (not compared; CodeSha256 in attrs is). */
  zip?: Buffer;
}

export interface LiveResource {
  kind: Kind;
  name: string;
  parent?: string;
  /** cron2lambda:job and cron2lambda:host tags, when present. */
  job: string | null;
  host: string | null;
  /** Tagged managed-by=cron2lambda for this host (kinds without tags inherit their parent's answer). */
  owned: boolean;
  attrs: Attrs;
  /** ARN or other handle the adapter needs to update or delete it. */
  arn?: string;
}

export type Action = 'create' | 'update' | 'replace' | 'delete' | 'noop';

export interface AttrChange {
  attr: string;
  old: Attr | undefined;
  new: Attr | undefined;
}

export interface Change {
  action: Action;
  kind: Kind;
  name: string;
  job: string | null;
  parent?: string;
  /** For update and replace: the attributes that differ. */
  attrs: AttrChange[];
  desired?: DesiredResource;
  live?: LiveResource;
  /** Why: a delete of a rule the schedule no longer has is part of its job; a prune is not. */
  reason?: 'schedule-changed' | 'prune';
}

export function key(kind: Kind, name: string, parent?: string): string {
  return parent ? `${kind}:${parent}/${name}` : `${kind}:${name}`;
}

/** JSON with object keys sorted: two equal values serialise to the same text. */
export function canonical(value: Attr | undefined): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: Attr): Attr {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Attr } = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
    return out;
  }
  return value;
}

export function equalAttr(a: Attr | undefined, b: Attr | undefined): boolean {
  return canonical(a) === canonical(b);
}

export function ownerTags(host: string, job: string | null): Record<string, string> {
  return { [TAG_MANAGED_BY]: MANAGED_BY, [TAG_HOST]: host, ...(job ? { [TAG_JOB]: job } : {}) };
}

/** Owned = tagged managed-by=cron2lambda and for this host (and, for a job's resource, this job). */
export function isOwned(tags: Record<string, string> | undefined, host: string, job: string | null): boolean {
  if (!tags || tags[TAG_MANAGED_BY] !== MANAGED_BY || tags[TAG_HOST] !== host) return false;
  return job === null ? tags[TAG_JOB] === undefined : tags[TAG_JOB] === job;
}

/** A job that is not provisioned, and why (each reason a stable code and a message). */
export interface Blocker {
  code:
    | 'verdict-blocked'
    | 'not-migrated'
    | 'aws-cli-layer'
    | 'unowned-resource'
    | 'lock-table'
    | 'package';
  message: string;
}

export interface BlockedJob {
  job: string;
  source: { file: string; line: number };
  blockers: Blocker[];
}
