// All text of `migrate`: the diff (Terraform-style), its JSON document, progress lines and the summary.
import type { ChangeResult, ApplyResult } from '../aws/apply.js';
import { count, kindLabel, type DiffResult } from '../aws/diff.js';
import { canonical, type Attr, type AttrChange, type Change } from '../aws/model.js';
import type { PreflightResult } from '../aws/preflight.js';
import type { Style } from './style.js';
import { driftKindText } from './text.js';
import { quotaProblemText } from './problems.js';

export const MIGRATE_FORMAT_VERSION = 1;

export interface MigrateContext {
  host: string;
  account: string;
  region: string;
  arn: string;
  enable: boolean;
  prune: boolean;
  /** The command line that enables the rules (the user's own, with --enable). */
  enableCommand: string;
  /** What fires the jobs: EventBridge rules or Scheduler schedules. */
  trigger?: 'rules' | 'schedules';
}

const SYMBOL: Record<Change['action'], string> = { create: '+', update: '~', replace: '-/+', delete: '-', noop: ' ' };

function colour(style: Style, action: Change['action'], s: string): string {
  if (action === 'create') return style.green(s);
  if (action === 'delete') return style.red(s);
  if (action === 'update') return style.yellow(s);
  if (action === 'replace') return style.yellow(s);
  return s;
}

/**
 * Environment values are never printed: a variable set by hand on a function may hold a secret. The diff says which
 * names were added, removed or changed.
 */
export function safeAttrChanges(changes: AttrChange[]): { attr: string; old?: Attr; new?: Attr; note?: string }[] {
  const out: { attr: string; old?: Attr; new?: Attr; note?: string }[] = [];
  for (const a of changes) {
    if (a.attr === 'environment') {
      const o = (a.old ?? {}) as Record<string, Attr>;
      const n = (a.new ?? {}) as Record<string, Attr>;
      for (const k of [...new Set([...Object.keys(o), ...Object.keys(n)])].sort()) {
        if (!(k in o)) out.push({ attr: `environment.${k}`, note: 'added' });
        else if (!(k in n)) out.push({ attr: `environment.${k}`, note: 'removed' });
        else if (canonical(o[k]) !== canonical(n[k])) out.push({ attr: `environment.${k}`, note: 'value changed' });
      }
    } else out.push({ attr: a.attr, ...(a.old !== undefined ? { old: a.old } : {}), ...(a.new !== undefined ? { new: a.new } : {}) });
  }
  return out;
}

function show(v: Attr | undefined): string {
  if (v === undefined) return '(absent)';
  if (v === null) return 'null';
  return typeof v === 'string' ? JSON.stringify(v) : canonical(v);
}

function changeLine(c: Change, style: Style): string[] {
  const on = c.parent ? (c.kind === 'permission' ? ` on ${c.parent}` : ` of ${c.parent}`) : '';
  const why = c.reason === 'schedule-changed' ? ' (no longer in the schedule)' : c.reason === 'prune' ? ' (no longer in the plan: --prune)' : '';
  const lines = [`  ${colour(style, c.action, SYMBOL[c.action].padStart(3))} ${kindLabel(c.kind)} ${c.name}${on}${why}`];
  if (c.action === 'create' && c.kind === 'rule' && c.desired) {
    lines.push(`        ${style.dim(`${c.desired.attrs.scheduleExpression as string}, ${c.desired.attrs.state as string}`)}`);
  }
  if (c.action === 'create' && c.kind === 'schedule' && c.desired) {
    lines.push(`        ${style.dim(`${c.desired.attrs.scheduleExpression as string} in ${c.desired.attrs.timezone as string}, ${c.desired.attrs.state as string}`)}`);
  }
  for (const a of safeAttrChanges(c.attrs)) {
    lines.push(`        ${a.attr}: ${a.note ?? `${show(a.old)} → ${show(a.new)}`}`);
  }
  return lines;
}

/** Scheduler jobs: where Scheduler and cron differ (a time in the spring-forward gap), said before applying. */
function driftLines(job: DiffResult['jobs'][number] | undefined, style: Style): string[] {
  if (!job?.drift?.length) return [];
  return [
    `        ${style.yellow('differs from cron at:')}`,
    ...job.drift.map((d) => `          ${driftKindText(d.kind)}: ${d.at} (local ${d.local.replace('T', ' ')}) ${style.dim(`[${d.reason}]`)}`),
  ];
}

