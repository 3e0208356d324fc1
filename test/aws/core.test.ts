// The pure core of migrate: names, desired state, diff, policy normal form, rendering. No AWS, no endpoint.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { buildPlan } from '../../src/plan/plan.js';
import { makeHorizon } from '../../src/schedule/translate.js';
import { rootReader } from '../../src/scripts/reader.js';
import { buildPackages } from '../../src/package/build.js';
import { writeZip } from '../../src/package/zip.js';
import { loadTemplates } from '../../src/cli/commands/package.js';
import { desired, type MigrateSettings } from '../../src/aws/desired.js';
import { count, diff, type LiveState } from '../../src/aws/diff.js';
import { canonical, key, type DesiredResource, type LiveResource } from '../../src/aws/model.js';
import { hostPrefix, namesFor } from '../../src/aws/names.js';
import { normalizePolicy } from '../../src/aws/policy.js';
import { hostLabel, resolveHost } from '../../src/plan/host.js';
import { migrateDocument, renderDiff, type MigrateContext } from '../../src/render/changes.js';
import { noStyle } from '../../src/render/style.js';
import { FIXTURES } from '../support/cli.js';

const ROOT = join(FIXTURES, 'servers/app01');
const HELLO = 'CRON_TZ=Europe/Berlin\nGREETING=hello\n*/10 * * * * /opt/app/bin/hello.sh%first line\n';

async function built(text: string, host = 'app01', target: 'rule' | 'scheduler' = 'rule') {
  const plan = buildPlan([{ file: '/var/spool/cron/crontabs/deploy', text, system: false }], {
    target,
    horizon: makeHorizon(20_500, 60),
    reader: rootReader(ROOT),
    host,
  });
  return buildPackages(plan, loadTemplates(), { lockTable: 'cron2lambda-locks' }, writeZip);
}

const SETTINGS: MigrateSettings = {
  host: 'app01',
  region: 'eu-west-1',
  account: '123456789012',
  partition: 'aws',
  lockTable: 'cron2lambda-locks',
  architecture: 'x86_64',
  memoryMb: 128,
  timeoutSeconds: 900,
  logRetentionDays: 14,
  subnetIds: [],
  securityGroupIds: [],
  enable: false,
  retryAttempts: 0,
  maxEventAgeSeconds: 21600,
};

/** Live state as AWS would report it after a clean apply of `resources`. */
function liveOf(resources: DesiredResource[], host = 'app01'): LiveState {
  const byKey = new Map<string, LiveResource | null>();
  for (const r of resources) byKey.set(key(r.kind, r.name, r.parent), { kind: r.kind, name: r.name, ...(r.parent ? { parent: r.parent } : {}), job: r.job, host, owned: true, attrs: structuredClone(r.attrs) });
  return { byKey, extra: [] };
}

const absent = (resources: DesiredResource[]): LiveState => ({ byKey: new Map(resources.map((r) => [key(r.kind, r.name, r.parent), null])), extra: [] });

describe('names', () => {
  it('fit every kind of AWS name for the longest host and command, and differ across hosts', async () => {
    const long = 'a-very-long-host-name-that-goes-on.and.on.example.com';
    const jobs = await built('* * * * * /opt/app/bin/hello.sh ' + 'x'.repeat(300) + '\n', long);
    const id = jobs[0].job.id;
    expect(id.length).toBeLessThanOrEqual(56);
    const n = namesFor(id);
    for (const name of [n.function, n.role, n.rule(0), n.rule(98)]) {
      expect(name.length).toBeLessThanOrEqual(64);
      expect(name).toMatch(/^[a-zA-Z0-9_-]+$/); // Lambda, and a subset of rules' [.\-_A-Za-z0-9] and IAM's [\w+=,.@-]
    }
    expect(n.function.startsWith(hostPrefix(long))).toBe(true);
    const other = await built('* * * * * /opt/app/bin/hello.sh ' + 'x'.repeat(300) + '\n', long.replace('on.example', 'on.example2'));
    expect(other[0].job.id).not.toBe(id); // the same 20-character label, another host: the hash tells them apart
    expect(hostLabel(long)).toHaveLength(20);
  });

  it('takes the host from --host, <root>/etc/hostname, the last component of --root, the machine, in that order', () => {
    expect(resolveHost({ flag: 'DB01.prod', etcHostname: 'x', root: '/srv/y', machine: 'z' })).toEqual({ host: 'db01.prod', source: 'flag' });
    expect(resolveHost({ etcHostname: 'web7\n', root: '/srv/y', machine: 'z' })).toEqual({ host: 'web7', source: 'etc-hostname' });
    expect(resolveHost({ etcHostname: null, root: '/srv/copies/app01/', machine: 'z' })).toEqual({ host: 'app01', source: 'root' });
    expect(resolveHost({ etcHostname: '', root: '/', machine: 'builder' })).toEqual({ host: 'builder', source: 'machine' });
    expect(resolveHost({ flag: '../x', root: '/', machine: 'm' })).toHaveProperty('error');
  });
});

