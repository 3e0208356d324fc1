// Every AWS name cron2lambda uses, derived once from the job id (`<host>-<slug>-<hash>`, at most 56 characters of
// [a-z0-9-], see plan.ts). `c2l-<id>` is valid for every kind: Lambda [a-zA-Z0-9-_]{1,64}, IAM roles
// [\w+=,.@-]{1,64}, rules [.\-_A-Za-z0-9]{1,64}, statement ids [a-zA-Z0-9-_]{1,100}, log groups 1-512.
import { createHash } from 'node:crypto';
import { hostLabel } from '../plan/host.js';
import { functionNameFor } from '../package/artifact.js';

export const PREFIX = 'c2l-';
/** Roles live under their own path, so `ListRoles --path-prefix` finds ours without reading every role. */
export const ROLE_PATH = '/cron2lambda/';
export const INLINE_POLICY = 'cron2lambda';
/** The one target id each rule carries. */
export const TARGET_ID = 'cron2lambda';
export const AWS_CLI_LAYER = 'c2l-aws-cli';

export interface JobNames {
  function: string;
  role: string;
  logGroup: string;
  /** One rule per expression: <function>-1, -2, ... (the statement id of its permission is the same). */
  rule(index: number): string;
}

export function namesFor(jobId: string): JobNames {
  const fn = functionNameFor(jobId);
  return {
    function: fn,
    role: fn,
    logGroup: `/aws/lambda/${fn}`,
    rule: (index) => `${fn}-${index + 1}`,
  };
}

/** Every name of this host's jobs starts with this: the prefix for list calls that find what the plan dropped. */
export function hostPrefix(host: string): string {
  return `${PREFIX}${hostLabel(host)}-`;
}

/**
 * The host's schedule group (and the name of its Scheduler role, with -scheduler): the label and a hash of the full
 * host, so two hosts whose names share 20 characters still get groups of their own. 1-64 of [0-9a-zA-Z-_.].
 */
export function scheduleGroupName(host: string): string {
  return `${PREFIX}${hostLabel(host)}-${createHash('sha256').update(host).digest('hex').slice(0, 8)}`;
}

export function schedulerRoleName(host: string): string {
  return `${scheduleGroupName(host)}-scheduler`;
}

/** The job of a schedule or rule name c2l-<id>-<n>: <id>. */
export function jobOfTriggerName(name: string): string | null {
  const m = /^c2l-(.+)-\d+$/.exec(name);
  return m ? m[1] : null;
}

/** The rule's index from its name (c2l-...-3 → 2), or null. */
export function ruleIndex(ruleName: string, functionName: string): number | null {
  if (!ruleName.startsWith(`${functionName}-`)) return null;
  const n = Number(ruleName.slice(functionName.length + 1));
  return Number.isInteger(n) && n >= 1 ? n - 1 : null;
}

export function roleArn(partition: string, account: string, name: string): string {
  return `arn:${partition}:iam::${account}:role${ROLE_PATH}${name}`;
}

export function functionArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:lambda:${region}:${account}:function:${name}`;
}

export function ruleArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:events:${region}:${account}:rule/${name}`;
}

export function logGroupArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:logs:${region}:${account}:log-group:${name}`;
}

export function tableArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:dynamodb:${region}:${account}:table/${name}`;
}
