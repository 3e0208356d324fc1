// Every sentence a person reads about a finding or a reason is made here, from its code and args (the core makes
// data only: src/scripts/types.ts FindingArgs, src/model/reasons.ts ReasonArgs); a finding's, in finding-text.ts,
// re-exported. Text, Markdown and the JSON `message` fields all call these, so one code says one thing everywhere.
// The args are redacted before they get here, so a sentence holds no secret that its values do not.
import type { FieldProblem } from '../crontab/fields.js';
import type { CronReason, Reason, ReasonArgs } from '../model/reasons.js';
import type { Job, Plan, PlanFile } from '../plan/plan.js';
import type { ZoneLegacy, ZoneProblem } from '../schedule/zone-name.js';
import type { Finding, VerdictReason } from '../scripts/types.js';
import { findingMessage } from './finding-text.js';
import { packageProblemText } from './problems.js';

export { findingArgsText, findingMessage, runtimeLabel } from './finding-text.js';

// ---------------------------------------------------------------- crontab fields and zone names

/** Why cron refuses a time field's text (after `field "text": `). */
export function fieldProblemText(p: FieldProblem): string {
  switch (p.kind) {
    case 'quartz':
      return `"${p.token}": L, W, # and ? are not cron syntax (they are Quartz/AWS extensions)`;
    case 'too-many-digits':
      return `a number of ${p.digits} digits is longer than cron reads (Debian's cron stops at ${p.max})`;
    case 'overflow':
      return `${p.token.length > 20 ? `${p.token.slice(0, 20)}...` : p.token} is too large for cron (it would overflow cron's int)`;
    case 'out-of-range':
      return `${p.token} is out of range (${p.low}-${p.high})`;
    case 'step-not-number':
      return `step "${p.token}" is not a number`;
    case 'name-not-allowed':
      return `"${p.token}" is not a number (names are allowed only in month and day-of-week)`;
    case 'unknown-name':
      return `unknown name "${p.token}" (use three letters: ${p.names.join(' ')})`;
    case 'missing-step':
      return 'missing step after "/"';
    case 'missing-value':
      return 'missing value';
    case 'junk':
      return `junk after the number in "${p.token}"`;
    case 'unreadable':
      return `cannot read "${p.token}"`;
    case 'empty-element':
      return `empty list element in "${p.text}"`;
    case 'step-zero':
      return `step 0 in "${p.element}"`;
    case 'descending': {
      const base = `range "${p.range}" is descending: cron rejects it (Vixie and Debian cron, cronie up to 1.5.7) or accepts it and never runs it (cronie 1.6.0 to 1.7.2)`;
      return p.dayOfWeekEnd0 ? `${base}; write "${p.lo}-7" if you mean through Sunday (only unreleased cronie reads "${p.range}" that way)` : base;
    }
    case 'step-without-range':
      return `step without a range in "${p.element}" (write ${p.base}-${p.high}/${p.step} or */${p.step})`;
  }
}

/** Why a zone name is refused, with what to write instead when we can tell. */
export function zoneProblemText(p: ZoneProblem): string {
  if (p.kind === 'no-data') return `"${p.name}" is not in this Node.js's time-zone data, so its fire times cannot be proved`;
  const why =
    p.why === 'case'
      ? 'is not an IANA time zone (tz names are case-sensitive)'
      : p.why === 'abbreviation'
        ? 'is not an IANA time zone (it is an abbreviation)'
        : 'is not an IANA time zone';
  const hint = p.suggestions.length ? `: did you mean ${p.suggestions.slice(0, 3).join(' or ')}?` : ' (for example Europe/Berlin, Asia/Tokyo, UTC)';
  return `"${p.name}" ${why}${hint}`;
}

/** Why a legacy zone name surprises, and what to write. */
export function zoneLegacyText(l: ZoneLegacy): string {
  switch (l.kind) {
    case 'fixed':
      return `${l.name} is ${l.offset} all year, with no daylight saving time (a legacy tz name); for local time there write ${l.region}`;
    case 'posix':
      return `${l.name} is a legacy POSIX-style tz name (tz now links it to ${l.link ?? 'a city zone'}); write the city's zone name`;
    case 'etc-gmt':
      return `${l.name} is ${l.offset}: POSIX inverts the sign in Etc/GMT names`;
    case 'backward':
      return `${l.name} is a legacy name for ${l.target} (tz "backward" file); write ${l.target}`;
  }
}

// ---------------------------------------------------------------- reasons

type ReasonText = { [C in keyof ReasonArgs]: (a: ReasonArgs[C]) => string };