export function renderDiff(d: DiffResult, ctx: MigrateContext, preflight: PreflightResult | null, style: Style): string {
  const out: string[] = [];
  out.push(`cron2lambda migrate: host ${style.bold(ctx.host)}, account ${ctx.account}, region ${ctx.region}`);
  out.push(style.dim(`  as ${ctx.arn}`));
  out.push('');
  const shared = d.changes.filter((c) => c.job === null && c.action !== 'noop');
  if (shared.length > 0) {
    out.push(style.bold('Shared'));
    for (const c of shared) out.push(...changeLine(c, style));
    out.push('');
  }
  const byJob = new Map<string, Change[]>();
  for (const c of d.changes) if (c.job !== null) byJob.set(c.job, [...(byJob.get(c.job) ?? []), c]);
  let unchanged = 0;
  const sources = new Map(d.jobs.map((j) => [j.id, j.source]));
  for (const [job, changes] of byJob) {
    const real = changes.filter((c) => c.action !== 'noop');
    if (real.length === 0) {
      unchanged++;
      continue;
    }
    const src = sources.get(job);
    out.push(`${style.bold(`Job ${job}`)}${src ? style.dim(`  ${src.file}:${src.line}`) : style.dim('  (no longer in the plan)')}`);
    for (const c of real) out.push(...changeLine(c, style));
    out.push(...driftLines(d.jobs.find((j) => j.id === job), style));
    out.push('');
  }
  if (unchanged > 0) out.push(style.dim(`${unchanged} job${unchanged === 1 ? '' : 's'} unchanged.`), '');

  if (d.blocked.length > 0) {
    out.push(style.bold(style.red(`Blocked: ${d.blocked.length} job${d.blocked.length === 1 ? '' : 's'} not provisioned`)));
    for (const b of d.blocked) {
      out.push(`  ${b.job}  ${style.dim(`${b.source.file}:${b.source.line}`)}`);
      for (const x of b.blockers) out.push(`    ${style.red(x.code)}  ${x.message}`);
    }
    out.push('');
  }
  if (d.skipped.length > 0) {
    out.push(style.bold(`Skipped: ${d.skipped.length}`));
    for (const s of d.skipped) out.push(`  ${s.job}  ${style.dim(`${s.source.file}:${s.source.line}`)}  ${s.reason}`);
    out.push('');
  }
  if (d.orphans.length > 0) {
    out.push(style.bold(`No longer in the plan (kept; --prune deletes them): ${d.orphans.length}`));
    for (const o of d.orphans) out.push(`  ${kindLabel(o.kind)} ${o.name}${o.job ? style.dim(`  job ${o.job}`) : ''}`);
    out.push('');
  }
  const attention = d.jobs.filter((j) => j.attention.length > 0);
  if (attention.length > 0) {
    out.push(style.bold(style.yellow(`Needs attention (provisioned): ${attention.length}`)));
    for (const j of attention) {
      out.push(`  ${j.id}`);
      for (const r of j.attention) out.push(`    ${r}`);
    }
    out.push('');
  }
  if (preflight) {
    for (const p of preflight.problems) out.push(style.red(`Cannot fit: ${quotaProblemText(p)}`));
    if (preflight.problems.length > 0) out.push('');
  }
  const n = count(d.changes);
  out.push(n.add + n.change + n.destroy === 0 ? 'No changes. AWS matches the plan.' : `Plan: ${n.add} to add, ${n.change} to change, ${n.destroy} to destroy.`);
  return out.join('\n') + '\n';
}

/** The rules' state, said every time: an enabled rule while the server's crontab still runs means every job twice. */
export function renderRuleState(ctx: MigrateContext, style: Style): string {
  const t = ctx.trigger ?? 'rules';
  const T = t === 'rules' ? 'Rules' : 'Schedules';
  if (ctx.enable) return `${style.bold(`${T} are ENABLED`)}: make sure the server's crontab no longer runs these jobs.\n`;
  return `${style.bold(`${T} are DISABLED`)} (the server's crontab still runs these jobs; enabled ${t} would run each twice).\nWhen the crontab is retired, enable them with:\n  ${ctx.enableCommand}\n`;
}

