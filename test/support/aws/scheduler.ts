// Test support: EventBridge Scheduler (restJson1) schedule groups, schedules and group tags, as the local AWS
// endpoint answers them. The group `default` always exists and cannot be deleted.
import { validScheduleExpression } from './events.js';
import { trustAllows } from './iam.js';
import type { Route } from './protocol.js';
import { page, tagList, tagMap, type Ctx, type RestService, type Wire } from './service.js';
import type { Schedule, ScheduleGroup } from './state.js';
import { AwsError } from './types.js';

const routes: Route[] = [
  { method: 'POST', pattern: '/schedule-groups/{Name}', operation: 'CreateScheduleGroup' },
  { method: 'GET', pattern: '/schedule-groups/{Name}', operation: 'GetScheduleGroup' },
  { method: 'DELETE', pattern: '/schedule-groups/{Name}', operation: 'DeleteScheduleGroup' },
  { method: 'GET', pattern: '/schedule-groups', operation: 'ListScheduleGroups' },
  { method: 'POST', pattern: '/schedules/{Name}', operation: 'CreateSchedule' },
  { method: 'GET', pattern: '/schedules/{Name}', operation: 'GetSchedule' },
  { method: 'PUT', pattern: '/schedules/{Name}', operation: 'UpdateSchedule' },
  { method: 'DELETE', pattern: '/schedules/{Name}', operation: 'DeleteSchedule' },
  { method: 'GET', pattern: '/schedules', operation: 'ListSchedules' },
  { method: 'GET', pattern: '/tags/{ResourceArn}', operation: 'ListTagsForResource' },
  { method: 'POST', pattern: '/tags/{ResourceArn}', operation: 'TagResource' },
  { method: 'DELETE', pattern: '/tags/{ResourceArn}', operation: 'UntagResource' },
];

const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const ZONES = new Set<string>([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'GMT']);

const groupArn = (ctx: Ctx, name: string) => `arn:aws:scheduler:${ctx.region}:${ctx.account.accountId}:schedule-group/${name}`;
const seconds = (ms: number) => ms / 1000;

function validation(message: string): AwsError {
  return new AwsError('ValidationException', message, 400);
}

function checkName(name: string, field = 'name'): void {
  if (!NAME.test(name)) throw validation(`1 validation error detected: Value '${name}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$`);
}

/** The group, creating `default` on first use (it always exists in Scheduler). */
function findGroup(ctx: Ctx, name: string): ScheduleGroup {
  let g = ctx.account.scheduleGroups.get(name);
  if (!g && name === 'default') {
    const now = ctx.account.now();
    g = { name, arn: groupArn(ctx, name), createdAt: now, modifiedAt: now, tags: new Map() };
    ctx.account.scheduleGroups.set(name, g);
  }
  if (!g) throw new AwsError('ResourceNotFoundException', `Schedule group ${name} does not exist.`, 404);
  return g;
}

function findSchedule(ctx: Ctx, group: string, name: string): Schedule {
  findGroup(ctx, group);
  const s = ctx.account.schedules.get(`${group}/${name}`);
  if (!s) throw new AwsError('ResourceNotFoundException', `Schedule ${name} does not exist.`, 404);
  return s;
}

/** Scheduler checks at create and update that it can assume the target's role: a role of this account must exist,
 * trust scheduler.amazonaws.com with the context Scheduler supplies (aws:SourceAccount = the account,
 * aws:SourceArn = the schedule GROUP's ARN, not the schedule's) and be old enough (IAM is eventually consistent). */
function checkExecutionRole(ctx: Ctx, roleArn: string, group: string): void {
  const a = ctx.account;
  const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!m) throw validation(`Invalid RoleArn ${roleArn}.`);
  if (m[1] !== a.accountId) return;
  const role = a.roles.get(m[2].toLowerCase());
  const context = { 'aws:SourceAccount': a.accountId, 'aws:SourceArn': groupArn(ctx, group) };
  if (!role || !trustAllows(role.assumeRolePolicy, 'scheduler.amazonaws.com', context) || a.now() - role.createdAt < a.timings.roleAssumableAfterMs) {
    throw validation('The execution role you provide must allow AWS EventBridge Scheduler to assume the role.');
  }
}

