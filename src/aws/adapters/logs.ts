// The function's log group, made before the function so its retention applies from the first line.
import type { LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { write, type Adapter, type AwsContext } from '../adapter.js';
import { isOwned, TAG_HOST, TAG_JOB, type LiveResource } from '../model.js';
import { logGroupArn } from '../names.js';
import { logsSdk } from '../sdk.js';

const {
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
} = logsSdk;

async function describe(ctx: AwsContext, prefix: string): Promise<LogGroup[]> {
  const groups: LogGroup[] = [];
  let nextToken: string | undefined;
  do {
    const page = await write(ctx, 'read', () =>
      ctx.clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, ...(nextToken ? { nextToken } : {}) })),
    );
    groups.push(...(page.logGroups ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return groups;
}

async function liveOf(ctx: AwsContext, group: LogGroup, job: string | null): Promise<LiveResource> {
  const s = ctx.settings;
  const name = group.logGroupName!;
  const arn = logGroupArn(s.partition, s.region, s.account, name);
  const got = await write(ctx, 'read', () => ctx.clients.logs.send(new ListTagsForResourceCommand({ resourceArn: arn })));
  const tags = got.tags ?? {};
  return {
    kind: 'log-group',
    name,
    job: tags[TAG_JOB] ?? null,
    host: tags[TAG_HOST] ?? null,
    owned: isOwned(tags, s.host, job ?? tags[TAG_JOB] ?? null),
    attrs: { retentionInDays: group.retentionInDays ?? null },
    arn,
  };
}

export const logGroupAdapter: Adapter = {
  kind: 'log-group',
  async read(ctx, r) {
    const group = (await describe(ctx, r.name)).find((g) => g.logGroupName === r.name);
    return group ? liveOf(ctx, group, r.job) : null;
  },
  async create(ctx, d) {
    try {
      await write(ctx, `create log group ${d.name}`, () => ctx.clients.logs.send(new CreateLogGroupCommand({ logGroupName: d.name, tags: d.tags })));
    } catch (e) {
      if ((e as { name?: string }).name !== 'ResourceAlreadyExistsException') throw e;
      const live = await logGroupAdapter.read(ctx, { name: d.name, job: d.job });
      if (!live?.owned) throw e;
    }
    await putRetention(ctx, d.name, d.attrs.retentionInDays as number);
  },
  async update(ctx, change) {
    await putRetention(ctx, change.name, change.desired!.attrs.retentionInDays as number);
  },
  async delete(ctx, live) {
    try {
      await write(ctx, `delete log group ${live.name}`, () => ctx.clients.logs.send(new DeleteLogGroupCommand({ logGroupName: live.name })));
    } catch (e) {
      if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
    }
  },
};

function putRetention(ctx: AwsContext, name: string, days: number) {
  return write(ctx, `set retention of ${name}`, () => ctx.clients.logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: days })));
}

/** Log groups whose names start with /aws/lambda/<prefix> (one call per 50), without their tags yet. */
export async function listLogGroups(ctx: AwsContext, functionPrefix: string): Promise<LogGroup[]> {
  return (await describe(ctx, `/aws/lambda/${functionPrefix}`)).filter((g) => g.logGroupName);
}

/** A listed group with its tags (one call): ownership is read from them. */
export function liveLogGroup(ctx: AwsContext, group: LogGroup, job: string | null): Promise<LiveResource> {
  return liveOf(ctx, group, job);
}
