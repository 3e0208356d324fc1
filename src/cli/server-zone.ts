// The server's time zone from its filesystem copy (--root), when --timezone is not given: for lines without CRON_TZ,
// and cronie's DST rules of lines with one.
// Imperative shell: reads <root>/etc/timezone and the <root>/etc/localtime link; the pure plan gets the result.
import { join } from 'node:path';
import { resolveUnderRoot } from '../scripts/reader.js';
import { checkZoneName } from '../schedule/zone-name.js';
import { zoneProblemText } from '../render/messages.js';
import type { TimezoneSource } from '../plan/plan.js';
import type { Io } from './io.js';

export interface ServerZone {
  zone?: string;
  source: TimezoneSource;
  /** Why a file that was there could not be used (the next source was tried). */
  notes: string[];
}

export function detectServerZone(root: string, io: Io): ServerZone {
  const notes: string[] = [];
  // Debian and Ubuntu: /etc/timezone holds the name on its first line.
  const tzFile = join(root, 'etc/timezone');
  // Resolved inside the root: a link to /etc/shadow in a server copy must not read this machine's file.
  const tzHost = resolveUnderRoot(root, '/etc/timezone');
  if (tzHost !== null && io.isFile(tzHost)) {
    const read = io.readCapped(tzHost, 4096);
    if ('bytes' in read) {
      const name = new TextDecoder().decode(read.bytes).split('\n')[0].trim().slice(0, 100);
      const checked = checkZoneName(name);
      if (checked.ok) return { zone: checked.zone, source: 'etc/timezone', notes };
      notes.push(`${tzFile}: ${zoneProblemText(checked.problem)}`);
    } else {
      notes.push(`${tzFile}: ${read.error}`);
    }
  }
  // Every systemd distribution: /etc/localtime is a link to .../zoneinfo/Area/City. A copied file has no name.
  const link = io.readLink(join(root, 'etc/localtime'));
  if (link !== null) {
    const m = /(?:^|\/)zoneinfo\/(?:posix\/|right\/)?(.+)$/.exec(link);
    if (m) {
      const checked = checkZoneName(m[1]);
      if (checked.ok) return { zone: checked.zone, source: 'etc/localtime', notes };
      notes.push(`${join(root, 'etc/localtime')} -> ${link}: ${zoneProblemText(checked.problem)}`);
    } else {
      notes.push(`${join(root, 'etc/localtime')} -> ${link}: not a link into a zoneinfo directory`);
    }
  }
  return { source: 'default', notes };
}
