// cronie's RANDOM_DELAY (entry.c load_entry): the jobs below it start a random 0..N-1 minutes late, the same delay for
// every job while crond runs (cron.c draws one scale factor at start). Lambda runs them at the scheduled minute, so
// the plan says so; Debian's cron has no RANDOM_DELAY, and there it is an ordinary variable.
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/plan.js';
import { reasonMessage } from '../../src/render/messages.js';
import { renderPlan } from '../../src/render/text.js';
import { memoryReader } from '../../src/scripts/reader.js';
import { makeHorizon } from '../../src/schedule/translate.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';

const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 30);
const plan = (text: string, cron: 'cronie' | 'debian' = 'cronie') =>
  buildPlan([{ file: '/var/spool/cron/deploy', text, system: false }], { target: 'rule', timezone: 'UTC', horizon, cron, reader: memoryReader({}) });
const plain = { bold: (s: string) => s, dim: (s: string) => s, red: (s: string) => s, green: (s: string) => s, yellow: (s: string) => s, cyan: (s: string) => s };
const codes = (j: { warnings: { code: string }[] }) => j.warnings.map((w) => w.code);

describe('RANDOM_DELAY', () => {
  it('is said on each job below it, with the delay cronie could add, and the job is migrated at its scheduled minute', () => {
    const p = plan('0 1 * * * echo before\nRANDOM_DELAY=30\n0 2 * * * echo after\n*/5 * * * * echo often\n');
    const [before, after, often] = p.jobs;
    expect(codes(before)).not.toContain('random-delay');
    for (const j of [after, often]) {
      const w = j.warnings.find((x) => x.code === 'random-delay');
      expect(w, j.id).toMatchObject({ args: { value: '30', minutes: 30 }, line: 2, field: 'RANDOM_DELAY' });
      expect(reasonMessage(w!)).toMatch(/0 to 29 minutes late/);
      expect(reasonMessage(w!)).toMatch(/at the scheduled minute/);
    }
    // a note, not a difference in the schedule: the readiness stays what the rest makes it
    expect(after.verdict).toBe('ready');
    expect(after.schedule?.exact).toBe(true);
  });

  it('is read as cronie reads it (strtol: leading digits; 0 and 1 add no delay; past 1440 or negative cronie ignores it)', () => {
    const at = (value: string) => codes(plan(`RANDOM_DELAY=${value}\n0 2 * * * true\n`).jobs[0]).includes('random-delay');
    expect(at('15min')).toBe(true);
    expect(at(' 7')).toBe(true);
    expect(at('1440')).toBe(true);
    for (const v of ['0', '1', '1441', '-5', 'soon', '']) expect(at(v), v).toBe(false);
  });

  it('is said once for the crontab, per RANDOM_DELAY line, naming the jobs below it, and not again in each job', () => {
    const p = plan('RANDOM_DELAY=30\n0 2 * * * echo a\n0 3 * * * echo b\nRANDOM_DELAY=5\n0 4 * * * echo c\n');
    const [a, b, c] = p.jobs;
    expect(p.files[0].warnings.filter((w) => w.code === 'random-delay').map((w) => [w.line, w.args, w.jobs])).toEqual([
      [1, { value: '30', minutes: 30 }, [a.id, b.id]],
      [4, { value: '5', minutes: 5 }, [c.id]],
    ]);
    const text = renderPlan(p, plain);
    expect(text.match(/RANDOM_DELAY=30: /g)).toHaveLength(1);
    expect(text.match(/RANDOM_DELAY=5: /g)).toHaveLength(1);
    expect(text).toContain('[random-delay] /var/spool/cron/deploy:1 · 2 jobs');
  });

  it('is an ordinary variable on Debian, whose cron has none', () => {
    expect(codes(plan('RANDOM_DELAY=30\n0 2 * * * true\n', 'debian').jobs[0])).not.toContain('random-delay');
  });
});
