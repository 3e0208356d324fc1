// Two hosts in one account whose AWS names overlap: `app` and `app-01` (every name of app-01 starts with app's prefix
// c2l-app-), and hosts whose labels are equal (`app.prod` and `app-prod`; two long names sharing their first 20
// characters). Each host's run must touch, show and allow only what is its own.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';
import { identityAllows } from '../support/aws/iam.js';
import type { AccountSnapshot } from '../support/aws/state.js';
import { APP01_ROOT, TWO, cliAsync, comparable, crontabDir } from '../support/migrate.js';

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws({ region: 'eu-west-1' });
});
afterAll(async () => aws.close());
beforeEach(() => aws.reset());

/**
 * [host whose prefix is the shorter or equal, the other host]: a prefix, and an equal label. Two long names sharing
 * their first 20 characters (`build-server-eu-west-1a`/`-1b`) also get equal labels and take the same path as the
 * second pair; each pair costs six migrate runs per target, so it is not run a third time here.
 */
const PAIRS: [string, string][] = [
  ['app', 'app-01'],
  ['app.prod', 'app-prod'],
];

/** A crontab with one job that is neither of TWO's: a run with it and --prune deletes both of TWO's jobs. */
const OTHER = '15 4 * * * /opt/app/bin/report.sh\n';

function migrate(host: string, crontab: string, args: string[]) {
  return cliAsync(['migrate', crontab, '--root', APP01_ROOT, '--host', host, '--region', 'eu-west-1', '--endpoint-url', aws.endpoint, '--from', '2026-12-01', ...args]);
}

