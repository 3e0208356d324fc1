// EventBridge Scheduler (--target scheduler): one schedule group per host (tagged; schedules carry no tags and are
// ours because the group is), one schedule per expression in the job's own zone.
import { readOrNull, tagsFromList, write, type Adapter, type AwsContext } from '../adapter.js';
import { isOwned, TAG_HOST, type Attr, type Attrs, type DesiredResource } from '../model.js';
import { schedulerSdk } from '../sdk.js';

const {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  UpdateScheduleCommand,
} = schedulerSdk;

const NOT_FOUND = ['ResourceNotFoundException'];

export const scheduleGroupAdapter: Adapter = {
  kind: 'schedule-group',
  async read(ctx, r) {
    const got = await readOrNull(ctx, () => ctx.clients.scheduler.send(new GetScheduleGroupCommand({ Name: r.name })), NOT_FOUND);
    if (!got) return null;
    const tags = got.Arn ? tagsFromList((await write(ctx, 'read', () => ctx.clients.scheduler.send(new ListTagsForResourceCommand({ ResourceArn: got.Arn })))).Tags) : {};
    return { kind: 'schedule-group', name: r.name, job: null, host: tags[TAG_HOST] ?? null, owned: isOwned(tags, ctx.settings.host, null), attrs: {}, ...(got.Arn ? { arn: got.Arn } : {}) };
  },
  async create(ctx, d) {
    try {
      await write(ctx, `create schedule group ${d.name}`, () =>
        ctx.clients.scheduler.send(new CreateScheduleGroupCommand({ Name: d.name, Tags: Object.entries(d.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) })),
      );
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConflictException') throw e;
      const live = await scheduleGroupAdapter.read(ctx, { name: d.name, job: null });
      if (!live?.owned) throw e;
    }
  },
  async update() {
    // A group has nothing to change but its tags, which make it ours.
  },
  async delete(ctx, live) {
    try {
      await write(ctx, `delete schedule group ${live.name}`, () => ctx.clients.scheduler.send(new DeleteScheduleGroupCommand({ Name: live.name })));
    } catch (e) {
      if (!NOT_FOUND.includes((e as { name?: string }).name ?? '')) throw e;
    }
  },
};

function target(attrs: Attrs) {
  const t = attrs.target as { [k: string]: Attr };
  const retry = t.retryPolicy as { maximumRetryAttempts: number; maximumEventAgeSeconds: number };
  return {
    Arn: t.arn as string,
    RoleArn: t.roleArn as string,
    Input: t.input as string,
    RetryPolicy: { MaximumRetryAttempts: retry.maximumRetryAttempts, MaximumEventAgeInSeconds: retry.maximumEventAgeSeconds },
    ...(t.deadLetterArn ? { DeadLetterConfig: { Arn: t.deadLetterArn as string } } : {}),
  };
}

function input(d: DesiredResource) {
  return {
    Name: d.name,
    GroupName: d.parent!,
    ScheduleExpression: d.attrs.scheduleExpression as string,
    ScheduleExpressionTimezone: d.attrs.timezone as string,
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    State: d.attrs.state as 'ENABLED' | 'DISABLED',
    Description: d.attrs.description as string,
    Target: target(d.attrs),
  };
}

export const scheduleAdapter: Adapter = {
  kind: 'schedule',
  async read(ctx, r) {
    const got = await readOrNull(ctx, () => ctx.clients.scheduler.send(new GetScheduleCommand({ Name: r.name, GroupName: r.parent! })), NOT_FOUND);
    if (!got) return null;
    const t = got.Target;
    return {
      kind: 'schedule',
      name: r.name,
      parent: r.parent!,
      job: r.job,
      host: ctx.settings.host,
      owned: true,
      attrs: {
        scheduleExpression: got.ScheduleExpression ?? null,
        timezone: got.ScheduleExpressionTimezone ?? null,
        state: got.State ?? null,
        flexibleTimeWindow: got.FlexibleTimeWindow?.Mode ?? null,
        description: got.Description ?? null,
        target: {
          arn: t?.Arn ?? null,
          roleArn: t?.RoleArn ?? null,
          input: t?.Input ?? null,
          retryPolicy: { maximumRetryAttempts: t?.RetryPolicy?.MaximumRetryAttempts ?? null, maximumEventAgeSeconds: t?.RetryPolicy?.MaximumEventAgeInSeconds ?? null },
          deadLetterArn: t?.DeadLetterConfig?.Arn ?? null,
        },
      },
    };
  },
  async create(ctx, d) {
    try {
      await write(ctx, `create schedule ${d.name}`, () => ctx.clients.scheduler.send(new CreateScheduleCommand(input(d))));
    } catch (e) {
      // Made by an attempt whose answer was lost: UpdateSchedule replaces it with exactly what we want.
      if ((e as { name?: string }).name !== 'ConflictException') throw e;
      await write(ctx, `update schedule ${d.name}`, () => ctx.clients.scheduler.send(new UpdateScheduleCommand(input(d))));
    }
  },
  async update(ctx, change) {
    await write(ctx, `update schedule ${change.name}`, () => ctx.clients.scheduler.send(new UpdateScheduleCommand(input(change.desired!))));
  },
  async delete(ctx, live) {
    try {
      await write(ctx, `delete schedule ${live.name}`, () => ctx.clients.scheduler.send(new DeleteScheduleCommand({ Name: live.name, GroupName: live.parent! })));
    } catch (e) {
      if (!NOT_FOUND.includes((e as { name?: string }).name ?? '')) throw e;
    }
  },
};

export async function listScheduleNames(ctx: AwsContext, group: string): Promise<string[]> {
  const names: string[] = [];
  let next: string | undefined;
  do {
    const page = await readOrNull(ctx, () => ctx.clients.scheduler.send(new ListSchedulesCommand({ GroupName: group, ...(next ? { NextToken: next } : {}) })), NOT_FOUND);
    for (const s of page?.Schedules ?? []) if (s.Name) names.push(s.Name);
    next = page?.NextToken;
  } while (next);
  return names;
}
