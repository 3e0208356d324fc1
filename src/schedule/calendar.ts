// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01) and minute numbers. Pure.

export const MINUTES_PER_DAY = 1440;

export interface CivilDate {
  year: number;
  month: number; // 1-12
  day: number; // 1-31
}

/** Howard Hinnant's days_from_civil. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** 0 = Sunday … 6 = Saturday. 1970-01-01 was a Thursday. */
export function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function monthLength(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function monthLengthFor(leap: boolean, month: number): number {
  return monthLength(leap ? 2028 : 2027, month);
}

/** Day-by-day facts for a range of day numbers, computed once and shared by every job's simulation. */
export interface CalendarTable {
  firstDay: number;
  year: Int16Array;
  month: Int8Array;
  day: Int8Array;
  dow: Int8Array;
  monthLen: Int8Array;
}

const tableCache = new Map<string, CalendarTable>();

export function calendarTable(firstDay: number, lastDay: number): CalendarTable {
  const key = `${firstDay}:${lastDay}`;
  const hit = tableCache.get(key);
  if (hit) return hit;
  const n = lastDay - firstDay + 1;
  const t: CalendarTable = {
    firstDay,
    year: new Int16Array(n),
    month: new Int8Array(n),
    day: new Int8Array(n),
    dow: new Int8Array(n),
    monthLen: new Int8Array(n),
  };
  for (let i = 0; i < n; i++) {
    const c = civilFromDays(firstDay + i);
    t.year[i] = c.year;
    t.month[i] = c.month;
    t.day[i] = c.day;
    t.dow[i] = weekday(firstDay + i);
    t.monthLen[i] = monthLength(c.year, c.month);
  }
  if (tableCache.size > 8) tableCache.clear();
  tableCache.set(key, t);
  return t;
}

export function isoMinute(utcMinute: number): string {
  return new Date(utcMinute * 60_000).toISOString().slice(0, 16) + 'Z';
}

/** "2027-03-14T02:30" for a local wall-clock minute number. */
export function isoLocalMinute(localMinute: number): string {
  return new Date(localMinute * 60_000).toISOString().slice(0, 16);
}
