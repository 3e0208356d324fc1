// One crontab line → what its schedule makes of it: migrate (with proven expressions and their sentences), skip
// (@reboot) or error, with the reasons and warnings. The job's status is settled from this and the script analysis
// (settle.ts). Pure.
import type { CronEntry, Crontab } from '../crontab/read.js';
import { dayRule } from '../schedule/model.js';
import { cronWords } from '../schedule/describe.js';
import type { ProofRequest, SchedulePlan } from '../schedule/translate.js';
import type { Proved } from './proofs.js';
import { checkZoneName } from '../schedule/zone-name.js';
import type { CronReason, InexactArgs, Reason } from '../model/reasons.js';
import type { JobSchedule, PlanOptions } from './plan.js';
import type { JobStatus, ScheduleOutcome } from './settle.js';

/** Looks like a zone name someone meant (so glibc's silent UTC fallback is worth saying). */
const TZ_LIKE = /^[A-Za-z_/+-]+$/;

/** What a line's schedule reads of the plan's options. */
type EntryOptions = Pick<PlanOptions, 'timezone' | 'timezoneSource' | 'timezoneFromThisMachine' | 'cron' | 'target' | 'horizon'> & {
  /** Whether the server copy holds a file at this path (absent: no copy to ask). */
  isFile?: (path: string) => boolean;
};

/**
 * Debian's stock lines of /etc/crontab: `test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )`
 * (Ubuntu's with `{ ...; }`, or `[ -x ... ]`): the anacron they test, or null for any other command.
 */
