// Debian's and Ubuntu's /etc/crontab run the server's housekeeping: `run-parts --report /etc/cron.daily` (logrotate,
// apt, man-db, ...), behind `test -x /usr/sbin/anacron ||`. Before, such a line was migrated as a job whose only
// concern was that run-parts might not be on provided.al2023 (and with a probe saying it is, a ready job): on Lambda
// it runs an empty directory, and where anacron is installed the line did nothing on the server at all.
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/plan.js';
import { findingMessage, reasonMessage } from '../../src/render/messages.js';
import { memoryReader } from '../../src/scripts/reader.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';
import { makeHorizon } from '../../src/schedule/translate.js';

const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 30);
const ETC_CRONTAB = [
  'SHELL=/bin/sh',
  '17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly',
  '25 6\t* * *\troot\ttest -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )',
  '47 6\t* * 7\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.weekly; }',
  '52 6\t1 * *\troot\t[ -x /usr/sbin/anacron ] || ( cd / && run-parts --report /etc/cron.monthly )',
  '0 5\t* * *\troot\trun-parts -v --arg=x /srv/jobs.d',
  '0 6\t* * *\troot\trun-parts -u 022 -- /srv/odd-name',
  '',
].join('\n');
const plan = (files: Record<string, string>) =>
  buildPlan([{ file: '/etc/crontab', text: ETC_CRONTAB, system: true }], { target: 'rule', timezone: 'UTC', horizon, reader: memoryReader(files) });

describe("/etc/crontab's run-parts lines", () => {
  it('where the server copy has anacron, the lines it guards are skipped, saying why; cron.hourly still runs', () => {
    const p = plan({ '/usr/sbin/anacron': '\u007fELF' });
    expect(p.jobs.map((j) => j.status)).toEqual(['migrate', 'skip', 'skip', 'skip', 'migrate', 'migrate']);
    for (const j of p.jobs.slice(1, 4)) {
      expect(j.reasons.map((r) => [r.code, r.args, r.line])).toEqual([['anacron', { anacron: '/usr/sbin/anacron' }, j.source.line]]);
      expect(reasonMessage(j.reasons[0])).toContain('/usr/sbin/anacron is on the server, so this line does nothing there');
    }
  });

  it('a run-parts job is blocked, naming the directory whose scripts are neither bundled nor followed', () => {
    const p = plan({});
    expect(p.jobs.map((j) => j.status)).toEqual(['migrate', 'migrate', 'migrate', 'migrate', 'migrate', 'migrate']);
    const dirs = p.jobs.map((j) => j.findings.filter((f) => f.code === 'run-parts').map((f) => [f.severity, f.args, f.line]));
    expect(dirs).toEqual([
      [['blocker', { dir: '/etc/cron.hourly' }, 2]],
      [['blocker', { dir: '/etc/cron.daily' }, 3]],
      [['blocker', { dir: '/etc/cron.weekly' }, 4]],
      [['blocker', { dir: '/etc/cron.monthly' }, 5]],
      [['blocker', { dir: '/srv/jobs.d' }, 6]],
      [['blocker', { dir: '/srv/odd-name' }, 7]],
    ]);
    for (const j of p.jobs) expect(j.verdict).toBe('blocked');
    expect(findingMessage(p.jobs[1].findings.find((f) => f.code === 'run-parts')!)).toContain('run-parts runs every executable file in /etc/cron.daily');
  });
});
