// An independent, deliberately simple reference for fire times, used to check the translator's claims.
// It shares no code with src/: its own field parser, its own zone table, and a minute-by-minute walk.

interface CronLine {
  min: boolean[];
  hour: boolean[];
  dom: boolean[];
  month: boolean[];
  dow: boolean[];
  domStar: boolean;
  dowStar: boolean;
  wildcard: boolean;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DOWS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function flags(text: string, lo: number, hi: number, names?: string[], nameOffset = 0): boolean[] {
  const out = new Array<boolean>(hi + 1).fill(false);
  const num = (t: string) => {
    const i = names ? names.indexOf(t.toLowerCase()) : -1;
    return i >= 0 ? i + nameOffset : Number(t);
  };
  for (const part of text.split(',')) {
    const [rng, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    let a = lo;
    let b = hi;
    if (rng !== '*') {
      const [x, y] = rng.split('-');
      a = num(x);
      b = y === undefined ? a : num(y);
    }
    for (let v = a; v <= b; v += step) out[v] = true;
  }
  return out;
}

export function oracleCron(line: string): CronLine {
  const f = line.trim().split(/\s+/);
  const dow = flags(f[4], 0, 7, DOWS);
  if (dow[7]) dow[0] = true;
  return {
    min: flags(f[0], 0, 59),
    hour: flags(f[1], 0, 23),
    dom: flags(f[2], 1, 31),
    month: flags(f[3], 1, 12, MONTHS, 1),
    dow,
    domStar: f[2][0] === '*',
    dowStar: f[4][0] === '*',
    wildcard: f[0][0] === '*' || f[1][0] === '*',
  };
}

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  dow: number;
  last: boolean;
}

const dayCache = new Map<number, Omit<Wall, 'h' | 'mi'>>();

function wall(localMinute: number): Wall {
  const day = Math.floor(localMinute / 1440);
  let d = dayCache.get(day);
  if (!d) {
    const dt = new Date(day * 86400000);
    const y = dt.getUTCFullYear();
    const mo = dt.getUTCMonth() + 1;
    const dd = dt.getUTCDate();
    d = { y, mo, d: dd, dow: dt.getUTCDay(), last: new Date(Date.UTC(y, mo, 0)).getUTCDate() === dd };
    dayCache.set(day, d);
  }
  const m = localMinute - day * 1440;
  return { ...d, h: Math.floor(m / 60), mi: m % 60 };
}

interface AwsLine {
  min: boolean[];
  hour: boolean[];
  dom: boolean[] | 'L' | null;
  month: boolean[];
  dow: boolean[] | null;
  years: Set<number> | null;
}

export function oracleAws(expr: string): AwsLine {
  const m = /^cron\((.*)\)$/.exec(expr);
  if (!m) throw new Error(`not an AWS cron expression: ${expr}`);
  const f = m[1].split(' ');
  if (f.length !== 6) throw new Error(`not six fields: ${expr}`);
  const awsDow = (t: string) => t.split(',').map((p) => p.split('-').map((x) => DOWS.indexOf(x.toLowerCase()) + 1).join('-')).join(',');
  const dowFlags = f[4] === '?' ? null : flags(f[4] === '*' ? '1-7' : awsDow(f[4]), 1, 7);
  const years = f[5] === '*' ? null : new Set(f[5].split(',').flatMap((p) => {
    const [a, b] = p.split('-').map(Number);
    const out: number[] = [];
    for (let y = a; y <= (b ?? a); y++) out.push(y);
    return out;
  }));
  const stepForm = (t: string, lo: number, hi: number) => (/^\d+\/\d+$/.test(t) ? flags(`${t.split('/')[0]}-${hi}/${t.split('/')[1]}`, lo, hi) : flags(t, lo, hi));
  return {
    min: stepForm(f[0], 0, 59),
    hour: stepForm(f[1], 0, 23),
    dom: f[2] === '?' ? null : f[2] === 'L' ? 'L' : stepForm(f[2], 1, 31),
    month: /^\d+\/\d+$/.test(f[3]) ? stepForm(f[3], 1, 12) : flags(f[3], 1, 12, MONTHS, 1),
    dow: dowFlags,
    years,
  };
}

function awsMatchesDay(a: AwsLine, w: Omit<Wall, 'h' | 'mi'>): boolean {
  if (a.years && !a.years.has(w.y)) return false;
  if (!a.month[w.mo]) return false;
  if (a.dom === 'L') return w.last;
  if (a.dom) return a.dom[w.d];
  return a.dow ? a.dow[w.dow + 1] : false;
}

/** Offsets per UTC quarter hour (every real zone changes offset on a quarter-hour boundary). */
export class OracleZone {
  private readonly fmt: Intl.DateTimeFormat;
  // The table is kept in blocks of 1,024 quarter hours (about ten days), NaN where not computed yet: walks read one
  // offset per quarter hour, and a typed-array read costs far less than a Map lookup.
  private readonly blocks = new Map<number, Float64Array>();
  private lastBlockIndex = NaN;
  private lastBlock: Float64Array = new Float64Array(0);
  constructor(readonly zone: string) {
    this.fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hour12: false,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
  }
  offset(utcMinute: number): number {
    const q = Math.floor(utcMinute / 15);
    const b = Math.floor(q / 1024);
    if (b !== this.lastBlockIndex) {
      let block = this.blocks.get(b);
      if (!block) {
        block = new Float64Array(1024).fill(NaN);
        this.blocks.set(b, block);
      }
      this.lastBlockIndex = b;
      this.lastBlock = block;
    }
    const i = q - b * 1024;
    let o = this.lastBlock[i];
    if (Number.isNaN(o)) {
      // "dd/mm/yyyy, hh:mm"
      const s = this.fmt.format(new Date(q * 15 * 60000));
      const m = /(\d+)\/(\d+)\/(\d+),? (\d+):(\d+)/.exec(s)!;
      const local = Date.UTC(+m[3], +m[2] - 1, +m[1], +m[4] % 24, +m[5]) / 60000;
      o = local - q * 15;
      this.lastBlock[i] = o;
    }
    return o;
  }
}

/** Local dates by day number; `day` cached, and each line's verdict for the last day it asked about. */
function dayOf(day: number): Omit<Wall, 'h' | 'mi'> {
  let d = dayCache.get(day);
  if (!d) {
    wall(day * 1440);
    d = dayCache.get(day)!;
  }
  return d;
}

/** A per-walk memo of "does this line run on local day N" (walks move through days in order, so one slot is enough). */
function dayMemo(test: (d: Omit<Wall, 'h' | 'mi'>) => boolean): (day: number) => boolean {
  let last = NaN;
  let ok = false;
  return (day) => {
    if (day !== last) {
      last = day;
      ok = test(dayOf(day));
    }
    return ok;
  };
}

/** Whether a line's minute and hour fields allow each minute of the day, 0..1439 (looked up once per walked minute). */
function minuteOfDayMask(min: boolean[], hour: boolean[]): Uint8Array {
  const mask = new Uint8Array(1440);
  for (let h = 0; h < 24; h++) if (hour[h]) for (let m = 0; m < 60; m++) if (min[m]) mask[h * 60 + m] = 1;
  return mask;
}

/** Whether a minute-of-day mask has no minute in each local quarter hour of the day, 0..95. */
function quietQuarters(mask: Uint8Array): Uint8Array {
  const quiet = new Uint8Array(96).fill(1);
  for (let m = 0; m < 1440; m++) if (mask[m] === 1) quiet[Math.floor(m / 15)] = 0;
  return quiet;
}

/**
 * Whether the walk may pass over the quarter hour of UTC minutes [u, u + 15) at once: it is a whole quarter, the
 * offset keeps it inside one local quarter hour (true of every offset in the horizons tested; the walk goes minute by
 * minute otherwise), and the line allows no minute of that local quarter. The walks below still visit every other
 * minute one by one; passing over a quarter changes nothing they would have found, since no minute of it matches.
 */
function quietBlock(u: number, end: number, offset: number, quiet: (localQuarterStart: number) => boolean): boolean {
  return u % 15 === 0 && end - u === 15 && offset % 15 === 0 && quiet(u + offset);
}

/**
 * Minute by minute over [from, to): UTC minutes at which cron runs the line in the zone (cronie's DST rules: fixed
 * jobs run skipped gap minutes at the end of the gap and do not repeat in an overlap; wildcard jobs skip gap minutes
 * and repeat). The walk visits every minute; the zone's offset is read once per UTC quarter hour, the span over which
 * OracleZone holds it constant.
 */
export function oracleCronFires(line: string, zone: OracleZone, from: number, to: number): Set<number> {
  const c = oracleCron(line);
  const runsOn = dayMemo((d) => {
    if (!c.month[d.mo]) return false;
    const dm = c.dom[d.d];
    const k = c.dow[d.dow];
    return c.domStar || c.dowStar ? dm && k : dm || k;
  });
  const mask = minuteOfDayMask(c.min, c.hour);
  const at = (local: number) => {
    const day = Math.floor(local / 1440);
    return mask[local - day * 1440] === 1 && runsOn(day);
  };
  const quiet = quietQuarters(mask);
  const quietAt = (local: number) => quiet[Math.floor((local - Math.floor(local / 1440) * 1440) / 15)] === 1;
  const out = new Set<number>();
  let maxLocal = from - 1 + zone.offset(from - 1);
  for (let u = from; u < to; ) {
    const offset = zone.offset(u);
    const end = Math.min(to, (Math.floor(u / 15) + 1) * 15);
    // A quarter hour the line cannot match, entered without a gap (a gap's skipped minutes are run at its end below):
    // nothing of it runs; the clock's high-water mark moves on as the minute walk would move it.
    if (u + offset <= maxLocal + 1 && quietBlock(u, end, offset, quietAt)) {
      maxLocal = Math.max(maxLocal, end - 1 + offset);
      u = end;
      continue;
    }
    for (; u < end; u++) {
      const local = u + offset;
      if (local > maxLocal + 1 && !c.wildcard) {
        for (let x = maxLocal + 1; x < local; x++) if (at(x)) out.add(u);
      }
      if (at(local)) {
        if (local > maxLocal || c.wildcard) out.add(u);
      }
      if (local > maxLocal) maxLocal = local;
    }
  }
  return out;
}

/** UTC minutes at which AWS fires: rules in UTC; Scheduler in the zone, gap times skipped, overlap times once. */
export function oracleAwsFires(expressions: string[], target: 'rule' | 'scheduler', zone: OracleZone, from: number, to: number): Set<number> {
  const lines = expressions.map((e) => {
    const a = oracleAws(e);
    const mask = minuteOfDayMask(a.min, a.hour);
    // The minutes of the day the expression allows, listed: a day's mask is built from them.
    const minutes = [...mask.keys()].filter((m) => mask[m] === 1);
    return { minutes, runsOn: (d: Omit<Wall, 'h' | 'mi'>) => awsMatchesDay(a, d) };
  });
  // The minutes of one day at which any expression fires, and its quarter hours without one, rebuilt when the walk
  // reaches another day.
  const dayMask = new Uint8Array(1440);
  const dayQuiet = new Uint8Array(96);
  let maskDay = NaN;
  const toDay = (clock: number) => {
    const day = Math.floor(clock / 1440);
    if (day !== maskDay) {
      maskDay = day;
      dayMask.fill(0);
      dayQuiet.fill(1);
      const d = dayOf(day);
      for (const l of lines) {
        if (!l.runsOn(d)) continue;
        for (const m of l.minutes) {
          dayMask[m] = 1;
          dayQuiet[Math.floor(m / 15)] = 0;
        }
      }
    }
    return day;
  };
  const fires = (clock: number) => dayMask[clock - toDay(clock) * 1440] === 1;
  const quietAt = (clock: number) => dayQuiet[Math.floor((clock - toDay(clock) * 1440) / 15)] === 1;
  const out = new Set<number>();
  if (target === 'rule') {
    for (let u = from; u < to; u++) {
      if (quietBlock(u, Math.min(to, u + 15), 0, quietAt)) u += 14;
      else if (fires(u)) out.add(u);
    }
    return out;
  }
  let maxLocal = from - 1 + zone.offset(from - 1);
  for (let u = from; u < to; ) {
    const offset = zone.offset(u);
    const end = Math.min(to, (Math.floor(u / 15) + 1) * 15);
    // A local quarter hour without a firing minute: nothing of it fires, and the high-water mark moves on as the
    // minute walk would move it (a gap's minutes are skipped on Scheduler, so a quiet quarter may follow one).
    if (quietBlock(u, end, offset, quietAt)) {
      maxLocal = Math.max(maxLocal, end - 1 + offset);
      u = end;
      continue;
    }
    for (; u < end; u++) {
      const local = u + offset;
      if (local > maxLocal) {
        if (fires(local)) out.add(u);
        maxLocal = local;
      }
    }
  }
  return out;
}

/**
 * Minute by minute over [from, to): UTC minutes at which cronie runs a line under CRON_TZ, found by replaying
 * cronie's main loop (cron.c main() and find_jobs()) on a server whose clock is in `server`: once a real minute the
 * daemon wakes, classifies the jump of its local clock (1 minute, small, medium = DST begins, negative = DST ends,
 * large) and calls find_jobs, which reads the line's fields on the CRON_TZ clock (`lineZone`; null for an empty
 * CRON_TZ, read on the daemon's own clock) and skips CRON_TZ jobs while the daemon's offset is changing.
 * Checked against the real crond under a virtual clock (see the notes referenced in src/schedule/simulate.ts).
 */
export function oracleCronTzFires(line: string, lineZone: OracleZone | null, server: OracleZone, from: number, to: number): Set<number> {
  const c = oracleCron(line);
  // The day is looked up only for a minute and hour that match: most minutes of a walk stop at the minute field.
  const matches = (local: number) => {
    const day = Math.floor(local / 1440);
    const m = local - day * 1440;
    if (!c.min[m % 60] || !c.hour[Math.floor(m / 60)]) return false;
    const w = dayOf(day);
    if (!c.month[w.mo]) return false;
    const dm = c.dom[w.d];
    const k = c.dow[w.dow];
    return c.domStar || c.dowStar ? dm && k : dm || k;
  };
  const out = new Set<number>();
  const quarters = [0, 1, 2, 3].map((q) => c.min.slice(q * 15, q * 15 + 15).some(Boolean));
  let now = from - 1;
  let gmtOff = server.offset(now);
  let virtualTime = now + gmtOff;
  let oldGmtOff = gmtOff;
  const findJobs = (vtime: number, doWild: boolean, doNonWild: boolean, vGmtOff: number) => {
    const real = vtime - vGmtOff;
    const local = lineZone ? real + lineZone.offset(real) : vtime;
    if (!matches(local)) return;
    if (vGmtOff !== gmtOff) return; // a CRON_TZ job during the daemon's own DST switch
    if ((doNonWild && !c.wildcard) || (doWild && c.wildcard)) out.add(now);
  };
  for (now = from; now < to; now++) {
    gmtOff = server.offset(now);
    // A quarter hour in which the daemon wakes on time each minute (offsets change only on quarter-hour boundaries):
    // the 1-minute case below, fifteen times, with both offsets read once.
    if (now % 15 === 0 && now + 15 <= to && now + gmtOff - virtualTime === 1) {
      const toLocal = lineZone ? lineZone.offset(now) : gmtOff;
      // With an offset of whole quarter hours the fifteen local minutes share one hour and one quarter of it.
      const local = now + toLocal;
      const skip = toLocal % 15 === 0 && (!c.hour[Math.floor((local % 1440) / 60)] || !quarters[Math.floor((local % 60) / 15)]);
      if (!skip) for (let k = 0; k < 15; k++) if (matches(local + k)) out.add(now + k);
      now += 14;
      virtualTime = now + gmtOff;
      oldGmtOff = gmtOff;
      continue;
    }
    const timeRunning = now + gmtOff;
    const timeDiff = timeRunning - virtualTime;
    if (timeDiff === 1) {
      virtualTime = timeRunning;
      oldGmtOff = gmtOff;
      findJobs(virtualTime, true, true, oldGmtOff);
    } else if (timeDiff > 180 || timeDiff < -180) {
      virtualTime = timeRunning;
      oldGmtOff = gmtOff;
      findJobs(timeRunning, true, true, gmtOff);
    } else if (timeDiff > 5) {
      findJobs(timeRunning, true, false, gmtOff);
      do {
        virtualTime++;
        if (virtualTime >= timeRunning) oldGmtOff = gmtOff;
        findJobs(virtualTime, false, true, oldGmtOff);
      } while (virtualTime < timeRunning);
    } else if (timeDiff > 0) {
      do {
        virtualTime++;
        if (virtualTime >= timeRunning) oldGmtOff = gmtOff;
        findJobs(virtualTime, true, true, oldGmtOff);
      } while (virtualTime < timeRunning);
    } else {
      findJobs(timeRunning, true, false, gmtOff);
    }
  }
  return out;
}
