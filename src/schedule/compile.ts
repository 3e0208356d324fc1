// A cron spec → AWS cron expressions for a fixed UTC offset (offset 0 for EventBridge Scheduler, which evaluates
// in the source zone). Pure. Exactness is never claimed here: verify.ts simulates what this emits.
//
// How: each (hour, minute) of the line is moved by the offset, which may carry it into the previous or next UTC day
// (k = -1, 0, +1). The UTC dates that fire at those minutes are the dates D whose local date D - k matches cron's
// day rule; that date set is written as day-of-month clauses (with `L` and month lists for month ends) or
// day-of-week clauses (weekdays shifted by k). Minutes with the same date clauses share expressions.
//
// Where no clause is right in every year (a carry across 29 February; a weekday carried across a month boundary),
// clauses are limited to the years they are right in, with year lists from the first year to the last AWS accepts
// (2199), so that the expressions stay exact after the proof's horizon too. Only cron's AND of both day fields is
// left approximate: written per year it would take dozens of expressions for one line.
import { daysFromCivil, isLeapYear, monthLength, monthLengthFor, weekday } from './calendar.js';
import { dayRule, type CronSpec, type DayRule } from './model.js';
import {
  buildExpression,
  formatDow,
  formatNumbers,
  formatYears,
  MAX_EXPRESSION_LENGTH,
  MAX_YEAR,
} from './eventbridge.js';

/**
 * Approximations the compiler had to make; each explains drift that the simulation will then measure. Only `day-and`
 * is left: leap-day carries and weekdays carried across a month boundary are written exactly with year lists.
 */
export type ApproximationCode = 'day-and';

export interface Clause {
  dom: string; // '?' or a day-of-month field
  dow: string; // '?' or a day-of-week field
  months: number[];
  years: number[] | null;
}

export interface Compiled {
  expressions: string[];
  approximations: ApproximationCode[];
}

export interface CompileOptions {
  /** Minutes east of UTC of the zone the expressions will be evaluated against the line's zone. */
  offset: number;
  /** First year the rules will run in: years lists (leap-year clauses) start here. */
  fromYear: number;
}

export function compile(spec: CronSpec, options: CompileOptions): Compiled {
  const approximations = new Set<ApproximationCode>();
  let rule = dayRule(spec);
  if (rule.kind === 'and') {
    // EventBridge cannot AND day-of-month with day-of-week: keep the more restrictive field, a superset of the
    // days cron runs, and let the simulation report the extra days.
    approximations.add('day-and');
    rule = rule.doms.length / 31 <= rule.dows.length / 7 ? { kind: 'dom', doms: rule.doms } : { kind: 'dow', dows: rule.dows };
  }

  // k (UTC day - local day) → UTC hour → UTC minutes
  const byShift = new Map<number, Map<number, Set<number>>>();
  for (const h of spec.hours) {
    for (const m of spec.minutes) {
      const u = h * 60 + m - options.offset;
      const k = Math.floor(u / 1440);
      const v = u - k * 1440;
      let hours = byShift.get(k);
      if (!hours) byShift.set(k, (hours = new Map()));
      const hh = Math.floor(v / 60);
      let mins = hours.get(hh);
      if (!mins) hours.set(hh, (mins = new Set()));
      mins.add(v % 60);
    }
  }

  // Merge shifts whose UTC date clauses come out the same (e.g. every day), so one expression covers them.
  const groups = new Map<string, { clauses: Clause[]; hours: Map<number, Set<number>> }>();
  for (const k of [...byShift.keys()].sort((a, b) => a - b)) {
    const clauses = dayClauses(rule, spec.months, -k, options.fromYear);
    const key = JSON.stringify(clauses);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { clauses, hours: new Map() }));
    for (const [hh, mins] of byShift.get(k)!) {
      let set = g.hours.get(hh);
      if (!set) g.hours.set(hh, (set = new Set()));
      for (const x of mins) set.add(x);
    }
  }

  const expressions: string[] = [];
  for (const g of groups.values()) {
    if (g.clauses.length === 0) continue;
    // Hours with the same minute set share one expression.
    const byMinutes = new Map<string, { hours: number[]; minutes: number[] }>();
    for (const hh of [...g.hours.keys()].sort((a, b) => a - b)) {
      const minutes = [...g.hours.get(hh)!].sort((a, b) => a - b);
      const key = minutes.join(',');
      let r = byMinutes.get(key);
      if (!r) byMinutes.set(key, (r = { hours: [], minutes }));
      r.hours.push(hh);
    }
    for (const r of byMinutes.values()) {
      for (const c of g.clauses) expressions.push(...fitLength(r.hours, r.minutes, c));
    }
  }
  return { expressions: [...new Set(expressions)], approximations: [...approximations].sort() };
}

