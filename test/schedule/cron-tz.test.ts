// cronie's DST rules for lines under CRON_TZ, as the real crond ran them. Recorded from cronie (git 5f9f16b, built
// from source) run as `crond -n` with the daemon's zone in TZ, under an LD_PRELOAD virtual clock whose sleep()
// advances time (harness: test/support/cronie-dst/, not run here: it needs a C compiler and cronie's source). Every
// job logged the virtual minute cronie forked it at. Both the simulation (src) and the independent reference
// (test/support/oracle.ts, a replay of cron.c's main loop) must give exactly these runs.
import { describe, expect, it } from 'vitest';
import { parseCronFields } from '../../src/schedule/model.js';
import { cronFires, cronTzFires, releaseFireSet } from '../../src/schedule/simulate.js';
import { timelineFor } from '../../src/schedule/translate.js';
import { OracleZone, oracleCronFires, oracleCronTzFires } from '../support/oracle.js';

interface Recorded {
  /** The daemon's zone (TZ of crond). */
  server: string;
  /** Real time watched (UTC). */
  from: string;
  to: string;
  /** Per line: its CRON_TZ (undefined: none; '': `CRON_TZ=` empty), its fields, and the UTC minutes cronie ran it at. */
  lines: { cronTz: string | undefined; line: string; ran: string[] }[];
}

const L = 'Europe/London';
const NY = 'America/New_York';

const RECORDED: Record<string, Recorded> = {
  // London springs forward 2026-03-29 01:00 UTC (01:00 GMT -> 02:00 BST): 01:30 London never comes.
  'A: London spring-forward, daemon in New York': {
    server: NY, from: '2026-03-28T23:45', to: '2026-03-29T03:15',
    lines: [
      { cronTz: L, line: '30 1 * * *', ran: [] },
      { cronTz: L, line: '0 2 * * *', ran: ['2026-03-29T01:00'] },
      { cronTz: L, line: '30 2 * * *', ran: ['2026-03-29T01:30'] },
      { cronTz: L, line: '*/30 * * * *', ran: ['2026-03-29T00:00', '2026-03-29T00:30', '2026-03-29T01:00', '2026-03-29T01:30', '2026-03-29T02:00', '2026-03-29T02:30', '2026-03-29T03:00'] },
    ],
  },
  // London falls back 2026-10-25 01:00 UTC: 01:00-01:59 London comes at 00:00-00:59 and 01:00-01:59 UTC.
  'B: London fall-back, daemon in New York': {
    server: NY, from: '2026-10-24T23:45', to: '2026-10-25T03:15',
    lines: [
      { cronTz: L, line: '30 1 * * *', ran: ['2026-10-25T00:30', '2026-10-25T01:30'] },
      { cronTz: L, line: '0 1 * * *', ran: ['2026-10-25T00:00', '2026-10-25T01:00'] },
      { cronTz: L, line: '30 * * * *', ran: ['2026-10-25T00:30', '2026-10-25T01:30', '2026-10-25T02:30'] },
      { cronTz: L, line: '30 2 * * *', ran: ['2026-10-25T02:30'] },
    ],
  },
  // New York springs forward 2026-03-08 07:00 UTC (02:00 EST -> 03:00 EDT), the daemon's own zone.
  'C1: New York spring-forward, daemon in New York': {
    server: NY, from: '2026-03-08T05:45', to: '2026-03-08T08:15',
    lines: [
      { cronTz: undefined, line: '30 2 * * *', ran: ['2026-03-08T07:00'] },
      { cronTz: undefined, line: '0 3 * * *', ran: ['2026-03-08T07:00'] },
      { cronTz: undefined, line: '30 * * * *', ran: ['2026-03-08T06:30', '2026-03-08T07:30'] },
      { cronTz: NY, line: '30 2 * * *', ran: [] },
      { cronTz: NY, line: '0 3 * * *', ran: ['2026-03-08T07:00'] },
      { cronTz: NY, line: '30 * * * *', ran: ['2026-03-08T06:30', '2026-03-08T07:30'] },
      { cronTz: '', line: '30 2 * * *', ran: [] },
      { cronTz: '', line: '0 3 * * *', ran: ['2026-03-08T07:00'] },
      { cronTz: '', line: '30 * * * *', ran: ['2026-03-08T06:30', '2026-03-08T07:30'] },
      { cronTz: L, line: '30 6 * * *', ran: ['2026-03-08T06:30'] },
      { cronTz: L, line: '0 7 * * *', ran: ['2026-03-08T07:00'] },
      { cronTz: L, line: '1 7 * * *', ran: ['2026-03-08T07:01'] },
      { cronTz: L, line: '*/30 * * * *', ran: ['2026-03-08T06:00', '2026-03-08T06:30', '2026-03-08T07:00', '2026-03-08T07:30', '2026-03-08T08:00'] },
    ],
  },
  'C2: New York spring-forward, daemon in London': {
    server: L, from: '2026-03-08T05:45', to: '2026-03-08T08:15',
    lines: [
      { cronTz: NY, line: '30 2 * * *', ran: [] },
      { cronTz: NY, line: '0 3 * * *', ran: ['2026-03-08T07:00'] },
      { cronTz: NY, line: '30 * * * *', ran: ['2026-03-08T06:30', '2026-03-08T07:30'] },
      { cronTz: undefined, line: '30 6 * * *', ran: ['2026-03-08T06:30'] },
      { cronTz: undefined, line: '0 7 * * *', ran: ['2026-03-08T07:00'] },
    ],
  },
  // New York falls back 2026-11-01 06:00 UTC: 01:00-01:59 New York comes at 05:00-05:59 (EDT) and 06:00-06:59 (EST).
  'D1: New York fall-back, daemon in New York': {
    server: NY, from: '2026-11-01T04:45', to: '2026-11-01T08:15',
    lines: [
      { cronTz: undefined, line: '30 1 * * *', ran: ['2026-11-01T05:30'] },
      { cronTz: undefined, line: '0 1 * * *', ran: ['2026-11-01T05:00'] },
      { cronTz: undefined, line: '30 * * * *', ran: ['2026-11-01T05:30', '2026-11-01T06:30', '2026-11-01T07:30'] },
      { cronTz: NY, line: '30 1 * * *', ran: ['2026-11-01T05:30'] },
      { cronTz: NY, line: '0 1 * * *', ran: ['2026-11-01T05:00'] },
      { cronTz: NY, line: '30 * * * *', ran: ['2026-11-01T05:30', '2026-11-01T06:30', '2026-11-01T07:30'] },
      { cronTz: '', line: '30 1 * * *', ran: ['2026-11-01T05:30'] },
      { cronTz: '', line: '30 * * * *', ran: ['2026-11-01T05:30', '2026-11-01T06:30', '2026-11-01T07:30'] },
      // The daemon's repeated hour (06:00-06:59 UTC): cronie runs only wildcard jobs, whatever their CRON_TZ.
      { cronTz: L, line: '30 5 * * *', ran: ['2026-11-01T05:30'] },
      { cronTz: L, line: '0 6 * * *', ran: [] },
      { cronTz: L, line: '30 6 * * *', ran: [] },
      { cronTz: L, line: '0 7 * * *', ran: ['2026-11-01T07:00'] },
      { cronTz: L, line: '30 * * * *', ran: ['2026-11-01T05:30', '2026-11-01T06:30', '2026-11-01T07:30'] },
    ],
  },
  'D2: New York fall-back, daemon in London': {
    server: L, from: '2026-11-01T04:45', to: '2026-11-01T08:15',
    lines: [
      { cronTz: NY, line: '30 1 * * *', ran: ['2026-11-01T05:30', '2026-11-01T06:30'] },
      { cronTz: NY, line: '0 1 * * *', ran: ['2026-11-01T05:00', '2026-11-01T06:00'] },
      { cronTz: NY, line: '30 * * * *', ran: ['2026-11-01T05:30', '2026-11-01T06:30', '2026-11-01T07:30'] },
      { cronTz: undefined, line: '30 6 * * *', ran: ['2026-11-01T06:30'] },
      { cronTz: undefined, line: '0 7 * * *', ran: ['2026-11-01T07:00'] },
    ],
  },
  // cronie issue #124, as reported there and as recorded here: London falls back 2022-10-30 01:00 UTC.
  'E: CRON_TZ=UTC on a server in London (cronie issue #124)': {
    server: L, from: '2022-10-29T23:45', to: '2022-10-30T02:15',
    lines: [
      { cronTz: 'UTC', line: '59 0 * * *', ran: ['2022-10-30T00:59'] },
      { cronTz: 'UTC', line: '0 1 * * *', ran: [] },
      { cronTz: 'UTC', line: '1 1 * * *', ran: [] },
      { cronTz: 'UTC', line: '30 1 * * *', ran: [] },
      { cronTz: 'UTC', line: '59 1 * * *', ran: [] },
      { cronTz: 'UTC', line: '0 2 * * *', ran: ['2022-10-30T02:00'] },
      { cronTz: 'UTC', line: '*/30 * * * *', ran: ['2022-10-30T00:00', '2022-10-30T00:30', '2022-10-30T01:00', '2022-10-30T01:30', '2022-10-30T02:00'] },
    ],
  },
};

