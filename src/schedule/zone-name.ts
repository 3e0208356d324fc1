// Is a time-zone name one that cron on the server and bash in Lambda read the way the plan does? Pure.
// Both resolve TZ/CRON_TZ through glibc, which opens /usr/share/zoneinfo/<name>: names are case-sensitive, and a
// name glibc cannot find silently means UTC (cronie cron.c only does setenv("TZ", CRON_TZ) and localtime()).
// Node's Intl is more forgiving ('europe/berlin', 'JST' and 'BST' all resolve), so it never decides validity here.
import { LEGACY_LINKS, TZ_NAMES } from './tzdb.js';

export type ZoneNameCheck =
  | { ok: true; zone: string; /** Set for legacy names whose meaning surprises: why, and what to write. */ legacy?: ZoneLegacy }
  | { ok: false; /** Why the name is refused, with what to write instead when we can tell. */ problem: ZoneProblem; suggestions: string[] };

/** A refused zone name (said in words by src/render/messages.ts). */
export type ZoneProblem =
  /** why: tz names are case-sensitive (case), the name is an abbreviation, or neither; suggestions: best first. */
  | { kind: 'not-iana'; name: string; why: 'case' | 'abbreviation' | 'unknown'; suggestions: string[] }
  | { kind: 'no-data'; name: string };

/** A legacy zone name whose meaning surprises, with what to write instead. */
export type ZoneLegacy =
  | { kind: 'fixed'; name: string; offset: string; region: string }
  | { kind: 'posix'; name: string; link: string | null }
  | { kind: 'etc-gmt'; name: string; offset: string }
  | { kind: 'backward'; name: string; target: string };

/** Common abbreviations that are not tz names (glibc reads them as UTC; Intl reads some as a city). */
const ABBREVIATIONS: Readonly<Record<string, readonly string[]>> = {
  JST: ['Asia/Tokyo'],
  KST: ['Asia/Seoul'],
  IST: ['Asia/Kolkata', 'Europe/Dublin', 'Asia/Jerusalem'],
  PST: ['America/Los_Angeles'],
  PDT: ['America/Los_Angeles'],
  CST: ['America/Chicago', 'Asia/Shanghai'],
  CDT: ['America/Chicago'],
  EDT: ['America/New_York'],
  MDT: ['America/Denver'],
  AKST: ['America/Anchorage'],
  BST: ['Europe/London'],
  CEST: ['Europe/Berlin'],
  EEST: ['Europe/Athens'],
  AEST: ['Australia/Sydney', 'Australia/Brisbane'],
  AEDT: ['Australia/Sydney'],
  ACST: ['Australia/Adelaide', 'Australia/Darwin'],
  AWST: ['Australia/Perth'],
  NZST: ['Pacific/Auckland'],
  SGT: ['Asia/Singapore'],
  HKT: ['Asia/Hong_Kong'],
};

/** Zones that keep one offset all year though their abbreviation suggests a region that has daylight saving time. */
const FIXED: Readonly<Record<string, { offset: string; region: string }>> = {
  EST: { offset: 'UTC-05:00', region: 'America/New_York' },
  MST: { offset: 'UTC-07:00', region: 'America/Denver (or America/Phoenix, which has no DST)' },
  HST: { offset: 'UTC-10:00', region: 'Pacific/Honolulu' },
};

const POSIX_RULE = new Set(['EST5EDT', 'CST6CDT', 'MST7MDT', 'PST8PDT', 'CET', 'MET', 'EET', 'WET']);

let byLower: Map<string, string[]> | undefined;
let byLastLower: Map<string, string[]> | undefined;

function indexes(): { byLower: Map<string, string[]>; byLastLower: Map<string, string[]> } {
  if (!byLower || !byLastLower) {
    byLower = new Map();
    byLastLower = new Map();
    for (const name of TZ_NAMES) {
      push(byLower, name.toLowerCase(), name);
      const last = name.split('/').pop()!.toLowerCase();
      if (name.includes('/')) push(byLastLower, last, name);
    }
  }
  return { byLower, byLastLower };
}

function push(m: Map<string, string[]>, key: string, value: string): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

/** A legacy link is suggested as the zone it names today; current names first, duplicates removed. */
function preferCurrent(names: string[]): string[] {
  const out = names.map((n) => LEGACY_LINKS[n] ?? n);
  return [...new Set(out)].sort((a, b) => Number(a in LEGACY_LINKS) - Number(b in LEGACY_LINKS) || a.localeCompare(b));
}

/** What to write instead of a name that is not in the tz database. */
export function suggestZones(name: string): string[] {
  const { byLower, byLastLower } = indexes();
  const key = name.trim().replace(/\s+/g, '_').toLowerCase();
  const full = byLower.get(key);
  if (full) return preferCurrent(full);
  const abbreviation = ABBREVIATIONS[name.trim().toUpperCase()];
  if (abbreviation) return [...abbreviation];
  const last = byLastLower.get(key.split('/').pop()!);
  if (last) return preferCurrent(last);
  return [];
}

function intlKnows(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const checked = new Map<string, ZoneNameCheck>();

/** Is `name` an exact tz name this Node can compute; and if it is a legacy one, why it surprises. Memoised. */
export function checkZoneName(name: string): ZoneNameCheck {
  let hit = checked.get(name);
  if (!hit) {
    hit = check(name);
    if (checked.size > 1024) checked.clear();
    checked.set(name, hit);
  }
  return hit;
}

function check(name: string): ZoneNameCheck {
  if (!TZ_NAMES.has(name)) {
    const suggestions = suggestZones(name);
    const caseOnly = suggestions.length > 0 && indexes().byLower.has(name.trim().toLowerCase());
    const why = caseOnly ? 'case' : ABBREVIATIONS[name.trim().toUpperCase()] ? 'abbreviation' : 'unknown';
    return { ok: false, problem: { kind: 'not-iana', name, why, suggestions }, suggestions };
  }
  if (!intlKnows(name)) {
    return { ok: false, problem: { kind: 'no-data', name }, suggestions: [] };
  }
  const fixed = FIXED[name];
  if (fixed) return { ok: true, zone: name, legacy: { kind: 'fixed', name, offset: fixed.offset, region: fixed.region } };
  if (POSIX_RULE.has(name)) return { ok: true, zone: name, legacy: { kind: 'posix', name, link: LEGACY_LINKS[name] ?? null } };
  const gmt = /^Etc\/GMT([+-])(\d+)$/.exec(name);
  if (gmt && gmt[2] !== '0') {
    const sign = gmt[1] === '+' ? '-' : '+';
    return { ok: true, zone: name, legacy: { kind: 'etc-gmt', name, offset: `UTC${sign}${gmt[2].padStart(2, '0')}:00` } };
  }
  const target = LEGACY_LINKS[name];
  if (target) return { ok: true, zone: name, legacy: { kind: 'backward', name, target } };
  return { ok: true, zone: name };
}