const REASON_TEXT: ReasonText = {
  'nul-byte': () => 'the line holds a NUL byte (binary data?): cron would cut it short there, so it is not planned',
  'not-utf8': (a) =>
    `${a.variable !== undefined ? `the variable ${a.variable} (set on line ${a.setOnLine})` : 'the line'} holds bytes that are not UTF-8 (shown as \ufffd): the function would not run the bytes cron ran, so it is not planned; convert the crontab to UTF-8 (iconv -f latin1 -t utf-8)`,
  'no-final-newline': () =>
    'the last line has no newline at its end: cron rejects it ("bad command") and crontab refuses to install the file, so this job never ran on the server',
  'unknown-macro': (a) => `unknown schedule "${a.macro}" (cron knows @reboot @yearly @annually @monthly @weekly @daily @midnight @hourly)`,
  'missing-field': (a) => `only ${a.found} of the 5 time fields; missing ${a.missing}`,
  'invalid-field': (a) => `${a.field} "${a.text}": ${fieldProblemText(a.problem)}`,
  'missing-user': () => 'system crontab line has no user field',
  'looks-like-system-crontab': (a) =>
    a.kind === 'line'
      ? `looks like a system crontab: "${a.user}" after the schedule is a user on the server, so cron would run "${a.user}" as the command; use --system if this file is /etc/crontab or in /etc/cron.d`
      : `looks like a system crontab: ${a.lines} line${a.lines === 1 ? ' has' : 's have'} a user name after the schedule; read it with --system if it is /etc/crontab or in /etc/cron.d`,
  'missing-command': (a) =>
    a.kind === 'none'
      ? 'no command after the schedule'
      : a.kind === 'star'
        ? 'what follows the schedule starts with *: cronie and Vixie cron 4 reject the line ("bad command"), and Debian\'s cron would run the file names * expands to in the home directory as a command; a sixth time field, as in Quartz or Spring cron, is the usual cause'
        : 'the command is empty (the line starts with %)',
  'long-command': (a) => `the command is ${a.length} characters: Debian's cron rejects commands over ${a.max}`,
  'unreadable-file': (a) => a.error ?? 'cannot read the file',
  'too-many-variables': (a) =>
    `not read as a crontab: ${a.variables} variables and ${a.jobs} jobs, and every job carries the variables set above it, more than ${a.max.toLocaleString('en-US')} copies in all (real crontabs have tens of variables)`,
  'skipped-by-name': (a) => `not read: ${a.why}`,
  'link-not-followed': (a) => `not read: a symbolic link (to ${a.link}) in a directory outside --root ${a.root}, which cannot be resolved as the server would`,
  reboot: () => '@reboot runs once when the cron daemon starts after boot; there is no schedule to migrate (run it from the service that replaces the server, or as a one-off)',
  anacron: (a) =>
    `${a.anacron} is on the server, so this line does nothing there (anacron runs these scripts instead, as /etc/anacrontab says): there is nothing to migrate; migrate the scripts of that directory you need as jobs of their own`,
  'invalid-timezone': (a) =>
    `CRON_TZ${a.setOnLine !== undefined ? ` (set on line ${a.setOnLine})` : ''}: ${zoneProblemText(a.problem)}${a.ranInUtc ? ' (cron on the server found no zone of that name and most likely ran these lines in UTC)' : ''}`,
  'legacy-timezone': (a) => `${a.of === 'cron-tz' ? 'CRON_TZ' : "the server's zone"}: ${zoneLegacyText(a.legacy)}`,
  'timezone-assumed': (a) =>
    a.kind === 'this-machine'
      ? `no CRON_TZ, no --timezone and no --root: the schedule is read in ${a.zone}, this machine's zone (its /${a.source}), not necessarily the server's; give the server's zone with --timezone`
      : "no CRON_TZ, no --timezone, and no etc/timezone or etc/localtime link under --root: the schedule is read as UTC; give the server's zone with --timezone (cron runs in the server's local time)",
  'random-delay': (a) =>
    `RANDOM_DELAY=${a.value}: cronie started the jobs below it 0 to ${a.minutes - 1} minutes late (one delay for all of them, drawn each time crond starts); on AWS they run at the scheduled minute`,
  'tz-variable': (a) => `TZ=${a.tz} reaches the job's environment but does not change when cron runs it (that is CRON_TZ or the server's zone)`,
  'cron-tz-ignored': (a) =>
    `CRON_TZ=${a.cronTz} is not read by this server's cron (Debian's and Ubuntu's cron has no CRON_TZ): these jobs ran on the server's clock${a.serverZone !== undefined ? `, ${a.serverZone},` : ' (its zone is not known here and is read as UTC: give it with --timezone)'} and the migration keeps those times (CRON_TZ stays a variable in their environment); if ${a.cronTz} was meant, change the schedule once you know who relies on today's times`,
  'unknown-user': (a) =>
    `the crontab's owner ${a.user} is not in the server's /etc/passwd: cron ignores the crontab of a user it does not know (it logs ORPHAN), so unless ${a.user} comes from LDAP or NIS these jobs never ran; migrated, they would start running`,
  'day-or': (a) =>
    `day-of-month "${a.dayOfMonth}" and day-of-week "${a.dayOfWeek}" are both restricted, so cron runs on days matching either one (not both); the translation keeps cron's meaning`,
  'never-fires': (a) => `cron accepts "${a.cron}" but it never fires in the horizon (${a.from} to ${a.to}); no expression is emitted`,
  inexact: (a) => {
    const first = a.first.map((d) => `${d.at} (local ${d.local.replace('T', ' ')}) ${d.kind}`);
    const hint = a.hint === 'exact' ? '; --target scheduler makes it exact' : a.hint === 'zone' ? '; --target scheduler keeps the zone' : '';
    return `the emitted schedule differs from cron's at ${a.missing + a.extra} of ${a.fires} fire times from ${a.from} to ${a.to} (${a.missing} missing, ${a.extra} extra: ${a.reasons.join(', ')}); first ${first.join(', ')}${hint}`;
  },
};

