// The one place that turns plans into words for people. Everything else produces data with stable codes.
import { saidForFile, type Job, type Plan, type PlanFile } from '../plan/plan.js';
import { ATTENTION_WARNINGS } from '../plan/readiness.js';
import type { Finding, Verdict } from '../scripts/findings.js';
import type { Manifest } from '../package/manifest.js';
import type { Reason } from '../model/reasons.js';
import type { Style } from './style.js';
import { escapeControls, escapeDeep } from './escape.js';
import type { Overlap } from '../scripts/flock.js';
import type { RuntimeSummary } from '../runtime/load.js';
import { findingMessage, reasonMessage } from './messages.js';

const LABEL = 10;

/** What one differing instant means, in the words every renderer uses. */
export function driftKindText(kind: 'missing' | 'extra'): string {
  return kind === 'missing' ? 'cron runs, AWS does not' : 'AWS runs, cron does not';
}

function row(style: Style, label: string, text: string): string {
  return `  ${style.dim(label.padEnd(LABEL))}${text}`;
}

function where(r: Reason): string {
  const parts = [r.file, r.line !== undefined ? String(r.line) : undefined].filter(Boolean).join(':');
  return [parts, r.field].filter(Boolean).join(' ');
}

function statusText(job: Job, style: Style): string {
  switch (job.status) {
    case 'migrate':
      return job.schedule?.exact ? style.green('MIGRATE  exact') : style.yellow('MIGRATE  inexact');
    case 'skip':
      return style.yellow('SKIP');
    case 'error':
      return style.red('ERROR');
  }
}

/** What makes a job's verdict: finding codes (not info) and the job warnings that need a decision. */
function verdictCodes(job: Job): string[] {
  return [...new Set([
    ...job.findings.filter((f) => f.severity !== 'info').map((f) => f.code),
    ...job.warnings.filter((w) => ATTENTION_WARNINGS.includes(w.code)).map((w) => w.code),
  ])];
}

export function renderJob(job: Job, style: Style, file?: PlanFile): string {
  job = escapeDeep(job); // values from input files never reach a terminal raw
  const out: string[] = [];
  out.push(`${style.bold(`${job.source.file}:${job.source.line}`)}  ${job.id}  ${statusText(job, style)}`);
  out.push(row(style, 'line', job.source.text.trim()));
  if (job.user !== undefined) out.push(row(style, 'user', job.user));
  for (const r of job.reasons) out.push(row(style, job.status === 'error' ? 'error' : 'reason', `${reasonMessage(r)} ${style.dim(`[${r.code}] ${where(r)}`)}`));
  const s = job.schedule;
  if (s) {
    out.push(row(style, 'schedule', `${s.cron} in ${s.timezone}${s.description ? ` — ${s.description}` : ''}`));
    const label = s.target === 'rule' ? 'rule' : 'scheduler';
    if (s.expressions.length === 0) out.push(row(style, label, style.dim('(none: never fires)')));
    s.expressions.forEach((e, i) => {
      const d = s.expressionDescriptions[i];
      out.push(row(style, i === 0 ? label : '', `${style.cyan(e)}${d ? ` — ${d}` : ''} ${style.dim(`(${s.expressionTimezone})`)}`));
    });
    const v = s.verification;
    const span = `${v.from.slice(0, 10)} to ${v.to.slice(0, 10)}`;
    if (s.exact) {
      out.push(row(style, 'proof', style.green(`exact: all ${v.fires} fire times from ${span} match`)));
    } else {
      out.push(row(style, 'proof', style.yellow(`inexact: ${v.missing} missing, ${v.extra} extra of ${v.fires} fire times from ${span} (${v.reasons.join(', ')})`)));
      for (const d of s.drift) {
        out.push(row(style, '', `${driftKindText(d.kind)}: ${d.at} (local ${d.local.replace('T', ' ')}) ${style.dim(`[${d.reason}]`)}`));
      }
      if (s.schedulerExact) out.push(row(style, 'hint', `--target scheduler makes this schedule exact (Scheduler evaluates it in ${s.timezone})`));
    }
  }
  for (const w of job.warnings) {
    if (w.code === 'inexact') continue; // said by the proof line
    if (saidForFile(file, job.id, w.code, w.line)) continue; // said once for the file
    out.push(row(style, 'warning', `${reasonMessage(w)} ${style.dim(`[${w.code}]`)}`));
  }
  if (job.overlap && (job.overlap.policy === 'forbid' || job.overlap.source === 'option')) out.push(row(style, 'overlap', overlapText(job.overlap, style)));
  if (job.files.length) out.push(row(style, 'bundles', job.files.join(' ')));
  if (job.status !== 'skip') {
    const codes = job.verdict === 'ready' ? [] : verdictCodes(job);
    out.push(row(style, 'verdict', `${verdictText(job.verdict, style)}${codes.length ? ` ${style.dim(`(${codes.join(', ')})`)}` : ''}`));
  }
  for (const f of job.findings) {
    if (saidForFile(file, job.id, f.code, f.line)) continue;
    out.push(row(style, severityText(f, style), findingText(f, style)));
  }
  return out.join('\n');
}