const SCHEDULE_KEYS = ['ScheduleExpression', 'Target', 'FlexibleTimeWindow', 'StartDate', 'EndDate', 'Description', 'ScheduleExpressionTimezone', 'State', 'KmsKeyArn', 'ActionAfterCompletion'];

function scheduleConfig(ctx: Ctx, body: Wire, group: string): Record<string, unknown> {
  if (!body.ScheduleExpression) throw validation("1 validation error detected: Value null at 'scheduleExpression' failed to satisfy constraint: Member must not be null");
  const expr = body.ScheduleExpression as string;
  if (!/^at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\)$/.test(expr) && !validScheduleExpression(expr)) {
    throw validation(`Invalid Schedule Expression ${body.ScheduleExpression}.`);
  }
  if (!body.Target?.Arn || !body.Target?.RoleArn) throw validation("1 validation error detected: Value null at 'target.roleArn' failed to satisfy constraint: Member must not be null");
  const ftw = body.FlexibleTimeWindow;
  if (!ftw || !['OFF', 'FLEXIBLE'].includes(ftw.Mode)) throw validation("1 validation error detected: Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null");
  if (ftw.Mode === 'FLEXIBLE' && !ftw.MaximumWindowInMinutes) throw validation('MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE.');
  if (body.ScheduleExpressionTimezone && !ZONES.has(body.ScheduleExpressionTimezone)) throw validation(`Invalid ScheduleExpressionTimezone ${body.ScheduleExpressionTimezone}.`);
  if (body.State && !['ENABLED', 'DISABLED'].includes(body.State)) throw validation(`1 validation error detected: Value '${body.State}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [DISABLED, ENABLED]`);
  checkExecutionRole(ctx, body.Target.RoleArn as string, group);
  const retry = body.Target.RetryPolicy;
  if (retry?.MaximumRetryAttempts !== undefined && (retry.MaximumRetryAttempts < 0 || retry.MaximumRetryAttempts > 185)) throw validation('MaximumRetryAttempts must be between 0 and 185.');
  if (retry?.MaximumEventAgeInSeconds !== undefined && (retry.MaximumEventAgeInSeconds < 60 || retry.MaximumEventAgeInSeconds > 86400)) throw validation('MaximumEventAgeInSeconds must be between 60 and 86400.');
  const out: Record<string, unknown> = {};
  for (const k of SCHEDULE_KEYS) if (body[k] !== undefined) out[k] = body[k];
  out.State ??= 'ENABLED';
  out.ActionAfterCompletion ??= 'NONE';
  return out;
}

/** Tags belong to schedule groups (schedules are not taggable). */
function groupByArn(ctx: Ctx, arn: string): ScheduleGroup {
  const m = /^arn:aws:scheduler:[^:]+:\d{12}:schedule-group\/([^/]+)$/.exec(arn);
  if (!m) throw validation(`Invalid ResourceArn ${arn}.`);
  return findGroup(ctx, m[1]);
}

function groupBody(g: ScheduleGroup): Record<string, unknown> {
  return { Arn: g.arn, CreationDate: seconds(g.createdAt), LastModificationDate: seconds(g.modifiedAt), Name: g.name, State: 'ACTIVE' };
}

