// Test support: CloudWatch Logs log groups (awsJson 1.1, Logs_20140328.*), as the local AWS endpoint answers them.
import { page, type Ctx, type JsonService, type Wire } from './service.js';
import type { LogGroup } from './state.js';
import { AwsError } from './types.js';

export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

const NOT_FOUND = () => new AwsError('ResourceNotFoundException', 'The specified log group does not exist.', 400);

function findGroup(ctx: Ctx, name: string): LogGroup {
  const g = ctx.account.logGroups.get(name);
  if (!g) throw NOT_FOUND();
  return g;
}

const groupArn = (ctx: Ctx, name: string) => `arn:aws:logs:${ctx.region}:${ctx.account.accountId}:log-group:${name}`;

/** Tagging APIs name a log group by ARN, without the trailing `:*` that DescribeLogGroups' `arn` has. */
function groupByArn(ctx: Ctx, arn: string): LogGroup {
  const m = /^arn:aws:logs:[^:]+:\d{12}:log-group:(.+)$/.exec(arn ?? '');
  if (!m) throw new AwsError('InvalidParameterException', `Invalid resourceArn: ${arn}`, 400);
  // DescribeLogGroups' `arn` (with `:*`) names no log group here: tagging takes `logGroupArn`.
  const g = ctx.account.logGroups.get(m[1]);
  if (!g) throw new AwsError('ResourceNotFoundException', `The specified resource does not exist.`, 400);
  return g;
}

function addTags(g: LogGroup, tags: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(tags ?? {})) g.tags.set(k, v);
  if (g.tags.size > 50) throw new AwsError('TooManyTagsException', 'A resource can have no more than 50 tags.', 400);
}

export const logs: JsonService = {
  protocol: 'json',
  version: '1.1',
  targetPrefix: 'Logs_20140328',
  ops: {
    CreateLogGroup: (i: Wire, ctx) => {
      const name = i.logGroupName as string;
      if (!name || !/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name)) {
        throw new AwsError('InvalidParameterException', `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`, 400);
      }
      if (ctx.account.logGroups.has(name)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists', 400);
      const g: LogGroup = { name, createdAt: ctx.account.now(), kmsKeyId: i.kmsKeyId, logGroupClass: i.logGroupClass ?? 'STANDARD', tags: new Map() };
      addTags(g, i.tags);
      ctx.account.logGroups.set(name, g);
      return {};
    },
    DescribeLogGroups: (i: Wire, ctx) => {
      const all = [...ctx.account.logGroups.values()]
        .filter((g) => (!i.logGroupNamePrefix || g.name.startsWith(i.logGroupNamePrefix)) && (!i.logGroupNamePattern || g.name.includes(i.logGroupNamePattern)))
        .sort((x, y) => (x.name < y.name ? -1 : 1));
      const { items, next } = page(all, i.nextToken, Math.min(i.limit ?? 50, 50));
      return {
        logGroups: items.map((g) => ({
          logGroupName: g.name,
          creationTime: g.createdAt,
          retentionInDays: g.retentionInDays,
          metricFilterCount: 0,
          arn: `${groupArn(ctx, g.name)}:*`,
          logGroupArn: groupArn(ctx, g.name),
          storedBytes: 0,
          kmsKeyId: g.kmsKeyId,
          logGroupClass: g.logGroupClass,
        })),
        nextToken: next,
      };
    },
    PutRetentionPolicy: (i: Wire, ctx) => {
      const g = findGroup(ctx, i.logGroupName);
      if (!RETENTION_DAYS.includes(i.retentionInDays)) {
        throw new AwsError('InvalidParameterException', `1 validation error detected: Value '${i.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`, 400);
      }
      g.retentionInDays = i.retentionInDays;
      return {};
    },
    DeleteRetentionPolicy: (i: Wire, ctx) => {
      findGroup(ctx, i.logGroupName).retentionInDays = undefined;
      return {};
    },
    DeleteLogGroup: (i: Wire, ctx) => {
      findGroup(ctx, i.logGroupName);
      ctx.account.logGroups.delete(i.logGroupName);
      return {};
    },
    ListTagsForResource: (i: Wire, ctx) => ({ tags: Object.fromEntries(groupByArn(ctx, i.resourceArn).tags) }),
    TagResource: (i: Wire, ctx) => {
      addTags(groupByArn(ctx, i.resourceArn), i.tags);
      return {};
    },
    UntagResource: (i: Wire, ctx) => {
      const g = groupByArn(ctx, i.resourceArn);
      for (const k of (i.tagKeys ?? []) as string[]) g.tags.delete(k);
      return {};
    },
    ListTagsLogGroup: (i: Wire, ctx) => ({ tags: Object.fromEntries(findGroup(ctx, i.logGroupName).tags) }),
    TagLogGroup: (i: Wire, ctx) => {
      addTags(findGroup(ctx, i.logGroupName), i.tags);
      return {};
    },
    UntagLogGroup: (i: Wire, ctx) => {
      const g = findGroup(ctx, i.logGroupName);
      for (const k of (i.tags ?? []) as string[]) g.tags.delete(k);
      return {};
    },
  },
};