/**
 * One expression, or several when it would pass the 256-character limit: a year list is packed into as many
 * expressions as it takes; otherwise the longer of the minute and hour lists is halved.
 */
function fitLength(hours: number[], minutes: number[], c: Clause): string[] {
  const withYears = (years: string) =>
    buildExpression({
      minutes: formatNumbers(minutes, 0, 59),
      hours: formatNumbers(hours, 0, 23),
      dom: c.dom,
      months: formatNumbers(c.months, 1, 12),
      dow: c.dow,
      years,
    });
  const e = withYears(formatYears(c.years));
  if (e.length <= MAX_EXPRESSION_LENGTH) return [e];
  if (c.years && c.years.length > 1) {
    const pieces = formatYears(c.years).split(',');
    const room = MAX_EXPRESSION_LENGTH - withYears('').length;
    if (pieces.every((p) => p.length <= room)) {
      const out: string[] = [];
      let chunk = '';
      for (const p of pieces) {
        if (chunk && chunk.length + 1 + p.length > room) {
          out.push(withYears(chunk));
          chunk = '';
        }
        chunk = chunk ? `${chunk},${p}` : p;
      }
      out.push(withYears(chunk));
      return out;
    }
  }
  if (minutes.length >= hours.length && minutes.length > 1) {
    const half = Math.ceil(minutes.length / 2);
    return [...fitLength(hours, minutes.slice(0, half), c), ...fitLength(hours, minutes.slice(half), c)];
  }
  if (hours.length > 1) {
    const half = Math.ceil(hours.length / 2);
    return [...fitLength(hours.slice(0, half), minutes, c), ...fitLength(hours.slice(half), minutes, c)];
  }
  throw new Error(`cannot fit an expression in ${MAX_EXPRESSION_LENGTH} characters: ${e}`);
}

/** Leap years from `fromYear` to the last year AWS accepts. */
export function leapYears(fromYear: number): number[] {
  const out: number[] = [];
  for (let y = fromYear; y <= MAX_YEAR; y++) if (isLeapYear(y)) out.push(y);
  return out;
}

/** Common (not leap) years from `fromYear` to the last year AWS accepts: 2100 is one. */
export function commonYears(fromYear: number): number[] {
  const out: number[] = [];
  for (let y = fromYear; y <= MAX_YEAR; y++) if (!isLeapYear(y)) out.push(y);
  return out;
}

type YearClass = 'all' | 'leap' | 'common';

function yearsOf(cls: YearClass, fromYear: number): number[] | null {
  return cls === 'all' ? null : cls === 'leap' ? leapYears(fromYear) : commonYears(fromYear);
}

/**
 * The UTC dates D on which local date D + j matches the rule, as AWS day clauses.
 */
const clauseCache = new Map<string, Clause[]>();

/** Memoised: a fleet's lines share a handful of day patterns, and the clauses depend only on these inputs. */
function dayClauses(rule: DayRule, months: number[], j: number, fromYear: number): Clause[] {
  const key = `${JSON.stringify(rule)}|${months.join(',')}|${j}|${fromYear}`;
  let hit = clauseCache.get(key);
  if (!hit) {
    hit = dayClausesUncached(rule, months, j, fromYear);
    if (clauseCache.size > 10_000) clauseCache.clear();
    clauseCache.set(key, hit);
  }
  return hit;
}

function dayClausesUncached(rule: DayRule, months: number[], j: number, fromYear: number): Clause[] {
  if (months.length === 0) return [];
  switch (rule.kind) {
    case 'all':
      return domClauses((m) => months.includes(m), j, fromYear);
    case 'dom':
      return domClauses((m, d) => months.includes(m) && rule.doms.includes(d), j, fromYear);
    case 'dow':
      return dowClauses(rule.dows, months, j, fromYear);
    case 'or':
      return [
        ...domClauses((m, d) => months.includes(m) && rule.doms.includes(d), j, fromYear),
        ...dowClauses(rule.dows, months, j, fromYear),
      ];
    case 'and':
      throw new Error('and-rules are reduced before clauses are made');
  }
}

