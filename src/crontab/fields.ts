// One cron time field (text) → the set of values it matches, exactly as Vixie cron and cronie read it.
// Pure: no I/O. Errors are returned as data so one bad field never hides the rest of a crontab.

export type FieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

export interface FieldSpec {
  name: FieldName;
  low: number;
  high: number;
  /** Three-letter names, index 0 is the value `low` (month) or 0 (day-of-week). */
  names?: readonly string[];
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;
const DOW_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

export const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', low: 0, high: 59 },
  { name: 'hour', low: 0, high: 23 },
  { name: 'day-of-month', low: 1, high: 31 },
  { name: 'month', low: 1, high: 12, names: MONTH_NAMES },
  // cron accepts 0-7 for day-of-week; 0 and 7 are both Sunday.
  { name: 'day-of-week', low: 0, high: 7, names: DOW_NAMES },
];

export interface ParsedField {
  /** Sorted distinct values; day-of-week 7 is folded into 0. */
  values: number[];
  /** cron's DOM_STAR/DOW_STAR: the field's first character is `*` (so a step over a star counts as unrestricted). */
  star: boolean;
  /** Always empty: a descending range (`5-1`) is an error (see parseField). Kept for the schedule model's shape. */
  reversedRanges: string[];
}

export interface FieldError {
  field: FieldName;
  text: string;
  /** Why cron refuses the field (said in words by src/render/messages.ts). */
  problem: FieldProblem;
}

/** What is wrong with a field; `token` is the part of it that is wrong. */
export type FieldProblem =
  | { kind: 'quartz' | 'overflow' | 'step-not-number' | 'name-not-allowed' | 'junk' | 'unreadable'; token: string }
  | { kind: 'too-many-digits'; digits: number; max: number }
  | { kind: 'out-of-range'; token: string; low: number; high: number }
  | { kind: 'unknown-name'; token: string; names: readonly string[] }
  | { kind: 'missing-step' | 'missing-value' }
  | { kind: 'empty-element'; text: string }
  | { kind: 'step-zero'; element: string }
  /** dayOfWeekEnd0: a day-of-week range ending in 0 (`5-0`), which unreleased cronie reads as `5-7`. */
  | { kind: 'descending'; range: string; lo: number; dayOfWeekEnd0: boolean }
  | { kind: 'step-without-range'; element: string; base: string; high: number; step: number };

export type FieldResult = { ok: true; field: ParsedField } | { ok: false; error: FieldError };

/**
 * Vixie cron and Debian's cron read a number into a MAX_TEMPSTR (100) buffer and reject the 100th digit
 * (vixie/cron macros.h, entry.c get_number); cronie allows 131071 digits but converts with atoi/(int)strtol, so a
 * value past INT_MAX wraps (4294967301 would read as 5). Neither is a number anyone means: refuse both.
 */
const MAX_DIGITS = 99;
const INT_MAX = 2147483647;

/** Reads one value: a decimal number or (for month and day-of-week) a three-letter name in any case. */
function readValue(token: string, spec: FieldSpec, role: 'value' | 'step'): number | FieldProblem {
  if (/^(\?|L|LW|\d+[LW]|\d+#\d+|[A-Za-z]{3}#\d+|\d*L-\d+)$/i.test(token)) return { kind: 'quartz', token };
  if (/^[0-9]+$/.test(token)) {
    if (token.length > MAX_DIGITS) return { kind: 'too-many-digits', digits: token.length, max: MAX_DIGITS };
    const n = Number.parseInt(token, 10);
    if (n > INT_MAX) return { kind: 'overflow', token };
    if (role === 'step') return n;
    if (n < spec.low || n > spec.high) return { kind: 'out-of-range', token, low: spec.low, high: spec.high };
    return n;
  }
  if (/^[A-Za-z]+$/.test(token)) {
    if (role === 'step') return { kind: 'step-not-number', token };
    if (!spec.names) return { kind: 'name-not-allowed', token };
    const i = spec.names.indexOf(token.toLowerCase());
    if (i < 0) return { kind: 'unknown-name', token, names: spec.names };
    return spec.name === 'month' ? i + 1 : i;
  }
  if (token === '') return { kind: role === 'step' ? 'missing-step' : 'missing-value' };
  if (/^[0-9]+[^0-9]/.test(token)) {
    // Debian's cron silently reads "1#2" as 1; cronie rejects it. Rejecting is the safe reading.
    return { kind: 'junk', token };
  }
  return { kind: 'unreadable', token };
}

/**
 * A descending range is an error, as in every released cron: Vixie cron and Debian's cron 3.0pl1 (entry.c
 * get_range: `if (ch == EOF || num1 > num2) return (EOF)`) and cronie up to 1.5.7 reject the line; cronie 1.6.0 to
 * 1.7.2 (state-machine get_range, no such check) accept it and never run it. cronie master after 1.7.2 (commits
 * d037042 and e6c2853, 2025, untagged) reads an end of 0 as 7, meant for day-of-week `N-0` = `N-7`. So no released
 * cron ever ran such a line: it must not start running on AWS either.
 */
function descending(range: string, spec: FieldSpec, lo: number, hi: number): FieldProblem {
  return { kind: 'descending', range, lo, dayOfWeekEnd0: spec.name === 'day-of-week' && hi === 0 };
}

export function parseField(text: string, spec: FieldSpec): FieldResult {
  const fail = (problem: FieldProblem): FieldResult => ({ ok: false, error: { field: spec.name, text, problem } });
  const set = new Set<number>();
  const reversedRanges: string[] = [];
  for (const element of text.split(',')) {
    if (element === '') return fail({ kind: 'empty-element', text });
    const slash = element.indexOf('/');
    const base = slash >= 0 ? element.slice(0, slash) : element;
    let step = 1;
    if (slash >= 0) {
      const s = readValue(element.slice(slash + 1), spec, 'step');
      if (typeof s !== 'number') return fail(s);
      if (s === 0) return fail({ kind: 'step-zero', element });
      step = s;
    }
    let lo: number;
    let hi: number;
    if (base === '*') {
      lo = spec.low;
      hi = spec.high;
    } else {
      const dash = base.indexOf('-');
      if (dash >= 0) {
        const a = readValue(base.slice(0, dash), spec, 'value');
        if (typeof a !== 'number') return fail(a);
        const b = readValue(base.slice(dash + 1), spec, 'value');
        if (typeof b !== 'number') return fail(b);
        lo = a;
        hi = b;
        if (lo > hi) return fail(descending(base, spec, a, b));
      } else {
        const a = readValue(base, spec, 'value');
        if (typeof a !== 'number') return fail(a);
        if (slash >= 0) {
          // Both cronie and Debian reject "5/10" (a step needs a range or *); Debian bug #733478.
          return fail({ kind: 'step-without-range', element, base, high: spec.high, step });
        }
        lo = a;
        hi = a;
      }
    }
    for (let v = lo; v <= hi; v += step) set.add(spec.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return {
    ok: true,
    field: { values: [...set].sort((a, b) => a - b), star: text.startsWith('*'), reversedRanges },
  };
}

export const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
