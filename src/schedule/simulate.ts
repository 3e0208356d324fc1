// Fire-time simulation: the minutes (UTC) at which a cron line fires in its zone, and at which AWS expressions fire,
// over a horizon. A day's minutes are a 1440-bit mask (45 words), so a two-year check is ~730 small bit operations
// per side instead of a million minute steps. Pure.
import { calendarTable, MINUTES_PER_DAY, type CalendarTable } from './calendar.js';
import { matchesDay, type CronSpec } from './model.js';
import { awsMatchesDay, type AwsCronParts } from './eventbridge.js';
import { gapEnd, utcInstantsOf, type ZoneTimeline } from './zone.js';

const WORDS = 45; // 1440 / 32

/**
 * Fire minutes over a range of UTC days: one flat bit array, 45 words a day. Sets come from a small pool and are
 * reused, because a fleet plan proves tens of thousands of them and fresh allocations would be garbage.
 */
export class FireSet {
  readonly words: Uint32Array;
  /** Fire minutes within the last horizon counted (see countFires); -1 until counted. A set is compared 1-3 times. */
  count = -1;
  constructor(readonly firstDay: number, readonly days: number) {
    this.words = new Uint32Array(days * WORDS);
  }
  has(day: number): boolean {
    return day >= this.firstDay && day < this.firstDay + this.days;
  }
}

const pool: FireSet[] = [];

export function acquireFireSet(h: Horizon): FireSet {
  const firstDay = h.fromDay - 3;
  const days = h.toDay - h.fromDay + 6;
  const i = pool.findIndex((p) => p.firstDay === firstDay && p.days === days);
  if (i >= 0) {
    const set = pool.splice(i, 1)[0];
    set.words.fill(0);
    set.count = -1;
    return set;
  }
  return new FireSet(firstDay, days);
}

export function releaseFireSet(set: FireSet): void {
  if (pool.length < 8) pool.push(set);
}

export interface Horizon {
  /** First UTC day (inclusive) and last UTC day (exclusive) compared. */
  fromDay: number;
  toDay: number;
}

export function minuteMask(hours: number[], minutes: number[]): Uint32Array {
  const mask = new Uint32Array(WORDS);
  for (const h of hours) for (const m of minutes) setBit(mask, h * 60 + m);
  return mask;
}

function setBit(mask: Uint32Array, i: number): void {
  mask[i >>> 5] |= 1 << (i & 31);
}

export function addInstant(set: FireSet, utcMinute: number): void {
  const day = Math.floor(utcMinute / MINUTES_PER_DAY);
  if (!set.has(day)) return;
  const bit = utcMinute - day * MINUTES_PER_DAY;
  set.words[(day - set.firstDay) * WORDS + (bit >>> 5)] |= 1 << (bit & 31);
}

/** The indices of a mask's non-zero words: most lines fire at a few minutes a day, in one or two of the 45 words. */
export function nonZeroWords(mask: Uint32Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < WORDS; i++) if (mask[i] !== 0) out.push(i);
  return Uint8Array.from(out);
}

/**
 * OR a day's minute mask into the set, with bit 0 landing on UTC minute `base`. `nz` lists the mask's non-zero words
 * (nonZeroWords), so a sparse mask costs its few words, not 45.
 */
export function orShifted(set: FireSet, mask: Uint32Array, base: number, nz: Uint8Array = nonZeroWords(mask)): void {
  const day = Math.floor(base / MINUTES_PER_DAY);
  const off = base - day * MINUTES_PER_DAY;
  const wordShift = off >>> 5;
  const bitShift = off & 31;
  const start = (day - set.firstDay) * WORDS + wordShift; // word index of mask word 0
  const limit = set.words.length;
  const w = set.words;
  for (let k = 0; k < nz.length; k++) {
    const i = nz[k];
    const v = mask[i];
    const j = start + i;
    if (j >= 0 && j < limit) w[j] |= (v << bitShift) >>> 0;
    if (bitShift && j + 1 >= 0 && j + 1 < limit) w[j + 1] |= v >>> (32 - bitShift);
  }
}

function maskMinutes(mask: Uint32Array): number[] {
  const out: number[] = [];
  for (let w = 0; w < WORDS; w++) {
    let v = mask[w];
    while (v) {
      const bit = 31 - Math.clz32(v & -v);
      out.push(w * 32 + bit);
      v &= v - 1;
    }
  }
  return out;
}

/** Local days to walk so that every UTC day of the horizon is covered for offsets up to ±1 day. */
function localDays(h: Horizon): CalendarTable {
  return calendarTable(h.fromDay - 2, h.toDay + 1);
}

