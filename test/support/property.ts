// Property test: for thousands of random cron lines in eight zones, the translator's claim (exact, or the exact
// number of missing and extra minutes) must agree with an independent minute-by-minute reference. In zones with one
// offset, every line must be exact unless cron ANDs both day fields, and must stay exact after the horizon: the
// emitted expressions are also checked over a few later windows (up to 2199, the last year AWS accepts).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCronFields } from '../../src/schedule/model.js';
import { translate, type Target } from '../../src/schedule/translate.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';
import { OracleZone, oracleAwsFires, oracleCron, oracleCronFires, oracleCronTzFires } from './oracle.js';

// 2027-10-15 .. 2028-04-15 holds 29 Feb 2028 and both DST changes of New York, Chatham and Lord Howe (a 30-minute
// shift). Eight zones × 280 random lines = 2,240 lines, plus the common ones.
const fromDay = daysFromCivil(2027, 10, 15);
const toDay = daysFromCivil(2028, 4, 15);
const horizon = { fromDay, toDay };
const FROM = fromDay * 1440;
const TO = toDay * 1440;


const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DOW_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** One field: mostly the shapes people write, sometimes odd ones. */
function fieldArb(lo: number, hi: number, names?: string[]): fc.Arbitrary<string> {
  const val = fc.integer({ min: lo, max: hi });
  const named = names
    ? fc.oneof(val.map(String), fc.integer({ min: 0, max: names.length - 1 }).map((i) => names[i]))
    : val.map(String);
  const range = fc.tuple(val, val).map(([a, b]) => (a <= b ? `${a}-${b}` : `${b}-${a}`));
  const step = fc.integer({ min: 2, max: Math.max(2, Math.floor((hi - lo) / 2)) });
  const element = fc.oneof(
    { weight: 5, arbitrary: named },
    { weight: 2, arbitrary: range },
    { weight: 1, arbitrary: fc.tuple(range, step).map(([r, s]) => `${r}/${s}`) },
  );
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant('*') },
    { weight: 2, arbitrary: step.map((s) => `*/${s}`) },
    { weight: 5, arbitrary: element },
    { weight: 2, arbitrary: fc.array(element, { minLength: 2, maxLength: 3 }).map((a) => a.join(',')) },
  );
}

const minuteArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 59 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('*/15', '*/30', '0,30', '*/20', '5-10') },
);
const hourArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 23 }).map(String) },
  { weight: 2, arbitrary: fieldArb(0, 23) },
);
export const lineArb = fc
  .tuple(minuteArb, hourArb, fieldArb(1, 31), fieldArb(1, 12, MONTH_NAMES), fieldArb(0, 7, DOW_NAMES))
  .map((f) => f.join(' '));

/** Zones with one UTC offset from the horizon to 2199: EventBridge's grammar can follow them exactly. */
const FIXED_OFFSET = new Set(['UTC', 'Asia/Tokyo', 'Asia/Kolkata', 'Australia/Eucla', 'Pacific/Honolulu']);

