// Test support: EventBridge rules and targets (awsJson 1.1, AWSEvents.*), as the local AWS endpoint answers them.
import { page, tagList, tagMap, type Ctx, type JsonService, type Wire } from './service.js';
import type { Rule } from './state.js';
import { AwsError } from './types.js';

const LIMIT = () => new AwsError('LimitExceededException', 'The requested resource exceeds the maximum number allowed.', 400);

function ruleKey(bus: string | undefined, name: string): string {
  return `${bus ?? 'default'}/${name}`;
}

function findRule(ctx: Ctx, name: string, bus?: string): Rule {
  const rule = ctx.account.rules.get(ruleKey(bus, name));
  if (!rule) throw new AwsError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus ?? 'default'}.`, 400);
  return rule;
}

function ruleByArn(ctx: Ctx, arn: string): Rule {
  for (const r of ctx.account.rules.values()) if (r.arn === arn) return r;
  const m = /:rule\/(?:([^/]+)\/)?([^/]+)$/.exec(arn);
  throw new AwsError('ResourceNotFoundException', `Rule ${m?.[2] ?? arn} does not exist on EventBus ${m?.[1] ?? 'default'}.`, 400);
}

/** EventBridge's schedule syntax: rate(1 minute) / rate(N minutes|hours|days), cron with six fields and `?` in
 * exactly one of day-of-month and day-of-week. */
export function validScheduleExpression(expr: string): boolean {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    return n >= 1 && (n === 1) === !rate[2].endsWith('s');
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (!cron) return false;
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) return false;
  return (fields[2] === '?') !== (fields[4] === '?');
}

function describe(r: Rule, accountId: string): Record<string, unknown> {
  return {
    Name: r.name,
    Arn: r.arn,
    EventPattern: r.eventPattern,
    ScheduleExpression: r.scheduleExpression,
    State: r.state,
    Description: r.description,
    RoleArn: r.roleArn,
    EventBusName: r.eventBus,
    CreatedBy: accountId,
  };
}

export const events: JsonService = {
  protocol: 'json',
  version: '1.1',
  targetPrefix: 'AWSEvents',
  ops: {
    PutRule: (i: Wire, ctx) => {
      const a = ctx.account;
      const name = i.Name as string;
      if (!name || !/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) {
        throw new AwsError('ValidationException', `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`, 400);
      }
      if (!i.ScheduleExpression && !i.EventPattern) throw new AwsError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.', 400);
      if (i.ScheduleExpression && !validScheduleExpression(i.ScheduleExpression)) throw new AwsError('ValidationException', 'Parameter ScheduleExpression is not valid.', 400);
      const state = (i.State as string | undefined) ?? 'ENABLED';
      if (!['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'].includes(state)) {
        throw new AwsError('ValidationException', `1 validation error detected: Value '${state}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]`, 400);
      }
      const bus = (i.EventBusName as string | undefined) ?? 'default';
      const key = ruleKey(bus, name);
      const existing = a.rules.get(key);
      if (!existing) {
        const onBus = [...a.rules.values()].filter((r) => r.eventBus === bus).length;
        if (onBus >= a.quotas.rulesPerBus) throw LIMIT();
      }
      const arn = `arn:aws:events:${ctx.region}:${a.accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
      // PutRule replaces the rule: fields left out are not kept. Tags apply when the rule is created (TagResource after).
      const rule: Rule = {
        name,
        arn,
        eventBus: bus,
        scheduleExpression: i.ScheduleExpression,
        eventPattern: i.EventPattern,
        state,
        description: i.Description,
        roleArn: i.RoleArn,
        targets: existing?.targets ?? [],
        tags: existing?.tags ?? tagMap(i.Tags),
      };
      a.rules.set(key, rule);
      return { RuleArn: arn };
    },
    DescribeRule: (i: Wire, ctx) => describe(findRule(ctx, i.Name, i.EventBusName), ctx.account.accountId),
    DeleteRule: (i: Wire, ctx) => {
      const key = ruleKey(i.EventBusName, i.Name);
      const rule = ctx.account.rules.get(key);
      // Deleting a rule that does not exist succeeds, as in EventBridge.
      if (!rule) return {};
      if (rule.targets.length > 0 && !i.Force) throw new AwsError('ValidationException', "Rule can't be deleted since it has targets.", 400);
      ctx.account.rules.delete(key);
      return {};
    },
    ListRules: (i: Wire, ctx) => {
      const bus = (i.EventBusName as string | undefined) ?? 'default';
      const all = [...ctx.account.rules.values()]
        .filter((r) => r.eventBus === bus && (!i.NamePrefix || r.name.startsWith(i.NamePrefix)))
        .sort((x, y) => (x.name < y.name ? -1 : 1));
      const { items, next } = page(all, i.NextToken, Math.min(i.Limit ?? 100, 100));
      return { Rules: items.map((r) => { const { CreatedBy: _c, ...rest } = describe(r, ''); return rest; }), NextToken: next };
    },
    EnableRule: (i: Wire, ctx) => {
      findRule(ctx, i.Name, i.EventBusName).state = 'ENABLED';
      return {};
    },
    DisableRule: (i: Wire, ctx) => {
      findRule(ctx, i.Name, i.EventBusName).state = 'DISABLED';
      return {};
    },
    PutTargets: (i: Wire, ctx) => {
      const rule = findRule(ctx, i.Rule, i.EventBusName);
      const targets = [...rule.targets];
      for (const t of (i.Targets ?? []) as Wire[]) {
        const at = targets.findIndex((x) => x.Id === t.Id);
        if (at >= 0) targets[at] = t;
        else targets.push(t);
      }
      if (targets.length > ctx.account.quotas.targetsPerRule) throw LIMIT();
      rule.targets = targets;
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    RemoveTargets: (i: Wire, ctx) => {
      const rule = findRule(ctx, i.Rule, i.EventBusName);
      const ids = new Set((i.Ids ?? []) as string[]);
      rule.targets = rule.targets.filter((t) => !ids.has(t.Id));
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule: (i: Wire, ctx) => {
      const rule = findRule(ctx, i.Rule, i.EventBusName);
      const { items, next } = page(rule.targets, i.NextToken, Math.min(i.Limit ?? 100, 100));
      return { Targets: items, NextToken: next };
    },
    ListRuleNamesByTarget: (i: Wire, ctx) => {
      const bus = (i.EventBusName as string | undefined) ?? 'default';
      const all = [...ctx.account.rules.values()]
        .filter((r) => r.eventBus === bus && r.targets.some((t) => t.Arn === i.TargetArn))
        .map((r) => r.name)
        .sort();
      const { items, next } = page(all, i.NextToken, Math.min(i.Limit ?? 100, 100));
      return { RuleNames: items, NextToken: next };
    },
    TagResource: (i: Wire, ctx) => {
      tagMap(i.Tags, ruleByArn(ctx, i.ResourceARN).tags);
      return {};
    },
    UntagResource: (i: Wire, ctx) => {
      const rule = ruleByArn(ctx, i.ResourceARN);
      for (const k of (i.TagKeys ?? []) as string[]) rule.tags.delete(k);
      return {};
    },
    ListTagsForResource: (i: Wire, ctx) => ({ Tags: tagList(ruleByArn(ctx, i.ResourceARN).tags) }),
  },
};
