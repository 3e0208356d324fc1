// Translate a cron line in its zone into AWS expressions, and prove it: simulate both over the horizon and call the
// result exact only when the two sets of fire minutes are equal. Pure (the zone database is read through Intl).
import { civilFromDays, daysFromCivil, isLeapYear, isoLocalMinute, isoMinute, MINUTES_PER_DAY } from './calendar.js';
import { compile, type ApproximationCode } from './compile.js';
import { parseAwsCron } from './eventbridge.js';
import type { CronSpec } from './model.js';
import { compareFires, cronFires, cronTzFires, releaseFireSet, ruleFires, schedulerFires, serverRepeats, type Horizon } from './simulate.js';
import { zoneTimeline, type ZoneTimeline } from './zone.js';

export type Target = 'rule' | 'scheduler';

export type DriftReason =
  | 'dst-offset' // target rule: the zone changes offset, a UTC rule cannot follow
  | 'dst-gap' // a time in a spring-forward gap: cron runs it when the gap ends, Scheduler skips it
  | 'dst-overlap' // a time in a fall-back overlap: cron runs wildcard jobs (and CRON_TZ fixed jobs) twice, Scheduler once
  | 'dst-server-overlap' // CRON_TZ: in the second pass of the server zone's repeated hour cronie runs no fixed job, AWS does
  | ApproximationCode
  | 'unexplained';

export interface DriftInstant {
  /** UTC minute, ISO. */
  at: string;
  /** The same instant on the source zone's wall clock. */
  local: string;
  /** `missing`: cron runs then and the emitted schedule does not; `extra`: the reverse. */
  kind: 'missing' | 'extra';
  reason: DriftReason;
}

export interface SchedulePlan {
  cron: string;
  timezone: string;
  target: Target;
  expressions: string[];
  /** Expressions are evaluated in this zone: UTC for rules, the source zone for Scheduler. */
  expressionTimezone: string;
  /** For target rule: the zone offset (minutes east of UTC) the expressions were made for. */
  utcOffsetMinutes?: number;
  exact: boolean;
  /**
   * Target rule and inexact only: whether the same line proves exact as an EventBridge Scheduler schedule in its
   * zone (proved against the same cron fire times, so the hint "--target scheduler makes it exact" is never a guess).
   */
  schedulerExact?: boolean;
  drift: DriftInstant[];
  /** Counts over the whole horizon. */
  verification: {
    from: string;
    to: string;
    fires: number;
    missing: number;
    extra: number;
    reasons: DriftReason[];
  };
  neverFires: boolean;
}

export interface TranslateOptions {
  zone: string;
  /**
   * The server's (cron daemon's) zone, given only for a line under CRON_TZ, set even when empty (then `zone` is the
   * server's zone too): cronie runs such lines by other DST rules (cronTzFires). Absent: the line runs in `zone`, the
   * daemon's own.
   */
  serverZone?: string;
  target: Target;
  horizon: Horizon;
}

/** A horizon from a start day for a number of days, stretched to hold a 29 February if it has none. */
export function makeHorizon(fromDay: number, days: number): Horizon {
  let toDay = fromDay + days;
  const startYear = civilFromDays(fromDay).year;
  for (let y = startYear; y < startYear + 9; y++) {
    const leapDay = isLeapYear(y) ? daysFromCivil(y, 2, 29) : null;
    if (leapDay !== null && leapDay >= fromDay) {
      if (leapDay >= toDay) toDay = leapDay + 1;
      break;
    }
  }
  return { fromDay, toDay };
}

export function timelineFor(zone: string, h: Horizon): ZoneTimeline {
  // Wider than the horizon, so that local days at its edges are covered for any offset.
  return zoneTimeline(zone, (h.fromDay - 3) * MINUTES_PER_DAY, (h.toDay + 3) * MINUTES_PER_DAY);
}

/** One line to prove: its fields and where and how (see translate). */
export interface ProofRequest {
  spec: CronSpec;
  options: TranslateOptions;
}

/** The memo key: a proof is a pure function of these (the line's text aside: `@daily` and `0 0 * * *` are one). */
export function proofKey(spec: CronSpec, options: TranslateOptions): string {
  return `${spec.minutes}|${spec.hours}|${spec.doms}|${spec.months}|${spec.dows}|${spec.domStar}|${spec.dowStar}|${spec.wildcard}|${options.zone}|${options.serverZone ?? '-'}|${options.target}|${options.horizon.fromDay}|${options.horizon.toDay}`;
}

/**
 * Translate and prove one line. A pure function of the line's fields and the options (proofKey): a run proves each
 * distinct one once (plan/proofs.ts).
 */
