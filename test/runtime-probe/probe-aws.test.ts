// `cron2lambda probe` as a subprocess against the local AWS endpoint (test support): it deploys, invokes (the
// endpoint runs the probe's bootstrap with bash against the Runtime API test server), records, and leaves nothing
// behind, also after a failure in the middle; the next run cleans up what a failed one left, found by tags.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';
import { BIN, subprocessEnv } from '../support/cli.js';
import { parseSnapshot } from '../../src/runtime/snapshot.js';

let aws: LocalAws;
let home: string;

beforeAll(async () => {
  aws = await startLocalAws({ region: 'eu-west-1' });
});
afterAll(async () => {
  await aws.close();
});
beforeEach(() => {
  aws.reset();
  home = mkdtempSync(join(tmpdir(), 'c2l-probe-home-'));
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI in a subprocess, without blocking this process's event loop (the endpoint lives here). */
function probeCli(args: string[], options: { onStderr?: (line: string, kill: () => void) => void } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...subprocessEnv(), HOME: home, XDG_CACHE_HOME: join(home, 'cache'), AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local-secret', AWS_REGION: '', AWS_PROFILE: '', AWS_CONFIG_FILE: join(home, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(home, 'none') };
  delete env.AWS_SESSION_TOKEN;
  const child = spawn(process.execPath, [BIN, 'probe', '--endpoint-url', aws.endpoint, '--region', 'eu-west-1', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    for (const line of c.split('\n')) if (line) options.onStderr?.(line, () => child.kill('SIGKILL'));
  });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

function leftovers(): string[] {
  const s = aws.state();
  return [...s.roles.map((r) => `role ${r.name}`), ...s.functions.map((f) => `function ${f.name}`)];
}

describe('cron2lambda probe against the local AWS endpoint', () => {
  it('deploys, invokes once, writes the snapshot to the cache and --probe-file, and deletes what it made', async () => {
    const probeFile = join(home, 'repo', 'runtime.json');
    const r = await probeCli(['--probe-file', probeFile]);
    expect(r.status, r.stderr).toBe(0);
    const cached = join(home, 'cache', 'cron2lambda', 'runtime-eu-west-1-x86_64.json');
    for (const path of [cached, probeFile]) {
      const parsed = parseSnapshot(readFileSync(path, 'utf8'));
      expect(parsed.ok).toBe(true);
      if (parsed.ok) expect(parsed.value).toMatchObject({ source: 'probe', region: 'eu-west-1', architecture: 'x86_64', machine: 'x86_64' });
    }
    expect(readFileSync(cached, 'utf8')).toBe(readFileSync(probeFile, 'utf8'));
    expect(r.stdout).toContain(`wrote ${cached}`);
    expect(r.stdout).toMatch(/curl +\S+ \(has --aws-sigv4\)/);
    expect(leftovers()).toEqual([]);

    const ops = aws.calls.filter((c) => c.kind !== 'read').map((c) => `${c.service}:${c.operation}`);
    expect(ops).toEqual(['iam:CreateRole', 'lambda:CreateFunction', 'lambda:Invoke', 'lambda:DeleteFunction', 'iam:DeleteRole']);
    const role = aws.calls.find((c) => c.operation === 'CreateRole')!;
    expect(role.resource).toMatch(/^c2l-probe-[0-9a-f]{12}$/);
  });

  it('retries CreateFunction while the new role cannot be assumed yet', async () => {
    aws.setTimings({ roleAssumableAfterMs: 1500 });
    const r = await probeCli([]);
    aws.setTimings({ roleAssumableAfterMs: 0 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('waiting until Lambda can assume the new role');
    const creates = aws.calls.filter((c) => c.operation === 'CreateFunction');
    expect(creates.length).toBeGreaterThan(1);
    expect(creates.slice(0, -1).every((c) => c.errorCode === 'InvalidParameterValueException')).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it('cleans up after a failed invocation and exits 1 with the reason, writing no snapshot', async () => {
    aws.failNext({ service: 'lambda', operation: 'Invoke', error: 'InvalidRequestContentException', status: 400 });
    const r = await probeCli([]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('probe failed: InvalidRequestContentException');
    expect(existsSync(join(home, 'cache', 'cron2lambda', 'runtime-eu-west-1-x86_64.json'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('when deleting fails, says what is left; the next run deletes it (found by tags) and converges', async () => {
    aws.failNext({ service: 'lambda', operation: 'DeleteFunction', error: 'InvalidParameterValueException', status: 400 });
    aws.failNext({ service: 'iam', operation: 'DeleteRole', error: 'DeleteConflict', status: 409 });
    const first = await probeCli([]);
    expect(first.status).toBe(1);
    expect(first.stdout).toMatch(/could not delete function c2l-probe-[0-9a-f]{12}/);
    expect(leftovers()).toHaveLength(2);
    const stale = leftovers();

    const second = await probeCli([]);
    expect(second.status, second.stderr).toBe(0);
    for (const s of stale) expect(second.stdout).toContain(`cleaned up ${s}`);
    expect(leftovers()).toEqual([]);
  });

  it('fails each mutating call in turn (and the invocation): every run reports it, the next run converges to nothing left', async () => {
    const faults: Array<{ kind: 'mutating' | 'invoke'; skip: number; op: string }> = [
      { kind: 'mutating', skip: 0, op: 'CreateRole' },
      { kind: 'mutating', skip: 1, op: 'CreateFunction' },
      { kind: 'invoke', skip: 0, op: 'Invoke' },
      { kind: 'mutating', skip: 2, op: 'DeleteFunction' },
      { kind: 'mutating', skip: 3, op: 'DeleteRole' },
    ];
    for (const f of faults) {
      aws.reset();
      aws.failNext({ kind: f.kind, skip: f.skip, error: '$accessDenied' });
      const failed = await probeCli([]);
      expect(failed.status, `${f.op}: ${failed.stderr}`).toBe(1);
      expect(aws.calls.find((c) => c.injected === 'failNext')?.operation).toBe(f.op);
      const again = await probeCli([]);
      expect(again.status, `${f.op}, second run: ${again.stderr}`).toBe(0);
      expect(leftovers(), f.op).toEqual([]);
    }
  }, 600_000);

  it('after being killed in the middle, the next run removes the role and function it left', async () => {
    const killed = await probeCli([], {
      onStderr: (line, kill) => {
        if (line.startsWith('invoking ')) kill();
      },
    });
    expect(killed.status).toBeNull(); // killed by the signal
    expect(leftovers().sort()).toEqual([expect.stringMatching(/^function c2l-probe-/), expect.stringMatching(/^role c2l-probe-/)]);

    const again = await probeCli([]);
    expect(again.status, again.stderr).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it('never touches a resource with the probe name that is not tagged as ours', async () => {
    // someone else's role in the same path and with our prefix, without our tags
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // as src/aws/clients.ts does
    const { IAMClient, CreateRoleCommand } = await import('@aws-sdk/client-iam');
    const iam = new IAMClient({ endpoint: aws.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    await iam.send(new CreateRoleCommand({ RoleName: 'c2l-probe-notours', Path: '/cron2lambda/probe/', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }));
    iam.destroy();
    const r = await probeCli([]);
    expect(r.status, r.stderr).toBe(0);
    expect(leftovers()).toEqual(['role c2l-probe-notours']);
  });
});
