import { describe, expect, it } from 'vitest';
import { parseCronFields } from '../../src/schedule/model.js';
import { makeHorizon, translate, type Target } from '../../src/schedule/translate.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';
import { parseAwsCron, formatNumbers } from '../../src/schedule/eventbridge.js';
import { compareFires, cronFires, ruleFires } from '../../src/schedule/simulate.js';
import { OracleZone, oracleAwsFires, oracleCronFires } from '../support/oracle.js';

const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 730);
const plan = (line: string, zone = 'UTC', target: Target = 'rule') => {
  const p = parseCronFields(line.split(' '));
  if (!p.ok) throw new Error('bad line');
  return translate(p.spec, { zone, target, horizon });
};

describe('translation to EventBridge rules (UTC)', () => {
  it('carries a Tokyo Monday 03:00 back to Sunday 18:00 UTC', () => {
    const p = plan('0 3 * * 1', 'Asia/Tokyo');
    expect(p.expressions).toEqual(['cron(0 18 ? * SUN *)']);
    expect(p.exact).toBe(true);
    expect(p.verification.fires).toBe(104);
  });

  it('moves minutes across the hour for half- and quarter-hour zones', () => {
    expect(plan('15 10 * * *', 'Australia/Eucla').expressions).toEqual(['cron(30 1 * * ? *)']);
    expect(plan('0 0 * * *', 'Asia/Kolkata').expressions).toEqual(['cron(30 18 * * ? *)']);
    const k = plan('*/15 * * * *', 'Asia/Kolkata');
    expect(k.expressions).toEqual(['cron(0/15 * * * ? *)']);
    expect(k.exact).toBe(true);
  });

  it('writes the 1st of each month in Tokyo as the last day of the previous month (L), leap years included', () => {
    const p = plan('0 3 1 * *', 'Asia/Tokyo');
    expect(p.expressions).toEqual(['cron(0 18 L * ? *)']);
    expect(p.exact).toBe(true);
  });

  it('splits day-of-month OR day-of-week into two kinds of rules and proves the union', () => {
    const p = plan('0 0 1,15 * 1', 'Asia/Tokyo');
    expect(p.expressions).toEqual(['cron(0 15 14 * ? *)', 'cron(0 15 L * ? *)', 'cron(0 15 ? * SUN *)']);
    expect(p.exact).toBe(true);
  });

  it('keeps a 29 February job on 28 February UTC in leap years only', () => {
    const p = plan('0 3 29 2 *', 'Asia/Tokyo');
    expect(p.expressions).toHaveLength(1);
    expect(p.expressions[0]).toMatch(/^cron\(0 18 28 2 \? 2028,2032,.*,2096,2104,.*2196\)$/);
    expect(p.expressions[0].length).toBeLessThanOrEqual(256);
    expect(p.exact).toBe(true);
  });

  it('reports an AND of day fields as inexact, with the extra days named', () => {
    const p = plan('0 0 */2 * 1');
    expect(p.exact).toBe(false);
    expect(p.expressions).toEqual(['cron(0 0 ? * MON *)']);
    expect(p.verification.missing).toBe(0);
    expect(p.verification.extra).toBeGreaterThan(0);
    expect(p.drift[0]).toMatchObject({ kind: 'extra', reason: 'day-and', at: '2026-12-14T00:00Z' });
  });

  it('reports a DST zone under a UTC rule as inexact and says when', () => {
    const p = plan('30 2 * * *', 'America/New_York');
    expect(p.exact).toBe(false);
    expect(p.verification.reasons).toEqual(['dst-offset']);
    expect(p.drift.length).toBeGreaterThan(0);
  });

  it('proves hourly jobs exact even across DST, since every UTC hour is a local hour', () => {
    expect(plan('0 * * * *', 'America/New_York').exact).toBe(true);
  });

  it('emits nothing for a date that never comes, and says so', () => {
    const p = plan('0 0 31 2 *');
    expect(p.expressions).toEqual([]);
    expect(p.neverFires).toBe(true);
    expect(p.exact).toBe(true);
  });

  it('stretches a horizon that holds no 29 February to the next one', () => {
    const h = makeHorizon(daysFromCivil(2029, 3, 1), 730);
    expect(h.toDay).toBe(daysFromCivil(2032, 2, 29) + 1);
  });
});

