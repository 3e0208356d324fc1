// Proof of done for issue 10: jobs in America/New_York and Europe/London planned with --target scheduler over two
// years, then every minute of every DST transition day (both transitions, both years, of the line's zone and of the
// server's) walked with the independent reference in test/support/oracle.ts: cron's side with cronie's rules for
// CRON_TZ lines (a replay of its main loop on the server's clock), Scheduler's side by evaluating the emitted
// expression in the zone (a gap time is skipped, a repeated time runs once). The differences found must be exactly
// what the plan's equivalence report says: its counts over the horizon, and its listed instants, kinds and reasons.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';
import { OracleZone, oracleAwsFires, oracleCronTzFires } from '../support/oracle.js';

interface PlannedSchedule {
  cron: string;
  expressions: string[];
  expressionTimezone: string;
  exact: boolean;
  drift: { at: string; local: string; kind: 'missing' | 'extra'; reason: string }[];
  verification: { from: string; to: string; missing: number; extra: number };
}

const FROM = '2027-01-01';
const MIN = 60_000;

/**
 * Lines per zone (under CRON_TZ, on a server in UTC), with the differences a person expects over 2027-2028 (the test
 * checks them against the oracle). cronie reads a CRON_TZ line on that zone's clock: a gap time never comes, a
 * repeated time comes twice, fixed or wildcard.
 */
const CASES: Record<string, { line: string; what: string; missing: number; extra?: number }[]> = {
  'America/New_York': [
    { line: '30 2 * * *', what: 'fixed time in the spring-forward gap (02:00-03:00): skipped by both', missing: 0 },
    { line: '30 1 * * *', what: 'fixed time in the repeated hour (01:00-02:00): twice in cronie', missing: 2 },
    { line: '*/15 * * * *', what: 'wildcard hour, every 15 minutes', missing: 8 },
    { line: '0 * * * *', what: 'wildcard hour, on the hour', missing: 2 },
    { line: '0 12 * * 1-5', what: 'a plain daytime job', missing: 0 },
  ],
  'Europe/London': [
    { line: '30 1 * * *', what: 'fixed time in the gap (01:00-02:00, skipped by both) and the repeated hour (twice in cronie)', missing: 2 },
    { line: '45 0 * * *', what: 'fixed time just before both', missing: 0 },
    { line: '*/15 * * * *', what: 'wildcard hour, every 15 minutes', missing: 8 },
    { line: '0 * * * *', what: 'wildcard hour, on the hour', missing: 2 },
    { line: '0 12 * * 1-5', what: 'a plain daytime job', missing: 0 },
  ],
  // On a server in New York: in the second pass of New York's repeated hour (06:00-06:59 UTC) cronie runs no fixed
  // CRON_TZ job; Scheduler runs the London job then.
  'Europe/London on a server in America/New_York': [
    { line: '30 6 * * *', what: "fixed time in the server's repeated hour", missing: 0, extra: 2 },
    { line: '30 1 * * *', what: "fixed time in London's repeated hour", missing: 2 },
    { line: '*/15 * * * *', what: 'wildcard hour, every 15 minutes', missing: 8 },
    { line: '0 12 * * 1-5', what: 'a plain daytime job', missing: 0 },
  ],
};

/** The line's zone and the server's, from a CASES key. */
function zonesOf(key: string): { zone: string; server: string } {
  const m = /^(\S+) on a server in (\S+)$/.exec(key);
  return m ? { zone: m[1], server: m[2] } : { zone: key, server: 'UTC' };
}

