// Crontabs → a plan: one job per schedule line, each migrated (with proven expressions), skipped or rejected with
// reasons. Pure: the CLI reads files and the clock and passes them in.
import { readCrontab, type CronEntry, type Crontab } from '../crontab/read.js';
import { userWordTest } from '../crontab/system-hint.js';
import { onceReader } from '../scripts/reader.js';
import { scriptsAhead } from '../scripts/ahead.js';
import { withTreeSource } from '../scripts/sh/index.js';
import type { JobAnalysis } from '../scripts/analyze.js';
import { emptyTrace } from '../scripts/bundle.js';
import { redactDeep } from '../scripts/findings.js';
import { assessEntry, fileWarnings, homeFor, passwdLookup, userFromSpoolPath, type Readiness } from './readiness.js';
import { settleJob } from './settle.js';
import { startEntry, type EntryStart, type ScheduledEntry } from './entry.js';
import { forLine, inProcessProver, ProofBatch } from './proofs.js';
import { jobBundle, withBundle } from './job-bundle.js';
import { MAX_FUNCTION_SECONDS, applyOverride, overlapFromFlocks } from '../scripts/flock.js';
import { summarizeRuntime } from '../runtime/load.js';
import { assignIds } from './ids.js';
import { withSecretsFoundElsewhere, type SecretOrigin } from './secrets-elsewhere.js';
import { PLAN_FORMAT_VERSION, type CrontabInput, type Job, type Plan, type PlanFile, type PlanOptions, type PlanSummary } from './model.js';

export type { JobStatus } from './settle.js';
export { describe } from './entry.js';
export type { JobBundle } from './job-bundle.js';
export { JOB_ID_MAX, slug } from './ids.js';
export type * from './model.js';
export { PLAN_FORMAT_VERSION } from './model.js';

/** One crontab line on its way through the planner: its job, and what settling and naming the job take. */
interface Planned {
  job: Job;
  entry: CronEntry;
  crontab: Crontab;
  /** What the schedule alone made of the line; settleJob joins it with the analysis. */
  scheduled: ScheduledEntry;
  /** The crontab's owner: the system crontab's user field, else --user or the spool path (part of the job's id). */
  user?: string;
  /** The script analysis (migratable lines with a reader); its bundle goes onto the job once all secrets are known. */
  analysis?: JobAnalysis;
}

/**
 * The plan: every job with its status, findings and, for jobs whose scripts were analysed, its bundle (a
 * non-enumerable `bundle`, see job-bundle.ts): a complete input for packaging.
 */
