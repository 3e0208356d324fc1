// The readiness report for a change ticket: per job the schedule before and after, exactness, findings and the
// bundled files. Markdown for people, JSON for tools. Made from the (already redacted) plan only.
import { saidForFile, type Job, type Plan } from '../plan/plan.js';
import { driftKindText, runtimeText } from './text.js';
import { escapeDeep } from './escape.js';
import { fileWarningJson, findingJson, reasonJson, type FileWarningJson, type FindingJson, type ReasonJson } from './messages.js';

export const REPORT_FORMAT_VERSION = 1;

export interface ReportJob {
  id: string;
  source: Job['source'];
  status: Job['status'];
  verdict: Job['verdict'] | null;
  reasons: ReasonJson[];
  before: { cron: string; timezone: string; description: string } | null;
  after: { target: string; expressions: string[]; timezone: string; descriptions: string[] } | null;
  exact: boolean | null;
  /** Inexact rules only: whether the line proves exact as an EventBridge Scheduler schedule. */
  schedulerExact?: boolean;
  drift: NonNullable<Job['schedule']>['drift'];
  findings: FindingJson[];
  files: string[];
}


export interface Report {
  formatVersion: typeof REPORT_FORMAT_VERSION;
  target: Plan['target'];
  horizon: Plan['horizon'];
  summary: Plan['summary'];
  /**
   * Per crontab: why it could not be read, what reading it noted (a file of a directory cron skips, a link not
   * followed), and the warnings said once for it (each job keeps its own copy).
   */
  files: { file: string; error?: ReasonJson; notes?: ReasonJson[]; warnings: FileWarningJson[] }[];
  /** The runtime snapshot the findings were judged against. */
  runtime?: Plan['runtime'];
  jobs: ReportJob[];
}

export function buildReport(plan: Plan): Report {
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    target: plan.target,
    horizon: plan.horizon,
    summary: plan.summary,
    files: plan.files.map((f) => ({
      file: f.file,
      ...(f.error ? { error: reasonJson(f.error) } : {}),
      ...(f.notes?.length ? { notes: f.notes.map(reasonJson) } : {}),
      warnings: f.warnings.map(fileWarningJson),
    })),
    ...(plan.runtime ? { runtime: plan.runtime } : {}),
    jobs: plan.jobs.map((j) => ({
      id: j.id,
      source: j.source,
      status: j.status,
      verdict: j.status === 'skip' ? null : j.verdict,
      reasons: j.reasons.map(reasonJson),
      before: j.schedule ? { cron: j.schedule.cron, timezone: j.schedule.timezone, description: j.schedule.description } : null,
      after: j.schedule
        ? { target: j.schedule.target, expressions: j.schedule.expressions, timezone: j.schedule.expressionTimezone, descriptions: j.schedule.expressionDescriptions }
        : null,
      exact: j.schedule ? j.schedule.exact : null,
      ...(j.schedule?.schedulerExact !== undefined ? { schedulerExact: j.schedule.schedulerExact } : {}),
      drift: j.schedule?.drift ?? [],
      findings: j.findings.map(findingJson),
      files: j.files,
    })),
  };
}

/** Markdown table cells: no pipes or newlines inside. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Text from input files outside code spans (file names, messages): shown as written, never an HTML tag, a link or
 * an entity where the ticket renders Markdown. A backslash is escaped where Markdown would read it as an escape
 * (before punctuation, or last), first, so that it cannot undo the others; elsewhere it shows as it is (`\n`).
 */
