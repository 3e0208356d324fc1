// A run's schedule proofs: each distinct line and zone proved once, each line given its own text and words, and the
// same proofs (so the same plan) whether this thread makes them all or shares them with a worker thread.
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/plan.js';
import { forLine, inProcessProver, ProofBatch } from '../../src/plan/proofs.js';
import { parallelProver } from '../../src/cli/parallel-proofs.js';
import { parseCronFields } from '../../src/schedule/model.js';
import { makeHorizon, type ProofRequest } from '../../src/schedule/translate.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';

const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 730);
// The compiled worker (npm test builds before it runs the tests); the sources have none.
const worker = new URL('../../dist/cli/proof-worker.js', import.meta.url);
const spec = (line: string) => {
  const r = parseCronFields(line.split(' '));
  if (!r.ok) throw new Error(line);
  return r.spec;
};
const LINES = ['0 * * * *', '*/5 * * * *', '30 2 * * *', '0 3 * * 1', '0 0 1 * *', '15 4 * * 0', '0 12 1,15 * 3', '5 */4 * * *', '59 1 * * *', '30 2 29 2 *'];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'Australia/Eucla'];
const requests: ProofRequest[] = LINES.flatMap((l) => ZONES.map((zone) => ({ spec: spec(l), options: { zone, target: 'rule' as const, horizon } })));

describe('ProofBatch', () => {
  it('asks once for lines with the same fields in the same zone, apart for another zone', () => {
    const batch = new ProofBatch();
    const options = { zone: 'Europe/Berlin', target: 'rule' as const, horizon };
    const a = batch.add({ spec: spec('0 0 * * 0'), options });
    const b = batch.add({ spec: spec('0 0 * * 7'), options });
    const c = batch.add({ spec: spec('0 0 * * 0'), options: { ...options, zone: 'UTC' } });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(batch.requests).toHaveLength(2);
  });

  it('gives a line proved for another its own text and words', () => {
    const [proved] = inProcessProver.start([{ spec: spec('0 0 * * 0'), options: { zone: 'UTC', target: 'rule', horizon } }]).join();
    const seven = forLine(proved, spec('0 0 * * 7'));
    expect(seven.plan.cron).toBe('0 0 * * 7');
    expect(seven.plan.expressions).toEqual(proved.plan.expressions);
    expect(seven.expressionDescriptions).toEqual(proved.expressionDescriptions);
    expect(forLine(proved, spec('0 0 * * 0'))).toBe(proved);
  });
});

describe('parallelProver', () => {
  it('makes the same proofs as this thread alone, whoever proves which', () => {
    const alone = inProcessProver.start(requests).join();
    expect(parallelProver({ min: 1, worker }).start(requests).join()).toEqual(alone);
    // the worker's share alone, merged back by index
    expect(parallelProver({ min: 1, worker, join: false }).start(requests).join()).toEqual(alone);
  });

  it('makes them here below its threshold or without a compiled worker', () => {
    const alone = inProcessProver.start(requests.slice(0, 3)).join();
    expect(parallelProver({ min: 4, worker }).start(requests.slice(0, 3)).join()).toEqual(alone);
    expect(parallelProver({ min: 1, worker: new URL('./no-such-worker.js', import.meta.url) }).start(requests.slice(0, 3)).join()).toEqual(alone);
  });

  it('gives the same plan as proofs made in this thread', () => {
    const text = ZONES.map((z, i) => `CRON_TZ=${z}\n${LINES.map((l, j) => `${l} /bin/echo ${i}-${j}`).join('\n')}\n@daily /bin/echo daily-${i}\n0 0 * * * /bin/echo midnight-${i}\n`).join('');
    const inputs = [{ file: '/etc/cron.d/fleet', text, system: false }];
    const options = { target: 'rule' as const, timezone: 'UTC', horizon };
    const alone = buildPlan(inputs, options);
    const shared = buildPlan(inputs, { ...options, prover: parallelProver({ min: 1, worker }) });
    expect(JSON.stringify(shared)).toBe(JSON.stringify(alone));
    expect(shared.summary.schedules).toBe(ZONES.length * (LINES.length + 2));
  });
});