export function buildPlan(inputs: CrontabInput[], planOptions: PlanOptions): Plan {
  // every server file is read once per run, whatever number of jobs use it
  const options: PlanOptions = planOptions.reader ? { ...planOptions, reader: onceReader(planOptions.reader) } : planOptions;
  const files: PlanFile[] = [];
  const planned: Planned[] = [];
  const secrets = new Set<string>();
  /** Where each credential was found first (secrets-elsewhere.ts). */
  const origins = new Map<string, SecretOrigin>();
  const passwdHome = passwdLookup(options.reader);
  const isUser = userWordTest(options.reader, passwdHome);
  // The run's schedule proofs, one per distinct line and zone (a fleet repeats lines; a proof depends on nothing
  // else), asked for before the scripts are analysed so that they can be made meanwhile (see proofs.ts).
  const batch = new ProofBatch();
  const lines: { entry: CronEntry; crontab: Crontab; input: CrontabInput; start: EntryStart; proof: number }[] = [];
  const reader = options.reader;
  const entryOptions = reader ? { ...options, isFile: (path: string) => reader.stat(path)?.kind === 'file' } : options;
  for (const input of inputs) {
    const notes = input.notes?.length ? { notes: input.notes } : {};
    if (input.text === null) {
      files.push({
        file: input.file,
        system: input.system,
        lines: 0,
        jobs: 0,
        variables: 0,
        blankOrComment: 0,
        error: { code: 'unreadable-file', args: input.error !== undefined ? { error: input.error } : {}, file: input.file },
        ...notes,
        warnings: [],
      });
      continue;
    }
    const crontab = readCrontab(input.text, { file: input.file, system: input.system, isUser });
    if (crontab.tooManyVariables) {
      files.push({
        file: input.file,
        system: input.system,
        lines: crontab.totalLines,
        jobs: 0,
        variables: 0,
        blankOrComment: crontab.ignoredLines,
        error: { code: 'too-many-variables', args: crontab.tooManyVariables, file: input.file },
        ...notes,
        warnings: [],
      });
      continue;
    }
    // Said once for the file as well as on each line: the fix (--system) is for the whole file.
    const systemLike = crontab.entries.filter((e) => e.reasons.some((r) => r.code === 'looks-like-system-crontab')).length;
    const fileNotes = [...(input.notes ?? [])];
    if (systemLike) {
      fileNotes.push({ code: 'looks-like-system-crontab', args: { kind: 'file', lines: systemLike }, file: input.file });
    }
    files.push({
      file: input.file,
      system: input.system,
      lines: crontab.totalLines,
      jobs: crontab.entries.length,
      variables: crontab.variables.length,
      blankOrComment: crontab.ignoredLines,
      ...(fileNotes.length ? { notes: fileNotes } : {}),
      warnings: [],
    });
    for (const entry of crontab.entries) {
      const start = startEntry(entry, crontab, entryOptions);
      lines.push({ entry, crontab, input, start, proof: 'proof' in start ? batch.add(start.proof) : -1 });
    }
  }
  // The scripts the lines run, for a prover that can parse them elsewhere meanwhile (scripts/ahead.ts).
  const migrating = lines.filter((l) => 'proof' in l.start).map((l) => l.entry.command ?? '');
  const parses = options.prover && options.reader ? scriptsAhead(migrating, options.reader) : [];
  const pending = (options.prover ?? inProcessProver).start(batch.requests, parses);
  // A line that needs a proof migrates (only a settled one is an error or skipped): its scripts are analysed.
  const assessed = withTreeSource(pending.trees, () => lines.map(({ entry, crontab, input, start }) => {
    const user = entry.user ?? options.user ?? userFromSpoolPath(input.file);
    const home = homeFor(entry, user, passwdHome);
    const readiness = assessEntry(entry, crontab, { reader: options.reader, analyse: 'proof' in start, home, runtime: options.runtime?.view });
    for (const v of readiness.secrets) {
      secrets.add(v);
      if (!origins.has(v)) origins.set(v, { file: entry.source.file, line: entry.source.line });
    }
    return { user, home, readiness: readiness.analysis ? { ...readiness, analysis: held(readiness.analysis) } : readiness };
  }));
  const proofs = pending.join();
  // with every job's credentials known: one another line holds is redacted from this job's bundle too
  const known = Object.freeze([...secrets]);
  lines.forEach(({ entry, crontab, start, proof }, i) => {
    const { user, home } = assessed[i];
    const readiness = withSecretsFoundElsewhere(assessed[i].readiness, { file: entry.source.file, line: entry.source.line, stdin: entry.stdin ?? null }, known, origins);
    const scheduled = 'proof' in start ? start.finish(forLine(proofs[proof], start.proof.spec)) : start.done;
    // cron ignores the crontab of a user the server does not know (cronie's database.c logs ORPHAN): its jobs never ran
    if (entry.user === undefined && user !== undefined && scheduled.outcome.status === 'migrate' && passwdHome.knows(user) === false) {
      scheduled.warnings.push({ code: 'unknown-user', args: { user }, file: entry.source.file, line: entry.source.line });
    }
    planned.push({ job: jobOf(entry, scheduled, home, readiness), entry, crontab, scheduled, ...(user !== undefined ? { user } : {}), ...(readiness.analysis ? { analysis: readiness.analysis } : {}) });
  });
  // Jobs that lock the same file keep each other apart on the server, which a per-job lock cannot do: analysed again,
  // their flock calls stay as written (and are reported as missing on Lambda).
  const analysed = planned.filter((p): p is Planned & { analysis: JobAnalysis } => p.analysis !== undefined);
  const shared = sharedLocks(analysed.map((p) => p.analysis));
  if (shared.size > 0) {
    for (const p of analysed) {
      if (!lockFiles(p.analysis).some((l) => shared.has(l))) continue;
      const readiness = assessEntry(p.entry, p.crontab, { reader: options.reader, analyse: true, home: p.job.home, keepFlockLocks: [...shared].sort(), runtime: options.runtime?.view });
      for (const v of readiness.secrets) secrets.add(v);
      p.job = jobOf(p.entry, p.scheduled, p.job.home, readiness);
      if (readiness.analysis) p.analysis = held(readiness.analysis);
    }
  }
  for (const p of planned) {
    if (p.job.status !== 'migrate') continue;
    p.job.overlap = overlapFromFlocks(p.analysis?.bundle.trace.flocks ?? [], options.timeoutSeconds ?? MAX_FUNCTION_SECONDS);
  }
  assignIds(planned, options.host ?? '');
  const jobs = planned.map((p) => p.job);
  for (const job of jobs) {
    if (!job.overlap) continue;
    job.overlap = applyOverride(job.overlap, options.overlap?.[job.id]);
    const overlap = job.overlap;
    job.findings = job.findings.map((f) => (f.code === 'flock' ? { ...f, detail: { ...f.detail, overlap } } : f));
  }
  for (const f of files) f.warnings = fileWarnings(f.file, jobs.filter((j) => j.source.file === f.file));
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    host: options.host ?? '',
    target: options.target,
    timezone: options.timezone ?? 'UTC',
    timezoneSource: options.timezone ? options.timezoneSource ?? 'option' : 'default',
    ...(options.timezone && options.timezoneFromThisMachine ? { timezoneFromThisMachine: true } : {}),
    ...(options.timezoneNotes?.length ? { timezoneNotes: options.timezoneNotes } : {}),
    horizon: { from: isoDay(options.horizon.fromDay), to: isoDay(options.horizon.toDay) },
    files,
    jobs,
    summary: summarize(jobs, files),
    ...(options.runtime ? { runtime: summarizeRuntime(options.runtime) } : {}),
  };
  // Nothing the tool prints or writes may carry a secret: the plan is redacted before anyone renders it, and each
  // job's bundle (command and files) with the secrets of all jobs, one credential on two lines being found on one.
  // redactDeep copies the jobs and would not carry a non-enumerable bundle: the bundles go onto the copies after.
  // frozen: prepared once for every text redacted with it (scripts/redact.ts); the list the jobs were judged with,
  // unless the shared-flock re-analysis met more
  const all = secrets.size === known.length ? known : Object.freeze([...secrets]);
  const redacted = redactDeep(plan, all);
  redacted.jobs.forEach((job, i) => {
    const a = planned[i].analysis;
    if (a) withBundle(job, jobBundle(a, all));
  });
  return redacted;
}

