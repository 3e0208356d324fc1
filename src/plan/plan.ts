// Crontabs → a plan: one job per schedule line, each migrated (with proven expressions), skipped or rejected with
// reasons. Pure: the CLI reads files and the clock and passes them in.
import { createHash } from 'node:crypto';
import cronstrue from 'cronstrue';
import { readCrontab, type CronEntry, type Crontab } from '../crontab/read.js';
import { dayRule } from '../schedule/model.js';
import { translate, type SchedulePlan, type Target } from '../schedule/translate.js';
import type { Horizon } from '../schedule/simulate.js';
import { isValidZone } from '../schedule/zone.js';
import type { Reason, SourceRef } from '../model/reasons.js';
import type { FileReader } from '../scripts/reader.js';
import type { JobAnalysis } from '../scripts/analyze.js';
import { redactDeep, type Finding, type Verdict } from '../scripts/findings.js';
import { assessEntry, homeFor, passwdLookup, userFromSpoolPath } from './readiness.js';
import { summarizeRuntime, type RuntimeChoice, type RuntimeSummary } from '../runtime/load.js';
import { hostLabel } from './host.js';

export const PLAN_FORMAT_VERSION = 1;

export type JobStatus = 'migrate' | 'skip' | 'error';

export interface JobSchedule extends SchedulePlan {
  description: string;
  expressionDescriptions: string[];
}

export interface Job {
  id: string;
  source: SourceRef;
  status: JobStatus;
  /** Why a job is skipped or rejected (empty for migrate). */
  reasons: Reason[];
  /** What the user should know about a job that is still planned. */
  warnings: Reason[];
  user?: string;
  command?: string;
  stdin?: string | null;
  environment: Record<string, string>;
  /** HOME as cron sets it: the crontab's HOME, else the user's home in the server's /etc/passwd (under --root). */
  home: string | null;
  schedule?: JobSchedule;
  /** Readiness findings (script analysis and crontab), sorted by file, line, code. */
  findings: Finding[];
  verdict: Verdict;
  verdictReasons: string[];
  /** Server paths of the files bundled with the job. */
  files: string[];
}

export interface CrontabInput {
  file: string;
  /** null when the file could not be read; `error` says why. */
  text: string | null;
  error?: string;
  system: boolean;
}

export interface PlanOptions {
  /** --timezone: the server's zone, for lines without CRON_TZ. */
  timezone?: string;
  target: Target;
  horizon: Horizon;
  /** The server's filesystem (--root): scripts are read and judged only when given. */
  reader?: FileReader;
  /** --user: the owner of user crontabs (default: from a /var/spool/cron path). */
  user?: string;
  /** The runtime snapshot the scripts are judged against (default: the shipped list, x86_64). */
  runtime?: RuntimeChoice;
  /** The host the crontabs belong to (part of every job's identity); the CLI always gives it. */
  host?: string;
}

export interface PlanFile {
  file: string;
  system: boolean;
  lines: number;
  jobs: number;
  variables: number;
  blankOrComment: number;
  error?: Reason;
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** The host of every job (--host, <root>/etc/hostname, ...); '' when none was given. */
  host: string;
  target: Target;
  horizon: { from: string; to: string };
  files: PlanFile[];
  jobs: Job[];
  summary: PlanSummary;
  /** The runtime snapshot the readiness findings were judged against; absent when scripts were not read. */
  runtime?: RuntimeSummary;
}

export interface PlanSummary {
  jobs: number;
  migrate: number;
  exact: number;
  inexact: number;
  skip: number;
  error: number;
  warnings: number;
  ready: number;
  needsAttention: number;
  blocked: number;
}

export interface PlanResult {
  plan: Plan;
  /** Script analyses by job id (bundles for packaging); already redacted. Not part of the JSON. */
  analyses: Map<string, JobAnalysis>;
}

export function buildPlan(inputs: CrontabInput[], options: PlanOptions): Plan {
  return buildPlanWithAnalyses(inputs, options).plan;
}

