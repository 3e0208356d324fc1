// The job's time zone as a TZif file in its zip, so that `date` prints local time even on a runtime without
// time-zone data (provided.al2023 may lack it). bootstrap points TZ at the bundled file when the runtime has none.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** Where the zone's file goes in the zip (bootstrap looks there: $LAMBDA_TASK_ROOT/zoneinfo/<zone>). */
export function zoneFilePath(zone: string): string {
  return `zoneinfo/${zone}`;
}

/** An IANA zone name as a relative path: no "..", no leading "/", nothing but letters, digits, _ + - and "/". */
export function isZoneName(zone: string): boolean {
  return /^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(zone) && !zone.split('/').some((p) => p === '..' || p === '.');
}

/** TZif files are a few KB; anything much larger is not one. */
const MAX_TZIF_BYTES = 256 * 1024;

/**
 * Checks that BYTES are a TZif file of version 2 or later: version 1 files stop at 2037 and lack the footer that
 * gives the rule for later years.
 */
export function isTzif2(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 44 &&
    bytes[0] === 0x54 && bytes[1] === 0x5a && bytes[2] === 0x69 && bytes[3] === 0x66 && // "TZif"
    bytes[4] >= 0x32 // '2', '3', '4'
  );
}

export type ZoneFileReader = (zone: string) => Uint8Array | undefined;

/**
 * The TZif file of ZONE from this machine's zoneinfo (TZDIR, else /usr/share/zoneinfo: the IANA database as the OS
 * ships and updates it), or undefined when there is none or it is not a TZif v2+ file. A symlink may point anywhere
 * inside the zoneinfo tree (Debian links old names to new ones), never outside it.
 */
export function readSystemZone(zone: string, dir: string = process.env.TZDIR || '/usr/share/zoneinfo'): Uint8Array | undefined {
  if (!isZoneName(zone)) return undefined;
  try {
    const root = realpathSync(dir);
    const file = realpathSync(join(root, zone));
    if (!file.startsWith(root + sep)) return undefined;
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_TZIF_BYTES) return undefined;
    const bytes = readFileSync(file);
    return isTzif2(bytes) ? bytes : undefined;
  } catch {
    return undefined;
  }
}