describe('desired', () => {
  it('gives a job a role, log group, function, async settings, and a rule with permission and target', async () => {
    const d = desired(await built(HELLO), SETTINGS);
    expect(d.blocked).toEqual([]);
    expect(d.resources.map((r) => r.kind)).toEqual(['table', 'role', 'log-group', 'function', 'async-config', 'rule', 'permission', 'target']);
    const id = d.jobs[0].id;
    const role = d.resources.find((r) => r.kind === 'role')!;
    const policy = JSON.stringify(role.attrs['policy:cron2lambda']);
    expect(policy).toContain(`"dynamodb:LeadingKeys":["${id}#*"]`);
    expect(policy).toContain('"arn:aws:dynamodb:eu-west-1:123456789012:table/cron2lambda-locks"');
    expect(policy).not.toContain('ec2:');
    const fn = d.resources.find((r) => r.kind === 'function')!;
    expect(fn.attrs).toMatchObject({ runtime: 'provided.al2023', role: `arn:aws:iam::123456789012:role/cron2lambda/c2l-${id}`, layers: [] });
    expect(fn.zip).toBeInstanceOf(Buffer);
    expect(d.resources.find((r) => r.kind === 'rule')!.attrs.state).toBe('DISABLED');
  });

  it('adds the network-interface actions only in a VPC, and no role at all with --role-arn', async () => {
    const vpc = desired(await built(HELLO), { ...SETTINGS, subnetIds: ['subnet-0123abcd'], securityGroupIds: ['sg-0123abcd'] });
    expect(JSON.stringify(vpc.resources.find((r) => r.kind === 'role')!.attrs)).toContain('ec2:CreateNetworkInterface');
    const shared = desired(await built(HELLO), { ...SETTINGS, roleArn: 'arn:aws:iam::123456789012:role/ops' });
    expect(shared.resources.some((r) => r.kind === 'role')).toBe(false);
    expect(shared.resources.find((r) => r.kind === 'function')!.attrs.role).toBe('arn:aws:iam::123456789012:role/ops');
  });

  it('blocks jobs whose scripts call aws until a layer flag is given, then grants the actions the review found', async () => {
    const text = 'MAILTO=""\n0 23 28-31 * * /opt/app/bin/billing.sh\n';
    const blocked = desired(await built(text), SETTINGS);
    expect(blocked.blocked[0].blockers).toEqual([expect.objectContaining({ code: 'aws-cli-layer', message: expect.stringContaining('--aws-cli-zip') })]);
    expect(blocked.resources).toEqual([]);
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:layer:awscli:3';
    const ok = desired(await built(text), { ...SETTINGS, awsCliLayer: { arn } });
    expect(ok.resources.find((r) => r.kind === 'function')!.attrs.layers).toEqual([arn]);
    expect(JSON.stringify(ok.resources.find((r) => r.kind === 'role')!.attrs)).toMatch(/"Sid":"AwsCli"/);
  });

  it('lists blocked jobs with their blockers and skips @reboot', async () => {
    // sudo is a blocker whatever the runtime has (a missing command judged against the shipped list is only a warning)
    const d = desired(await built('0 0 1,15 * 0 /opt/app/checks/sudo.sh\n@reboot /opt/app/bin/warm-cache.sh\n'), SETTINGS);
    expect(d.jobs).toEqual([]);
    expect(d.blocked[0].blockers[0].code).toBe('verdict-blocked');
    expect(d.skipped).toHaveLength(1);
  });
});