/**
 * Weekday clauses. Carried by a day (j = ±1), "Monday in March" becomes "Sunday from the last day of February to
 * March 30": the UTC month's first or last day belongs to the neighbouring local month. Months whose neighbour is
 * in the month list too keep a plain weekday clause; for the others, each year's boundary day is looked at: where
 * its weekday does not fire, the plain clause is right that year; where it does, the month's days are listed for
 * that year (or the boundary day alone, for a month that fires only through its neighbour). Years with the same
 * clause share one year list.
 */
function dowClauses(dows: number[], months: number[], j: number, fromYear: number): Clause[] {
  if (dows.length === 0) return [];
  const shifted = new Set(dows.map((w) => (((w - j) % 7) + 7) % 7));
  const dow = formatDow([...shifted]);
  if (j === 0 || months.length === 12) return [{ dom: '?', dow, months, years: null }];

  const inMonths = new Set(months);
  const full: number[] = [];
  // dom|dow|month → years
  const byYears = new Map<string, { dom: string; dow: string; month: number; years: number[] }>();
  const put = (dom: string, d: string, month: number, year: number) => {
    const key = `${dom}|${d}|${month}`;
    let e = byYears.get(key);
    if (!e) byYears.set(key, (e = { dom, dow: d, month, years: [] }));
    e.years.push(year);
  };
  for (let m = 1; m <= 12; m++) {
    const neighbour = j > 0 ? (m % 12) + 1 : m === 1 ? 12 : m - 1;
    const here = inMonths.has(m);
    const there = inMonths.has(neighbour);
    if (here && there) full.push(m);
    if (here === there) continue;
    for (let y = fromYear; y <= MAX_YEAR; y++) {
      const len = monthLength(y, m);
      const first = daysFromCivil(y, m, 1);
      const boundary = j > 0 ? len : 1;
      const boundaryFires = shifted.has(weekday(first + boundary - 1));
      if (!here) {
        if (boundaryFires) put(boundary === 1 ? '1' : 'L', '?', m, y);
      } else if (!boundaryFires) {
        put('?', dow, m, y);
      } else {
        const days: number[] = [];
        for (let d = 1; d <= len; d++) if (d !== boundary && shifted.has(weekday(first + d - 1))) days.push(d);
        if (days.length) put(formatNumbers(days, 1, 31), '?', m, y);
      }
    }
  }
  const clauses: Clause[] = full.length ? [{ dom: '?', dow, months: full, years: null }] : [];
  // Months with the same clause and the same years share one clause.
  const merged = new Map<string, Clause>();
  const allYears = MAX_YEAR - fromYear + 1;
  for (const e of byYears.values()) {
    const years = e.years.length === allYears ? null : e.years;
    const key = `${e.dom}|${e.dow}|${years ? years.join(',') : '*'}`;
    const c = merged.get(key);
    if (c) c.months.push(e.month);
    else merged.set(key, { dom: e.dom, dow: e.dow, months: [e.month], years });
  }
  return [...clauses, ...merged.values()];
}

/** Local (month, day) of UTC (month, day) moved by j days, in a leap or common year. */
function shiftDate(month: number, day: number, j: number, leap: boolean): [number, number] {
  if (j === 0) return [month, day];
  if (j > 0) {
    return day === monthLengthFor(leap, month) ? [(month % 12) + 1, 1] : [month, day + 1];
  }
  if (day > 1) return [month, day - 1];
  const prev = month === 1 ? 12 : month - 1;
  return [prev, monthLengthFor(leap, prev)];
}

interface DomEncoding {
  nums: number[];
  last: boolean;
}

function selects(e: DomEncoding, len: number): number[] {
  const out = e.nums.filter((x) => x <= len);
  if (e.last && !out.includes(len)) out.push(len);
  return out.sort((a, b) => a - b);
}

const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Day-of-month clauses for a predicate on local (month, day). Each UTC month's firing days are computed for a common
 * and a leap year and written with numbers and `L` so that one clause is right in both; when no such writing
 * exists (a carry across 29 February), the leap-year extra days get their own clause limited to leap years.
 */
