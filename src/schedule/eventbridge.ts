// The AWS cron grammar (EventBridge rules and EventBridge Scheduler): build expressions in the forms AWS documents,
// and read them back independently, so that what is verified is the emitted text itself. Pure.
//
// cron(Minutes Hours Day-of-month Month Day-of-week Year)
//   minutes 0-59, hours 0-23, DOM 1-31 or L, month 1-12, DOW 1-7 = SUN-SAT (1 = Sunday), year 1970-2199.
//   Exactly one of DOM and DOW is `?`. Steps are written `0/5`, never `*/5`; no `/` in DOW. At most 256 characters.

export const MAX_EXPRESSION_LENGTH = 256;
export const AWS_DOW_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
export const MAX_YEAR = 2199;

export interface AwsCronParts {
  minutes: number[];
  hours: number[];
  /** '?' or a day-of-month field: `*`, numbers, or `L` (last day of the month). */
  dom: '?' | { all: boolean; values: number[]; last: boolean };
  months: number[];
  /** '?' or day-of-week values 0-6 (Sunday = 0) — converted from AWS 1-7 when read. */
  dow: '?' | { all: boolean; values: number[] };
  /** null = every year. */
  years: number[] | null;
}

// ---------- building ----------

/** A numeric field: `*`, `a/n`, or a list of values and `a-b` runs. */
export function formatNumbers(values: number[], low: number, high: number): string {
  const v = [...new Set(values)].sort((a, b) => a - b);
  if (v.length === high - low + 1) return '*';
  if (v.length >= 3) {
    const step = v[1] - v[0];
    const isProgression = step > 1 && v.every((x, i) => x === v[0] + i * step) && v[v.length - 1] + step > high;
    if (isProgression) return `${v[0]}/${step}`;
  }
  return runs(v).map(([a, b]) => (a === b ? `${a}` : b === a + 1 ? `${a},${b}` : `${a}-${b}`)).join(',');
}

/** Sorted values as runs of consecutive ones: [1,2,3,5] → [[1,3],[5,5]]. */
export function runs(v: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const x of v) {
    const last = out[out.length - 1];
    if (last && x === last[1] + 1) last[1] = x;
    else out.push([x, x]);
  }
  return out;
}

/** Day-of-week values 0-6 (Sunday 0) as AWS names, ranges in AWS order (SUN=1 … SAT=7). */
export function formatDow(values: number[]): string {
  const v = [...new Set(values)].sort((a, b) => a - b);
  if (v.length === 7) return '*';
  return runs(v)
    .map(([a, b]) => (a === b ? AWS_DOW_NAMES[a] : b === a + 1 ? `${AWS_DOW_NAMES[a]},${AWS_DOW_NAMES[b]}` : `${AWS_DOW_NAMES[a]}-${AWS_DOW_NAMES[b]}`))
    .join(',');
}

export function formatYears(years: number[] | null): string {
  if (!years) return '*';
  return runs([...years].sort((a, b) => a - b))
    .map(([a, b]) => (a === b ? `${a}` : b === a + 1 ? `${a},${b}` : `${a}-${b}`))
    .join(',');
}

export interface ExpressionFields {
  minutes: string;
  hours: string;
  dom: string;
  months: string;
  dow: string;
  years: string;
}

export function buildExpression(f: ExpressionFields): string {
  return `cron(${f.minutes} ${f.hours} ${f.dom} ${f.months} ${f.dow} ${f.years})`;
}

// ---------- reading (used to verify what was emitted, and to reject anything outside the documented grammar) ----------

export type AwsParseResult = { ok: true; parts: AwsCronParts } | { ok: false; error: string };