/**
 * Walks local dates in a zone; on days the offset changes, each matching minute is placed one by one by `onAmbiguous`.
 */
function walkZone(
  timeline: ZoneTimeline,
  h: Horizon,
  dayMatches: (t: CalendarTable, i: number) => boolean,
  mask: Uint32Array,
  onTransitionDay: (localMinute: number, set: FireSet) => void,
): FireSet {
  const set = acquireFireSet(h);
  const t = localDays(h);
  const segs = timeline.segments;
  const nz = nonZeroWords(mask);
  let s = 0;
  for (let i = 0; i < t.year.length; i++) {
    if (!dayMatches(t, i)) continue;
    const localStart = (t.firstDay + i) * MINUTES_PER_DAY;
    const localEnd = localStart + MINUTES_PER_DAY;
    // Segments are in UTC order, and so are their local spans' starts and ends: advance to the first segment whose
    // local span ends after this day starts. The day is plain when that one segment covers it and no other does.
    while (s < segs.length - 1 && segs[s].to + segs[s].offset <= localStart) s++;
    const seg = segs[s];
    const plain = seg.from + seg.offset <= localStart && seg.to + seg.offset >= localEnd &&
      (s === segs.length - 1 || segs[s + 1].from + segs[s + 1].offset >= localEnd);
    if (plain) {
      orShifted(set, mask, localStart - seg.offset, nz);
    } else {
      for (const m of maskMinutes(mask)) onTransitionDay(localStart + m, set);
    }
  }
  return set;
}

/**
 * Where cron runs a line without CRON_TZ (in the daemon's zone), by cronie's and Debian's DST rules: a fixed job
 * (minute and hour not starting with `*`) whose time falls in a spring-forward gap runs once as soon as the gap ends,
 * and runs only once in a fall-back overlap; a wildcard job skips gap minutes and runs in both passes of an overlap.
 */
export function cronFires(spec: CronSpec, timeline: ZoneTimeline, h: Horizon): FireSet {
  const mask = minuteMask(spec.hours, spec.minutes);
  return walkZone(
    timeline,
    h,
    (t, i) => matchesDay(spec, t.month[i], t.day[i], t.dow[i]),
    mask,
    (local, set) => {
      const at = utcInstantsOf(timeline, local);
      if (at.length === 0) {
        if (!spec.wildcard) {
          const end = gapEnd(timeline, local);
          if (end !== null) addInstant(set, end);
        }
      } else if (at.length === 1 || !spec.wildcard) {
        addInstant(set, at[0]);
      } else {
        for (const u of at) addInstant(set, u);
      }
    },
  );
}

/**
 * Where cronie runs a line under CRON_TZ (set, even empty: cron.c find_jobs() tests `job_tz != NULL`). cronie then
 * reads the fields on the line zone's clock at each real minute, so a time in the line zone's spring-forward gap
 * never runs and a time in its fall-back overlap runs in both passes, fixed or wildcard. And while the daemon's own
 * clock (the server's zone) goes back, it runs only wildcard jobs for as many minutes as it went back: a fixed
 * CRON_TZ job whose instant falls in the second pass of the server's repeated hour does not run (cronie issue #124:
 * CRON_TZ=UTC jobs at 01:00-01:59 UTC never run on a London server's fall-back day). The daemon's spring-forward
 * loses no CRON_TZ minute (its last catch-up step runs the real minute). Recorded from the real crond under a
 * virtual clock: test/schedule/cron-tz.test.ts. `lineZone` is the server's zone for an empty CRON_TZ.
 */
export function cronTzFires(spec: CronSpec, lineZone: ZoneTimeline, serverZone: ZoneTimeline, h: Horizon): FireSet {
  const set = walkZone(
    lineZone,
    h,
    (t, i) => matchesDay(spec, t.month[i], t.day[i], t.dow[i]),
    minuteMask(spec.hours, spec.minutes),
    (local, s) => {
      for (const u of utcInstantsOf(lineZone, local)) addInstant(s, u);
    },
  );
  if (!spec.wildcard) {
    for (const [from, to] of serverRepeats(serverZone)) for (let u = from; u < to; u++) clearInstant(set, u);
  }
  return set;
}

/**
 * The real minutes in which cronie's daemon runs only wildcard jobs: from each backward change of the server's offset
 * for as many minutes as it goes back (cron.c's "negative" wake-ups), up to the 3 hours it treats as DST.
 */
export function serverRepeats(serverZone: ZoneTimeline): [number, number][] {
  const out: [number, number][] = [];
  const segs = serverZone.segments;
  for (let i = 1; i < segs.length; i++) {
    const back = segs[i - 1].offset - segs[i].offset;
    if (back > 0 && back <= 180) out.push([segs[i].from, segs[i].from + back]);
  }
  return out;
}

