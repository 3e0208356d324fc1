// `invoke`: run one job locally exactly as Lambda would. Its zip is built by the same code as `package`, unzipped
// into a temporary task directory, and its bootstrap runs in bash against a Runtime API and a DynamoDB (dynalite)
// on 127.0.0.1. The script's output streams through; the exit status is the script's (124 when --timeout ends it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { buildPackages } from '../../package/build.js';
import { writeZip } from '../../package/zip.js';
import { startRuntimeApi, type InvocationResult } from '../../local/runtime-api.js';
import { startLocalDynamoDb } from '../../local/dynamodb.js';
import { extractZipToDir, startBootstrap } from '../../local/runner.js';
import { styleFor } from '../../render/style.js';
import { renderJob } from '../../render/text.js';
import { renderNotes } from '../../render/notes.js';
import { rootNotice } from '../notices.js';
import { InputError, UsageError } from '../../errors.js';
import { loadTemplates, lockTableName } from './package.js';
import { cronOf, planFromFiles, type PlanCommandOptions } from './plan.js';
import type { Io } from '../io.js';

export interface InvokeCommandOptions extends PlanCommandOptions {
  job?: string;
  line?: string;
  time?: string;
  deliveries?: string;
  timeout?: string;
  lockTable?: string;
}

const REGION = 'us-east-1';

/** The event an EventBridge rule delivers (facts.md), with `time` the scheduled time. */
export function scheduledEvent(time: string, ruleName: string): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time,
    region: REGION,
    resources: [`arn:aws:events:${REGION}:000000000000:rule/${ruleName}`],
    detail: {},
  };
}

// A date, optionally with a time and a zone: Date() alone also reads "0" (2000-01-01), "-1" (2001) and other
// non-ISO text, and would deliver that instant as the scheduled time.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