function parseNumericField(text: string, low: number, high: number, name: string, names?: readonly string[], nameBase = 0): number[] | string {
  if (text === '*') return range(low, high);
  const out = new Set<number>();
  const value = (tok: string): number | null => {
    if (/^\d+$/.test(tok)) {
      const n = +tok;
      return n >= low && n <= high ? n : null;
    }
    if (names) {
      const i = names.indexOf(tok.toUpperCase());
      if (i >= 0) return i + nameBase;
    }
    return null;
  };
  for (const el of text.split(',')) {
    const slash = el.split('/');
    if (slash.length > 2) return `${name}: "${el}"`;
    if (slash.length === 2) {
      // AWS documents `0/15`; `*/15` is not the documented form.
      const start = value(slash[0]);
      const step = /^\d+$/.test(slash[1]) ? +slash[1] : 0;
      if (start === null || step < 1) return `${name}: bad increment "${el}"`;
      for (let x = start; x <= high; x += step) out.add(x);
      continue;
    }
    const dash = el.split('-');
    if (dash.length === 2) {
      const a = value(dash[0]);
      const b = value(dash[1]);
      if (a === null || b === null || a > b) return `${name}: bad range "${el}"`;
      for (let x = a; x <= b; x++) out.add(x);
      continue;
    }
    const a = value(el);
    if (a === null) return `${name}: bad value "${el}"`;
    out.add(a);
  }
  return [...out].sort((a, b) => a - b);
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let x = a; x <= b; x++) out.push(x);
  return out;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

export function parseAwsCron(expr: string): AwsParseResult {
  if (expr.length > MAX_EXPRESSION_LENGTH) return { ok: false, error: `longer than ${MAX_EXPRESSION_LENGTH} characters` };
  const m = /^cron\(([^()]*)\)$/.exec(expr);
  if (!m) return { ok: false, error: 'not of the form cron(...)' };
  const f = m[1].split(' ');
  if (f.length !== 6 || f.some((x) => x === '')) return { ok: false, error: 'needs six fields separated by single spaces' };
  const [mi, ho, dm, mo, dw, yr] = f;
  if (mi.includes('*/') || ho.includes('*/')) return { ok: false, error: 'use 0/n, not */n' };
  if ((dm === '?') === (dw === '?')) return { ok: false, error: 'exactly one of day-of-month and day-of-week must be ?' };
  const minutes = parseNumericField(mi, 0, 59, 'minutes');
  if (typeof minutes === 'string') return { ok: false, error: minutes };
  const hours = parseNumericField(ho, 0, 23, 'hours');
  if (typeof hours === 'string') return { ok: false, error: hours };
  const months = parseNumericField(mo, 1, 12, 'month', MONTH_NAMES, 1);
  if (typeof months === 'string') return { ok: false, error: months };
  let dom: AwsCronParts['dom'] = '?';
  if (dm !== '?') {
    if (dm === 'L') dom = { all: false, values: [], last: true };
    else {
      const v = parseNumericField(dm, 1, 31, 'day-of-month');
      if (typeof v === 'string') return { ok: false, error: v };
      dom = { all: dm === '*', values: v, last: false };
    }
  }
  let dow: AwsCronParts['dow'] = '?';
  if (dw !== '?') {
    if (dw.includes('/')) return { ok: false, error: 'day-of-week: / is not documented for day-of-week' };
    if (/[L#]/.test(dw.replace(/SAT|SUN|MON|TUE|WED|THU|FRI/gi, ''))) return { ok: false, error: 'day-of-week: L and # are not emitted' };
    const v = parseNumericField(dw, 1, 7, 'day-of-week', AWS_DOW_NAMES, 1);
    if (typeof v === 'string') return { ok: false, error: v };
    dow = { all: dw === '*', values: v.map((x) => x - 1) };
  }
  let years: number[] | null = null;
  if (yr !== '*') {
    const v = parseNumericField(yr, 1970, MAX_YEAR, 'year');
    if (typeof v === 'string') return { ok: false, error: v };
    years = v;
  }
  return { ok: true, parts: { minutes, hours, dom, months, dow, years } };
}

/** Does the AWS expression fire on this date (in the zone it is evaluated in)? */
export function awsMatchesDay(p: AwsCronParts, year: number, month: number, day: number, dow: number, monthLen: number): boolean {
  if (p.years && !p.years.includes(year)) return false;
  if (!p.months.includes(month)) return false;
  if (p.dom !== '?') return p.dom.last ? day === monthLen : p.dom.values.includes(day);
  if (p.dow !== '?') return p.dow.values.includes(dow);
  return false;
}