export function buildPlanWithAnalyses(inputs: CrontabInput[], options: PlanOptions): PlanResult {
  const files: PlanFile[] = [];
  const jobs: Job[] = [];
  const analysisOf = new Map<Job, JobAnalysis>();
  const userOf = new Map<Job, string>();
  const secrets = new Set<string>();
  const passwdHome = passwdLookup(options.reader);
  for (const input of inputs) {
    if (input.text === null) {
      files.push({
        file: input.file,
        system: input.system,
        lines: 0,
        jobs: 0,
        variables: 0,
        blankOrComment: 0,
        error: { code: 'unreadable-file', message: input.error ?? 'cannot read the file', file: input.file },
      });
      continue;
    }
    const crontab = readCrontab(input.text, { file: input.file, system: input.system });
    files.push({
      file: input.file,
      system: input.system,
      lines: crontab.totalLines,
      jobs: crontab.entries.length,
      variables: crontab.variables.length,
      blankOrComment: crontab.ignoredLines,
    });
    for (const entry of crontab.entries) {
      const job = planEntry(entry, crontab, options);
      const user = entry.user ?? options.user ?? userFromSpoolPath(input.file);
      job.home = homeFor(entry, user, passwdHome);
      if (user !== undefined) userOf.set(job, user);
      const readiness = assessEntry(entry, crontab, { reader: options.reader, analyse: job.status === 'migrate', home: job.home, runtime: options.runtime?.view });
      job.findings = readiness.findings;
      job.verdict = job.status === 'error' ? 'blocked' : readiness.verdict;
      job.verdictReasons = readiness.verdictReasons;
      for (const v of readiness.secrets) secrets.add(v);
      if (readiness.analysis) {
        analysisOf.set(job, readiness.analysis);
        job.files = readiness.analysis.bundle.files.map((f) => f.path);
        if (readiness.analysis.error) {
          // A script that cannot be found under --root makes the job an error, not the run.
          job.status = 'error';
          job.verdict = 'blocked';
          for (const f of readiness.findings.filter((x) => x.code === 'missing-file')) {
            job.reasons.push({ code: 'missing-file', message: f.message, file: f.file, line: f.line });
          }
        }
      }
      jobs.push(job);
    }
  }
  assignIds(jobs, options.host ?? '', (job) => userOf.get(job) ?? '');
  const analyses = new Map<string, JobAnalysis>();
  for (const [job, a] of analysisOf) analyses.set(job.id, a);
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    host: options.host ?? '',
    target: options.target,
    horizon: { from: isoDay(options.horizon.fromDay), to: isoDay(options.horizon.toDay) },
    files,
    jobs,
    summary: summarize(jobs),
    ...(options.runtime ? { runtime: summarizeRuntime(options.runtime) } : {}),
  };
  // Nothing the tool prints or writes may carry a secret: the plan is redacted before anyone renders it.
  return { plan: redactDeep(plan, [...secrets]), analyses };
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function planEntry(entry: CronEntry, crontab: Crontab, options: PlanOptions): Job {
  const job: Job = {
    id: '',
    source: entry.source,
    status: 'migrate',
    reasons: [...entry.reasons],
    warnings: [...entry.warnings],
    ...(entry.user !== undefined ? { user: entry.user } : {}),
    ...(entry.command !== undefined ? { command: entry.command } : {}),
    ...(entry.stdin !== undefined ? { stdin: entry.stdin } : {}),
    environment: entry.environment,
    home: null,
    findings: [],
    verdict: 'ready',
    verdictReasons: [],
    files: [],
  };
  const at = (code: string, message: string, field?: string): Reason => ({
    code,
    message,
    file: entry.source.file,
    line: entry.source.line,
    ...(field ? { field } : {}),
  });

  if (entry.kind === 'error') {
    job.status = 'error';
    return job;
  }
  if (entry.kind === 'reboot') {
    job.status = 'skip';
    job.reasons.push(at('reboot', '@reboot runs once when the cron daemon starts after boot; there is no schedule to migrate (run it from the service that replaces the server, or as a one-off)', 'schedule'));
    return job;
  }

  // Zone: CRON_TZ above the line, else --timezone, else UTC with a warning.
  let zone: string;
  if (entry.cronTz !== undefined) {
    if (!isValidZone(entry.cronTz)) {
      const tzLine = crontab.variables.filter((v) => v.name === 'CRON_TZ' && v.line < entry.source.line).pop();
      job.status = 'error';
      job.reasons.push({
        code: 'invalid-timezone',
        message: `CRON_TZ "${entry.cronTz}"${tzLine ? ` (set on line ${tzLine.line})` : ''} is not an IANA time zone`,
        file: entry.source.file,
        line: tzLine?.line ?? entry.source.line,
        field: 'CRON_TZ',
      });
      return job;
    }
    zone = entry.cronTz;
  } else if (options.timezone) {
    zone = options.timezone;
  } else {
    zone = 'UTC';
    job.warnings.push(at('timezone-assumed', 'no CRON_TZ and no --timezone: the schedule is read as UTC; give the server\'s zone with --timezone (cron runs in the server\'s local time)'));
  }
  if (entry.environment.TZ !== undefined && entry.environment.TZ !== zone) {
    job.warnings.push(at('tz-variable', `TZ=${entry.environment.TZ} reaches the job's environment but does not change when cron runs it (that is CRON_TZ or the server's zone)`));
  }

  const spec = entry.spec!;
  const rule = dayRule(spec);
  if (rule.kind === 'or') {
    job.warnings.push(at('day-or', `day-of-month "${spec.text.split(' ')[2]}" and day-of-week "${spec.text.split(' ')[4]}" are both restricted, so cron runs on days matching either one (not both); the translation keeps cron's meaning`, 'day-of-month'));
  }
  const plan = translate(spec, { zone, target: options.target, horizon: options.horizon });
  if (plan.neverFires) {
    job.warnings.push(at('never-fires', `cron accepts "${spec.text}" but it never fires in the horizon (${plan.verification.from.slice(0, 10)} to ${plan.verification.to.slice(0, 10)}); no expression is emitted`));
  }
  if (!plan.exact) {
    job.warnings.push(at('inexact', `the emitted schedule differs from cron's at ${plan.verification.missing} missing and ${plan.verification.extra} extra minutes in the horizon (${plan.verification.reasons.join(', ')})${plan.verification.reasons.includes('dst-offset') ? '; --target scheduler keeps the zone' : ''}`));
  }
  job.schedule = {
    ...plan,
    description: describe(spec.text, false),
    expressionDescriptions: plan.expressions.map((e) => describe(e, true)),
  };
  return job;
}