describe('translation for EventBridge Scheduler (in the zone)', () => {
  it('keeps the zone and the local time', () => {
    const p = plan('30 2 * * *', 'Europe/Berlin', 'scheduler');
    expect(p.expressions).toEqual(['cron(30 2 * * ? *)']);
    expect(p.expressionTimezone).toBe('Europe/Berlin');
  });

  it('flags the spring-forward day, when cron runs a 02:30 job at 03:00 and Scheduler skips it', () => {
    const p = plan('30 2 * * *', 'America/New_York', 'scheduler');
    expect(p.exact).toBe(false);
    expect(p.drift[0]).toEqual({ at: '2027-03-14T07:00Z', local: '2027-03-14T03:00', kind: 'missing', reason: 'dst-gap' });
    expect(p.verification.missing).toBe(2);
  });

  it('flags the fall-back hour, when cron runs a wildcard job twice and Scheduler once', () => {
    const p = plan('*/30 1 * * *', 'America/New_York', 'scheduler');
    expect(p.exact).toBe(false);
    expect(p.verification.reasons).toEqual(['dst-overlap']);
  });
});

describe('lines under CRON_TZ (cronie reads them on the CRON_TZ clock, and its own clock skips some)', () => {
  const under = (line: string, zone: string, serverZone: string, target: Target) => {
    const p = parseCronFields(line.split(' '));
    if (!p.ok) throw new Error('bad line');
    return translate(p.spec, { zone, serverZone, target, horizon });
  };

  it('proves a 02:30 New York job exact under Scheduler: cronie skips it on the spring-forward day too', () => {
    const p = under('30 2 * * *', 'America/New_York', 'UTC', 'scheduler');
    expect(p.exact).toBe(true);
    expect(p.verification.fires).toBe(728); // 730 days, 02:30 missing on two of them
    expect(under('30 2 * * *', 'America/New_York', 'America/New_York', 'scheduler').exact).toBe(true);
  });

  it('flags the fall-back day of a 01:30 New York job: cronie runs it in both passes, Scheduler once', () => {
    const p = under('30 1 * * *', 'America/New_York', 'UTC', 'scheduler');
    expect(p.exact).toBe(false);
    expect({ missing: p.verification.missing, extra: p.verification.extra, fires: p.verification.fires }).toEqual({ missing: 2, extra: 0, fires: 732 });
    expect(p.drift[0]).toEqual({ at: '2027-11-07T06:30Z', local: '2027-11-07T01:30', kind: 'missing', reason: 'dst-overlap' });
    // On a server in New York the daemon's own repeated hour skips the second pass: once, as Scheduler.
    expect(under('30 1 * * *', 'America/New_York', 'America/New_York', 'scheduler').exact).toBe(true);
  });

  it("flags a fixed job whose instant falls in the server's repeated hour, even in a zone without DST", () => {
    // 15:30 Tokyo is 06:30 UTC, 01:30 EST: the second pass of New York's fall-back hour.
    const p = under('30 15 * * *', 'Asia/Tokyo', 'America/New_York', 'rule');
    expect(p.expressions).toEqual(['cron(30 6 * * ? *)']);
    expect(p.exact).toBe(false);
    expect({ missing: p.verification.missing, extra: p.verification.extra }).toEqual({ missing: 0, extra: 2 });
    expect(p.drift[0]).toEqual({ at: '2027-11-07T06:30Z', local: '2027-11-07T15:30', kind: 'extra', reason: 'dst-server-overlap' });
    expect(p.schedulerExact).toBe(false);
    expect(under('30 15 * * *', 'Asia/Tokyo', 'America/New_York', 'scheduler').verification.reasons).toEqual(['dst-server-overlap']);
    // A wildcard job runs in the repeated hour; a server without DST skips nothing.
    expect(under('*/30 15 * * *', 'Asia/Tokyo', 'America/New_York', 'rule').exact).toBe(true);
    expect(under('30 15 * * *', 'Asia/Tokyo', 'UTC', 'rule').exact).toBe(true);
  });
});

describe('the AWS grammar', () => {
  it('emits documented forms: 0/5 steps, names for weekdays, one ? ', () => {
    expect(formatNumbers([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55], 0, 59)).toBe('0/5');
    expect(formatNumbers([1, 2, 3, 7], 0, 59)).toBe('1-3,7');
    expect(plan('*/5 * * * 1-5').expressions).toEqual(['cron(0/5 * ? * MON-FRI *)']);
  });

  it('rejects what AWS does not document', () => {
    expect(parseAwsCron('cron(*/5 * * * ? *)').ok).toBe(false);
    expect(parseAwsCron('cron(0 0 * * * *)').ok).toBe(false);
    expect(parseAwsCron('cron(0 0 ? * ? *)').ok).toBe(false);
    expect(parseAwsCron('cron(0 0 ? * 1/2 *)').ok).toBe(false);
    expect(parseAwsCron('cron(0 0 * * ?)').ok).toBe(false);
    expect(parseAwsCron('rate(5 minutes)').ok).toBe(false);
    expect(parseAwsCron('cron(0 18 ? * SUN *)').ok).toBe(true);
  });

  it('splits an expression that would pass 256 characters', () => {
    // A leap-year list (about 210 characters) plus a long minute list cannot fit one expression.
    const p = plan('1,3,5,7,11,13,17,19,23,29,31,37 3 29 2 *', 'Asia/Tokyo');
    expect(p.expressions.length).toBeGreaterThan(1);
    for (const e of p.expressions) expect(e.length).toBeLessThanOrEqual(256);
    expect(p.exact).toBe(true);
  });
});