function cronReasonText(r: CronReason): string {
  return (REASON_TEXT[r.code] as (a: CronReason['args']) => string)(r.args);
}

/** The sentence of a reason: a crontab or plan reason, a finding said as a reason, or a packaging problem. */
export function reasonMessage(r: Reason): string {
  if (r.of === 'finding') return findingMessage(r);
  if (r.of === 'package') return packageProblemText(r);
  return cronReasonText(r);
}

/** "severity code at file:line: sentence", one per cause of a verdict worse than ready. */
export function verdictReasonText(v: VerdictReason): string {
  if ('finding' in v) {
    const f = v.finding;
    return `${f.severity} ${f.code} at ${f.file}:${f.line}: ${findingMessage(f)}`;
  }
  const w = v.warning;
  return `warning ${w.code} at ${w.file ?? ''}:${w.line ?? ''}: ${reasonMessage(w)}`;
}

// ---------------------------------------------------------------- JSON

/** A finding as the JSON outputs name its fields (plan --json, report --json): the sentence in `message`. */
export interface FindingJson {
  code: Finding['code'];
  severity: Finding['severity'];
  message: string;
  file: string;
  line: number;
  detail?: Finding['detail'];
}

export function findingJson(f: Finding): FindingJson {
  return { code: f.code, severity: f.severity, message: findingMessage(f), file: f.file, line: f.line, ...(f.detail !== undefined ? { detail: f.detail } : {}) };
}

/** A reason as the JSON outputs name its fields (plan --json, report --json, manifest.json). */
export interface ReasonJson {
  code: string;
  message: string;
  file?: string;
  line?: number;
  field?: string;
}

export function reasonJson(r: Reason): ReasonJson {
  return {
    code: r.code,
    message: reasonMessage(r),
    ...(r.file !== undefined ? { file: r.file } : {}),
    ...(r.line !== undefined ? { line: r.line } : {}),
    ...(r.field !== undefined ? { field: r.field } : {}),
  };
}

// ---------------------------------------------------------------- the plan as JSON (plan --json)


/**
 * A job as plan --json names its fields: findings, reasons, warnings with `message`; verdictReasons as lines. The
 * bundle (script bytes for packaging) is no field of it: non-enumerable on the job, the spread below never sees it.
 */
export type JobJson = Omit<Job, 'reasons' | 'warnings' | 'findings' | 'verdictReasons' | 'bundle'> & {
  reasons: ReasonJson[];
  warnings: ReasonJson[];
  findings: FindingJson[];
  verdictReasons: string[];
};

export type PlanFileJson = Omit<PlanFile, 'error' | 'notes' | 'warnings'> & {
  error?: ReasonJson;
  notes?: ReasonJson[];
  warnings: FileWarningJson[];
};

/** A warning said once for a crontab (plan --json, report --json): its sentence in `message`. */
export type FileWarningJson = ReasonJson & { severity: 'warning' | 'blocker'; jobs: string[] };

export function fileWarningJson(w: PlanFile['warnings'][number]): FileWarningJson {
  return { ...reasonJson(w), severity: w.severity, jobs: w.jobs };
}

export type PlanJson = Omit<Plan, 'files' | 'jobs'> & { files: PlanFileJson[]; jobs: JobJson[] };

/**
 * The plan as `plan --json` prints it: every finding, reason and warning with its sentence in `message`, each
 * verdict reason as one line. Keys keep the plan's order (a spread keeps a replaced key where it was).
 */
export function planJson(plan: Plan): PlanJson {
  return {
    ...plan,
    files: plan.files.map((f) => {
      const { error, notes, warnings, ...rest } = f;
      // Rebuilt in the plan's key order: file, system, counts, error, notes, warnings.
      return {
        ...rest,
        ...(error ? { error: reasonJson(error) } : {}),
        ...(notes ? { notes: notes.map(reasonJson) } : {}),
        warnings: warnings.map(fileWarningJson),
      };
    }),
    jobs: plan.jobs.map((j) => ({
      ...j,
      reasons: j.reasons.map(reasonJson),
      warnings: j.warnings.map(reasonJson),
      findings: j.findings.map(findingJson),
      verdictReasons: j.verdictReasons.map(verdictReasonText),
    })),
  };
}
