// Before any write: who we are and where, and whether everything the changes create fits the account's quotas.
// Read-only calls; a problem stops the run before the first write, with the figures that show why.
import { write, type AwsContext } from './adapter.js';
import { countRules } from './adapters/events.js';
import type { AwsClients } from './clients.js';
import type { Change } from './model.js';
import { iamSdk, lambdaSdk, schedulerSdk, stsSdk } from './sdk.js';

const { GetAccountSummaryCommand } = iamSdk;
const { GetAccountSettingsCommand } = lambdaSdk;
const { GetCallerIdentityCommand } = stsSdk;
const { ListSchedulesCommand } = schedulerSdk;

export interface Identity {
  account: string;
  arn: string;
  partition: string;
  region: string;
}

export async function whoAmI(clients: AwsClients): Promise<Identity> {
  const region = await clients.region();
  const got = await clients.sts.send(new GetCallerIdentityCommand({}));
  const arn = got.Arn ?? '';
  return { account: got.Account ?? '', arn, partition: arn.split(':')[1] || 'aws', region };
}

/** EventBridge's default quota of rules per event bus (adjustable; no API reads it without Service Quotas). */
export const DEFAULT_RULES_QUOTA = 300;

/** A quota this run would pass: what is used, the quota (bytes for code-storage) and what the run would add. */
export interface QuotaProblem {
  code: 'role-quota' | 'rule-quota' | 'schedule-quota' | 'code-storage';
  args: { used: number; quota: number; adding: number };
}

export interface PreflightResult {
  roles?: { used: number; quota: number; adding: number };
  rules?: { used: number; quota: number; adding: number };
  schedules?: { used: number; quota: number; adding: number };
  codeStorage?: { used: number; limit: number; adding: number };
  problems: QuotaProblem[];
}

function net(changes: Change[], kind: Change['kind']): number {
  let n = 0;
  for (const c of changes) if (c.kind === kind) n += c.action === 'create' ? 1 : c.action === 'delete' ? -1 : 0;
  return n;
}

/** EventBridge Scheduler's default quota of schedules per account and region. */
export const DEFAULT_SCHEDULES_QUOTA = 1_000_000;

/** Schedules in every group of the account (100 per call). */
async function countSchedules(ctx: AwsContext): Promise<number> {
  let n = 0;
  let next: string | undefined;
  do {
    const page = await write(ctx, 'list schedules', () => ctx.clients.scheduler.send(new ListSchedulesCommand({ MaxResults: 100, ...(next ? { NextToken: next } : {}) })));
    n += page.Schedules?.length ?? 0;
    next = page.NextToken;
  } while (next);
  return n;
}

export async function preflight(ctx: AwsContext, changes: Change[], options: { rulesQuota: number; layerBytes: number; schedulesQuota?: number }): Promise<PreflightResult> {
  const result: PreflightResult = { problems: [] };
  const addRoles = net(changes, 'role') + net(changes, 'scheduler-role');
  if (addRoles > 0) {
    const summary = await write(ctx, 'read', () => ctx.clients.iam.send(new GetAccountSummaryCommand({})));
    const used = summary.SummaryMap?.Roles ?? 0;
    const quota = summary.SummaryMap?.RolesQuota ?? 1000;
    result.roles = { used, quota, adding: addRoles };
    if (used + addRoles > quota) {
      result.problems.push({ code: 'role-quota', args: result.roles });
    }
  }
  const addRules = net(changes, 'rule');
  if (addRules > 0) {
    const used = await countRules(ctx);
    result.rules = { used, quota: options.rulesQuota, adding: addRules };
    if (used + addRules > options.rulesQuota) {
      result.problems.push({ code: 'rule-quota', args: result.rules });
    }
  }
  const addSchedules = net(changes, 'schedule');
  if (addSchedules > 0) {
    const used = await countSchedules(ctx);
    result.schedules = { used, quota: options.schedulesQuota ?? DEFAULT_SCHEDULES_QUOTA, adding: addSchedules };
    if (used + addSchedules > result.schedules.quota) {
      result.problems.push({ code: 'schedule-quota', args: result.schedules });
    }
  }
  const adding =
    changes.reduce((n, c) => n + (c.kind === 'function' && (c.action === 'create' || c.attrs.some((a) => a.attr === 'codeSha256')) ? (c.desired?.zip?.length ?? 0) : 0), 0) +
    (changes.some((c) => c.kind === 'layer' && c.action !== 'noop') ? options.layerBytes : 0);
  if (adding > 0) {
    const settings = await write(ctx, 'read', () => ctx.clients.lambda.send(new GetAccountSettingsCommand({})));
    const used = settings.AccountUsage?.TotalCodeSize ?? 0;
    const limit = settings.AccountLimit?.TotalCodeSize ?? 75 * 1024 ** 3;
    result.codeStorage = { used, limit, adding };
    if (used + adding > limit) {
      result.problems.push({ code: 'code-storage', args: { used, quota: limit, adding } });
    }
  }
  return result;
}