export function anacronGuard(command: string): string | null {
  const m = /^\s*(?:test\s+-x\s+(\S+)|\[\s+-x\s+(\S+)\s+\])\s*\|\|\s*[({]?\s*(?:cd\s+\S+\s*&&\s*)?run-parts\b/.exec(command);
  const path = m ? m[1] ?? m[2] : undefined;
  return path !== undefined && path.startsWith('/') && path.endsWith('/anacron') ? path : null;
}

/** What the schedule alone makes of a crontab line; settleJob decides the job's status from it and the analysis. */
export interface ScheduledEntry {
  outcome: ScheduleOutcome;
  warnings: Reason[];
  schedule?: JobSchedule;
}

/**
 * A line's schedule up to its proof: settled already (an error, @reboot), or the proof it needs and what to make of
 * the proof once made. Split at the proof so that a plan can have every proof of a run made together (elsewhere,
 * while the scripts are analysed) and finish each line with its own.
 */
export type EntryStart = { done: ScheduledEntry } | { proof: ProofRequest; finish: (proved: Proved) => ScheduledEntry };

export function startEntry(entry: CronEntry, crontab: Crontab, options: EntryOptions): EntryStart {
  const reasons: Reason[] = [...entry.reasons];
  const warnings: Reason[] = [...entry.warnings];
  const outcome = (status: JobStatus): ScheduledEntry => ({ outcome: { status, reasons }, warnings });
  // A code and its args as one value, so the pairing is checked (CronReason is a union over the codes).
  const at = (why: CronReason, field?: string): Reason => ({
    ...why,
    file: entry.source.file,
    line: entry.source.line,
    ...(field ? { field } : {}),
  });

  if (entry.kind === 'error') return { done: outcome('error') };
  if (entry.kind === 'reboot') {
    reasons.push(at({ code: 'reboot', args: {} }, 'schedule'));
    return { done: outcome('skip') };
  }
  // What a line does is the server's to say: where anacron is installed, Debian's run-parts lines do nothing
  const anacron = entry.command !== undefined ? anacronGuard(entry.command) : null;
  if (anacron !== null && options.isFile?.(anacron) === true) {
    reasons.push(at({ code: 'anacron', args: { anacron } }, 'command'));
    return { done: outcome('skip') };
  }

  // The line of the crontab variable in effect for this line (CRON_TZ, RANDOM_DELAY): where a reason about it is said.
  const setOn = (name: string) => crontab.variables.filter((v) => v.name === name && v.line < entry.source.line).pop();
  const atVariable = (why: CronReason, name: string): Reason => ({ ...why, file: entry.source.file, line: setOn(name)?.line ?? entry.source.line, field: name });
  // Debian's cron has no CRON_TZ (its cron(8): "cron will only handle tasks in a single timezone"): the line ran in
  // the server's zone by the daemon's DST rules, as a line without CRON_TZ, and CRON_TZ was an ordinary variable of
  // the job (it stays in `environment`). The migration keeps what ran, and says so where the zone named differs.
  const cronTz = options.cron === 'debian' ? undefined : entry.cronTz;
  if (options.cron === 'debian' && entry.cronTz !== undefined && entry.cronTz !== '' && entry.cronTz !== options.timezone) {
    const server = options.timezone !== undefined ? { serverZone: options.timezone } : {};
    warnings.push(atVariable({ code: 'cron-tz-ignored', args: { cronTz: entry.cronTz, ...server } }, 'CRON_TZ'));
  }

  // Zone: CRON_TZ above the line, else --timezone, else UTC with a warning.
  let zone: string;
  // An empty CRON_TZ names no zone: cronie cron.c maketime() uses it only when `*t != '\0'`. It is still a CRON_TZ
  // for cronie's DST rules (find_jobs tests `job_tz != NULL`): see serverZone below.
  if (cronTz !== undefined && cronTz !== '') {
    const checked = checkZoneName(cronTz);
    if (!checked.ok) {
      const tzLine = setOn('CRON_TZ');
      reasons.push({
        code: 'invalid-timezone',
        // glibc opens /usr/share/zoneinfo/<name>; with no such file the server ran these lines in UTC.
        args: { ...(tzLine ? { setOnLine: tzLine.line } : {}), problem: checked.problem, ranInUtc: checked.suggestions.length > 0 || TZ_LIKE.test(cronTz) },
        file: entry.source.file,
        line: tzLine?.line ?? entry.source.line,
        field: 'CRON_TZ',
      });
      return { done: outcome('error') };
    }
    zone = cronTz;
    if (checked.legacy) warnings.push(at({ code: 'legacy-timezone', args: { of: 'cron-tz', legacy: checked.legacy } }, 'CRON_TZ'));
  } else if (options.timezone) {
    zone = options.timezone;
    if (options.timezoneFromThisMachine) {
      warnings.push(at({ code: 'timezone-assumed', args: { kind: 'this-machine', zone, source: options.timezoneSource ?? 'etc/timezone' } }));
    }
    const legacy = checkZoneName(zone);
    if (legacy.ok && legacy.legacy) warnings.push(at({ code: 'legacy-timezone', args: { of: 'server', legacy: legacy.legacy } }));
  } else {
    zone = 'UTC';
    warnings.push(at({ code: 'timezone-assumed', args: { kind: 'default' } }));
  }
  if (entry.environment.TZ !== undefined && entry.environment.TZ !== zone) {
    warnings.push(at({ code: 'tz-variable', args: { tz: entry.environment.TZ } }));
  }
  // cronie starts the jobs below RANDOM_DELAY=N a random 0..N-1 minutes late (one draw per crond start); the function
  // runs at the scheduled minute. A note, not a schedule difference: the job could not count on any one delay.
  const delay = entry.environment.RANDOM_DELAY;
  const minutes = delay === undefined || options.cron === 'debian' ? 0 : randomDelayMinutes(delay);
  if (minutes >= 2) warnings.push(atVariable({ code: 'random-delay', args: { value: delay!, minutes } }, 'RANDOM_DELAY'));

  const spec = entry.spec!;
  const rule = dayRule(spec);
  if (rule.kind === 'or') {
    warnings.push(at({ code: 'day-or', args: { dayOfMonth: spec.text.split(' ')[2], dayOfWeek: spec.text.split(' ')[4] } }, 'day-of-month'));
  }
  const finish = ({ plan, description, expressionDescriptions }: Proved): ScheduledEntry => {
    if (plan.neverFires) {
      warnings.push(at({ code: 'never-fires', args: { cron: spec.text, from: plan.verification.from.slice(0, 10), to: plan.verification.to.slice(0, 10) } }));
    }
    if (!plan.exact) warnings.push(at({ code: 'inexact', args: inexactArgs(plan) }));
    return {
      ...outcome('migrate'),
      schedule: {
        ...plan,
        description,
        expressionDescriptions,
      },
    };
  };
  // A line under CRON_TZ (even empty) runs by cronie's CRON_TZ rules, which also depend on the daemon's zone: the
  // server's (--timezone or the server copy's), UTC when unknown (as lines without CRON_TZ are read).
  const serverZone = cronTz !== undefined ? { serverZone: options.timezone ?? 'UTC' } : {};
  return { proof: { spec, options: { zone, ...serverZone, target: options.target, horizon: options.horizon } }, finish };
}

/** How far an inexact schedule is off: counts, the first differing instants, and whether Scheduler would be exact. */
function inexactArgs(plan: SchedulePlan): InexactArgs {
  const v = plan.verification;
  return {
    missing: v.missing,
    extra: v.extra,
    fires: v.fires,
    from: v.from.slice(0, 10),
    to: v.to.slice(0, 10),
    reasons: [...v.reasons],
    first: plan.drift.slice(0, 3).map((d) => ({ at: d.at, local: d.local, kind: d.kind === 'missing' ? 'missing' : 'extra' })),
    hint: plan.schedulerExact ? 'exact' : v.reasons.includes('dst-offset') ? 'zone' : null,
  };
}

/** cronstrue for people: the original 5-field line, or an AWS expression (day-of-week 1 = Sunday there). */
export function describe(expression: string, aws: boolean): string {
  return aws ? cronWords(`0 ${expression.replace(/^cron\(|\)$/g, '')}`, true) : cronWords(expression);
}

/**
 * The most minutes cronie delays by for RANDOM_DELAY=value, as entry.c load_entry() reads it: strtol (leading blanks,
 * a sign, the leading digits; no digits is 0), and a value below 0 or above 24*60 is logged as bad and ignored. The
 * delay is floor(value * scale), scale in [0, 1): 0 and 1 never delay.
 */
export function randomDelayMinutes(value: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(value);
  if (!m) return 0;
  const n = Number(m[2]) * (m[1] === '-' ? -1 : 1);
  return n >= 0 && n <= 24 * 60 ? n : 0;
}
