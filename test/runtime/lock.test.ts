// templates/lock.sh's functions, called from bash directly (against dynalite on 127.0.0.1 for the lock itself).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/dynamodb.js';
import { templatePath } from '../../src/package/handler.js';
import { runBash } from '../support/lambda.js';
let db: LocalDynamoDb;

beforeAll(async () => {
  db = await startLocalDynamoDb({ tableName: 'locks-unit' });
});
afterAll(async () => {
  await db.close();
});

/** Runs SCRIPT in bash after sourcing lock.sh; ARGS are $1.. . Resolves with stdout. */
async function bash(script: string, ...args: string[]): Promise<string> {
  return runBash(`source "${templatePath('lock.sh')}"\n${script}`, args, {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'secret',
    CRON2LAMBDA_LOCK_TABLE: db.tableName,
    CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint,
  });
}

describe('c2l_scheduled_minute', () => {
  const cases: [string, string | null][] = [
    ['{"time":"2027-01-04T18:00:23Z"}', '2027-01-04T18:00Z'],
    ['{"time":"2027-01-04T18:59:59.999Z","source":"aws.events"}', '2027-01-04T18:59Z'],
    ['{"time":"2027-01-04T18:07Z"}', '2027-01-04T18:07Z'],
    ['{"source":"cron2lambda.scheduler","time":"2027-01-05T03:30:00+09:00"}', '2027-01-04T18:30Z'],
    ['{"time":"2027-12-31T23:30:00-01:00"}', '2028-01-01T00:30Z'],
    ['{"time":"2028-02-29T12:00:00Z"}', '2028-02-29T12:00Z'],
    ['  {\n "detail": {"time": "1999-01-01T00:00:00Z"},\n "time" : "2027-01-04T18:00:00Z"\n}', '2027-01-04T18:00Z'],
    ['{"resources":["time"],"x":"\\"time\\"","time":"2027-01-04T18:01:00Z"}', '2027-01-04T18:01Z'],
    ['{"time":"2027-02-29T12:00:00Z"}', null],
    ['{"time":"2027-01-04T24:00:00Z"}', null],
    ['{"time":"2027-01-04 18:00:00"}', null],
    ['{"time":1799085600}', null],
    ['{"detail":{"time":"2027-01-04T18:00:00Z"}}', null],
    ['["time","2027-01-04T18:00:00Z"]', null],
    ['', null],
  ];
  it.each(cases)('%s -> %s', async (event, minute) => {
    const out = await bash('if c2l_scheduled_minute "$1"; then echo "$C2L_MINUTE $C2L_MINUTE_EPOCH"; else echo none; fi', event);
    if (minute === null) expect(out.trim()).toBe('none');
    else expect(out.trim()).toBe(`${minute} ${Date.parse(minute.replace('Z', ':00Z')) / 1000}`);
  });
});

describe('c2l_json_escape', () => {
  it('escapes quotes, backslashes and every control character so that JSON.parse gives the text back', async () => {
    const text = `q" b\\ ${Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('')} üñí 日本 end`;
    const out = await bash('printf "%s" "$(c2l_json_escape "$1")"', text);
    expect(JSON.parse(`"${out}"`)).toBe(text);
  });
});

describe('the lock', () => {
  const future = () => String(Date.now() + 60_000);
  const past = () => String(Date.now() - 1_000);
  const acquire = (key: string, holder: string, deadline: string) =>
    bash('c2l_lock_acquire "$@"; echo $?', key, holder, deadline, '1800000000').then((s) => Number(s.trim()));

  it('is taken by the first holder only; a second holder finds it held', async () => {
    expect(await acquire('j#2027-01-04T18:00Z', 'a', future())).toBe(0);
    expect(await acquire('j#2027-01-04T18:00Z', 'b', future())).toBe(1);
    expect(await db.getLock('j#2027-01-04T18:00Z')).toMatchObject({ state: 'running', holder: 'a', ttl: 1800000000 });
  });

  it('is taken over once its running holder is past its deadline, but never once done', async () => {
    expect(await acquire('j#2027-01-04T18:01Z', 'dead', past())).toBe(0);
    expect(await acquire('j#2027-01-04T18:01Z', 'next', future())).toBe(0);
    expect(await db.getLock('j#2027-01-04T18:01Z')).toMatchObject({ state: 'running', holder: 'next' });
    // the dead holder can no longer mark it done or release it
    expect(await bash('c2l_lock_done "$1" dead; echo $?', 'j#2027-01-04T18:01Z')).toBe('1\n');
    expect(await bash('c2l_lock_release "$1" dead; echo $?', 'j#2027-01-04T18:01Z')).toBe('1\n');
    expect(await db.getLock('j#2027-01-04T18:01Z')).toMatchObject({ state: 'running', holder: 'next' });

    expect(await acquire('j#2027-01-04T18:02Z', 'ok', past())).toBe(0);
    expect(await bash('c2l_lock_done "$1" ok; echo $?', 'j#2027-01-04T18:02Z')).toBe('0\n');
    expect(await acquire('j#2027-01-04T18:02Z', 'late', future())).toBe(1);
    expect(await db.getLock('j#2027-01-04T18:02Z')).toMatchObject({ state: 'done', holder: 'ok' });
  });

  it('does not depend on TTL deletion: an item whose ttl has passed still holds its minute', async () => {
    await db.putItem(
      {
        key: { S: 'j#2027-01-04T18:03Z' },
        state: { S: 'done' },
        holder: { S: 'old' },
        deadline: { N: '1' },
        ttl: { N: '1' },
        started: { N: '1' },
      },
      db.tableName,
    );
    expect(await acquire('j#2027-01-04T18:03Z', 'new', future())).toBe(1);
  });

  it('is deleted by its holder on release, so the minute can be taken again', async () => {
    expect(await acquire('j#2027-01-04T18:04Z', 'r', future())).toBe(0);
    expect(await bash('c2l_lock_release "$1" r; echo $?', 'j#2027-01-04T18:04Z')).toBe('0\n');
    expect(await db.getLock('j#2027-01-04T18:04Z')).toBeUndefined();
    expect(await acquire('j#2027-01-04T18:04Z', 'r2', future())).toBe(0);
  });

  it('reports an error (2) with the reason when the table does not exist', async () => {
    const out = await bash(
      'CRON2LAMBDA_LOCK_TABLE=missing-table; c2l_lock_acquire "j#2027-01-04T18:05Z" h "$1" 1800000000; echo "$? $C2L_LOCK_ERROR"',
      future(),
    );
    expect(out).toMatch(/^2 DynamoDB answered HTTP 400: .*ResourceNotFoundException/);
  });
});