/** HOST's part of the account, comparable: what it tagged, and the schedules in its group. */
function hostState(s: AccountSnapshot, host: string): unknown {
  const mine = (x: { tags: Record<string, string> }) => x.tags['cron2lambda:host'] === host;
  const groups = new Set(s.scheduleGroups.filter(mine).map((g) => g.name));
  return {
    account: comparable({ ...s, roles: s.roles.filter(mine), functions: s.functions.filter(mine), rules: s.rules.filter(mine), logGroups: s.logGroups.filter(mine), tables: [], layers: [] }),
    scheduleGroups: s.scheduleGroups.filter(mine),
    schedules: s.schedules.filter((x) => groups.has(x.group)).map((x) => ({ name: x.name, group: x.group, config: x.config })).sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/** The names of HOST's resources: none may appear in another host's output. */
function namesOf(s: AccountSnapshot, host: string): string[] {
  const mine = (x: { tags: Record<string, string> }) => x.tags['cron2lambda:host'] === host;
  return [...s.roles.filter(mine), ...s.functions.filter(mine), ...s.rules.filter(mine), ...s.logGroups.filter(mine), ...s.scheduleGroups.filter(mine)].map((x) => x.name);
}

/** The functions of the account that HOST's Scheduler role may invoke (by its inline policy, with the functions' tags). */
function invocableBy(s: AccountSnapshot, host: string): string[] {
  const role = s.roles.find((r) => r.tags['cron2lambda:host'] === host && r.name.endsWith('-scheduler'));
  expect(role, `the Scheduler role of ${host}`).toBeDefined();
  const policy = role!.inlinePolicies.cron2lambda as object;
  return s.functions
    .filter((f) => {
      const context = Object.fromEntries(Object.entries(f.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
      const plain = identityAllows(policy, 'lambda:InvokeFunction', f.arn, context);
      const qualified = identityAllows(policy, 'lambda:InvokeFunction', `${f.arn}:$LATEST`, context);
      expect(qualified, `${f.name}: a qualified ARN is allowed exactly when the function is`).toBe(plain);
      return plain;
    })
    .map((f) => f.name)
    .sort();
}

const own = (s: AccountSnapshot, host: string) => s.functions.filter((f) => f.tags['cron2lambda:host'] === host).map((f) => f.name).sort();

describe('two hosts with overlapping names in one account', { timeout: 600_000 }, () => {
  for (const target of ['rule', 'scheduler'] as const) {
    const scope = target === 'scheduler' ? "each host's Scheduler role can invoke only its own host's functions; " : '';
    it.each(PAIRS)(`--target ${target}: ${scope}a run and --prune for %s never show, change or delete anything of %s`, async (a, b) => {
      const dir = crontabDir({ deploy: TWO, other: OTHER });
      // b first, then a: a's run finds b's resources under its prefix from the start.
      for (const host of [b, a]) {
        const r = await migrate(host, join(dir, 'deploy'), ['--target', target, '--enable', '--yes']);
        expect(r.status, r.stdout + r.stderr).toBe(0);
      }
      const before = aws.state();
      if (target === 'scheduler') {
        for (const host of [a, b]) {
          expect(own(before, host)).toHaveLength(2);
          expect(invocableBy(before, host)).toEqual(own(before, host));
        }
      }
      const theirs = namesOf(before, b);
      expect(theirs.length).toBeGreaterThanOrEqual(6); // two jobs: roles, functions, log groups, and rules or a group and role

      aws.resetCalls();
      // Each host converged (the policies read back equal to what was written); a's run shows none of b's as drift.
      for (const host of [b, a]) {
        const same = await migrate(host, join(dir, 'deploy'), ['--target', target, '--enable', '--prune', '--dry-run', '--detailed-exitcode']);
        expect(same.status, same.stdout + same.stderr).toBe(0);
        expect(same.stdout).toContain('No changes.');
        if (host === a) for (const name of theirs) expect(same.stdout).not.toContain(name);
      }

      const dry = await migrate(a, join(dir, 'other'), ['--target', target, '--enable', '--prune', '--dry-run']);
      expect(dry.status, dry.stdout + dry.stderr).toBe(0);
      const pruned = await migrate(a, join(dir, 'other'), ['--target', target, '--enable', '--prune', '--yes']);
      expect(pruned.status, pruned.stdout + pruned.stderr).toBe(0);
      expect(pruned.stdout).toMatch(/, [1-9]\d* destroyed/); // a's two dropped jobs did go
      for (const name of theirs) {
        expect(dry.stdout).not.toContain(name);
        expect(pruned.stdout).not.toContain(name);
      }
      for (const call of aws.mutatingCalls()) expect(theirs.some((n) => call.resource?.includes(n)), `${call.operation} ${call.resource}`).toBe(false);
      expect(hostState(aws.state(), b)).toEqual(hostState(before, b));
      expect(own(aws.state(), a)).toHaveLength(1);
    });
  }
});

describe('a Scheduler role made by an earlier version', { timeout: 300_000 }, () => {
  it('its policy without the tag condition shows as ~ on the role\'s policy, is put right, and the next run has nothing to change', async () => {
    const dir = crontabDir({ deploy: TWO });
    expect((await migrate('app', join(dir, 'deploy'), ['--target', 'scheduler', '--yes'])).status).toBe(0);
    const role = [...aws.account.roles.values()].find((r) => r.name.endsWith('-scheduler'))!;
    // What versions before the tag condition wrote: the prefix alone.
    const fn = `arn:aws:lambda:eu-west-1:${aws.account.accountId}:function:c2l-app-*`;
    role.inlinePolicies.set('cron2lambda', JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Invoke', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [fn, `${fn}:*`] }] }));
    aws.resetCalls();
    const dry = await migrate('app', join(dir, 'deploy'), ['--target', 'scheduler', '--dry-run', '--detailed-exitcode']);
    expect(dry.status, dry.stdout + dry.stderr).toBe(2);
    expect(dry.stdout).toMatch(/~ IAM role \(Scheduler\) c2l-app-[0-9a-f]{8}-scheduler\n\s+policy:cron2lambda: \{.*\} → \{.*"aws:ResourceTag\/cron2lambda:host":\["app"\]/);
    expect(dry.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
    expect(aws.mutatingCalls()).toEqual([]);
    const r = await migrate('app', join(dir, 'deploy'), ['--target', 'scheduler', '--yes']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(aws.mutatingCalls().map((c) => `${c.operation} ${c.resource}`)).toEqual([`PutRolePolicy ${role.name}`]);
    const again = await migrate('app', join(dir, 'deploy'), ['--target', 'scheduler', '--yes']);
    expect(again.stdout).toContain('No changes.');
  });
});