export function verdictText(v: Verdict, style: Style): string {
  return v === 'ready' ? style.green('ready') : v === 'blocked' ? style.red('blocked') : style.yellow('needs-attention');
}

function severityText(f: Finding, style: Style): string {
  const label = f.severity.padEnd(LABEL - 1);
  return f.severity === 'blocker' ? style.red(label) : f.severity === 'warning' ? style.yellow(label) : style.dim(label);
}

export function findingText(f: Finding, style: Style): string {
  f = escapeDeep(f);
  const overlap = f.detail?.overlap ? `; the plan chose overlap ${overlapText(f.detail.overlap, style)}` : '';
  return `${findingMessage(f)}${overlap} ${style.dim(`[${f.code}] ${f.file}:${f.line}`)}`;
}

const OVERLAP_SOURCE: Record<Overlap['source'], string> = {
  'flock-command': "from the crontab line's flock",
  'flock-script': "from the script's flock",
  option: 'set by --overlap',
  default: "cron's default",
};

/** A job's overlap policy in words: what a run does when the previous run of the job is still running. */
export function overlapText(o: Overlap, style: Style): string {
  const what =
    o.policy === 'allow'
      ? 'allow: runs of different minutes may overlap'
      : o.waitSeconds === 0
        ? 'forbid: a run that finds the previous one still running skips'
        : `forbid: a run waits up to ${o.waitSeconds} s for the previous one to finish, then skips`;
  return `${what} ${style.dim(`(${OVERLAP_SOURCE[o.source]})`)}`;
}