const minute = (iso: string) => Date.parse(`${iso}Z`) / 60_000;
const iso = (u: number) => new Date(u * 60_000).toISOString().slice(0, 16);

/** The simulation's runs in [from, to): a horizon of whole days around the window, cut to it. */
function simulated(server: string, cronTz: string | undefined, line: string, from: number, to: number): string[] {
  const parsed = parseCronFields(line.split(' '));
  if (!parsed.ok) throw new Error(line);
  const h = { fromDay: Math.floor(from / 1440) - 1, toDay: Math.ceil(to / 1440) + 1 };
  const zone = cronTz ? cronTz : server;
  const set = cronTz === undefined
    ? cronFires(parsed.spec, timelineFor(zone, h), h)
    : cronTzFires(parsed.spec, timelineFor(zone, h), timelineFor(server, h), h);
  const out: string[] = [];
  for (let u = from; u < to; u++) {
    const day = Math.floor(u / 1440);
    const bit = u - day * 1440;
    if ((set.words[(day - set.firstDay) * 45 + (bit >>> 5)] >>> (bit & 31)) & 1) out.push(iso(u));
  }
  releaseFireSet(set);
  return out;
}

function referenced(server: string, cronTz: string | undefined, line: string, from: number, to: number): string[] {
  const fires = cronTz === undefined
    ? oracleCronFires(line, new OracleZone(server), from, to)
    : oracleCronTzFires(line, cronTz ? new OracleZone(cronTz) : null, new OracleZone(server), from, to);
  return [...fires].sort((a, b) => a - b).map(iso);
}

for (const [name, r] of Object.entries(RECORDED)) {
  describe(`what cronie ran, ${name}`, () => {
    for (const l of r.lines) {
      const label = `${l.cronTz === undefined ? 'no CRON_TZ' : `CRON_TZ=${l.cronTz}`} ${l.line}`;
      it(`${label}: the simulation and the reference run it when crond did`, () => {
        const from = minute(r.from);
        const to = minute(r.to);
        expect(simulated(r.server, l.cronTz, l.line, from, to)).toEqual(l.ran);
        expect(referenced(r.server, l.cronTz, l.line, from, to)).toEqual(l.ran);
      });
    }
  });
}
