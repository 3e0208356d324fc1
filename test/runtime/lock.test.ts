// templates/lock.sh's functions, called from bash directly (against dynalite on 127.0.0.1 for the lock itself).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../src/local/dynamodb.js';
import { templatePath } from '../../src/package/handler.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupDirs, runBash, tempDir } from '../support/lambda.js';
let db: LocalDynamoDb;

beforeAll(async () => {
  db = await startLocalDynamoDb({ tableName: 'locks-unit' });
});
afterAll(async () => {
  await db.close();
  cleanupDirs();
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
    ['{"a":"x\\\\","time":"2027-01-04T18:02:00Z"}', '2027-01-04T18:02Z'],
    ['{"a":"\\\\\\",\\"time\\":\\"1999-01-01T00:00Z","time":"2027-01-04T18:03:00Z"}', '2027-01-04T18:03Z'],
    ['{"a":[{"time":"1999-01-01T00:00:00Z"}],"b":{"c":[1,{"d":"}"}]},"time":"2027-01-04T18:04:00Z"}', '2027-01-04T18:04Z'],
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

  it.each([
    ['no state', 'u#2027-01-04T18:01Z', {}],
    ['a state it does not know', 'u#2027-01-04T18:02Z', { state: { S: 'finished' } }],
    ['a state that is not a string', 'u#2027-01-04T18:03Z', { state: { N: '1' } }],
  ])('reports an error (2), never a skip, for an item with %s (a failure must not pass as a skipped run)', async (_, key, extra) => {
    await db.putItem({ key: { S: key }, holder: { S: 'other' }, deadline: { N: '1' }, ttl: { N: '1800000000' }, started: { N: '1' }, ...extra }, db.tableName);
    const out = await bash('c2l_lock_acquire "$1" h "$2" 1800000000; echo "$? why=$C2L_LOCK_WHY error=$C2L_LOCK_ERROR"', key, future());
    expect(out.trim()).toMatch(/^2 why= error=the lock u#\S+ holds a state this runtime does not know/);
    expect(await db.getLock(key)).toMatchObject({ holder: 'other' });
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

describe('c2l_ddb_endpoint', () => {
  // DNS suffixes of the AWS SDK's partitions data (@aws-sdk/core util-endpoints partitions.js)
  it.each([
    ['us-east-1', 'https://dynamodb.us-east-1.amazonaws.com'],
    ['us-gov-west-1', 'https://dynamodb.us-gov-west-1.amazonaws.com'],
    ['cn-north-1', 'https://dynamodb.cn-north-1.amazonaws.com.cn'],
    ['cn-northwest-1', 'https://dynamodb.cn-northwest-1.amazonaws.com.cn'],
    ['us-iso-east-1', 'https://dynamodb.us-iso-east-1.c2s.ic.gov'],
    ['us-isob-east-1', 'https://dynamodb.us-isob-east-1.sc2s.sgov.gov'],
    ['us-isof-south-1', 'https://dynamodb.us-isof-south-1.csp.hci.ic.gov'],
    ['eu-isoe-west-1', 'https://dynamodb.eu-isoe-west-1.cloud.adc-e.uk'],
    ['eusc-de-east-1', 'https://dynamodb.eusc-de-east-1.amazonaws.eu'],
  ])('%s -> %s', async (region, endpoint) => {
    expect(await bash('unset CRON2LAMBDA_DYNAMODB_ENDPOINT; AWS_REGION=$1; c2l_ddb_endpoint; echo "$C2L_DDB_ENDPOINT"', region)).toBe(`${endpoint}\n`);
  });
});

describe('c2l_scheduled_minute on large events', () => {
  // through a file: one argument of a process may not exceed 128 KB
  const minuteOfFile = (event: string) => {
    const file = join(tempDir(), 'event.json');
    writeFileSync(file, event);
    return bash('if c2l_scheduled_minute "$(<"$1")"; then echo "$C2L_MINUTE"; else echo none; fi', file);
  };
  const filler = (n: number) =>
    JSON.stringify({
      items: Array.from({ length: n }, (_, i) => ({ id: i, name: `n"a\\m{e}[${i}]`, time: '1999-01-01T00:00:00Z', ok: i % 2 === 0, v: null })),
      long: `${'y'.repeat(5000)}\\"${'z'.repeat(300)}`,
    });
  it('finds a top-level time that comes after 200 KB of nested members, strings with escapes and long tokens', async () => {
    const detail = filler(2000);
    expect(detail.length).toBeGreaterThan(150_000);
    const event = `{"detail":${detail},"resources":["time"],"time":"2027-01-04T18:07:09Z"}`;
    expect(await minuteOfFile(event)).toBe('2027-01-04T18:07Z\n');
  });
  it('reports none when the only time members are nested', async () => {
    const event = `{"detail":${filler(2000)},"id":"x"}`;
    expect(await minuteOfFile(event)).toBe('none\n');
  });
});

describe('the lease', () => {
  const env = (extra: string) => `CRON2LAMBDA_LEASE_SECONDS=${extra}; c2l_lock_config; `;
  const future = () => String(Date.now() + 300_000);

  it('gives a live holder with the same request id no favour (a duplicate delivery may share it)', async () => {
    const out = await bash(
      'c2l_lock_acquire "$1" req-1 "$2" 1800000000; a=$?; c2l_lock_acquire "$1" req-1 "$2" 1800000000; echo "$a $? $C2L_LOCK_WHY"',
      'l#2027-01-04T18:10Z',
      future(),
    );
    expect(out.trim()).toBe('0 1 live');
  });

  it('waits for a lease that ends within the takeover wait, then takes it over', async () => {
    // a 1 s lease never renewed (its holder is gone); the next delivery waits for it instead of skipping. The
    // takeover wait (2 s) holds the whole lease, so the outcome does not depend on how fast bash starts.
    const out = await bash(
      `CRON2LAMBDA_TAKEOVER_WAIT_SECONDS=2; ${env('1')}c2l_lock_acquire "$1" dead "$2" 1800000000; c2l_lock_acquire "$1" next "$2" 1800000000; echo "$? $C2L_LOCK_HOW"`,
      'l#2027-01-04T18:11Z',
      future(),
    );
    expect(out.trim()).toMatch(/^0 took over expired \(holder dead, lease ended \d+ ms ago\)$/);
    expect(await db.getLock('l#2027-01-04T18:11Z')).toMatchObject({ holder: 'next', state: 'running' });
  });

  it('skips a live lease that ends later than the takeover wait', async () => {
    const out = await bash(
      `${env('60')}c2l_lock_acquire "$1" alive "$2" 1800000000; CRON2LAMBDA_TAKEOVER_WAIT_SECONDS=5; c2l_lock_config; c2l_lock_acquire "$1" other "$2" 1800000000; echo "$? $C2L_LOCK_WHY"`,
      'l#2027-01-04T18:12Z',
      future(),
    );
    expect(out.trim()).toBe('1 live');
  });

  it('is renewed only by its holder with its token; a holder that lost it learns so, and cannot release the new holder', async () => {
    const key = 'l#2027-01-04T18:13Z';
    const out = await bash(
      `${env('0.2')}c2l_lock_acquire "$1" first "$2" 1800000000; old=$C2L_LOCK_TOKEN
       c2l_lock_renew "$1" first; r1=$?
       sleep 0.3; c2l_lock_acquire "$1" second "$2" 1800000000 2>/dev/null; a=$?; new=$C2L_LOCK_TOKEN
       C2L_LOCK_TOKEN=$old; c2l_lock_renew "$1" first; r2=$?; c2l_lock_release "$1" first; r3=$?
       C2L_LOCK_TOKEN=$new; c2l_lock_renew "$1" second; r4=$?
       echo "$r1 $a $r2 $r3 $r4"`,
      key,
      future(),
    );
    expect(out.trim()).toBe('0 0 1 1 0');
    expect(await db.getLock(key)).toMatchObject({ holder: 'second', state: 'running' });
  });

  it('keeps a run of the same request id from releasing the lock of a later attempt (tokens differ)', async () => {
    const key = 'l#2027-01-04T18:14Z';
    const out = await bash(
      `${env('0.2')}c2l_lock_acquire "$1" req "$2" 1800000000; old=$C2L_LOCK_TOKEN
       sleep 0.3; c2l_lock_acquire "$1" req "$2" 1800000000 2>/dev/null
       C2L_LOCK_TOKEN=$old; c2l_lock_release "$1" req; echo $?`,
      key,
      future(),
    );
    expect(out.trim()).toBe('1');
    expect(await db.getLock(key)).toMatchObject({ holder: 'req', state: 'running' });
  });
});

describe('a minute the overlap policy skipped', () => {
  it('stays decided: a later delivery skips it too (state "skipped")', async () => {
    const out = await bash(
      'c2l_lock_acquire "$1" a "$2" 1800000000; c2l_lock_done "$1" a "" skipped; d=$?; c2l_lock_acquire "$1" b "$2" 1800000000; echo "$d $? $C2L_LOCK_WHY"',
      'l#2027-01-04T18:20Z',
      String(Date.now() + 300_000),
    );
    expect(out.trim()).toBe('0 1 skipped');
    expect(await db.getLock('l#2027-01-04T18:20Z')).toMatchObject({ state: 'skipped', holder: 'a' });
  });
});