/** cron ANDs the day fields (one starts with `*`, both restrict): the one case AWS cannot say. Read by the reference. */
function daysAnded(line: string): boolean {
  const c = oracleCron(line);
  const all = (f: boolean[], lo: number, hi: number) => f.slice(lo, hi + 1).every(Boolean);
  const dowAll = all(c.dow, 0, 6) || (c.dow[7] && all(c.dow, 1, 6));
  return (c.domStar || c.dowStar) && !all(c.dom, 1, 31) && !dowAll;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Later windows, chosen from the line so that reruns are the same: the UTC days either side of the start of a month
 * in some year up to 2199 (two of them; a carried day crosses there), and 28 February to 1 March 2100 (2100 is not a
 * leap year).
 */
function laterWindows(line: string, zone: string): [number, number][] {
  const out: [number, number][] = [[daysFromCivil(2100, 2, 28) * 1440, daysFromCivil(2100, 3, 2) * 1440]];
  let h = hash(`${line}|${zone}`);
  for (let i = 0; i < 2; i++) {
    const year = 2029 + (h % (2199 - 2029 + 1));
    h = Math.floor(h / 171);
    const month = 1 + (h % 12);
    h = hash(`${h}`);
    const start = daysFromCivil(year, month, 1) * 1440;
    out.push([start - 1440, start + 1440]);
  }
  return out;
}

/** A server whose own clock goes back in the horizon (2027-11-07), for lines under CRON_TZ. */
const SERVER = 'America/New_York';
const serverOracle = new OracleZone(SERVER);

/** `cronTz`: the line is under CRON_TZ=zone on a server in SERVER (cronie's CRON_TZ rules); else the server's zone is `zone`. */
function check(line: string, zone: string, target: Target, oracleZone: OracleZone, cronTz = false) {
  const parsed = parseCronFields(line.split(' '));
  if (!parsed.ok) throw new Error(`generator produced an invalid line: ${line}`);
  const options = { zone, target, horizon, ...(cronTz ? { serverZone: SERVER } : {}) };
  const plan = translate(parsed.spec, options);
  const expected = cronTz ? oracleCronTzFires(line, oracleZone, serverOracle, FROM, TO) : oracleCronFires(line, oracleZone, FROM, TO);
  const actual = oracleAwsFires(plan.expressions, target, oracleZone, FROM, TO);
  let missing = 0;
  let extra = 0;
  for (const u of expected) if (!actual.has(u)) missing++;
  for (const u of actual) if (!expected.has(u)) extra++;
  const context = `${cronTz ? `CRON_TZ on a server in ${SERVER}: ` : ''}${line} in ${zone} (${target}) → ${plan.expressions.join(' ')}`;
  expect(plan.expressions.every((e) => e.length <= 256), context).toBe(true);
  expect({ fires: plan.verification.fires, missing: plan.verification.missing, extra: plan.verification.extra }, context)
    .toEqual({ fires: expected.size, missing, extra });
  expect(plan.exact, context).toBe(missing === 0 && extra === 0);
  expect(plan.verification.reasons, context).not.toContain('unexplained');
  // The hint "--target scheduler makes it exact" must say what translating for Scheduler proves (checked itself by
  // the Scheduler runs below against the reference).
  if (target === 'rule' && !plan.exact) {
    expect(plan.schedulerExact, context).toBe(translate(parsed.spec, { ...options, target: 'scheduler' }).exact);
  }
  // The server's repeated hour makes fixed CRON_TZ lines inexact even in fixed-offset zones: checked above.
  if (cronTz || !FIXED_OFFSET.has(zone)) return;
  const anded = daysAnded(line);
  expect(plan.verification.reasons.filter((r) => r !== 'day-and'), context).toEqual([]);
  if (!anded) expect(plan.exact, context).toBe(true);
  // Scheduler's expressions are the line's own fields in its zone (no carried days, no year lists): nothing changes
  // with the year there, so the later windows are for rules.
  if (target !== 'rule') return;
  for (const [from, to] of laterWindows(line, zone)) {
    const cron = oracleCronFires(line, oracleZone, from, to);
    const aws = oracleAwsFires(plan.expressions, target, oracleZone, from, to);
    const where = `${context} from ${new Date(from * 60_000).toISOString()}`;
    // An AND of day fields keeps the more restrictive one: a superset of cron's minutes, never fewer.
    expect([...cron].filter((u) => !aws.has(u)), where).toEqual([]);
    if (!anded) expect([...aws].filter((u) => !cron.has(u)), where).toEqual([]);
  }
}

export function propertySuite(zones: string[]): void {
  describe.each(zones)('translation in %s agrees with a minute-by-minute reference', (zone) => {
    const oracleZone = new OracleZone(zone);
  
    it('for random lines as EventBridge rules (UTC)', () => {
      fc.assert(fc.property(lineArb, (line) => check(line, zone, 'rule', oracleZone)), { numRuns: 180, seed: 20261129 });
    });
  
    it('for random lines as EventBridge Scheduler schedules (in the zone)', () => {
      fc.assert(fc.property(lineArb, (line) => check(line, zone, 'scheduler', oracleZone)), { numRuns: 100, seed: 7 });
    });
  
    it('for random lines under CRON_TZ on a server in New York, as rules and as Scheduler schedules', () => {
      fc.assert(fc.property(lineArb, (line) => check(line, zone, 'rule', oracleZone, true)), { numRuns: 60, seed: 20261130 });
      fc.assert(fc.property(lineArb, (line) => check(line, zone, 'scheduler', oracleZone, true)), { numRuns: 40, seed: 11 });
    });

    it('for the lines people write most', () => {
      for (const line of ['0 0 * * *', '*/5 * * * *', '0 * * * *', '30 2 * * *', '0 3 * * 1', '0 0 1 * *', '59 23 31 12 *', '0 0 29 2 *', '0 12 * * 1-5', '15 1 1,15 * 0', '0 0 */2 * 1', '30 1 * * *']) {
        check(line, zone, 'rule', oracleZone);
        check(line, zone, 'scheduler', oracleZone);
        check(line, zone, 'rule', oracleZone, true);
        check(line, zone, 'scheduler', oracleZone, true);
      }
    });
  });
}