export const scheduler: RestService = {
  protocol: 'rest-json',
  routes,
  ops: {
    CreateScheduleGroup: ({ labels, body }, ctx) => {
      const a = ctx.account;
      checkName(labels.Name);
      findGroup(ctx, 'default');
      if (a.scheduleGroups.has(labels.Name)) throw new AwsError('ConflictException', `Schedule group ${labels.Name} already exists.`, 409);
      if (a.scheduleGroups.size >= a.quotas.scheduleGroupsPerAccount) throw new AwsError('ServiceQuotaExceededException', 'Schedule group quota exceeded.', 402);
      const now = a.now();
      const g: ScheduleGroup = { name: labels.Name, arn: groupArn(ctx, labels.Name), createdAt: now, modifiedAt: now, tags: tagMap(body.Tags) };
      a.scheduleGroups.set(g.name, g);
      return { body: { ScheduleGroupArn: g.arn } };
    },
    GetScheduleGroup: ({ labels }, ctx) => ({ body: groupBody(findGroup(ctx, labels.Name)) }),
    DeleteScheduleGroup: ({ labels }, ctx) => {
      if (labels.Name === 'default') throw validation('Cannot delete the default schedule group.');
      const g = findGroup(ctx, labels.Name);
      for (const [k, s] of ctx.account.schedules) if (s.group === g.name) ctx.account.schedules.delete(k);
      ctx.account.scheduleGroups.delete(g.name);
      return { body: {} };
    },
    ListScheduleGroups: ({ query }, ctx) => {
      findGroup(ctx, 'default');
      const prefix = query.get('NamePrefix');
      const all = [...ctx.account.scheduleGroups.values()].filter((g) => !prefix || g.name.startsWith(prefix)).sort((x, y) => (x.name < y.name ? -1 : 1));
      const { items, next } = page(all, query.get('NextToken') ?? undefined, Number(query.get('MaxResults') ?? 100));
      return { body: { ScheduleGroups: items.map(groupBody), NextToken: next } };
    },
    CreateSchedule: ({ labels, body }, ctx) => {
      const a = ctx.account;
      checkName(labels.Name);
      const group = findGroup(ctx, body.GroupName ?? 'default');
      const key = `${group.name}/${labels.Name}`;
      if (a.schedules.has(key)) throw new AwsError('ConflictException', `Schedule ${labels.Name} already exists.`, 409);
      const config = scheduleConfig(ctx, body, group.name);
      if (a.schedules.size >= a.quotas.schedulesPerAccount) throw new AwsError('ServiceQuotaExceededException', 'Schedule quota exceeded.', 402);
      const now = a.now();
      const s: Schedule = { group: group.name, name: labels.Name, arn: `arn:aws:scheduler:${ctx.region}:${a.accountId}:schedule/${group.name}/${labels.Name}`, config, createdAt: now, modifiedAt: now };
      a.schedules.set(key, s);
      return { body: { ScheduleArn: s.arn } };
    },
    GetSchedule: ({ labels, query }, ctx) => {
      const s = findSchedule(ctx, query.get('groupName') ?? 'default', labels.Name);
      return { body: { ...s.config, Arn: s.arn, Name: s.name, GroupName: s.group, CreationDate: seconds(s.createdAt), LastModificationDate: seconds(s.modifiedAt) } };
    },
    UpdateSchedule: ({ labels, body }, ctx) => {
      const s = findSchedule(ctx, body.GroupName ?? 'default', labels.Name);
      // UpdateSchedule replaces the whole schedule: fields left out take their defaults.
      s.config = scheduleConfig(ctx, body, s.group);
      s.modifiedAt = ctx.account.now();
      return { body: { ScheduleArn: s.arn } };
    },
    DeleteSchedule: ({ labels, query }, ctx) => {
      const s = findSchedule(ctx, query.get('groupName') ?? 'default', labels.Name);
      ctx.account.schedules.delete(`${s.group}/${s.name}`);
      return { body: {} };
    },
    ListSchedules: ({ query }, ctx) => {
      const group = query.get('ScheduleGroup');
      const prefix = query.get('NamePrefix');
      const state = query.get('State');
      if (group) findGroup(ctx, group);
      const all = [...ctx.account.schedules.values()]
        .filter((s) => (!group || s.group === group) && (!prefix || s.name.startsWith(prefix)) && (!state || s.config.State === state))
        .sort((x, y) => (x.group + '/' + x.name < y.group + '/' + y.name ? -1 : 1));
      const { items, next } = page(all, query.get('NextToken') ?? undefined, Number(query.get('MaxResults') ?? 100));
      return {
        body: {
          Schedules: items.map((s) => ({
            Arn: s.arn,
            CreationDate: seconds(s.createdAt),
            GroupName: s.group,
            LastModificationDate: seconds(s.modifiedAt),
            Name: s.name,
            State: s.config.State,
            Target: { Arn: (s.config.Target as { Arn: string }).Arn },
          })),
          NextToken: next,
        },
      };
    },
    ListTagsForResource: ({ labels }, ctx) => ({ body: { Tags: tagList(groupByArn(ctx, labels.ResourceArn).tags) } }),
    TagResource: ({ labels, body }, ctx) => {
      tagMap(body.Tags, groupByArn(ctx, labels.ResourceArn).tags);
      return { body: {} };
    },
    UntagResource: ({ labels, query }, ctx) => {
      const g = groupByArn(ctx, labels.ResourceArn);
      for (const k of query.getAll('TagKeys')) g.tags.delete(k);
      return { body: {} };
    },
  },
};