function text(s: string): string {
  return s.replace(/\\(?=[!-/:-@[-`{-~]|$)/g, '\\\\').replace(/[<>[\]&]/g, '\\$&');
}

/** Text from input files in a table cell or a line of the report: both escapes, in the order they must come. */
function plain(s: string): string {
  return cell(text(s));
}

/**
 * A code span showing S exactly: fenced by one backtick more than the longest run in it (a backtick in a crontab
 * line is a command substitution, so it must not be shown as another character), padded when S holds one.
 */
function code(s: string): string {
  if (!s.includes('`')) return '`' + s + '`';
  const fence = '`'.repeat(Math.max(...(s.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  return `${fence} ${s} ${fence}`;
}

export function renderReportMarkdown(report: Report): string {
  report = escapeDeep(report); // values from input files never reach a terminal raw
  const s = report.summary;
  const out: string[] = [];
  out.push('# cron2lambda readiness report', '');
  out.push(`Target: EventBridge ${report.target === 'rule' ? 'rules (UTC)' : 'Scheduler (source time zone)'}. Schedules proven from ${report.horizon.from} to ${report.horizon.to}.`, '');
  out.push(`${s.jobs} jobs: ${s.migrate} to migrate, ${s.skip} skipped, ${s.error} rejected. Schedules: ${s.schedules} planned, ${s.exact} exact, ${s.inexact} inexact. Readiness: ${s.ready} ready, ${s.needsAttention} need attention, ${s.blocked} blocked. ${s.warnings} warning${s.warnings === 1 ? '' : 's'}.`, '');
  for (const f of report.files) if (f.error) out.push(`**Not read:** ${plain(f.file)}: ${plain(f.error.message)} (${code(f.error.code)})`, '');
  // A file a directory holds that was not read (or was read with a note) is part of the server's crontabs too.
  for (const f of report.files) for (const n of f.notes ?? []) out.push(`**Note:** ${plain(f.file)}: ${plain(n.message)} (${code(n.code)})`, '');
  const fileWide = report.files.filter((f) => f.warnings.length);
  if (fileWide.length) {
    out.push('Warnings for whole crontabs (said once here; they hold for each job named):', '', '| Crontab | Severity | Code | Where | Warning | Jobs |', '|---|---|---|---|---|---|');
    for (const f of fileWide) {
      for (const w of f.warnings) {
        out.push(`| ${plain(f.file)} | ${w.severity} | ${code(w.code)} | ${w.line !== undefined ? plain(`${f.file}:${w.line}`) : '-'} | ${plain(w.message)} | ${w.jobs.length} |`);
      }
    }
    out.push('');
  }
  if (report.runtime) out.push(`Runtime: ${plain(runtimeText(report.runtime))}.`, '');
  out.push('| Job | Line | Status | Verdict | Before | After | Exact |', '|---|---|---|---|---|---|---|');
  for (const j of report.jobs) {
    out.push(
      `| ${code(j.id)} | ${plain(`${j.source.file}:${j.source.line}`)} | ${j.status} | ${j.verdict ?? '-'} | ${j.before ? cell(`${code(j.before.cron)} ${j.before.timezone}`) : '-'} | ${j.after ? cell(j.after.expressions.map(code).join('<br>') || '(none)') : '-'} | ${j.exact === null ? '-' : j.exact ? 'yes' : '**no**'} |`,
    );
  }
  for (const j of report.jobs) {
    out.push('', `## ${j.id}`, '');
    out.push(`- Source: ${plain(`${j.source.file}:${j.source.line}`)} ${code(j.source.text.trim())}`);
    out.push(`- Status: ${j.status}${j.verdict ? `, verdict **${j.verdict}**` : ''}`);
    for (const r of j.reasons) out.push(`- Reason: ${plain(r.message)} (${code(r.code)})`);
    if (j.before && j.after) {
      out.push(`- Before: ${code(j.before.cron)} in ${j.before.timezone}${j.before.description ? ` — ${plain(j.before.description)}` : ''}`);
      j.after.expressions.forEach((e, i) => out.push(`- After: ${code(e)} (${j.after!.timezone})${j.after!.descriptions[i] ? ` — ${plain(j.after!.descriptions[i])}` : ''}`));
      if (j.after.expressions.length === 0) out.push('- After: no expression (the schedule never fires)');
      out.push(`- Exact: ${j.exact ? 'yes, every fire time in the horizon matches' : `no${j.schedulerExact ? ' (`--target scheduler` makes it exact)' : ''}`}`);
      for (const d of j.drift) out.push(`  - ${driftKindText(d.kind)}: ${d.at} (local ${d.local}) — ${text(d.reason)}`);
    }
    const file = report.files.find((f) => f.file === j.source.file);
    const own = j.findings.filter((f) => !saidForFile(file, j.id, f.code, f.line));
    if (own.length) {
      out.push('', '| Severity | Code | Where | Finding |', '|---|---|---|---|');
      for (const f of own) out.push(`| ${f.severity} | ${code(f.code)} | ${plain(`${f.file}:${f.line}`)} | ${plain(f.message)} |`);
    }
    if (j.files.length) out.push('', `Bundled files: ${j.files.map(code).join(', ')}`);
  }
  return out.join('\n') + '\n';
}