function parseTime(value: string | undefined, now: Date): string {
  const d = value === undefined ? now : ISO_TIME.test(value) ? new Date(value) : new Date(NaN);
  // bootstrap reads the event's time as RFC 3339 (years 1970 to 9999); another year fails the run as an invalid event
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 1970 || year > 9999) {
    throw new UsageError(`--time "${value}" is not an ISO date-time (e.g. 2027-01-04T18:00:00Z)`);
  }
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function positive(value: string | undefined, name: string, fallback: number, max: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${name} must be a whole number from 1 to ${max}`);
  return n;
}

/** The script's exit status from what the bootstrap posted. */
export function exitStatusOf(result: InvocationResult): number {
  if (result.kind === 'response') {
    const code = (result.json as { exitCode?: number | null } | undefined)?.exitCode;
    return typeof code === 'number' ? code : 0;
  }
  if (result.kind === 'error') {
    // killed at the function timeout: timeout(1)'s status
    if (result.errorType === 'Sandbox.Timedout') return 124;
    const m = /exit(?:ed with)? status (\d+)/.exec(result.body);
    return m ? Number(m[1]) : 1;
  }
  return 1;
}

export async function runInvoke(file: string, options: InvokeCommandOptions, io: Io): Promise<number> {
  if ((options.job === undefined) === (options.line === undefined)) throw new UsageError('give exactly one of --job ID and --line N');
  const time = parseTime(options.time, io.now());
  const deliveries = positive(options.deliveries, '--deliveries', 1, 50);
  const timeoutSeconds = positive(options.timeout, '--timeout', 900, 900);
  const lockTable = lockTableName(options.lockTable);
  const style = styleFor(io.stderr, io.env);

  const plan = planFromFiles([file], options, io);
  io.stderr.write(renderNotes([rootNotice(options.root)].filter((n) => n !== null), style));
  const line = options.line === undefined ? undefined : Number(options.line);
  const matches = plan.jobs.filter((j) => (options.job !== undefined ? j.id === options.job : j.source.line === line));
  // A directory (etc/cron.d) holds many files: a line number alone may name a job in several of them, and running
  // the first one found would run a job the user did not mean.
  if (matches.length > 1) {
    const which = matches.map((j) => `${j.source.file}:${j.source.line} (${j.id})`).join(', ');
    throw new UsageError(`line ${options.line} is a job in more than one crontab of ${file}: ${which}; give --job ID`);
  }
  const [job] = matches;
  if (!job) {
    const known = plan.jobs.map((j) => `${j.id} (line ${j.source.line})`).join(', ');
    throw new UsageError(`no job ${options.job !== undefined ? `with id ${options.job}` : `on line ${options.line}`} in ${file}; jobs: ${known || 'none'}`);
  }
  const [built] = await buildPackages(plan, loadTemplates(), { lockTable, cron: cronOf(options, io) }, writeZip, (j) => j === job);
  if (!built.zip || !built.manifest.environment) {
    io.stderr.write(renderJob(built.job, style) + '\n');
    throw new InputError(`job ${job.id} cannot be run: it is ${built.job.status}`);
  }

  const taskDir = mkdtempSync(join(tmpdir(), 'cron2lambda-invoke-'));
  const api = await startRuntimeApi({ functionName: built.manifest.functionName, region: REGION });
  const db = await startLocalDynamoDb({ tableName: lockTable, region: REGION });
  let bootstrap: ReturnType<typeof startBootstrap> | undefined;
  try {
    await extractZipToDir(built.zip.bytes, taskDir);
    io.stderr.write(style.dim(`invoke ${job.id} (${built.manifest.functionName}, ${built.zip.bytes.length} bytes) at ${time}, ${deliveries} deliver${deliveries === 1 ? 'y' : 'ies'}\n`));
    const start = () =>
      startBootstrap({
        taskDir,
        runtimeApi: api.address,
        environment: { ...built.manifest.environment, CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint },
        functionName: built.manifest.functionName,
        region: REGION,
        onStdout: (l) => io.stdout.write(l + '\n'),
        onStderr: (l) => io.stderr.write(l + '\n'),
      });
    bootstrap = start();
    let exited = bootstrap.exited.then((e) => ({ exited: e }));
    const results: InvocationResult[] = [];
    for (let i = 0; i < deliveries; i++) {
      const event = scheduledEvent(time, built.manifest.functionName!);
      const requestId = randomUUID();
      const deadlineMs = Date.now() + timeoutSeconds * 1000;
      // Lambda ends an invocation at its timeout: the sandbox and every process in it are killed, the invocation
      // fails with Sandbox.Timedout, and the next one starts a new sandbox
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<{ timedOut: true }>((resolve) => (timer = setTimeout(() => resolve({ timedOut: true }), deadlineMs - Date.now())));
      const r = await Promise.race([api.enqueue(event, { deadlineMs, requestId }), exited, timedOut]);
      clearTimeout(timer);
      if ('timedOut' in r) {
        bootstrap.kill();
        await bootstrap.exited;
        const body = JSON.stringify({ errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`, errorType: 'Sandbox.Timedout' });
        results.push({ kind: 'error', requestId, body, json: JSON.parse(body), errorType: 'Sandbox.Timedout', durationMs: timeoutSeconds * 1000 });
        io.stderr.write(style.red(`delivery ${i + 1}: error ${body}\n`));
        if (i + 1 < deliveries) {
          bootstrap = start();
          exited = bootstrap.exited.then((e) => ({ exited: e }));
          await Promise.race([api.waitUntilPolling(), exited]);
        }
        continue;
      }
      if ('exited' in r) {
        const init = api.initErrors[0];
        io.stderr.write(style.red(`bootstrap exited (${r.exited.code ?? r.exited.signal})${init ? `: init error ${init.body}` : ''}\n`));
        return 1;
      }
      // bootstrap updates the lock while it answers; it asks for the next event once that is done.
      await Promise.race([api.waitUntilPolling(), exited]);
      results.push(r);
      io.stderr.write(style.dim(`delivery ${i + 1}: ${r.kind === 'abandoned' ? 'abandoned' : `${r.kind} ${r.body}`}\n`));
    }
    const ran = results.filter((r) => !(r.kind === 'response' && (r.json as { skipped?: boolean } | undefined)?.skipped));
    return exitStatusOf(ran[0] ?? results[0]);
  } finally {
    bootstrap?.kill();
    await bootstrap?.exited;
    await api.close();
    await db.close();
    rmSync(taskDir, { recursive: true, force: true });
  }
}
