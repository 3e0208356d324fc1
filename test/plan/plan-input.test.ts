// The plan as the whole input of packaging: each analysed job carries its bundle (command for Lambda, bundled files
// and their bytes), redacted with every secret of the run, and no JSON document made of the plan carries the bytes.
// A job's status and verdict are settled in one function.
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/plan.js';
import { settleJob } from '../../src/plan/settle.js';
import type { Readiness } from '../../src/plan/readiness.js';
import type { JobAnalysis } from '../../src/scripts/analyze.js';
import { planJson } from '../../src/render/messages.js';
import { buildReport } from '../../src/render/report.js';
import { buildPackages } from '../../src/package/build.js';
import { memoryReader } from '../../src/scripts/reader.js';
import { makeHorizon } from '../../src/schedule/translate.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';
import type { ZipEntryInput } from '../../src/package/zip.js';

const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 30);
const SECRET = 'PlantedAcrossJobs-7731';
const scripts = {
  // the value appears in b.sh only as a plain word: it is known as a secret from the other line alone
  '/opt/a.sh': '#!/bin/sh\necho a\n',
  '/opt/b.sh': `#!/bin/sh\necho ${SECRET} > /dev/null\necho b\n`,
};
const crontab = `0 1 * * * /opt/a.sh --password=${SECRET} >> /var/log/a.log 2>&1\n0 2 * * * /opt/b.sh\n@reboot /opt/a.sh\n`;
const plan = () =>
  buildPlan([{ file: '/var/spool/cron/crontabs/deploy', text: crontab, system: false }], { target: 'rule', timezone: 'UTC', horizon, reader: memoryReader(scripts) });

describe('each analysed job carries its bundle', () => {
  it('with the command for Lambda, the dropped redirections and the bundled files', () => {
    const [a, b, reboot] = plan().jobs;
    expect(a.bundle?.command).toMatch(/^"\$LAMBDA_TASK_ROOT"\/opt\/a\.sh /);
    expect(a.bundle?.dropped).toEqual(['>> /var/log/a.log']);
    expect(a.bundle?.files.map((f) => [f.path, f.zipPath, f.mode, f.reason])).toEqual([['/opt/a.sh', 'opt/a.sh', 0o755, 'command']]);
    expect(b.bundle?.files.map((f) => f.path)).toEqual(['/opt/b.sh']);
    // not analysed: nothing to package
    expect(reboot.status).toBe('skip');
    expect(reboot.bundle).toBeUndefined();
  });

  it('redacted with the secrets of every job (one credential on two lines is found on one)', () => {
    const jobs = plan().jobs;
    for (const j of jobs) {
      expect(j.bundle?.command ?? '').not.toContain(SECRET);
      for (const f of j.bundle?.files ?? []) expect(Buffer.from(f.content).toString('latin1')).not.toContain(SECRET);
    }
    expect(Buffer.from(jobs[1].bundle!.files[0].content).toString()).toContain('echo b');
  });

  it('that no document made of the plan carries: plan --json, the report, a JSON copy', () => {
    const p = plan();
    const texts = [JSON.stringify(p), JSON.stringify(planJson(p)), JSON.stringify(buildReport(p))];
    for (const t of texts) {
      expect(t).not.toContain('"bundle"');
      expect(t).not.toContain('echo b');
      expect(t).not.toContain(SECRET);
    }
    expect(Object.keys(p.jobs[0])).not.toContain('bundle');
    // the public fields are as they were
    expect(JSON.parse(JSON.stringify(planJson(p))).jobs[0].files).toEqual(['/opt/a.sh']);
  });

  it('packaging takes the plan alone: the zip holds the bundled bytes', async () => {
    const seen: ZipEntryInput[][] = [];
    const writeZip = async (entries: readonly ZipEntryInput[]) => {
      seen.push([...entries]);
      return Buffer.from('zip');
    };
    const templates = { bootstrap: '', lock: '', handler: '@@ENV_NOTES@@ @@SHELL@@ @@HOME@@ @@ENV_ARGS@@ @@COMMAND@@ @@STDIN@@ @@JOB_ID@@' };
    const built = await buildPackages(plan(), templates, { lockTable: 't' }, writeZip);
    expect(built.map((b) => b.manifest.status)).toEqual(['migrate', 'migrate', 'skip']);
    expect(built.map((b) => b.zip !== undefined)).toEqual([true, true, false]);
    const b = seen[1].find((e) => e.path === 'opt/b.sh')!;
    expect(Buffer.from(b.content as Uint8Array).toString()).toContain('echo b');
    expect(Buffer.from(b.content as Uint8Array).toString()).not.toContain(SECRET);
  });
});

describe('settleJob', () => {
  const readiness = (over: Partial<Readiness> = {}): Readiness => ({ findings: [], verdict: 'ready', verdictReasons: [], secrets: [], ...over });
  const inexact = { code: 'inexact', args: {}, file: 'c', line: 1 } as never;

  it('keeps the schedule outcome when the analysis finds no error; an inexact schedule needs attention', () => {
    expect(settleJob({ status: 'migrate', reasons: [] }, [], readiness())).toEqual({ status: 'migrate', reasons: [], verdict: 'ready', verdictReasons: [] });
    const s = settleJob({ status: 'migrate', reasons: [] }, [inexact], readiness());
    expect([s.status, s.verdict, s.verdictReasons]).toEqual(['migrate', 'needs-attention', [{ warning: inexact }]]);
    expect(settleJob({ status: 'skip', reasons: [] }, [], readiness()).status).toBe('skip');
  });

  it('an error line is blocked whatever the findings say', () => {
    expect(settleJob({ status: 'error', reasons: [] }, [], readiness()).verdict).toBe('blocked');
  });

  it('a script missing under --root makes the job an error, with the missing file as its reason; settling again adds nothing', () => {
    const missing = { code: 'missing-file', severity: 'blocker', file: 'c', line: 3, args: { path: '/opt/x.sh' } } as never;
    const r = readiness({ findings: [missing], verdict: 'blocked', analysis: { error: true } as JobAnalysis });
    const outcome = { status: 'migrate' as const, reasons: [] };
    const s = settleJob(outcome, [], r);
    expect(s.status).toBe('error');
    expect(s.verdict).toBe('blocked');
    expect(s.reasons).toEqual([{ code: 'missing-file', args: { path: '/opt/x.sh' }, of: 'finding', file: 'c', line: 3 }]);
    expect(settleJob(outcome, [], r)).toEqual(s);
    expect(outcome.reasons).toEqual([]);
  });
});