/**
 * What the plan holds of a job's analysis until the end of the run: all of it but the trace, of which it reads only
 * the flocks (overlap, shared locks). The findings are made from the trace when the job is analysed; held for every
 * job of a fleet, its records (every command, word, redirection and assignment) were most of what a run keeps in
 * memory, and the garbage collector copies whatever is kept.
 */
function held(a: JobAnalysis): JobAnalysis {
  return { ...a, bundle: { ...a.bundle, trace: emptyTrace(a.bundle.trace.flocks) } };
}

/** A crontab line's job: the schedule's outcome and the readiness assessment, settled (status, reasons, verdict). */
function jobOf(entry: CronEntry, scheduled: ScheduledEntry, home: string | null, readiness: Readiness): Job {
  const settled = settleJob(scheduled.outcome, scheduled.warnings, readiness);
  // Keys in the order plan --json has always printed them.
  return {
    id: '',
    source: entry.source,
    status: settled.status,
    reasons: settled.reasons,
    warnings: scheduled.warnings,
    ...(entry.user !== undefined ? { user: entry.user } : {}),
    ...(entry.command !== undefined ? { command: entry.command } : {}),
    ...(entry.stdin !== undefined ? { stdin: entry.stdin } : {}),
    environment: entry.environment,
    home,
    findings: readiness.findings,
    verdict: settled.verdict,
    verdictReasons: settled.verdictReasons,
    files: readiness.analysis ? readiness.analysis.bundle.files.map((f) => f.path) : [],
    ...(scheduled.schedule ? { schedule: scheduled.schedule } : {}),
  };
}

