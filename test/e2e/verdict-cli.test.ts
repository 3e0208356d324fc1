// The verdict tells the whole truth (issue 7), through the CLI as users run it: an inexact schedule or an assumed
// zone is needs-attention, summary counts count what is printed, crontab-wide warnings are said once per file, an
// unreadable file is named again at the end, and a description follows cron's AND rule.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../support/cli.js';

const FROM = ['--from', '2026-12-01'];

interface JobJson {
  id: string;
  status: string;
  verdict: string;
  verdictReasons: string[];
  warnings: { code: string }[];
  findings: { code: string; line: number }[];
  schedule: { exact: boolean; description: string; schedulerExact?: boolean };
}

/** A server copy with one harmless script, and a crontab (written below it) that runs it. */
function server(crontab: string): { root: string; tab: string } {
  const root = mkdtempSync(join(tmpdir(), 'c2l-verdict-'));
  mkdirSync(join(root, 'opt'), { recursive: true });
  writeFileSync(join(root, 'opt/job.sh'), '#!/bin/bash\necho done\n');
  chmodSync(join(root, 'opt/job.sh'), 0o755);
  const tab = join(root, 'app.crontab');
  writeFileSync(tab, crontab);
  return { root, tab };
}

function planJson(args: string[]) {
  const r = cli(['plan', ...args, '--json', ...FROM]);
  return { status: r.status, plan: JSON.parse(r.stdout) as { jobs: JobJson[]; summary: Record<string, number>; files: { warnings: { code: string; line?: number; jobs: string[] }[] }[] } };
}

describe('an inexact schedule needs attention', () => {
  it('names the count and the first instants, hints at --target scheduler only when Scheduler proves exact, and fails --fail-on warning', () => {
    const { root, tab } = server('CRON_TZ=America/New_York\n0 9-17 * * 1-5 /opt/job.sh\n30 1 * * * /opt/job.sh\n0 4 * * * /opt/job.sh\n');
    const { status, plan } = planJson([tab, '--root', root, '--fail-on', 'warning']);
    expect(status).toBe(1);
    const [business, nightly, four] = plan.jobs;
    expect(business.schedule.exact).toBe(false);
    expect(business.verdict).toBe('needs-attention');
    const reason = business.verdictReasons.find((r) => r.includes('inexact'))!;
    expect(reason).toContain('at 364 of 4698 fire times');
    expect(reason).toContain('first 2026-12-01T13:00Z (local 2026-12-01 08:00) extra');
    expect(reason).toContain('--target scheduler makes it exact');
    expect(business.schedule.schedulerExact).toBe(true);
    // 01:30 comes twice on the fall-back day: cronie runs a CRON_TZ job in both passes, Scheduler once, so it
    // would not be exact either.
    expect(nightly.verdict).toBe('needs-attention');
    expect(nightly.schedule.schedulerExact).toBe(false);
    expect(nightly.verdictReasons.join('\n')).not.toContain('makes it exact');
    expect(four.verdict).toBe('needs-attention');

    const text = cli(['plan', tab, '--root', root, ...FROM]).stdout;
    expect(text.match(/hint\s+--target scheduler makes this schedule exact/g)).toHaveLength(2); // 09-17 and 04:00
    // Scheduler proves these exact except the fall-back job, which still needs attention.
    const sched = planJson([tab, '--root', root, '--target', 'scheduler']).plan;
    expect(sched.jobs.map((j) => j.verdict)).toEqual(['ready', 'needs-attention', 'ready']);
  });

  it('an AND of day fields is needs-attention too, without a hint that would not help', () => {
    const { root, tab } = server('CRON_TZ=UTC\n0 12 */2 * 3 /opt/job.sh\n0 12 * * 3 /opt/job.sh\n');
    const { status, plan } = planJson([tab, '--root', root, '--fail-on', 'warning']);
    expect(status).toBe(1);
    expect(plan.jobs[0]).toMatchObject({ verdict: 'needs-attention', schedule: { exact: false, schedulerExact: false } });
    expect(plan.jobs[1].verdict).toBe('ready');
  });
});