function domClauses(pred: (month: number, day: number) => boolean, j: number, fromYear: number): Clause[] {
  // Two ways to write month ends: as numbers (31 in Jan, 30 in Apr) or as `L`; keep whichever needs fewer clauses.
  const byNumbers = domClausesWith(pred, j, fromYear, false);
  const byLast = domClausesWith(pred, j, fromYear, true);
  return byLast.length < byNumbers.length ? byLast : byNumbers;
}

function domClausesWith(
  pred: (month: number, day: number) => boolean,
  j: number,
  fromYear: number,
  preferLast: boolean,
): Clause[] {
  const perMonth: { month: number; enc: DomEncoding; years: YearClass; common: number[]; leap: number[] }[] = [];
  for (let month = 1; month <= 12; month++) {
    const firing = (leap: boolean) => {
      const out: number[] = [];
      const len = monthLengthFor(leap, month);
      for (let d = 1; d <= len; d++) {
        const [lm, ld] = shiftDate(month, d, j, leap);
        if (pred(lm, ld)) out.push(d);
      }
      return out;
    };
    const common = firing(false);
    const leap = firing(true);
    if (common.length === 0 && leap.length === 0) continue;
    const lenC = monthLengthFor(false, month);
    const lenL = monthLengthFor(true, month);
    const numeric: DomEncoding[] = [
      { nums: leap, last: false },
      { nums: common, last: false },
    ];
    const withLast: DomEncoding[] = [
      { nums: common.filter((d) => d !== lenC), last: common.includes(lenC) },
      { nums: leap.filter((d) => d !== lenL), last: leap.includes(lenL) },
    ];
    const candidates = preferLast ? [...withLast, ...numeric] : [...numeric, ...withLast];
    const fit = candidates.find((e) => same(selects(e, lenC), common) && same(selects(e, lenL), leap));
    if (fit) {
      perMonth.push({ month, enc: fit, years: 'all', common, leap });
    } else {
      // A carry across 29 February: the days both kinds of year share, then each kind's own days in its years.
      const both = common.filter((d) => leap.includes(d));
      const commonOnly = common.filter((d) => !leap.includes(d));
      const leapOnly = leap.filter((d) => !common.includes(d));
      if (both.length) perMonth.push({ month, enc: { nums: both, last: false }, years: 'all', common: both, leap: both });
      if (commonOnly.length) perMonth.push({ month, enc: { nums: commonOnly, last: false }, years: 'common', common: [], leap: [] });
      if (leapOnly.length) perMonth.push({ month, enc: { nums: leapOnly, last: false }, years: 'leap', common: [], leap: [] });
    }
  }

  // Days past a month's end never fire, so "28-31" serves January, February and April alike: when one union of
  // day numbers gives every plain month exactly its days, use it everywhere (one clause instead of several).
  const plain = perMonth.filter((p) => p.years === 'all' && !p.enc.last);
  if (plain.length > 1) {
    const union = [...new Set(plain.flatMap((p) => p.enc.nums))].sort((a, b) => a - b);
    const fits = plain.every(
      (p) =>
        same(selects({ nums: union, last: false }, monthLengthFor(false, p.month)), p.common) &&
        same(selects({ nums: union, last: false }, monthLengthFor(true, p.month)), p.leap),
    );
    if (fits) for (const p of plain) p.enc = { nums: union, last: false };
  }

  // Write each encoding as fields; `L` goes in a clause of its own (AWS documents L alone, not in a list).
  const byField = new Map<string, Clause>();
  const add = (dom: string, month: number, years: YearClass) => {
    const key = `${dom}|${years}`;
    let c = byField.get(key);
    if (!c) byField.set(key, (c = { dom, dow: '?', months: [], years: yearsOf(years, fromYear) }));
    c.months.push(month);
  };
  for (const { month, enc, years } of perMonth) {
    const len = monthLengthFor(true, month);
    const nums = enc.nums;
    const has = new Set(nums);
    let coversMonth = years === 'all';
    for (let d = 1; d < len && coversMonth; d++) coversMonth = has.has(d);
    coversMonth &&= has.has(len) || enc.last;
    if (coversMonth) {
      add('*', month, 'all');
      continue;
    }
    if (nums.length) add(formatNumbers(nums, 1, 31), month, years);
    if (enc.last) add('L', month, years);
  }
  // A year-limited clause with no year left before 2199 (a horizon past AWS's last year) has nothing to say.
  return [...byField.values()].filter((c) => c.years === null || c.years.length > 0);
}