describe('exact in fixed-offset zones wherever the AWS grammar can say it (year lists), and after the horizon too', () => {
  // Each drifted before year lists: a carry across 29 February (Honolulu, UTC-10) or a weekday carried across a month
  // boundary (Eucla, UTC+8:45).
  const cases: [string, string, number][] = [
    ['18 10,23 */3 * *', 'Pacific/Honolulu', -600],
    ['* * 28 * *', 'Pacific/Honolulu', -600],
    ['21 */2 * 4,mar 6,sun', 'Australia/Eucla', 525],
    ['* * * 2-10 1', 'Australia/Eucla', 525],
  ];

  /** The emitted expressions against cron, by the independent reference, from `from` (a UTC day) for `days` days. */
  function referenceDiff(line: string, zone: OracleZone, expressions: string[], from: number, days: number): number[] {
    const cron = oracleCronFires(line, zone, from * 1440, (from + days) * 1440);
    const aws = oracleAwsFires(expressions, 'rule', zone, from * 1440, (from + days) * 1440);
    return [...new Set([...cron].filter((u) => !aws.has(u)).concat([...aws].filter((u) => !cron.has(u))))].sort((a, b) => a - b);
  }

  it.each(cases)('%s in %s is exact over the two-year proof', (line, zone) => {
    const p = plan(line, zone);
    expect(p.verification.reasons).toEqual([]);
    expect(p.exact).toBe(true);
    for (const e of p.expressions) expect(e.length).toBeLessThanOrEqual(256);
  });

  it.each(cases)('%s in %s stays exact every day to the end of 2199 (the proof run over 173 years)', (line, zone, offset) => {
    const p = plan(line, zone);
    const spec = parseCronFields(line.split(' '));
    if (!spec.ok) throw new Error('bad line');
    // Both zones keep one offset; the proof's own timeline over 2027-2199 (the IANA data has no change ahead).
    const long = { fromDay: horizon.fromDay, toDay: daysFromCivil(2199, 12, 31) };
    const timeline = { zone, offsets: [offset], segments: [{ from: (long.fromDay - 3) * 1440, to: (long.toDay + 3) * 1440, offset }] };
    const parts = p.expressions.map((e) => {
      const r = parseAwsCron(e);
      if (!r.ok) throw new Error(r.error);
      return r.parts;
    });
    const c = compareFires(cronFires(spec.spec, timeline, long), ruleFires(parts, long), long);
    expect({ missing: c.missing, extra: c.extra, first: c.first }).toEqual({ missing: 0, extra: 0, first: [] });
    expect(c.count).toBeGreaterThan(p.verification.fires * 80);
  });

  it.each(cases)('%s in %s matches the independent reference at every month boundary of each kind of year, and in 2100 and 2196-2199', (line, zone) => {
    const p = plan(line, zone);
    const oz = new OracleZone(zone);
    // One year of each of the 14 calendars (weekday of 1 January, leap or not), 2100 (a common year though divisible
    // by 4) and the last years AWS accepts; two UTC days around every first of the month.
    const kinds = new Map<string, number>();
    for (let y = 2031; kinds.size < 14; y++) {
      const key = `${new Date(Date.UTC(y, 0, 1)).getUTCDay()}|${new Date(Date.UTC(y, 1, 29)).getUTCDate() === 29}`;
      if (!kinds.has(key)) kinds.set(key, y);
    }
    const windows: number[] = [];
    for (const y of [...kinds.values(), 2100, 2196, 2197, 2198, 2199]) for (let m = 1; m <= 12; m++) windows.push(daysFromCivil(y, m, 1) - 1);
    const diffs = windows.flatMap((d) => referenceDiff(line, oz, p.expressions, d, 2));
    expect(diffs.map((u) => new Date(u * 60_000).toISOString())).toEqual([]);
  });
});