describe('diff', () => {
  it('creates everything in an empty account and changes nothing in one that matches', async () => {
    const d = desired(await built(HELLO), SETTINGS);
    const first = diff(d, absent(d.resources), { prune: false });
    expect(first.changes.map((c) => c.action)).toEqual(Array(8).fill('create'));
    expect(count(first.changes)).toEqual({ add: 8, change: 0, destroy: 0 });
    const second = diff(d, liveOf(d.resources), { prune: false });
    expect(second.changes.every((c) => c.action === 'noop')).toBe(true);
  });

  it('shows an attribute changed by hand as an update, old → new, and a changed permission as a replacement', async () => {
    const d = desired(await built(HELLO), SETTINGS);
    const live = liveOf(d.resources);
    const fn = d.resources.find((r) => r.kind === 'function')!;
    live.byKey.get(key('function', fn.name))!.attrs.memoryMb = 512;
    const perm = d.resources.find((r) => r.kind === 'permission')!;
    live.byKey.get(key('permission', perm.name, perm.parent))!.attrs.sourceAccount = '999999999999';
    const r = diff(d, live, { prune: false });
    expect(r.changes.find((c) => c.kind === 'function')).toMatchObject({ action: 'update', attrs: [{ attr: 'memoryMb', old: 512, new: 128 }] });
    expect(r.changes.find((c) => c.kind === 'permission')!.action).toBe('replace');
    expect(count(r.changes)).toEqual({ add: 1, change: 1, destroy: 1 });
  });

  it('blocks a job when a resource with its name is not ours, and plans nothing for that job', async () => {
    const d = desired(await built(HELLO), SETTINGS);
    const live = absent(d.resources);
    const role = d.resources.find((r) => r.kind === 'role')!;
    live.byKey.set(key('role', role.name), { kind: 'role', name: role.name, job: null, host: null, owned: false, attrs: {} });
    const r = diff(d, live, { prune: true });
    expect(r.blocked[0].blockers[0]).toMatchObject({ code: 'unowned-resource', message: expect.stringContaining(`IAM role ${role.name}`) });
    expect(r.changes.filter((c) => c.job !== null)).toEqual([]);
    expect(r.jobs).toEqual([]);
  });

  it("deletes a rule its job's schedule dropped at once, a dropped job's resources only with --prune, a blocked job's never", async () => {
    const d = desired(await built(HELLO), SETTINGS);
    const id = d.jobs[0].id;
    const live = liveOf(d.resources);
    const extraRule: LiveResource = { kind: 'rule', name: `${namesFor(id).function}-2`, job: id, host: 'app01', owned: true, attrs: {} };
    const gone: LiveResource = { kind: 'function', name: 'c2l-app01-old-0123456789', job: 'app01-old-0123456789', host: 'app01', owned: true, attrs: {} };
    const blockedJob: LiveResource = { kind: 'function', name: 'c2l-app01-b-1', job: 'app01-b-1', host: 'app01', owned: true, attrs: {} };
    live.extra.push(extraRule, gone, blockedJob);
    const state = { ...d, planJobs: [...d.planJobs, 'app01-b-1'] };
    const kept = diff(state, live, { prune: false });
    expect(kept.changes.filter((c) => c.action === 'delete').map((c) => [c.name, c.reason])).toEqual([[extraRule.name, 'schedule-changed']]);
    expect(kept.orphans.map((o) => o.name)).toEqual([gone.name]);
    const pruned = diff(state, live, { prune: true });
    expect(pruned.changes.filter((c) => c.action === 'delete').map((c) => c.name)).toEqual([extraRule.name, gone.name]);
  });

  it('reads an IAM document back equal to the one written: URL-encoded, single values unwrapped, keys reordered', () => {
    const written = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: ['arn:x'] }] };
    const back = encodeURIComponent(JSON.stringify({ Statement: { Resource: 'arn:x', Action: 'logs:PutLogEvents', Effect: 'Allow' }, Version: '2012-10-17' }));
    expect(canonical(normalizePolicy(back))).toBe(canonical(normalizePolicy(written as never)));
  });
});