function plan(zone: string, server: string, lines: string[]): PlannedSchedule[] {
  const dir = mkdtempSync(join(tmpdir(), 'c2l-dst-'));
  const file = join(dir, 'crontab');
  writeFileSync(file, `CRON_TZ=${zone}\n${lines.map((l, i) => `${l} /bin/job${i}`).join('\n')}\n`);
  const r = cli(['plan', file, '--target', 'scheduler', '--timezone', server, '--from', FROM, '--horizon', '2y', '--json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout).jobs.map((j: { schedule: PlannedSchedule }) => j.schedule);
}

/** UTC minutes at which the zone's offset changes in [from, to), found by the oracle's own zone table. */
function transitions(zone: OracleZone, from: number, to: number): number[] {
  const out: number[] = [];
  for (let u = from + 15; u < to; u += 15) if (zone.offset(u) !== zone.offset(u - 15)) out.push(u);
  return out;
}

const iso = (utcMinute: number) => new Date(utcMinute * MIN).toISOString().slice(0, 16) + 'Z';

for (const [key, cases] of Object.entries(CASES)) {
  describe(`--target scheduler in ${key}, minute by minute over the DST transitions of 2027 and 2028`, () => {
    const { zone: zoneName, server: serverName } = zonesOf(key);
    const schedules = plan(zoneName, serverName, cases.map((c) => c.line));
    const zone = new OracleZone(zoneName);
    const server = new OracleZone(serverName);
    const from = Date.parse(schedules[0].verification.from) / MIN;
    const to = Date.parse(schedules[0].verification.to) / MIN;
    const changes = transitions(zone, from, to);
    const serverChanges = transitions(server, from, to);

    it('finds both transitions of both years in the horizon', () => {
      expect(changes.map((u) => iso(u).slice(0, 7))).toEqual(
        zoneName === 'America/New_York' ? ['2027-03', '2027-11', '2028-03', '2028-11'] : ['2027-03', '2027-10', '2028-03', '2028-10'],
      );
    });

    cases.forEach((c, i) => {
      it(`${c.line} (${c.what}): the differences on transition days are exactly the plan's`, () => {
        const s = schedules[i];
        expect(s.cron).toBe(c.line);
        expect(s.expressionTimezone).toBe(zoneName);
        // Every minute of the local transition day and the days either side of it.
        const found: { at: number; kind: 'missing' | 'extra' }[] = [];
        for (const t of [...changes, ...serverChanges.filter((u) => !changes.includes(u))]) {
          const a = t - 36 * 60;
          const b = t + 36 * 60;
          const cron = oracleCronTzFires(c.line, zone, server, a, b);
          const aws = oracleAwsFires(s.expressions, 'scheduler', zone, a, b);
          for (let u = a; u < b; u++) {
            if (cron.has(u) && !aws.has(u)) found.push({ at: u, kind: 'missing' });
            if (aws.has(u) && !cron.has(u)) found.push({ at: u, kind: 'extra' });
          }
        }
        found.sort((x, y) => x.at - y.at);
        const missing = found.filter((f) => f.kind === 'missing').length;
        const extra = found.length - missing;
        // What a person expects of Scheduler: a gap time is skipped, a repeated hour runs once; it adds a run only
        // where cronie's own clock goes back.
        expect({ missing, extra }).toEqual({ missing: c.missing, extra: c.extra ?? 0 });
        // The plan's counts over the whole horizon are the ones found on transition days: nothing differs elsewhere.
        expect({ missing: s.verification.missing, extra: s.verification.extra }).toEqual({ missing, extra });
        expect(s.exact).toBe(found.length === 0);
        // The plan lists the first differing instants (up to five), in order, with the kind and the DST reason.
        expect(s.drift.map((d) => ({ at: d.at, kind: d.kind }))).toEqual(found.slice(0, 5).map((f) => ({ at: iso(f.at), kind: f.kind })));
        for (const d of s.drift) {
          const u = Date.parse(d.at) / MIN;
          const back = serverChanges.find((t) => u >= t && u < t + server.offset(t - 15) - server.offset(t));
          if (back !== undefined) {
            expect(d.reason).toBe('dst-server-overlap');
            continue;
          }
          const change = changes.find((t) => Math.abs(u - t) <= 36 * 60)!;
          expect(d.reason).toBe(zone.offset(change) > zone.offset(change - 15) ? 'dst-gap' : 'dst-overlap');
        }
      });
    });
  });
}
