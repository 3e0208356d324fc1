// The local AWS endpoint as a process of its own (serve.js): its first stdout line is the endpoint, the /__local/
// control channel drives it from here, and the AWS CLI (botocore, a second implementation of the wire protocols)
// talks to it with --endpoint-url.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { writeZip } from '../../src/package/zip.js';
import { REPO } from '../support/cli.js';
import { cleanupDirs, tempDir } from '../support/lambda.js';
import { destroyClients, sdkClients } from '../support/aws/clients.js';
import { servePath, spawnLocalAws, type SpawnedLocalAws } from '../support/aws/remote.js';
import { parseServeArgs } from '../support/aws/serve.js';

let aws: SpawnedLocalAws;
beforeAll(async () => {
  // `npm test` builds it; a lone run of this file may not have.
  if (!existsSync(servePath(REPO))) execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'tsconfig.support.json')]);
  aws = await spawnLocalAws(REPO, ['--function-pending-ms', '0']);
});
afterAll(async () => {
  await aws?.close();
  cleanupDirs();
});

/** The AWS CLI itself rather than its pyenv shim (the shim costs seconds per call on a busy machine). */
const awsCliPath = ((): string => {
  const r = spawnSync('pyenv', ['which', 'aws'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : 'aws';
})();
const awsCliPresent = spawnSync(awsCliPath, ['--version'], { encoding: 'utf8' }).status === 0;

function awsCli(args: string[]): { status: number | null; out: unknown; stderr: string } {
  const home = tempDir('c2l-awscli-');
  const r = spawnSync(awsCliPath, [...args, '--endpoint-url', aws.endpoint, '--output', 'json'], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: home,
      PYENV_ROOT: process.env.PYENV_ROOT ?? '',
      PYENV_VERSION: process.env.PYENV_VERSION ?? '',
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    timeout: 60_000,
  });
  let out: unknown = r.stdout;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    // not JSON (empty output of a call without a result)
  }
  return { status: r.status, out, stderr: r.stderr };
}

test('serve options: flags and LOCAL_AWS_OPTIONS', () => {
  expect(parseServeArgs(['--documented-rates', '--rates', 'iam=10,lambda:Invoke=5', '--latency-ms', '50', '--throttle', '0.2', '--seed', '3', '--function-update-ms', '300'], {})).toEqual({
    watchStdin: false,
    rates: { lambda: 15, 'lambda:GetFunction': 100, 'lambda:GetPolicy': 15, events: 50, iam: 10, 'lambda:Invoke': 5 },
    latencyMs: 50,
    throttle: { probability: 0.2, seed: 3 },
    timings: { functionUpdateMs: 300 },
  });
  expect(parseServeArgs(['--rules-per-bus', '5'], { LOCAL_AWS_OPTIONS: '{"region":"eu-west-1"}' })).toEqual({ watchStdin: false, region: 'eu-west-1', quotas: { rulesPerBus: 5 } });
  expect(() => parseServeArgs(['--rates', 'ec2=5'], {})).toThrow('bad --rates entry ec2=5');
  expect(() => parseServeArgs(['--latency-ms', 'soon'], {})).toThrow('--latency-ms needs a number');
});

test('serve.js prints its endpoint; the SDK and the control channel reach it', async () => {
  expect(aws.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const c = sdkClients(aws.endpoint);
  try {
    await aws.failNext({ service: 'sts', error: 'AccessDenied' });
    await expect(c.sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await c.sts.send(new GetCallerIdentityCommand({}))).Account).toBe('123456789012');
    expect((await aws.calls()).map((x) => [x.operation, x.status, x.injected])).toEqual([
      ['GetCallerIdentity', 403, 'failNext'],
      ['GetCallerIdentity', 200, undefined],
    ]);
    await aws.resetCalls();
    expect(await aws.calls()).toEqual([]);
  } finally {
    destroyClients(c);
  }
});

test.skipIf(!awsCliPresent)('the AWS CLI drives it with --endpoint-url: IAM, Lambda (create, invoke), EventBridge, DynamoDB errors', async () => {
  await aws.reset();
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const role = awsCli(['iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', trust]);
  expect(role.stderr).toBe('');
  // botocore decodes IAM's URL-encoded policy documents: what it shows is the document we sent.
  expect((role.out as { Role: { AssumeRolePolicyDocument: unknown } }).Role.AssumeRolePolicyDocument).toEqual(JSON.parse(trust));

  const dir = tempDir('c2l-awscli-zip-');
  const zipPath = join(dir, 'fn.zip');
  writeFileSync(
    zipPath,
    await writeZip([
      {
        path: 'bootstrap',
        mode: 0o755,
        content: '#!/bin/bash\napi="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"\nh=$(mktemp)\ne=$(curl -sS -D "$h" "$api/invocation/next")\nid=$(grep -i "^Lambda-Runtime-Aws-Request-Id:" "$h" | cut -d: -f2 | tr -d "[:space:]")\ncurl -sS -o /dev/null -X POST "$api/invocation/$id/response" -d "{\\"got\\":$e}"\n',
      },
    ]),
  );
  const fn = awsCli(['lambda', 'create-function', '--function-name', 'cli-fn', '--runtime', 'provided.al2023', '--handler', 'h', '--role', 'arn:aws:iam::123456789012:role/cli-role', '--zip-file', `fileb://${zipPath}`]);
  expect(fn.stderr).toBe('');
  expect(fn.out).toMatchObject({ FunctionName: 'cli-fn', State: 'Active' });
  const outFile = join(dir, 'out.json');
  const invoked = awsCli(['lambda', 'invoke', '--function-name', 'cli-fn', '--payload', '{"n":1}', outFile]);
  expect(invoked.out).toMatchObject({ StatusCode: 200 });
  expect(JSON.parse(execFileSync('cat', [outFile], { encoding: 'utf8' }))).toEqual({ got: { n: 1 } });

  expect(awsCli(['events', 'put-rule', '--name', 'cli-rule', '--schedule-expression', 'rate(1 day)', '--state', 'DISABLED']).out).toEqual({ RuleArn: 'arn:aws:events:us-east-1:123456789012:rule/cli-rule' });
  const missing = awsCli(['dynamodb', 'describe-table', '--table-name', 'nope']);
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toContain('ResourceNotFoundException');

  const state = await aws.state();
  expect(state.roles.map((r) => r.name)).toEqual(['cli-role']);
  expect(state.functions.map((f) => f.name)).toEqual(['cli-fn']);
  expect(state.rules.map((r) => [r.name, r.state])).toEqual([['cli-rule', 'DISABLED']]);
  expect((await aws.mutatingCalls()).map((x) => x.operation)).toEqual(['CreateRole', 'CreateFunction', 'PutRule']);
}, 240_000);
