// The input migrate gives Scheduler, rendered as Scheduler renders it, run through the real bootstrap and lock: the
// scheduled minute keys the lock exactly as a rule's event does, so a minute both fire during a switch runs once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/dynamodb.js';
import { SCHEDULER_INPUT } from '../../src/aws/desired.js';
import { LambdaEnv, bodyOf, cleanupDirs, makeTaskDir, markerLines, ruleEvent, stopAll, tempDir } from '../support/lambda.js';

let db: LocalDynamoDb;
beforeAll(async () => {
  db = await startLocalDynamoDb();
});
afterEach(stopAll);
afterAll(async () => {
  await db.close();
  cleanupDirs();
});

/** Scheduler replaces the placeholder with the scheduled time (ISO 8601, UTC, seconds), stable across retries. */
function render(input: string, scheduledTime: string): Record<string, unknown> {
  return JSON.parse(input.replace('<aws.scheduler.scheduled-time>', scheduledTime)) as Record<string, unknown>;
}

describe('the Scheduler payload', () => {
  it('runs the job for its scheduled minute, and a rule event of the same minute is then skipped', async () => {
    const job = 'app01-hello-0123456789';
    const marker = join(tempDir(), 'marker');
    const taskDir = makeTaskDir({ jobId: job, command: `echo ran >> ${marker}` });
    const env = await LambdaEnv.start({
      taskDir,
      environment: { CRON2LAMBDA_LOCK_TABLE: db.tableName, CRON2LAMBDA_JOB: job, CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint },
    });
    const first = await env.invoke(render(SCHEDULER_INPUT, '2027-03-15T06:30:00Z'), { requestId: 'scheduler' });
    const retry = await env.invoke(render(SCHEDULER_INPUT, '2027-03-15T06:30:00Z'));
    const rule = await env.invoke(ruleEvent('2027-03-15T06:30:17Z'));
    expect(bodyOf(first)).toMatchObject({ exitCode: 0, skipped: false });
    expect(bodyOf(retry)).toMatchObject({ skipped: true });
    expect(bodyOf(rule)).toMatchObject({ skipped: true });
    expect(markerLines(marker)).toEqual(['ran']);
    expect(await db.getLock(`${job}#2027-03-15T06:30Z`)).toMatchObject({ state: 'done', holder: 'scheduler' });
  });
});
