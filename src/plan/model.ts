// The plan's data: jobs, files, the summary and the options the planner takes. Types only, kept apart from the
// planner (plan.ts), which re-exports them.
import type { SchedulePlan, Target } from '../schedule/translate.js';
import type { Horizon } from '../schedule/simulate.js';
import type { Reason, SourceRef } from '../model/reasons.js';
import type { FileReader } from '../scripts/reader.js';
import type { Finding, Verdict, VerdictReason } from '../scripts/findings.js';
import type { FileWarning } from './readiness.js';
import type { JobStatus } from './settle.js';
import type { Prover } from './proofs.js';
import type { JobBundle } from './job-bundle.js';
import type { Overlap, OverlapOverride } from '../scripts/flock.js';
import type { RuntimeChoice, RuntimeSummary } from '../runtime/load.js';

export const PLAN_FORMAT_VERSION = 1;

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
  /** What makes the verdict (src/render says each as "severity code at file:line: sentence"). */
  verdictReasons: VerdictReason[];
  /** Server paths of the files bundled with the job. */
  files: string[];
  /**
   * Migrated jobs: whether a run may start while an earlier run of the job is still running (issue 13). `forbid`
   * comes from the job's flock calls or --overlap; the function gets it as CRON2LAMBDA_OVERLAP(_WAIT).
   */
  overlap?: Overlap;
  /**
   * Jobs whose scripts were analysed: what packaging needs (the command for Lambda, the bundled files and their
   * bytes), redacted with every secret of the run. Non-enumerable (see withBundle): not part of any JSON document.
   */
  readonly bundle?: JobBundle;
}

export interface CrontabInput {
  file: string;
  /** null when the file could not be read; `error` says why. */
  text: string | null;
  error?: string;
  system: boolean;
  /** Notes from reading (see PlanFile.notes). */
  notes?: Reason[];
}

/**
 * Which cron ran the crontabs. cronie (RHEL, Fedora, ...) reads `CRON_TZ` as the zone of the lines below it;
 * Debian's and Ubuntu's cron (Vixie cron 3.0pl1 with Debian's patches) has no CRON_TZ: it runs every line in its own
 * zone, and CRON_TZ is an ordinary variable of the job.
 */
export type CronFlavour = 'cronie' | 'debian';

export interface PlanOptions {
  /**
   * The server's zone, for lines without CRON_TZ, and for cronie's DST rules of lines with one (its own clock going
   * back skips fixed CRON_TZ jobs): --timezone, or read from the server copy (see timezoneSource).
   */
  timezone?: string;
  /** Where `timezone` came from; 'default' (or no timezone) means UTC was assumed. */
  timezoneSource?: TimezoneSource;
  /** Server files that name a zone but could not be used (so the next source was tried). */
  timezoneNotes?: string[];
  /** The zone was read from this machine's own /etc (no --root): an assumption about the server, warned on each job. */
  timezoneFromThisMachine?: boolean;
  /** Which cron ran the crontabs (the CLI decides from the server copy): default cronie. */
  cron?: CronFlavour;
  target: Target;
  horizon: Horizon;
  /** The server's filesystem (--root): scripts are read and judged only when given. */
  reader?: FileReader;
  /** --user: the owner of user crontabs (default: from a /var/spool/cron path). */
  user?: string;
  /** --overlap JOB=allow|forbid[:SECONDS], by job id. */
  overlap?: Readonly<Record<string, OverlapOverride>>;
  /** The function timeout: how long a blocking flock waits (default 900 s, Lambda's limit). */
  timeoutSeconds?: number;
  /** The runtime snapshot the scripts are judged against (default: the shipped list, x86_64). */
  runtime?: RuntimeChoice;
  /** The host the crontabs belong to (part of every job's identity); the CLI always gives it. */
  host?: string;
  /** Who makes the schedule proofs (default: this thread; the CLI's shares them with a worker thread). */
  prover?: Prover;
}

export type TimezoneSource = 'option' | 'etc/timezone' | 'etc/localtime' | 'default';

export interface PlanFile {
  file: string;
  system: boolean;
  lines: number;
  jobs: number;
  variables: number;
  blankOrComment: number;
  error?: Reason;
  /** What the reader wants said about the whole file (e.g. a name one cron skips in a directory). */
  notes?: Reason[];
  /**
   * Warnings that hold for every job they name (MAILTO, a credential in a crontab variable, the assumed zone): said
   * once here in text. Each job named keeps its own copy in `warnings` or `findings`, and its verdict counts it.
   */
  warnings: FileWarning[];
}

export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** The host of every job (--host, <root>/etc/hostname, ...); '' when none was given. */
  host: string;
  target: Target;
  /** The server's zone used for lines without CRON_TZ (and for cronie's DST rules of CRON_TZ lines), and where it came from. */
  timezone: string;
  timezoneSource: TimezoneSource;
  /** Present when --root was not given: the zone is this machine's (read from its own /etc), assumed for the server. */
  timezoneFromThisMachine?: true;
  timezoneNotes?: string[];
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
  /** Planned schedules (every job with a schedule, whatever its status); exact + inexact = schedules. */
  schedules: number;
  exact: number;
  inexact: number;
  skip: number;
  error: number;
  warnings: number;
  ready: number;
  needsAttention: number;
  blocked: number;
  /** Files that could not be read. */
  unreadableFiles: number;
  /** Target rule: inexact schedules that prove exact under --target scheduler (schedule.schedulerExact); else 0. */
  schedulerWouldMakeExact: number;
}