function clearInstant(set: FireSet, utcMinute: number): void {
  const day = Math.floor(utcMinute / MINUTES_PER_DAY);
  if (!set.has(day)) return;
  const bit = utcMinute - day * MINUTES_PER_DAY;
  set.words[(day - set.firstDay) * WORDS + (bit >>> 5)] &= ~(1 << (bit & 31));
}

/** Where EventBridge rules fire: UTC only. */
export function ruleFires(expressions: AwsCronParts[], h: Horizon): FireSet {
  const set = acquireFireSet(h);
  const t = localDays(h);
  for (const p of expressions) {
    const mask = minuteMask(p.hours, p.minutes);
    const nz = nonZeroWords(mask);
    for (let i = 0; i < t.year.length; i++) {
      if (awsMatchesDay(p, t.year[i], t.month[i], t.day[i], t.dow[i], t.monthLen[i])) {
        orShifted(set, mask, (t.firstDay + i) * MINUTES_PER_DAY, nz);
      }
    }
  }
  return set;
}

/**
 * Where EventBridge Scheduler fires with ScheduleExpressionTimezone: a time in a spring-forward gap is skipped,
 * a time in a fall-back overlap runs once (the first time).
 */
export function schedulerFires(expressions: AwsCronParts[], timeline: ZoneTimeline, h: Horizon): FireSet {
  const set = acquireFireSet(h);
  for (const p of expressions) {
    const one = walkZone(
      timeline,
      h,
      (t, i) => awsMatchesDay(p, t.year[i], t.month[i], t.day[i], t.dow[i], t.monthLen[i]),
      minuteMask(p.hours, p.minutes),
      (local, s) => {
        const at = utcInstantsOf(timeline, local);
        if (at.length) addInstant(s, at[0]);
      },
    );
    for (let i = 0; i < set.words.length; i++) set.words[i] |= one.words[i];
    releaseFireSet(one);
  }
  return set;
}

export interface Difference {
  utcMinute: number;
  /** `missing`: cron fires, the emitted schedule does not; `extra`: the reverse. */
  kind: 'missing' | 'extra';
}

export interface Comparison {
  equal: boolean;
  /** Fire minutes of the original within the horizon. */
  count: number;
  missing: number;
  extra: number;
  first: Difference[];
}

export function compareFires(expected: FireSet, actual: FireSet, h: Horizon, keep = 5): Comparison {
  const from = (h.fromDay - expected.firstDay) * WORDS;
  const to = (h.toDay - expected.firstDay) * WORDS;
  const e = expected.words;
  const a = actual.words;
  if (Buffer.from(e.buffer, e.byteOffset + from * 4, (to - from) * 4).equals(Buffer.from(a.buffer, a.byteOffset + from * 4, (to - from) * 4))) {
    // Equal (a native compare): only the count is left to find, once per set whatever number of comparisons.
    if (expected.count < 0) {
      let n = 0;
      for (let i = from; i < to; i++) if (e[i] !== 0) n += popcount(e[i]);
      expected.count = n;
    }
    return { equal: true, count: expected.count, missing: 0, extra: 0, first: [] };
  }
  let count = 0;
  let missing = 0;
  let extra = 0;
  const first: Difference[] = [];
  // One flat pass; word i of the range is minute (i - from) * 32 + bit after the horizon's first minute.
  const base = h.fromDay * MINUTES_PER_DAY;
  for (let i = from; i < to; i++) {
    const ev = e[i];
    const av = a[i];
    if (ev === av) {
      if (ev !== 0) count += popcount(ev);
      continue;
    }
    if (ev !== 0) count += popcount(ev);
    const diff = ev ^ av;
    const miss = ev & diff;
    const ext = av & diff;
    if (miss !== 0) missing += popcount(miss);
    if (ext !== 0) extra += popcount(ext);
    if (first.length < keep) {
      const k = i - from;
      const day = Math.floor(k / WORDS);
      const w = k - day * WORDS;
      for (const bit of bitsOf(diff)) {
        if (first.length >= keep) break;
        first.push({ utcMinute: base + day * MINUTES_PER_DAY + w * 32 + bit, kind: (miss >>> bit) & 1 ? 'missing' : 'extra' });
      }
    }
  }
  if (expected.count < 0) expected.count = count;
  return { equal: missing === 0 && extra === 0, count, missing, extra, first };
}

function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function bitsOf(v: number): number[] {
  const out: number[] = [];
  while (v) {
    out.push(31 - Math.clz32(v & -v));
    v &= v - 1;
  }
  return out;
}