export function translate(spec: CronSpec, options: TranslateOptions): SchedulePlan {
  const { zone, target, horizon } = options;
  const timeline = timelineFor(zone, horizon);
  const server = options.serverZone === undefined ? null : timelineFor(options.serverZone, horizon);
  const expected = server ? cronTzFires(spec, timeline, server, horizon) : cronFires(spec, timeline, horizon);
  const fromYear = civilFromDays(horizon.fromDay).year;

  const attempt = (offset: number, as: Target = target) => {
    const compiled = compile(spec, { offset, fromYear });
    const parts = compiled.expressions.map((e) => {
      const p = parseAwsCron(e);
      if (!p.ok) throw new Error(`internal error: emitted an invalid expression ${e}: ${p.error}`);
      return p.parts;
    });
    const actual = as === 'rule' ? ruleFires(parts, horizon) : schedulerFires(parts, timeline, horizon);
    const comparison = compareFires(expected, actual, horizon);
    releaseFireSet(actual);
    return { offset, compiled, parts, comparison };
  };

  let best: ReturnType<typeof attempt>;
  if (target === 'scheduler') {
    best = attempt(0);
  } else {
    // A UTC rule can follow only one offset. Try each offset the zone uses in the horizon and keep the one whose
    // fire times differ least from cron's (ties: the lower offset, standard time).
    const tries = timeline.offsets.map((o) => attempt(o));
    best = tries.reduce((a, b) => (b.comparison.missing + b.comparison.extra < a.comparison.missing + a.comparison.extra ? b : a));
  }

  // Only when the rule is inexact (cheap): Scheduler in the zone, against the cron fire times already computed.
  const schedulerExact = target === 'rule' && !best.comparison.equal ? attempt(0, 'scheduler').comparison.equal : undefined;
  releaseFireSet(expected);
  const c = best.comparison;
  // where cronie skips a fixed CRON_TZ job (the server's repeated hours): the same for every drift instant
  const repeats = server && !spec.wildcard ? serverRepeats(server) : [];
  const drift = c.first.map((d) => ({
    at: isoMinute(d.utcMinute),
    local: isoLocalMinute(d.utcMinute + offsetOf(timeline, d.utcMinute)),
    kind: d.kind,
    reason: explain(d.utcMinute, best.offset, target, timeline, best.compiled.approximations, repeats),
  }));
  return {
    cron: spec.text,
    timezone: zone,
    target,
    expressions: best.compiled.expressions,
    expressionTimezone: target === 'rule' ? 'UTC' : zone,
    ...(target === 'rule' ? { utcOffsetMinutes: best.offset } : {}),
    exact: c.equal,
    ...(schedulerExact !== undefined ? { schedulerExact } : {}),
    drift,
    verification: {
      from: isoMinute(horizon.fromDay * MINUTES_PER_DAY),
      to: isoMinute(horizon.toDay * MINUTES_PER_DAY),
      fires: c.count,
      missing: c.missing,
      extra: c.extra,
      reasons: [...new Set(drift.map((d) => d.reason))],
    },
    neverFires: c.count === 0,
  };
}

function offsetOf(t: ZoneTimeline, utcMinute: number): number {
  for (const s of t.segments) if (utcMinute >= s.from && utcMinute < s.to) return s.offset;
  return t.segments[t.segments.length - 1].offset;
}

/** Why one instant differs: the first explanation that fits it. */
function explain(
  utcMinute: number,
  ruleOffset: number,
  target: Target,
  t: ZoneTimeline,
  approximations: ApproximationCode[],
  serverRepeats: [number, number][],
): DriftReason {
  if (target === 'rule' && t.offsets.length > 1) {
    // The instant's own offset differs from the rule's, or it is within a day of an offset change (where a local
    // time can be skipped or come twice, so even an instant at the rule's offset can be cron's other occurrence).
    if (offsetOf(t, utcMinute) !== ruleOffset || t.segments.some((s, i) => i > 0 && Math.abs(utcMinute - s.from) <= MINUTES_PER_DAY)) {
      return 'dst-offset';
    }
  }
  // Only fixed CRON_TZ jobs are given server repeats: cronie skips them there, AWS does not.
  if (serverRepeats.some(([from, to]) => utcMinute >= from && utcMinute < to)) return 'dst-server-overlap';
  if (target === 'scheduler') {
    for (let i = 1; i < t.segments.length; i++) {
      const T = t.segments[i].from;
      const jump = t.segments[i].offset - t.segments[i - 1].offset;
      if (Math.abs(utcMinute - T) <= Math.abs(jump) + 1) return jump > 0 ? 'dst-gap' : 'dst-overlap';
    }
  }
  if (approximations.includes('day-and')) return 'day-and';
  return 'unexplained';
}