describe('--target scheduler', () => {
  it('gives the host a schedule group and a Scheduler role, and each job schedules in its zone instead of rules', async () => {
    const long = 'a-very-long-host-name-that-goes-on.and.on.example.com';
    const d = desired(await built(HELLO, long, 'scheduler'), { ...SETTINGS, host: long, target: 'scheduler', deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:dlq' });
    expect(d.resources.map((r) => r.kind)).toEqual(['table', 'schedule-group', 'scheduler-role', 'role', 'log-group', 'function', 'async-config', 'schedule']);
    for (const r of d.resources.filter((x) => x.kind === 'schedule-group' || x.kind === 'scheduler-role' || x.kind === 'schedule')) {
      expect(r.name.length).toBeLessThanOrEqual(64);
      expect(r.name).toMatch(/^[0-9a-zA-Z_.-]+$/);
    }
    const schedule = d.resources.find((r) => r.kind === 'schedule')!;
    expect(schedule.attrs).toMatchObject({ timezone: 'Europe/Berlin', state: 'DISABLED', flexibleTimeWindow: 'OFF' });
    expect(schedule.parent).toBe(d.resources.find((r) => r.kind === 'schedule-group')!.name);
    const role = JSON.stringify(d.resources.find((r) => r.kind === 'scheduler-role')!.attrs);
    expect(role).toContain('"aws:SourceAccount":["123456789012"]');
    expect(role).toContain('sqs:SendMessage');
    expect(role).toContain(`function:${hostPrefix(long)}*`);
    // The prefix is shared with other hosts (a label is 20 characters; c2l-app-* matches app-01's names): the functions' tags decide.
    expect(role).toContain(`"aws:ResourceTag/cron2lambda:host":["${long}"]`);
    expect(role).toContain('"aws:ResourceTag/managed-by":["cron2lambda"]');
  });

  it('moving a job from rules to Scheduler creates the schedule and deletes the rule, its target and permission', async () => {
    const rules = desired(await built(HELLO), SETTINGS);
    const live = liveOf(rules.resources);
    const sched = desired(await built(HELLO, 'app01', 'scheduler'), { ...SETTINGS, target: 'scheduler' });
    for (const r of rules.resources.filter((x) => x.kind === 'rule' || x.kind === 'permission')) live.extra.push({ kind: r.kind, name: r.name, ...(r.parent ? { parent: r.parent } : {}), job: r.job, host: 'app01', owned: true, attrs: r.attrs });
    const r = diff(sched, { byKey: new Map([...live.byKey].filter(([k]) => !k.startsWith('rule:') && !k.startsWith('permission:'))), extra: live.extra }, { prune: false });
    expect(r.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.kind}`).sort()).toEqual(['create schedule', 'create schedule-group', 'create scheduler-role', 'delete permission', 'delete rule']);
    expect(r.changes.filter((c) => c.action === 'delete').every((c) => c.reason === 'schedule-changed')).toBe(true);
  });
});

describe('render', () => {
  const ctx: MigrateContext = { host: 'app01', account: '123456789012', region: 'eu-west-1', arn: 'arn:aws:iam::123456789012:user/x', enable: false, prune: false, enableCommand: 'cron2lambda migrate x --enable' };

  it('never prints an environment value, in text or JSON', async () => {
    const d = desired(await built(HELLO), SETTINGS);
    const live = liveOf(d.resources);
    const fn = d.resources.find((r) => r.kind === 'function')!;
    (live.byKey.get(key('function', fn.name))!.attrs.environment as Record<string, string>).DB_PASSWORD = 'hunter2';
    const r = diff(d, live, { prune: false });
    const text = renderDiff(r, ctx, null, noStyle);
    expect(text).toContain('environment.DB_PASSWORD: removed');
    expect(text).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    const json = JSON.stringify(migrateDocument(r, ctx, null, true));
    expect(json).not.toContain('hunter2');
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(json)).toMatchObject({ formatVersion: 1, dryRun: true, summary: { add: 0, change: 1, destroy: 0 } });
  });
});