/** The files a job's flock calls lock (absolute paths; unlocks aside). */
function lockFiles(a: JobAnalysis): string[] {
  return [...new Set(a.bundle.trace.flocks.filter((f) => !f.unlock && f.lock.startsWith('/')).map((f) => f.lock))];
}

/** Lock files more than one job locks. */
function sharedLocks(analyses: JobAnalysis[]): Set<string> {
  const count = new Map<string, number>();
  for (const a of analyses) for (const l of lockFiles(a)) count.set(l, (count.get(l) ?? 0) + 1);
  return new Set([...count].filter(([, n]) => n > 1).map(([l]) => l));
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/** Counts of what the text prints: every planned schedule, every warning line (a file-wide one once). */
function summarize(jobs: Job[], files: PlanFile[]): PlanSummary {
  const s: PlanSummary = { jobs: jobs.length, migrate: 0, schedules: 0, exact: 0, inexact: 0, skip: 0, error: 0, warnings: 0, ready: 0, needsAttention: 0, blocked: 0, unreadableFiles: 0, schedulerWouldMakeExact: 0 };
  const byFile = new Map(files.map((f) => [f.file, f]));
  for (const j of jobs) {
    s[j.status]++;
    if (j.status !== 'skip') s[j.verdict === 'needs-attention' ? 'needsAttention' : j.verdict]++;
    if (j.schedule) {
      s.schedules++;
      j.schedule.exact ? s.exact++ : s.inexact++;
      if (j.schedule.schedulerExact === true) s.schedulerWouldMakeExact++;
    }
    const file = byFile.get(j.source.file);
    s.warnings += j.warnings.filter((w) => !saidForFile(file, j.id, w.code, w.line)).length;
    s.warnings += j.findings.filter((f) => f.severity === 'warning' && !saidForFile(file, j.id, f.code, f.line)).length;
  }
  for (const f of files) {
    s.warnings += f.warnings.filter((w) => w.severity === 'warning').length;
    if (f.error) s.unreadableFiles++;
  }
  return s;
}

/** Is this warning or finding of the job said once for its file (and so not again on the job)? */
export function saidForFile(file: { warnings: ReadonlyArray<{ code: string; line?: number; jobs: string[] }> } | undefined, jobId: string, code: string, line: number | undefined): boolean {
  return !!file && file.warnings.some((w) => w.code === code && (w.line === undefined || w.line === line) && w.jobs.includes(jobId));
}

export type FailOn = 'blocked' | 'warning';

/** 1 when any line is an error; with --fail-on, also when a job is blocked (or needs attention). */
export function planExitCode(plan: Plan, failOn?: FailOn): number {
  // needs-attention includes inexact schedules and assumed zones (see attentionFromWarnings).
  if (plan.summary.error > 0 || plan.files.some((f) => f.error)) return 1;
  if (failOn === 'blocked' && plan.summary.blocked > 0) return 1;
  if (failOn === 'warning' && plan.summary.blocked + plan.summary.needsAttention > 0) return 1;
  return 0;
}
