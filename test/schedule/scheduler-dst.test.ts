// Proof of done for issue 10: jobs in America/New_York and Europe/London planned with --target scheduler over two
// years, then every minute of every DST transition day (both transitions, both years) walked with the independent
// reference in test/support/oracle.ts: cron's side with cronie's DST rules, Scheduler's side by evaluating the emitted
// expression in the zone (a gap time is skipped, a repeated time runs once). The differences found must be exactly
// what the plan's equivalence report says: its counts over the horizon, and its listed instants, kinds and reasons.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';
import { OracleZone, oracleAwsFires, oracleCronFires } from '../support/oracle.js';

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

/** Lines per zone, with the differences a person expects over 2027-2028 (the test checks them against the oracle). */
const CASES: Record<string, { line: string; what: string; missing: number }[]> = {
  'America/New_York': [
    { line: '30 2 * * *', what: 'fixed time in the spring-forward gap (02:00-03:00)', missing: 2 },
    { line: '30 1 * * *', what: 'fixed time in the repeated hour (01:00-02:00)', missing: 0 },
    { line: '*/15 * * * *', what: 'wildcard hour, every 15 minutes', missing: 8 },
    { line: '0 * * * *', what: 'wildcard hour, on the hour', missing: 2 },
    { line: '0 12 * * 1-5', what: 'a plain daytime job', missing: 0 },
  ],
  'Europe/London': [
    { line: '30 1 * * *', what: 'fixed time in the gap (01:00-02:00) and the repeated hour (01:00-02:00)', missing: 2 },
    { line: '45 0 * * *', what: 'fixed time just before both', missing: 0 },
    { line: '*/15 * * * *', what: 'wildcard hour, every 15 minutes', missing: 8 },
    { line: '0 * * * *', what: 'wildcard hour, on the hour', missing: 2 },
    { line: '0 12 * * 1-5', what: 'a plain daytime job', missing: 0 },
  ],
};

function plan(zone: string, lines: string[]): PlannedSchedule[] {
  const dir = mkdtempSync(join(tmpdir(), 'c2l-dst-'));
  const file = join(dir, 'crontab');
  writeFileSync(file, `CRON_TZ=${zone}\n${lines.map((l, i) => `${l} /bin/job${i}`).join('\n')}\n`);
  const r = cli(['plan', file, '--target', 'scheduler', '--from', FROM, '--horizon', '2y', '--json']);
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

for (const [zoneName, cases] of Object.entries(CASES)) {
  describe(`--target scheduler in ${zoneName}, minute by minute over the DST transitions of 2027 and 2028`, () => {
    const schedules = plan(zoneName, cases.map((c) => c.line));
    const zone = new OracleZone(zoneName);
    const from = Date.parse(schedules[0].verification.from) / MIN;
    const to = Date.parse(schedules[0].verification.to) / MIN;
    const changes = transitions(zone, from, to);

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
        for (const t of changes) {
          const a = t - 36 * 60;
          const b = t + 36 * 60;
          const cron = oracleCronFires(c.line, zone, a, b);
          const aws = oracleAwsFires(s.expressions, 'scheduler', zone, a, b);
          for (let u = a; u < b; u++) {
            if (cron.has(u) && !aws.has(u)) found.push({ at: u, kind: 'missing' });
            if (aws.has(u) && !cron.has(u)) found.push({ at: u, kind: 'extra' });
          }
        }
        found.sort((x, y) => x.at - y.at);
        const missing = found.filter((f) => f.kind === 'missing').length;
        const extra = found.length - missing;
        // What a person expects of Scheduler: a gap time is skipped, a repeated hour runs once; it never adds a run.
        expect({ missing, extra }).toEqual({ missing: c.missing, extra: 0 });
        // The plan's counts over the whole horizon are the ones found on transition days: nothing differs elsewhere.
        expect({ missing: s.verification.missing, extra: s.verification.extra }).toEqual({ missing, extra });
        expect(s.exact).toBe(found.length === 0);
        // The plan lists the first differing instants (up to five), in order, with the kind and the DST reason.
        expect(s.drift.map((d) => ({ at: d.at, kind: d.kind }))).toEqual(found.slice(0, 5).map((f) => ({ at: iso(f.at), kind: f.kind })));
        for (const d of s.drift) {
          const u = Date.parse(d.at) / MIN;
          const change = changes.find((t) => Math.abs(u - t) <= 36 * 60)!;
          expect(d.reason).toBe(zone.offset(change) > zone.offset(change - 15) ? 'dst-gap' : 'dst-overlap');
        }
      });
    });
  });
}