/** One row per job: where it stands and what stands in its way. */
export function renderReadinessTable(plan: Plan, style: Style): string {
  plan = escapeDeep(plan);
  const rows = plan.jobs.map((j) => {
    const codes = verdictCodes(j).join(' ');
    const status = j.status === 'migrate' ? (j.schedule?.exact ? 'migrate' : 'migrate*') : j.status;
    return [j.id, `${j.source.file.split('/').pop()}:${j.source.line}`, status, j.status === 'skip' ? '-' : j.verdict, codes || '-'];
  });
  const head = ['job', 'line', 'status', 'verdict', 'blockers and warnings'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const lines = [style.bold(fmt(head)), ...rows.map((r) => {
    const line = fmt(r);
    return r[3] === 'blocked' ? style.red(line) : r[3] === 'needs-attention' ? style.yellow(line) : line;
  })];
  const s = plan.summary;
  lines.push(style.dim(`readiness: ${s.ready} ready, ${s.needsAttention} needs-attention, ${s.blocked} blocked${s.skip ? `, ${s.skip} skipped` : ''}${s.inexact ? ' · migrate* = schedule inexact' : ''}`));
  // The per-job hint is said on each job; the total is what decides the target for the whole host.
  if (plan.target === 'rule' && s.schedulerWouldMakeExact > 0) {
    lines.push(`--target scheduler would make ${s.schedulerWouldMakeExact} of ${s.inexact} inexact schedule${s.inexact === 1 ? '' : 's'} exact (it evaluates them in their own time zone)`);
  }
  return lines.join('\n');
}

export function renderSummary(plan: Plan, style: Style): string {
  const s = plan.summary;
  const parts = [
    `${s.jobs} job${s.jobs === 1 ? '' : 's'}:`,
    `${s.migrate} migrate,`,
    `${s.skip} skip,`,
    s.error ? style.red(`${s.error} error`) : `${s.error} error`,
    `· ${s.schedules} schedule${s.schedules === 1 ? '' : 's'}: ${s.exact} exact, ${s.inexact ? style.yellow(`${s.inexact} inexact`) : '0 inexact'}`,
  ];
  const lines = plan.files.reduce((n, f) => n + f.lines, 0);
  const unreadable = s.unreadableFiles ? ` · ${style.red(`${s.unreadableFiles} unreadable`)}` : '';
  const tail = `· ${s.warnings} warning${s.warnings === 1 ? '' : 's'} · ${lines} lines in ${plan.files.length} file${plan.files.length === 1 ? '' : 's'}${unreadable} · target ${plan.target}`;
  return `${parts.join(' ')} ${style.dim(tail)}`;
}

/** Warnings said once for a crontab, naming how many of its jobs they hold for. */
function renderFileWarnings(f: PlanFile, style: Style): string {
  const out = [`${style.bold(f.file)}  ${style.yellow(`${f.warnings.length} warning${f.warnings.length === 1 ? '' : 's'} for the whole file`)}`];
  for (const w of f.warnings) {
    const where = w.line !== undefined ? ` ${f.file}:${w.line}` : '';
    const label = w.severity === 'blocker' ? style.red('blocker'.padEnd(LABEL - 1)) : style.yellow('warning'.padEnd(LABEL - 1));
    out.push(`  ${label} ${reasonMessage(w)} ${style.dim(`[${w.code}]${where} · ${w.jobs.length} job${w.jobs.length === 1 ? '' : 's'}`)}`);
  }
  return out.join('\n');
}

function fileErrorText(f: PlanFile, style: Style): string {
  return `${style.bold(f.file)}  ${style.red('ERROR')}\n${row(style, 'error', `${reasonMessage(f.error!)} ${style.dim(`[${f.error!.code}]`)}`)}`;
}

export function renderPlan(plan: Plan, style: Style): string {
  plan = escapeDeep(plan);
  const blocks: string[] = [renderServerZone(plan, style)];
  for (const f of plan.files) {
    if (f.error) blocks.push(fileErrorText(f, style));
    for (const n of f.notes ?? []) blocks.push(`${style.bold(f.file)}  ${style.yellow('NOTE')}\n${row(style, 'note', `${reasonMessage(n)} ${style.dim(`[${n.code}]`)}`)}`);
  }
  for (const f of plan.files) if (f.warnings.length) blocks.push(renderFileWarnings(f, style));
  const files = new Map(plan.files.map((f) => [f.file, f]));
  for (const job of plan.jobs) blocks.push(renderJob(job, style, files.get(job.source.file)));
  if (plan.jobs.length) blocks.push(renderReadinessTable(plan, style));
  blocks.push(renderSummary(plan, style));
  // A file that could not be read must not scroll away above hundreds of jobs: say it again last.
  const unreadable = plan.files.filter((f) => f.error);
  if (unreadable.length) {
    blocks.push(
      unreadable
        .map((f) => {
          const message = reasonMessage(f.error!);
          return `${style.red('not read:')} ${message.includes(f.file) ? '' : `${f.file}: `}${message} ${style.dim(`[${f.error!.code}]`)}`;
        })
        .join('\n'),
    );
  }
  if (plan.runtime) blocks.push(style.dim(`runtime: ${runtimeText(plan.runtime)}`));
  return blocks.join('\n\n') + '\n';
}

/** Said once: the server's zone (for lines without CRON_TZ, and the DST rules of CRON_TZ lines), and where it came from. */
function renderServerZone(plan: Plan, style: Style): string {
  const from: Record<Plan['timezoneSource'], string> = {
    option: 'from --timezone',
    'etc/timezone': "read from the server copy's etc/timezone",
    'etc/localtime': "read from the server copy's etc/localtime link",
    default: style.yellow('assumed: no --timezone, and no etc/timezone or etc/localtime link in the server copy'),
  };
  const source = plan.timezoneFromThisMachine && plan.timezoneSource !== 'default'
    ? style.yellow(`this machine's /${plan.timezoneSource}, assumed for the server`)
    : from[plan.timezoneSource];
  const lines = [`server time zone: ${plan.timezone} (${source})`];
  for (const n of plan.timezoneNotes ?? []) lines.push(style.dim(`  not used: ${n}`));
  return lines.join('\n');
}

/** Which runtime snapshot the readiness findings were judged against, and how old it is (one phrase everywhere). */
export function runtimeText(r: RuntimeSummary): string {
  const age = `${r.ageDays} day${r.ageDays === 1 ? '' : 's'} old`;
  if (r.source === 'probe') {
    return `judged against the probe of provided.al2023 in ${r.region ?? '?'} (${r.architecture}) taken ${r.takenAt.slice(0, 10)}, ${age}${r.file ? `, from ${r.file}` : ''}`;
  }
  return `judged against cron2lambda's shipped list of provided.al2023 (${r.architecture}, checked ${r.takenAt.slice(0, 10)}, ${age}), not a probe of your account: missing commands are unverified; run \`cron2lambda probe\` to know`;
}

/** What `package` wrote: a line per job, then totals. */
export function renderPackageSummary(manifest: Manifest, outDir: string, style: Style): string {
  manifest = escapeDeep(manifest);
  outDir = escapeControls(outDir);
  const lines: string[] = [];
  for (const j of manifest.jobs) {
    const where = `${j.source.file}:${j.source.line}`;
    if (j.zip) {
      const kb = (j.size! / 1024).toFixed(1);
      const layers = j.layers?.length ? ` · needs layer ${j.layers.join(', ')}` : '';
      lines.push(`${style.green('packaged')}  ${j.id}  ${where}  ${j.zip} (${kb} KiB, ${j.files!.length} script${j.files!.length === 1 ? '' : 's'})  ${verdictText(j.verdict, style)}${layers}`);
    } else {
      const why = j.reasons.map((r) => `${r.message} [${r.code}]`).join('; ');
      lines.push(`${j.status === 'skip' ? style.yellow('skipped ') : style.red('error   ')}  ${j.id}  ${where}  ${why}`);
    }
  }
  const s = manifest.summary;
  lines.push('');
  lines.push(`${s.packaged} packaged, ${s.skip} skipped, ${s.error} error · ${outDir}/manifest.json · lock table ${manifest.lockTable}`);
  return lines.join('\n') + '\n';
}
