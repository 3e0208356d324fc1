// Invoke on the local AWS endpoint: the stored zip is unzipped and its bash bootstrap runs against the project's
// local Runtime API; the SDK gets the function's answer, or its error with X-Amz-Function-Error.
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { writeZip } from '../../src/package/zip.js';
import { destroyClients, sdkClients, type SdkClients } from '../support/aws/clients.js';
import { startLocalAws, type LocalAws } from '../support/aws/server.js';

const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

/** A custom runtime in a dozen lines of bash: answers each event with MODE's behaviour. */
const BOOTSTRAP = `#!/bin/bash
set -euo pipefail
api="http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  headers=$(mktemp)
  event=$(curl -sS -D "$headers" "$api/invocation/next")
  id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$headers" | cut -d: -f2 | tr -d '[:space:]')
  echo "handling $id"
  case "\${MODE:-ok}" in
    ok) curl -sS -o /dev/null -X POST "$api/invocation/$id/response" -d "{\\"event\\":$event,\\"greeting\\":\\"\${GREETING:-}\\",\\"key\\":\\"\${AWS_ACCESS_KEY_ID:-}\\",\\"fn\\":\\"\${AWS_LAMBDA_FUNCTION_NAME}\\"}" ;;
    fail) curl -sS -o /dev/null -X POST -H 'Lambda-Runtime-Function-Error-Type: Job.Failed' "$api/invocation/$id/error" -d '{"errorType":"Job.Failed","errorMessage":"exit status 3"}' ;;
    die) echo "dying" >&2; exit 7 ;;
    sleep) sleep 30 ;;
    env) curl -sS -o /dev/null -X POST "$api/invocation/$id/response" -d "{\\"https_proxy\\":\\"\${https_proxy:-}\\",\\"HTTPS_PROXY\\":\\"\${HTTPS_PROXY:-}\\",\\"no_proxy\\":\\"\${no_proxy:-}\\",\\"ddb\\":\\"\${CRON2LAMBDA_DYNAMODB_ENDPOINT:-}\\",\\"extra\\":\\"\${EXTRA:-}\\"}" ;;
  esac
done
`;

let aws: LocalAws;
let c: SdkClients;
let zip: Buffer;
beforeAll(async () => {
  aws = await startLocalAws();
  c = sdkClients(aws.endpoint);
  zip = await writeZip([{ path: 'bootstrap', content: BOOTSTRAP, mode: 0o755 }]);
});
afterAll(async () => {
  destroyClients(c);
  await aws.close();
});
beforeEach(async () => {
  aws.reset();
  await c.iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: trust }));
});

async function fn(name: string, env: Record<string, string>, timeout = 10): Promise<void> {
  await c.lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: 'arn:aws:iam::123456789012:role/fn-role', Runtime: 'provided.al2023', Handler: 'function.handler', Timeout: timeout, Code: { ZipFile: zip }, Environment: { Variables: env } }));
}

const text = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('utf8');

test('RequestResponse returns what the bootstrap answered, with its environment and fake credentials', async () => {
  await fn('ok', { MODE: 'ok', GREETING: 'hello' });
  const r = await c.lambda.send(new InvokeCommand({ FunctionName: 'ok', Payload: Buffer.from('{"time":"2026-11-30T03:00:00Z"}'), LogType: 'Tail' }));
  expect(r.StatusCode).toBe(200);
  expect(r.FunctionError).toBeUndefined();
  expect(r.ExecutedVersion).toBe('$LATEST');
  expect(JSON.parse(text(r.Payload))).toEqual({ event: { time: '2026-11-30T03:00:00Z' }, greeting: 'hello', key: 'AKIDLOCALFAKE', fn: 'ok' });
  expect(Buffer.from(r.LogResult!, 'base64').toString()).toMatch(/^handling [0-9a-f-]{36}$/m);
  expect(aws.calls.at(-1)).toMatchObject({ service: 'lambda', operation: 'Invoke', kind: 'invoke', mutating: false, status: 200, resource: 'ok' });
});

test('an error answer is the payload, with X-Amz-Function-Error', async () => {
  await fn('fails', { MODE: 'fail' });
  const r = await c.lambda.send(new InvokeCommand({ FunctionName: 'fails', Payload: Buffer.from('{}') }));
  expect(r.StatusCode).toBe(200);
  expect(r.FunctionError).toBe('Unhandled');
  expect(JSON.parse(text(r.Payload))).toEqual({ errorType: 'Job.Failed', errorMessage: 'exit status 3' });
});

test('a bootstrap that exits before answering is Runtime.ExitError; one that outlives its timeout is killed', async () => {
  await fn('dies', { MODE: 'die' });
  const died = await c.lambda.send(new InvokeCommand({ FunctionName: 'dies', Payload: Buffer.from('{}') }));
  expect(died.FunctionError).toBe('Unhandled');
  expect(JSON.parse(text(died.Payload))).toMatchObject({ errorType: 'Runtime.ExitError' });
  expect(JSON.parse(text(died.Payload)).errorMessage).toMatch(/exit status 7$/);

  await fn('sleeps', { MODE: 'sleep' }, 1);
  const slept = await c.lambda.send(new InvokeCommand({ FunctionName: 'sleeps', Payload: Buffer.from('{}') }));
  expect(slept.FunctionError).toBe('Unhandled');
  expect(JSON.parse(text(slept.Payload)).errorMessage).toMatch(/Task timed out after 1\.00 seconds$/);
});

test('invoked functions are kept off the network: dead loopback proxies, no AWS lock endpoint unless given', async () => {
  await fn('env', { MODE: 'env' });
  const answer = async () => JSON.parse(text((await c.lambda.send(new InvokeCommand({ FunctionName: 'env' }))).Payload));
  expect(await answer()).toEqual({ https_proxy: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', no_proxy: '127.0.0.1,localhost', ddb: 'http://127.0.0.1:9', extra: '' });
  aws.setInvokeEnvironment({ CRON2LAMBDA_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', EXTRA: 'yes' });
  try {
    expect(await answer()).toMatchObject({ ddb: 'http://127.0.0.1:8000', extra: 'yes' });
  } finally {
    aws.setInvokeEnvironment({});
  }
});

test('Invoke of a Pending function is ResourceConflictException; of a missing one ResourceNotFoundException', async () => {
  aws.setTimings({ functionPendingMs: 60_000 });
  await fn('pending', { MODE: 'ok' });
  await expect(c.lambda.send(new InvokeCommand({ FunctionName: 'pending' }))).rejects.toMatchObject({ name: 'ResourceConflictException' });
  await expect(c.lambda.send(new InvokeCommand({ FunctionName: 'missing' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});
