// A cron line in words, by cron's day rule. cronstrue writes every pair of restricted day fields as an OR ("every 2
// days, and on Wednesday"), which is cron's rule only when neither field starts with `*`; when one does, cron ANDs
// them (`0 12 */2 * 3` runs on odd days that are Wednesdays), and the sentence is written here. Pure.
import { createRequire } from 'node:module';
import { runs } from './eventbridge.js';
import { dayRule, type CronSpec } from './model.js';

// cronstrue is CommonJS: loaded with require(), because imported as an ES module Node 20 also parses it to detect its
// format and to list its exports, at every start of every command.
const cronstrue: { toString: typeof import('cronstrue').toString } = createRequire(import.meta.url)('cronstrue');

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// A fleet repeats its schedules (`0 * * * *` on every server): a sentence is a pure function of its expression.
const sentences = new Map<string, string>();

/**
 * cronstrue's sentence for an expression on a 24-hour clock ('' when it cannot read it); `awsDays`: day-of-week 1 is
 * Sunday, as in an AWS expression.
 */
export function cronWords(expression: string, awsDays = false): string {
  const key = `${awsDays ? 'a' : 'c'}${expression}`;
  let s = sentences.get(key);
  if (s === undefined) {
    try {
      s = cronstrue.toString(expression, awsDays ? { dayOfWeekStartIndexZero: false, use24HourTimeFormat: true } : { use24HourTimeFormat: true });
    } catch {
      s = '';
    }
    if (sentences.size > 10_000) sentences.clear();
    sentences.set(key, s);
  }
  return s;
}

/** "a, b or c" / "a, b and c". */
function list(items: string[], last: 'and' | 'or'): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1]}`;
}

/** Days of the month as a phrase: "odd days of the month (every 2 days from day 1)", "days 1 to 7 of the month". */
export function domPhrase(doms: number[]): string {
  const v = [...doms].sort((a, b) => a - b);
  const step = v.length >= 3 ? v[1] - v[0] : 0;
  if (step > 1 && v.every((x, i) => x === v[0] + i * step) && v[v.length - 1] + step > 31) {
    const every = `every ${step} days from day ${v[0]}`;
    if (step === 2) return `${v[0] === 1 ? 'odd' : 'even'} days of the month (${every})`;
    return `days ${v.slice(0, 3).join(', ')}, … of the month (${every})`;
  }
  const parts = runs(v).flatMap(([a, b]) => (a === b ? [`${a}`] : b === a + 1 ? [`${a}`, `${b}`] : [`${a} to ${b}`]));
  return v.length === 1 ? `day ${v[0]} of the month` : `days ${list(parts, 'and')} of the month`;
}

/** Weekdays (0-6, Sunday 0) as a phrase: "Wednesday", "Monday through Friday", "Sunday, Tuesday or Thursday". */
export function dowPhrase(dows: number[]): string {
  const parts = runs([...dows].sort((a, b) => a - b)).flatMap(([a, b]) =>
    b - a >= 2 ? [`${DAY_NAMES[a]} through ${DAY_NAMES[b]}`] : b === a + 1 ? [DAY_NAMES[a], DAY_NAMES[b]] : [DAY_NAMES[a]],
  );
  return list(parts, 'or');
}

/**
 * Day-of-week `0-7` (every day: 0 and 7 are both Sunday) as `0-6`: cronstrue writes `0-7` as "Sunday through Sunday",
 * which reads as Sundays only. The days are the same for any step (`0-7/n` and `0-6/n` differ only by 7, which is 0).
 */
function sundayOnce(text: string): string {
  const f = text.split(' ');
  if (f.length !== 5) return text;
  f[4] = f[4].replace(/(^|,)0-7(?=$|,|\/)/g, '$10-6');
  return f.join(' ');
}

/** The line in words; '' when cronstrue cannot read it. */
export function describeSchedule(spec: CronSpec): string {
  const rule = dayRule(spec);
  if (rule.kind !== 'and') return cronWords(sundayOnce(spec.text));
  const [mi, ho, , mo] = spec.text.split(' ');
  const time = cronWords(`${mi} ${ho} * * *`);
  if (!time) return '';
  // cronstrue's month clause (", only in March"), taken from a line with no day restriction.
  const withMonth = cronWords(`${mi} ${ho} * ${mo} *`);
  const month = withMonth.startsWith(time) ? withMonth.slice(time.length) : '';
  return `${time}, on ${domPhrase(rule.doms)} that are also ${dowPhrase(rule.dows)}${month}`;
}
