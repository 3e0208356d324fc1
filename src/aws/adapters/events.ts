// One EventBridge rule per expression of a job's schedule, and its one target: the job's function.
import { readOrNull, tagsFromList, write, type Adapter, type AwsContext } from '../adapter.js';
import { isOwned, TAG_HOST, TAG_JOB, type Attrs, type DesiredResource, type LiveResource } from '../model.js';
import { ruleArn } from '../names.js';
import { eventsSdk } from '../sdk.js';

const {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} = eventsSdk;

const NOT_FOUND = ['ResourceNotFoundException'];

export const ruleAdapter: Adapter = {
  kind: 'rule',
  async read(ctx, r) {
    const got = await readOrNull(ctx, () => ctx.clients.events.send(new DescribeRuleCommand({ Name: r.name })), NOT_FOUND);
    if (!got) return null;
    const s = ctx.settings;
    const arn = got.Arn ?? ruleArn(s.partition, s.region, s.account, r.name);
    const tags = tagsFromList((await write(ctx, 'read', () => ctx.clients.events.send(new ListTagsForResourceCommand({ ResourceARN: arn })))).Tags);
    const owned = isOwned(tags, s.host, r.job ?? tags[TAG_JOB] ?? null);
    return {
      kind: 'rule',
      name: r.name,
      job: tags[TAG_JOB] ?? null,
      host: tags[TAG_HOST] ?? null,
      owned,
      attrs: owned ? ({ scheduleExpression: got.ScheduleExpression ?? null, state: got.State ?? null, description: got.Description ?? null } as Attrs) : {},
      arn,
    };
  },
  async create(ctx, d) {
    // Created DISABLED when it should end up ENABLED: it is enabled last, after its target and permission exist.
    await putRule(ctx, d, 'DISABLED');
  },
  async update(ctx, change) {
    // PutRule replaces the whole rule: every attribute is given, the state kept until the last step.
    const liveState = change.live?.attrs.state === 'ENABLED' ? 'ENABLED' : 'DISABLED';
    const want = change.desired!.attrs.state;
    if (change.attrs.some((a) => a.attr !== 'state')) await putRule(ctx, change.desired!, want === 'DISABLED' ? 'DISABLED' : liveState);
    else if (want === 'DISABLED' && liveState === 'ENABLED') await setState(ctx, change.name, 'DISABLED');
  },
  async delete(ctx, live) {
    // A rule with targets cannot be deleted: remove ours (and only then the rule).
    const targets = await readOrNull(ctx, () => ctx.clients.events.send(new ListTargetsByRuleCommand({ Rule: live.name })), NOT_FOUND);
    const ids = (targets?.Targets ?? []).map((t) => t.Id!).filter(Boolean);
    if (ids.length > 0) await write(ctx, `remove targets of ${live.name}`, () => ctx.clients.events.send(new RemoveTargetsCommand({ Rule: live.name, Ids: ids })));
    try {
      await write(ctx, `delete rule ${live.name}`, () => ctx.clients.events.send(new DeleteRuleCommand({ Name: live.name })));
    } catch (e) {
      if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
    }
  },
};

function putRule(ctx: AwsContext, d: DesiredResource, state: 'ENABLED' | 'DISABLED') {
  return write(ctx, `put rule ${d.name}`, () =>
    ctx.clients.events.send(
      new PutRuleCommand({
        Name: d.name,
        ScheduleExpression: d.attrs.scheduleExpression as string,
        State: state,
        Description: d.attrs.description as string,
        Tags: Object.entries(d.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      }),
    ),
  );
}

export function setState(ctx: AwsContext, name: string, state: 'ENABLED' | 'DISABLED') {
  return write(ctx, `${state === 'ENABLED' ? 'enable' : 'disable'} rule ${name}`, () =>
    ctx.clients.events.send(state === 'ENABLED' ? new EnableRuleCommand({ Name: name }) : new DisableRuleCommand({ Name: name })),
  );
}

/** After target and permission: whether the rule still has to be enabled (the last step of its job). */
export function needsEnable(change: { action: string; desired?: DesiredResource; live?: LiveResource }): boolean {
  if (change.desired?.attrs.state !== 'ENABLED') return false;
  if (change.action === 'create') return true;
  return change.live?.attrs.state !== 'ENABLED';
}

export async function listRuleNames(ctx: AwsContext, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let next: string | undefined;
  do {
    const page = await write(ctx, 'list rules', () => ctx.clients.events.send(new ListRulesCommand({ NamePrefix: prefix, ...(next ? { NextToken: next } : {}) })));
    for (const r of page.Rules ?? []) if (r.Name) names.push(r.Name);
    next = page.NextToken;
  } while (next);
  return names;
}

/** Rules on the default bus (all of them, for the quota check). */
export async function countRules(ctx: AwsContext): Promise<number> {
  let n = 0;
  let next: string | undefined;
  do {
    const page = await write(ctx, 'list rules', () => ctx.clients.events.send(new ListRulesCommand({ ...(next ? { NextToken: next } : {}), Limit: 100 })));
    n += page.Rules?.length ?? 0;
    next = page.NextToken;
  } while (next);
  return n;
}

export const targetAdapter: Adapter = {
  kind: 'target',
  async read(ctx, r) {
    const got = await readOrNull(ctx, () => ctx.clients.events.send(new ListTargetsByRuleCommand({ Rule: r.parent! })), NOT_FOUND);
    const t = got?.Targets?.find((x) => x.Id === r.name);
    if (!t) return null;
    return { kind: 'target', name: r.name, parent: r.parent!, job: r.job, host: ctx.settings.host, owned: true, attrs: { arn: t.Arn ?? null } };
  },
  async create(ctx, d) {
    await putTarget(ctx, d);
  },
  async update(ctx, change) {
    await putTarget(ctx, change.desired!);
  },
  async delete(ctx, live) {
    try {
      await write(ctx, `remove target of ${live.parent}`, () => ctx.clients.events.send(new RemoveTargetsCommand({ Rule: live.parent!, Ids: [live.name] })));
    } catch (e) {
      if ((e as { name?: string }).name !== 'ResourceNotFoundException') throw e;
    }
  },
};

async function putTarget(ctx: AwsContext, d: DesiredResource) {
  const got = await write(ctx, `put target of ${d.parent}`, () =>
    ctx.clients.events.send(new PutTargetsCommand({ Rule: d.parent!, Targets: [{ Id: d.name, Arn: d.attrs.arn as string }] })),
  );
  // PutTargets answers 200 with failed entries: success that is not.
  if ((got.FailedEntryCount ?? 0) > 0) {
    const f = got.FailedEntries?.[0];
    throw Object.assign(new Error(`PutTargets failed for ${d.parent}: ${f?.ErrorCode ?? ''} ${f?.ErrorMessage ?? ''}`.trim()), { name: f?.ErrorCode ?? 'PutTargetsFailed' });
  }
}
