// A cron schedule as sets of values, with cron's own day rule. Pure.
import { FIELDS, parseField, type FieldError } from '../crontab/fields.js';

export interface CronSpec {
  /** The five fields as written (after macro expansion). */
  text: string;
  minutes: number[];
  hours: number[];
  doms: number[];
  months: number[];
  /** 0-6, Sunday = 0 (7 folded). */
  dows: number[];
  domStar: boolean;
  dowStar: boolean;
  /**
   * cronie's "wildcard" job for DST handling: the minute or hour field starts with `*`.
   * Wildcard jobs skip the minutes of a spring-forward gap and run again in a fall-back hour; fixed jobs run the
   * skipped minutes at once and are not repeated (lines in the daemon's zone; under CRON_TZ: cronTzFires).
   */
  wildcard: boolean;
  reversedRanges: string[];
}

export type DayRule =
  | { kind: 'all' }
  | { kind: 'dom'; doms: number[] }
  | { kind: 'dow'; dows: number[] }
  | { kind: 'or'; doms: number[]; dows: number[] }
  | { kind: 'and'; doms: number[]; dows: number[] };

export function parseCronFields(fields: string[]): { ok: true; spec: CronSpec } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const parsed = FIELDS.map((f, i) => {
    const r = parseField(fields[i], f);
    if (!r.ok) errors.push(r.error);
    return r.ok ? r.field : null;
  });
  if (errors.length) return { ok: false, errors };
  const [mi, ho, dm, mo, dw] = parsed as NonNullable<(typeof parsed)[number]>[];
  return {
    ok: true,
    spec: {
      text: fields.join(' '),
      minutes: mi.values,
      hours: ho.values,
      doms: dm.values,
      months: mo.values,
      dows: dw.values,
      domStar: dm.star,
      dowStar: dw.star,
      wildcard: fields[0].startsWith('*') || fields[1].startsWith('*'),
      reversedRanges: [mi, ho, dm, mo, dw].flatMap((f) => f.reversedRanges),
    },
  };
}

/**
 * cron's day rule (cronie cron.c, Debian identical):
 * `(DOM_STAR || DOW_STAR) ? (dom && dow) : (dom || dow)`, reduced to the simplest equivalent form.
 */
export function dayRule(spec: CronSpec): DayRule {
  const domFull = spec.doms.length === 31;
  const dowFull = spec.dows.length === 7;
  if (spec.domStar || spec.dowStar) {
    if (domFull && dowFull) return { kind: 'all' };
    if (dowFull) return { kind: 'dom', doms: spec.doms };
    if (domFull) return { kind: 'dow', dows: spec.dows };
    return { kind: 'and', doms: spec.doms, dows: spec.dows };
  }
  if (domFull || dowFull) return { kind: 'all' };
  return { kind: 'or', doms: spec.doms, dows: spec.dows };
}

/** Does cron run this spec on the local date (month 1-12, dom 1-31, dow 0-6)? */
export function matchesDay(spec: CronSpec, month: number, dom: number, dow: number): boolean {
  if (!spec.months.includes(month)) return false;
  const d = spec.doms.includes(dom);
  const w = spec.dows.includes(dow);
  return spec.domStar || spec.dowStar ? d && w : d || w;
}