/** cronstrue for people: the original 5-field line, or an AWS expression (day-of-week 1 = Sunday there). */
export function describe(expression: string, aws: boolean): string {
  try {
    if (aws) {
      const inner = expression.replace(/^cron\(|\)$/g, '');
      return cronstrue.toString(`0 ${inner}`, { dayOfWeekStartIndexZero: false, use24HourTimeFormat: true });
    }
    return cronstrue.toString(expression, { use24HourTimeFormat: true });
  } catch {
    return '';
  }
}

/**
 * A job's identity is host + user + command + stdin, and an ordinal for identical lines: the id is
 * `<host>-<slug>-<hash>` (at most 56 characters, so `c2l-<id>` plus a rule suffix fits AWS's 64), the same string
 * is the lock key's prefix and the base of every AWS resource name. The schedule, the crontab file, the line
 * number, the environment and the scripts' contents are attributes, not identity: changing them updates the job
 * in place. The second and later identical lines hash their ordinal too, so adding a copy never renames the first.
 */
function assignIds(jobs: Job[], host: string, userOf: (job: Job) => string): void {
  const seen = new Map<string, number>();
  for (const job of jobs) {
    // The user is the crontab's owner: the system crontab's user field, else --user or the spool path.
    const identity = [host, userOf(job), job.command ?? job.source.text, job.stdin ?? ''].join('\u0000');
    const n = (seen.get(identity) ?? 0) + 1;
    seen.set(identity, n);
    job.id = jobId(host, job.command ?? '', n === 1 ? identity : `${identity}\u0000#${n}`);
  }
}

export const JOB_ID_MAX = 56;

function jobId(host: string, command: string, material: string): string {
  const hash = createHash('sha256').update(material).digest('hex').slice(0, 10);
  const parts = host ? [hostLabel(host), slug(command).slice(0, 24).replace(/-+$/, ''), hash] : [slug(command).slice(0, 24).replace(/-+$/, ''), hash];
  return parts.filter(Boolean).join('-');
}

export function slug(command: string): string {
  const words = command.split(/[\s;&|()<>]+/).filter(Boolean);
  const pick = words.find((w) => /\.(sh|bash|py|pl|rb)$/.test(w)) ?? words.find((w) => w.includes('/') && !w.startsWith('>')) ?? words.find((w) => !/=/.test(w)) ?? 'job';
  const base = (pick.split('/').pop() ?? pick).replace(/\.[A-Za-z0-9]+$/, '');
  const s = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32);
  return s || 'job';
}

function summarize(jobs: Job[]): PlanSummary {
  const s: PlanSummary = { jobs: jobs.length, migrate: 0, exact: 0, inexact: 0, skip: 0, error: 0, warnings: 0, ready: 0, needsAttention: 0, blocked: 0 };
  for (const j of jobs) {
    s[j.status]++;
    if (j.status !== 'skip') s[j.verdict === 'needs-attention' ? 'needsAttention' : j.verdict]++;
    if (j.status === 'migrate') j.schedule?.exact ? s.exact++ : s.inexact++;
    s.warnings += j.warnings.length;
  }
  return s;
}

export type FailOn = 'blocked' | 'warning';

/** 1 when any line is an error; with --fail-on, also when a job is blocked (or needs attention). */
export function planExitCode(plan: Plan, failOn?: FailOn): number {
  if (plan.summary.error > 0 || plan.files.some((f) => f.error)) return 1;
  if (failOn === 'blocked' && plan.summary.blocked > 0) return 1;
  if (failOn === 'warning' && plan.summary.blocked + plan.summary.needsAttention > 0) return 1;
  return 0;
}
