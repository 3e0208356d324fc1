// Time-zone offsets over a horizon, read from the runtime's IANA database (Intl). Pure apart from the cache.
// An offset is in minutes east of UTC: local = UTC + offset.
import { checkZoneName } from './zone-name.js';

export interface ZoneSegment {
  /** UTC minute where this offset starts (inclusive) and ends (exclusive). */
  from: number;
  to: number;
  offset: number;
}

export interface ZoneTimeline {
  zone: string;
  segments: ZoneSegment[];
  /** Distinct offsets seen in the horizon, ascending. */
  offsets: number[];
}

/** An exact tz database name that this Node can compute (see zone-name.ts: Intl alone accepts 'europe/berlin'). */
export function isValidZone(zone: string): boolean {
  return checkZoneName(zone).ok;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The offset as Intl names it ("1/2/2027, GMT+05:30", "... GMT"): one string, a third of the cost of the parts. */
function offsetFormatter(zone: string): Intl.DateTimeFormat {
  let f = offsetFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormatters.set(zone, f);
  }
  return f;
}

const LONG_OFFSET = /GMT(?:([+-])(\d\d):(\d\d))?$/;

/** Offset in minutes at a UTC minute. */
export function offsetAt(zone: string, utcMinute: number): number {
  const date = new Date(utcMinute * 60_000);
  const m = LONG_OFFSET.exec(offsetFormatter(zone).format(date));
  // Whole minutes: the offset as named. An offset with seconds (local mean time, before 1900) is not matched: it is
  // found from the wall clock, to the minute, as always.
  if (m) return m[1] === undefined ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return wallClockOffset(zone, date, utcMinute);
}

function wallClockOffset(zone: string, date: Date, utcMinute: number): number {
  const parts = formatter(zone).formatToParts(date);
  let y = 0, mo = 0, d = 0, h = 0, mi = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year': y = +p.value; break;
      case 'month': mo = +p.value; break;
      case 'day': d = +p.value; break;
      case 'hour': h = +p.value; break;
      case 'minute': mi = +p.value; break;
    }
  }
  return Date.UTC(y, mo - 1, d, h, mi) / 60_000 - utcMinute;
}

const timelineCache = new Map<string, ZoneTimeline>();

/**
 * Offsets from `from` to `to` (UTC minutes). Sampled every six hours (no zone changes offset twice within six
 * hours), each change then located to the minute by bisection.
 */
export function zoneTimeline(zone: string, from: number, to: number): ZoneTimeline {
  const key = `${zone}|${from}|${to}`;
  const hit = timelineCache.get(key);
  if (hit) return hit;
  const STEP = 360;
  const segments: ZoneSegment[] = [];
  let t = from;
  let cur = offsetAt(zone, t);
  let segStart = from;
  while (t < to) {
    const next = Math.min(t + STEP, to);
    const o = offsetAt(zone, next);
    if (o !== cur) {
      let lo = t; // offset cur
      let hi = next; // offset o
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetAt(zone, mid) === cur) lo = mid;
        else hi = mid;
      }
      segments.push({ from: segStart, to: hi, offset: cur });
      segStart = hi;
      cur = o;
    }
    t = next;
  }
  segments.push({ from: segStart, to, offset: cur });
  const timeline = { zone, segments, offsets: [...new Set(segments.map((s) => s.offset))].sort((a, b) => a - b) };
  if (timelineCache.size > 256) timelineCache.clear();
  timelineCache.set(key, timeline);
  return timeline;
}

/** The UTC instants at which a local wall-clock minute occurs: none (gap), one, or two (fall-back overlap). */
export function utcInstantsOf(timeline: ZoneTimeline, localMinute: number): number[] {
  const out: number[] = [];
  for (const s of timeline.segments) {
    const u = localMinute - s.offset;
    if (u >= s.from && u < s.to) out.push(u);
  }
  return out.sort((a, b) => a - b);
}

/** For a local minute in a spring-forward gap: the UTC instant where the gap ends (the first minute after it). */
export function gapEnd(timeline: ZoneTimeline, localMinute: number): number | null {
  const segs = timeline.segments;
  for (let i = 1; i < segs.length; i++) {
    const before = segs[i - 1];
    const after = segs[i];
    const T = after.from;
    if (after.offset > before.offset && localMinute >= T + before.offset && localMinute < T + after.offset) return T;
  }
  return null;
}