describe('an assumed zone needs attention, and is said once per file', () => {
  const crontab = 'MAILTO=ops@example.com\n0 1 * * * /opt/job.sh\n0 2 * * * /opt/job.sh\n0 3 * * * /opt/job.sh\nMAILTO=""\n0 4 * * * /opt/job.sh\n';

  it('every job read in an assumed zone is needs-attention; --timezone makes them ready', () => {
    const { root, tab } = server('0 1 * * * /opt/job.sh\n');
    const assumed = planJson([tab, '--root', root, '--fail-on', 'warning']);
    expect(assumed.status).toBe(1);
    expect(assumed.plan.jobs[0].verdict).toBe('needs-attention');
    expect(assumed.plan.jobs[0].verdictReasons.join('\n')).toContain('timezone-assumed');
    const given = planJson([tab, '--root', root, '--timezone', 'Asia/Tokyo', '--fail-on', 'warning']);
    expect(given.status).toBe(0);
    expect(given.plan.jobs[0].verdict).toBe('ready');
  });

  it('MAILTO and the assumed zone appear once in text and in the report; JSON keeps them per job and lists them per file', () => {
    const { root, tab } = server(crontab);
    const text = cli(['plan', tab, '--root', root, ...FROM]).stdout;
    expect(text.match(/MAILTO is set/g)).toHaveLength(1);
    expect(text.match(/\[timezone-assumed\]/g)).toHaveLength(1);
    const report = cli(['report', tab, '--root', root, ...FROM]).stdout;
    expect(report.match(/MAILTO is set/g)).toHaveLength(1);

    const { plan } = planJson([tab, '--root', root]);
    const ids = plan.jobs.map((j) => j.id);
    const fileWarnings = plan.files[0].warnings;
    expect(fileWarnings.map((w) => [w.code, w.line, w.jobs])).toEqual([
      ['timezone-assumed', undefined, ids],
      ['mailto', 1, ids.slice(0, 3)],
    ]);
    // Each job keeps its own copy, and its verdict counts it.
    for (const j of plan.jobs) expect(j.warnings.map((w) => w.code)).toContain('timezone-assumed');
    expect(plan.jobs.map((j) => j.findings.some((f) => f.code === 'mailto'))).toEqual([true, true, true, false]);
    expect(plan.jobs.every((j) => j.verdict === 'needs-attention')).toBe(true);
  });

  it('the summary counts the warnings the text prints, each once', () => {
    const { root, tab } = server(crontab + '0 12 */2 * 3 /opt/job.sh\n');
    const text = cli(['plan', tab, '--root', root, ...FROM]).stdout;
    const printed = (text.match(/^ {2}warning /gm) ?? []).length + (text.match(/^ {2}proof\s+inexact/gm) ?? []).length;
    expect(printed).toBe(3); // the zone, MAILTO, the inexact AND
    expect(text).toMatch(/· 3 warnings ·/);
    expect(planJson([tab, '--root', root]).plan.summary.warnings).toBe(3);
  });
});

describe('summary counts count what is printed', () => {
  it('exact and inexact count every planned schedule, including a job whose script is missing', () => {
    const { root, tab } = server('CRON_TZ=UTC\n0 12 */2 * 3 /opt/missing.sh\n0 1 * * * /opt/job.sh\n');
    const r = planJson([tab, '--root', root]);
    expect(r.plan.jobs[0]).toMatchObject({ status: 'error', verdict: 'blocked', schedule: { exact: false } });
    expect(r.plan.summary).toMatchObject({ migrate: 1, error: 1, schedules: 2, exact: 1, inexact: 1 });
    expect(cli(['plan', tab, '--root', root, ...FROM]).stdout).toContain('2 schedules: 1 exact, 1 inexact');
  });

  it('the reason a file could not be read is said again after the summary', () => {
    const { root, tab } = server('CRON_TZ=UTC\n0 1 * * * /opt/job.sh\n');
    const missing = join(root, 'no-such-crontab');
    const r = cli(['plan', missing, tab, '--root', root, ...FROM]);
    expect(r.status).toBe(1);
    const tail = r.stdout.trimEnd().split('\n');
    const summaryAt = tail.findIndex((l) => /^\d+ jobs?:/.test(l));
    expect(summaryAt).toBeGreaterThan(0);
    expect(tail[summaryAt]).toContain('1 unreadable');
    expect(tail.slice(summaryAt + 1).join('\n')).toMatch(new RegExp(`not read: .*${missing.replace(/[/.]/g, '\\$&')}.*\\[unreadable-file\\]`));
  });
});

describe('a description follows cron\'s day rule', () => {
  it('writes an AND of day fields as an AND, and leaves the OR sentence to an OR', () => {
    const { root, tab } = server('CRON_TZ=UTC\n0 12 */2 * 3 /opt/job.sh\n0 12 1 * 3 /opt/job.sh\n30 2 1-7 jan-mar */2 /opt/job.sh\n');
    const { plan } = planJson([tab, '--root', root]);
    expect(plan.jobs[0].schedule.description).toBe('At 12:00, on odd days of the month (every 2 days from day 1) that are also Wednesday');
    expect(plan.jobs[1].schedule.description).toBe('At 12:00, on day 1 of the month, and on Wednesday');
    expect(plan.jobs[2].schedule.description).toBe('At 02:30, on days 1 to 7 of the month that are also Sunday, Tuesday, Thursday or Saturday, January through March');
    const text = cli(['plan', tab, '--root', root, ...FROM]).stdout;
    expect(text).toContain('0 12 */2 * 3 in UTC — At 12:00, on odd days of the month (every 2 days from day 1) that are also Wednesday');
    expect(text).not.toContain('every 2 days in a month, and on Wednesday');
  });
});