/** Said once per resource, not at every retry: AWS is making us wait, the run is not stuck. */
export function renderRetry(what: string, cls: string): string {
  const why = cls === 'role-not-assumable' ? 'the new role is not yet usable by Lambda' : cls === 'conflict' ? 'the resource is busy' : 'AWS is throttling';
  return `  waiting to retry ${what}: ${why}\n`;
}

export function renderProgress(r: ChangeResult, done: number, total: number, tty: boolean): string {
  const c = r.change;
  const what = `${SYMBOL[c.action].trim()} ${kindLabel(c.kind)} ${c.name}${c.parent ? ` (${c.parent})` : ''}`;
  const status = r.status === 'failed' ? `FAILED: ${r.error}` : r.status === 'skipped' ? `not attempted (${r.error})` : 'done';
  const line = `[${done}/${total}] ${what}: ${status}`;
  if (tty && r.status === 'done') return `\r\u001b[K${line}`;
  return `${tty ? '\r\u001b[K' : ''}${line}\n`;
}

export function renderApplySummary(d: DiffResult, result: ApplyResult, ctx: MigrateContext, style: Style): string {
  const out: string[] = [];
  const done = result.results.filter((r) => r.status === 'done').map((r) => r.change);
  const failed = result.results.filter((r) => r.status === 'failed');
  const skipped = result.results.filter((r) => r.status === 'skipped');
  const n = count(done);
  out.push('');
  out.push(
    `${failed.length === 0 ? style.green('Apply complete') : style.red('Apply incomplete')}: ${n.add} added, ${n.change} changed, ${n.destroy} destroyed` +
      (failed.length > 0 ? `; ${failed.length} failed, ${skipped.length} not attempted (${result.failedJobs.length} job${result.failedJobs.length === 1 ? '' : 's'}).` : '.'),
  );
  for (const f of failed) out.push(`  ${style.red('failed')} ${f.change.job ?? 'shared'}: ${kindLabel(f.change.kind)} ${f.change.name}: ${f.error}`);
  if (failed.length > 0) out.push('Run the same command again: it reads AWS afresh and finishes what is left.');
  if (d.blocked.length > 0) out.push(`${d.blocked.length} job${d.blocked.length === 1 ? '' : 's'} blocked and not provisioned (listed above).`);
  const attention = d.jobs.filter((j) => j.attention.length > 0);
  if (attention.length > 0) out.push(`${attention.length} provisioned job${attention.length === 1 ? '' : 's'} need attention (listed above).`);
  out.push('');
  return out.join('\n') + '\n' + renderRuleState(ctx, style);
}

/** The JSON document of `migrate --json` (formatVersion 1); environment values are not in it either. */
export function migrateDocument(d: DiffResult, ctx: MigrateContext, preflight: PreflightResult | null, dryRun: boolean, result?: ApplyResult) {
  const status = new Map(result?.results.map((r) => [r.change, r]) ?? []);
  return {
    formatVersion: MIGRATE_FORMAT_VERSION,
    host: ctx.host,
    account: ctx.account,
    region: ctx.region,
    dryRun,
    rulesEnabled: ctx.enable,
    changes: d.changes.map((c) => ({
      action: c.action,
      kind: c.kind,
      name: c.name,
      ...(c.parent ? { parent: c.parent } : {}),
      job: c.job,
      ...(c.reason ? { reason: c.reason } : {}),
      attrs: safeAttrChanges(c.attrs),
      ...(status.has(c) ? { result: status.get(c)!.status, ...(status.get(c)!.error ? { error: status.get(c)!.error } : {}) } : {}),
    })),
    jobs: d.jobs,
    blocked: d.blocked,
    skipped: d.skipped,
    orphans: d.orphans.map((o) => ({ kind: o.kind, name: o.name, job: o.job })),
    preflight,
    summary: count(d.changes),
    ...(result ? { failedJobs: result.failedJobs } : {}),
  };
}
