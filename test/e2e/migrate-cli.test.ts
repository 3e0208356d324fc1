// `migrate` as users run it (a subprocess), against the local AWS endpoint on loopback through the real SDK.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';
import { destroyClients, sdkClients } from '../support/aws/clients.js';
import { HELLO, TWO, comparable, crontabDir, migrateApp01 } from '../support/migrate.js';
import { writeZip } from '../../src/package/zip.js';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({ region: 'eu-west-1' });
});
afterAll(async () => aws.close());
beforeEach(() => aws.reset());

function migrate(dir: string, args: string[] = [], file = 'deploy') {
  return migrateApp01(aws.endpoint, join(dir, file), args);
}

describe('cron2lambda migrate', { timeout: 300_000 }, () => {
  it('--dry-run reads only, shows every resource to add, and exits 2 with --detailed-exitcode', async () => {
    const dir = crontabDir({ deploy: HELLO });
    const r = await migrate(dir, ['--dry-run', '--detailed-exitcode']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(2);
    expect(aws.mutatingCalls()).toEqual([]);
    expect(r.stdout).toMatch(/\+ DynamoDB table cron2lambda-locks/);
    expect(r.stdout).toMatch(/\+ IAM role c2l-app01-hello-[0-9a-f]{10}\n/);
    expect(r.stdout).toMatch(/\+ EventBridge rule c2l-app01-hello-[0-9a-f]{10}-1\n\s+cron\(0\/10 \* \* \* \? \*\), DISABLED/);
    expect(r.stdout).toContain('Plan: 8 to add, 0 to change, 0 to destroy.');
  });

  it('stops with exit 64 and names --yes when there is no terminal to confirm on; changes nothing', async () => {
    const dir = crontabDir({ deploy: HELLO });
    const r = await migrate(dir);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('--yes');
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('creates every resource tagged and least-privileged, rules DISABLED; the second run makes no mutating call', async () => {
    const dir = crontabDir({ deploy: HELLO });
    const r = await migrate(dir, ['--yes']);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).not.toMatch(/NodeVersionSupportWarning|Warning/);
    expect(r.stdout).toContain('Apply complete: 8 added, 0 changed, 0 destroyed.');
    expect(r.stdout).toMatch(/Rules are DISABLED[\s\S]*cron2lambda migrate .* --enable/);
    const s = aws.state();
    expect(s.tables).toHaveLength(1);
    expect(s.tables[0]).toMatchObject({ name: 'cron2lambda-locks', billingMode: 'PAY_PER_REQUEST', ttl: { attributeName: 'ttl', enabled: true } });
    const fn = s.functions[0];
    const id = fn.tags['cron2lambda:job'];
    expect(fn.name).toBe(`c2l-${id}`);
    expect(fn.tags).toEqual({ 'managed-by': 'cron2lambda', 'cron2lambda:host': 'app01', 'cron2lambda:job': id });
    expect(fn.config).toMatchObject({ Runtime: 'provided.al2023', MemorySize: 128, Timeout: 900, Architectures: ['x86_64'] });
    expect((fn.config.Environment as { Variables: Record<string, string> }).Variables).toMatchObject({ CRON2LAMBDA_JOB: id, GREETING: 'hello', TZ: 'Europe/Berlin' });
    expect(fn.eventInvokeConfig).toMatchObject({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 21600 });
    expect(fn.policy).toHaveLength(1);
    expect(JSON.stringify(fn.policy[0])).toContain(`rule/c2l-${id}-1`);
    expect(JSON.stringify(fn.policy[0])).toContain('123456789012');
    const role = s.roles[0];
    expect(role.path).toBe('/cron2lambda/');
    const policy = JSON.stringify(role.inlinePolicies);
    expect(policy).toContain(`${id}#*`);
    expect(policy).toContain(`log-group:/aws/lambda/c2l-${id}:*`);
    expect(policy).not.toContain('ec2:');
    expect(s.rules).toHaveLength(1);
    expect(s.rules[0]).toMatchObject({ state: 'DISABLED', scheduleExpression: 'cron(0/10 * * * ? *)' });
    expect(s.rules[0].targets).toEqual([expect.objectContaining({ Id: 'cron2lambda', Arn: fn.arn })]);
    expect(s.logGroups[0]).toMatchObject({ name: `/aws/lambda/c2l-${id}`, retentionInDays: 14 });

    aws.resetCalls();
    const again = await migrate(dir, ['--yes']);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('No changes.');
    expect(aws.mutatingCalls()).toEqual([]);
    const dry = await migrate(dir, ['--dry-run', '--detailed-exitcode']);
    expect(dry.status).toBe(0);
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('shows drift made by hand as ~ with old → new, puts it back, and then has nothing to change', async () => {
    const dir = crontabDir({ deploy: HELLO });
    expect((await migrate(dir, ['--yes'])).status).toBe(0);
    const s = aws.state();
    const fnName = s.functions[0].name;
    const fn = aws.account.functions.get(fnName)!;
    (fn.config as Record<string, unknown>).MemorySize = 512;
    (fn.config as { Environment: { Variables: Record<string, string> } }).Environment.Variables.GREETING = 'secret-by-hand';
    const rule = aws.account.rules.get(`default/${fnName}-1`)!;
    rule.state = 'ENABLED';
    rule.scheduleExpression = 'cron(0 12 * * ? *)';
    aws.account.logGroups.get(`/aws/lambda/${fnName}`)!.retentionInDays = 3;

    const dry = await migrate(dir, ['--dry-run']);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/~ Lambda function c2l-\S+\n\s+memoryMb: 512 → 128\n\s+environment.GREETING: value changed/);
    expect(dry.stdout).not.toContain('secret-by-hand'); // values of environment variables are never printed
    expect(dry.stdout).toMatch(/~ EventBridge rule \S+-1\n\s+scheduleExpression: "cron\(0 12 \* \* \? \*\)" → "cron\(0\/10 \* \* \* \? \*\)"\n\s+state: "ENABLED" → "DISABLED"/);
    expect(dry.stdout).toMatch(/~ log group \S+\n\s+retentionInDays: 3 → 14/);
    expect(dry.stdout).toContain('Plan: 0 to add, 3 to change, 0 to destroy.');

    const fixed = await migrate(dir, ['--yes']);
    expect(fixed.status, fixed.stdout + fixed.stderr).toBe(0);
    const after = aws.state();
    expect(after.functions[0].config.MemorySize).toBe(128);
    expect(after.rules[0]).toMatchObject({ state: 'DISABLED', scheduleExpression: 'cron(0/10 * * * ? *)' });
    aws.resetCalls();
    expect((await migrate(dir, ['--yes'])).stdout).toContain('No changes.');
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('blocks a job whose name is taken by a resource it does not own, names it, and never touches it', async () => {
    const dir = crontabDir({ deploy: HELLO });
    const dry = await migrate(dir, ['--dry-run']);
    const roleName = /\+ IAM role (\S+)/.exec(dry.stdout)![1];
    const c = sdkClients(aws.endpoint, { region: 'eu-west-1' });
    await c.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    destroyClients(c);
    aws.resetCalls();
    const r = await migrate(dir, ['--yes']);
    expect(r.stdout).toMatch(new RegExp(`unowned-resource\\s+IAM role ${roleName} exists and is not managed by cron2lambda`));
    expect(aws.mutatingCalls().filter((x) => x.resource === roleName)).toEqual([]);
    expect(aws.state().functions).toEqual([]);
    expect(aws.state().roles[0].tags).toEqual({});
  });

  it('a job moved to --role-arn does not leave its own role behind, with --prune either', async () => {
    const dir = crontabDir({ deploy: HELLO });
    expect((await migrate(dir, ['--yes'])).status).toBe(0);
    const own = aws.state().roles[0].name;
    const c = sdkClients(aws.endpoint, { region: 'eu-west-1' });
    const trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}';
    const shared = (await c.iam.send(new CreateRoleCommand({ RoleName: 'jobs-shared', AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    destroyClients(c);
    const r = await migrate(dir, ['--yes', '--prune', '--role-arn', shared]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(aws.state().functions[0].config.Role).toBe(shared);
    expect(aws.state().roles.map((x) => x.name)).toEqual(['jobs-shared']);
    expect(aws.state().roles.map((x) => x.name)).not.toContain(own);
  });

  it('updates a job in place when its schedule changes, and deletes a dropped job only with --prune', async () => {
    const dir = crontabDir({ deploy: TWO });
    expect((await migrate(dir, ['--yes'])).status).toBe(0);
    const before = aws.state();
    expect(before.functions).toHaveLength(2);
    writeFileSync(join(dir, 'deploy'), HELLO.replace('*/10 * * * *', '5 * * * *'));
    aws.resetCalls();
    const r = await migrate(dir, ['--yes']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const ops = aws.mutatingCalls().map((c) => c.operation);
    expect(ops).toEqual(['PutRule']); // no new function, no replacement
    expect(r.stdout).toMatch(/No longer in the plan \(kept; --prune deletes them\): 4/);
    expect(aws.state().functions).toHaveLength(2);

    const pruned = await migrate(dir, ['--yes', '--prune']);
    expect(pruned.status, pruned.stdout + pruned.stderr).toBe(0);
    expect(pruned.stdout).toContain('0 added, 0 changed, 4 destroyed');
    const s = aws.state();
    expect(s.functions.map((f) => f.name)).toEqual([before.functions.find((f) => f.name.includes('hello'))!.name]);
    expect(s.roles).toHaveLength(1);
    expect(s.rules).toHaveLength(1);
    expect(s.logGroups).toHaveLength(1);
    expect(s.tables).toHaveLength(1); // never deleted
  });

  it('a crontab that cannot be read (a mistyped path) stops with exit 1 naming it, and --prune deletes nothing', async () => {
    const dir = crontabDir({ deploy: HELLO });
    expect((await migrate(dir, ['--yes'])).status).toBe(0);
    const before = comparable(aws.state());
    aws.resetCalls();
    const r = await migrate(dir, ['--yes', '--prune'], 'deplyo');
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(join(dir, 'deplyo'));
    expect(aws.mutatingCalls()).toEqual([]);
    expect(comparable(aws.state())).toEqual(before);
    const dry = await migrate(dir, ['--dry-run', '--detailed-exitcode'], 'deplyo');
    expect(dry.status).toBe(1);
  });
});

describe('cron2lambda migrate: layer, JSON, quotas', { timeout: 300_000 }, () => {
  it('publishes the AWS CLI layer from the installer zip once, gives it to the jobs that call aws, and reuses it', async () => {
    const dir = crontabDir({ deploy: 'MAILTO=""\n0 23 28-31 * * /opt/app/bin/billing.sh\n' });
    const blocked = await migrate(dir, ['--dry-run']);
    expect(blocked.stdout).toMatch(/aws-cli-layer\s+its scripts call `aws`: give --aws-cli-zip FILE/);
    const installer = join(dir, 'awscliv2.zip');
    writeFileSync(installer, await writeZip([
      { path: 'aws/install', content: '#!/bin/sh\n', mode: 0o755 },
      { path: 'aws/dist/aws', content: '#!/bin/sh\necho aws-cli/2.99.0\n', mode: 0o755 },
    ]));
    const r = await migrate(dir, ['--yes', '--aws-cli-zip', installer]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const s = aws.state();
    expect(s.layers).toHaveLength(1);
    expect(s.functions[0].config.Layers).toEqual([s.layers[0].arn]); // the request's form: ARNs
    expect(JSON.stringify(s.roles[0].inlinePolicies)).toContain('"Sid":"AwsCli"');
    aws.resetCalls();
    expect((await migrate(dir, ['--yes', '--aws-cli-zip', installer])).stdout).toContain('No changes.');
    expect(aws.mutatingCalls()).toEqual([]);
  });

  it('--json prints one document with formatVersion, the changes and the summary, and nothing else on stdout', async () => {
    const dir = crontabDir({ deploy: HELLO });
    const r = await migrate(dir, ['--dry-run', '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ formatVersion: 1, host: 'app01', account: '123456789012', region: 'eu-west-1', dryRun: true, rulesEnabled: false, summary: { add: 8, change: 0, destroy: 0 } });
    expect(doc.changes.map((c: { kind: string }) => c.kind)).toContain('permission');
  });

  it('stops before the first write when the rules would not fit the quota', async () => {
    const dir = crontabDir({ deploy: TWO });
    const r = await migrate(dir, ['--yes', '--rules-quota', '1']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/Cannot fit: EventBridge rules on the default bus: 0 of 1; this run would add 2/);
    expect(r.stderr).toContain('stopped before any change');
    expect(aws.mutatingCalls()).toEqual([]);
  });
});
