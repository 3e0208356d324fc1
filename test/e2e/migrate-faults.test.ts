// `migrate` after failures: each mutating call failed once, throttling, a role not yet assumable, Pending functions.
// The four cases run concurrently, each against a local endpoint of its own: the throttled and the assumable-role
// cases mostly wait (the SDK's backoff, IAM propagation), which the fault loops' CLI runs fill.
import { describe, it } from 'vitest';
import { join } from 'node:path';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';
import { HELLO, TWO, comparable, crontabDir, migrateApp01 } from '../support/migrate.js';

function migrate(aws: LocalAws, dir: string, args: string[] = [], file = 'deploy') {
  return migrateApp01(aws.endpoint, join(dir, file), args);
}

/** Runs BODY with a fresh local endpoint in eu-west-1, closed afterwards. */
async function withAws(body: (aws: LocalAws) => Promise<void>): Promise<void> {
  const aws = await startLocalAws({ region: 'eu-west-1' });
  try {
    await body(aws);
  } finally {
    await aws.close();
  }
}

describe.concurrent('cron2lambda migrate after failures', { timeout: 300_000 }, () => {
  it('converges to exactly the clean state after any one mutating call fails, and reports the failure', async ({ expect }) => withAws(async (aws) => {
    const dir = crontabDir({ deploy: HELLO });
    expect((await migrate(aws, dir, ['--yes'])).status).toBe(0);
    const clean = comparable(aws.state());
    const ops = [...new Map(aws.mutatingCalls().map((c) => [`${c.service}:${c.operation}`, c])).values()];
    expect(ops.length).toBeGreaterThanOrEqual(10);
    for (const op of ops) {
      aws.reset();
      aws.failNext({ service: op.service, operation: op.operation, error: op.service === 'iam' ? 'AccessDenied' : 'AccessDeniedException' });
      const failed = await migrate(aws, dir, ['--yes']);
      expect(failed.status, `${op.operation}: ${failed.stdout}`).toBe(1);
      expect(failed.stdout + failed.stderr, op.operation).toMatch(/failed/i);
      const next = await migrate(aws, dir, ['--yes']);
      expect(next.status, `${op.operation}: ${next.stdout}${next.stderr}`).toBe(0);
      expect(comparable(aws.state()), op.operation).toEqual(clean);
    }
  }), 1_200_000);

  it('converges when a write happened but its answer was lost (connection reset), for every kind of write', async ({ expect }) => withAws(async (aws) => {
    const dir = crontabDir({ deploy: HELLO });
    expect((await migrate(aws, dir, ['--yes'])).status).toBe(0);
    const clean = comparable(aws.state());
    const ops = [...new Map(aws.mutatingCalls().map((c) => [`${c.service}:${c.operation}`, c])).values()];
    for (const op of ops) {
      aws.reset();
      aws.failNext({ service: op.service, operation: op.operation, error: '$dropResponse' });
      const first = await migrate(aws, dir, ['--yes']);
      const next = await migrate(aws, dir, ['--yes']);
      expect(next.status, `${op.operation}: ${first.stdout}${first.stderr}${next.stdout}${next.stderr}`).toBe(0);
      expect(comparable(aws.state()), op.operation).toEqual(clean);
    }
  }), 1_200_000);

  it('completes with 20 % of calls throttled', async ({ expect }) => withAws(async (aws) => {
    const dir = crontabDir({ deploy: TWO });
    expect((await migrate(aws, dir, ['--yes'])).status).toBe(0);
    const clean = comparable(aws.state());
    aws.reset();
    aws.setThrottle({ probability: 0.2, seed: 7 });
    const r = await migrate(aws, dir, ['--yes']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(aws.calls.filter((c) => c.injected === 'throttle').length).toBeGreaterThan(5);
    aws.clearFaults();
    expect(comparable(aws.state())).toEqual(clean);
  }), 300_000);

  it('waits out a role that Lambda cannot assume yet and functions that stay Pending', async ({ expect }) => withAws(async (aws) => {
    aws.setTimings({ roleAssumableAfterMs: 1500, functionPendingMs: 400, functionUpdateMs: 300 });
    const dir = crontabDir({ deploy: HELLO });
    const r = await migrate(aws, dir, ['--yes']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(aws.calls.some((c) => c.operation === 'CreateFunction' && c.errorCode === 'InvalidParameterValueException')).toBe(true);
    expect(aws.state().functions[0].state).toBe('Active');
  }), 300_000);
});
