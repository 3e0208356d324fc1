// Every sentence a person reads about a finding or a reason is made here, from its code and args (the core makes
// data only: src/scripts/types.ts FindingArgs, src/model/reasons.ts ReasonArgs). Text, Markdown and the JSON
// `message` fields all call these, so one code says one thing everywhere. The args are redacted before they get
// here, so a sentence holds no secret that its values do not.
import type { FieldProblem } from '../crontab/fields.js';
import type { CronReason, Reason, ReasonArgs } from '../model/reasons.js';
import type { Job, Plan, PlanFile } from '../plan/plan.js';
import type { ZoneLegacy, ZoneProblem } from '../schedule/zone-name.js';
import type { FlockKeptReason } from '../scripts/flock.js';
import type { Finding, FindingArgs, NulField, RuntimeRef, VerdictReason } from '../scripts/types.js';
import { packageProblemText } from './problems.js';

const SECRET_ADVICE = 'move it to SSM Parameter Store (SecureString) or Secrets Manager and read it at run time';

const FLOCK_KEPT: Record<FlockKeptReason, string> = {
  shared: 'it is a shared lock (-s), which keeps readers apart from a writer in another job',
  dynamic: 'its lock file or options are only known when it runs',
  'conflict-exit-zero': 'it succeeds when the lock is busy (-E 0), so it never kept runs apart',
  'descriptor-unknown': 'the descriptor is not opened on one fixed file in the same script',
  'shared-with-other-jobs': 'other jobs lock the same file, and the job-level lock keeps apart runs of one job only',
  unlock: 'the lock it releases was not replaced',
};

const NUL_FIELD: Record<NulField, string> = {
  command: 'command',
  stdin: '% text (stdin)',
  SHELL: 'SHELL',
  PATH: 'PATH',
  HOME: 'HOME',
  home: 'home directory',
};

const MIB = 1024 * 1024;
const mib = (n: number): string => `${(n / MIB).toFixed(n % MIB === 0 ? 0 : 1)} MiB`;

/** "probe of eu-west-1 x86_64 on 2026-11-20" or "the shipped list of 2026-11-30". */
export function runtimeLabel(r: RuntimeRef): string {
  return r.probe ? `probe of ${r.region ?? '?'} ${r.architecture} on ${r.day}` : `the shipped list of ${r.day}`;
}

/** "a (link to b)" when the path is a link. */
const linked = (path: string, link: string | undefined): string => `${path}${link !== undefined ? ` (a link to ${link})` : ''}`;

function writeText(where: string, how: string, lambdaPath: string | undefined): string {
  if (lambdaPath !== undefined) {
    return `writes ${where} (${how}) in the job's HOME: on Lambda HOME, where the job starts, is /tmp, so it writes ${lambdaPath}, which works but is gone by the next run; keep what a later run needs in S3, DynamoDB or SSM Parameter Store, and send output to CloudWatch Logs`;
  }
  return `writes ${where} (${how}): on Lambda only /tmp is writable, and /tmp does not persist between runs; write to /tmp and ship results to S3, or send output to CloudWatch Logs`;
}

/** "/srv/x", or "/home/u/x (written ~/x)" when the word is not the path. */
const cdTarget = (a: FindingArgs['missing-directory']): string => `${a.path}${a.reference !== a.path ? ` (written ${a.reference})` : ''}`;

type FindingText = { [C in keyof FindingArgs]: (a: FindingArgs[C]) => string };

const FINDING_TEXT: FindingText = {
  'missing-file': (a) =>
    a.kind === 'no-base'
      ? `${a.role} ${a.reference} is a relative path and the directory it is relative to is not known (no HOME for the job?)`
      : a.kind === 'directory'
        ? `${a.role} ${a.path} (referenced as ${a.reference}) is a directory under --root, not a file; fix the reference`
        : `${a.role} ${a.path} (referenced as ${a.reference}) is not under --root; copy it from the server or fix the reference`,
  'missing-directory': (a) =>
    a.kind === 'file'
      ? `the job changes directory to ${cdTarget(a)}, which is a file under --root, not a directory: cd fails on the server and on Lambda; fix the cd`
      : a.guarded
        ? `the job changes directory to ${cdTarget(a)} only when it can (the script tests for it or carries on after a failed cd), and it is not under --root: on Lambda the server's directories exist only as the zip's copy, so the job runs on as it does on a server without that directory; copy the directory from the server if the job needs it there`
        : `the job changes directory to ${cdTarget(a)}, which is not under --root: on Lambda the server's directories exist only as the zip's copy, so cd fails there and what follows runs in another directory or not at all (if the server lacks it too, the job already fails there); copy the directory from the server or fix the cd`,
  reboot: () => '@reboot has no equivalent schedule on EventBridge; the job is skipped',
  'run-parts': (a) =>
    `run-parts runs every executable file in ${a.dir} on the server (its housekeeping, such as logrotate, apt and man-db, and any script an admin put there); cron2lambda does not bundle or follow them, so on Lambda the directory is not there: migrate the scripts you need as jobs of their own, and leave the server's housekeeping behind`,
  hostname: (a) =>
    `${a.program === '[' || a.program === 'test' || a.program === '[[' ? 'a test' : a.program === 'case' ? 'a case statement' : a.program} is given the machine's name (${a.reference}${a.variable !== undefined ? `, set from it` : ''}): on Lambda it is the name of the sandbox a run happens to get, not this server's, so a path, a tag or a test made from it (\`[ "$(hostname)" = db01 ]\`) differs on every run or never holds, and the job still succeeds; write the server's name instead (a crontab variable such as SERVER_NAME=db01)`,
  'run-state': (a) =>
    `the job looks for ${a.path} before it writes it (line ${a.writtenAt}), so it reads what an earlier run left there (a lock, a pid, a marker or data): on Lambda /tmp belongs to a sandbox a later run may or may not get, so the file is there on some runs and not on others, and one left by a run that was killed stops every later run in that sandbox, which still succeeds; keep state in DynamoDB, S3 or SSM Parameter Store, and let cron2lambda's job lock keep runs apart (--overlap)`,
  'server-directory': (a) => {
    const held = a.entries === null ? 'more entries than are listed' : `${a.entries} ${a.entries === 1 ? 'entry' : 'entries'}${a.sample.length > 0 ? ` (${a.sample.join(', ')}${a.entries > a.sample.length ? ', ...' : ''})` : ''}`;
    const where = a.reference !== a.path ? `${a.path} (written ${a.reference})` : a.path;
    return a.kind === 'cd'
      ? `the job works in ${where}, where the server's copy holds ${held}, none of which the job runs or reads by name: on Lambda the zip has that directory empty, so whatever the job does with its contents (archive, copy, list, clean up) it does with nothing, and succeeds; read the data from S3 or EFS, or leave the job on the server`
      : `${a.program} is given ${where}, a directory where the server's copy holds ${held}, none of which is bundled: on Lambda the directory is not there, so the job works on other data or fails; read the data from S3 or EFS, or leave the job on the server`;
  },
  secret: (a) => {
    if (a.elsewhere) {
      return `a credential reported for the job at ${a.elsewhere.file}:${a.elsewhere.line} is here too, in clear text: the bundled copy has [REDACTED] in its place, so the job cannot use it on Lambda as it is; ${SECRET_ADVICE}`;
    }
    const what =
      a.variable !== undefined
        ? a.label !== undefined
          ? `${a.label} in crontab variable ${a.variable}`
          : `crontab variable ${a.variable}`
        : a.stdin
          ? `${a.label ?? ''} in the % text (stdin)`
          : (a.label ?? '');
    const tail = a.envVar ? `; the bundled copy now reads it from $${a.envVar}` : a.bundled ? '; the bundled copy has [REDACTED] in its place' : '';
    return `${what} holds a credential in clear text: ${SECRET_ADVICE}${tail}`;
  },
  sudo: (a) => `${a.program} needs root on the server; Lambda runs without it: drop ${a.program} and grant what the command needs through IAM or the function's own files`,
  'service-control': (a) => `${a.program} controls a service on the server itself, which does not exist on Lambda`,
  'local-service': (a) =>
    a.kind === 'database'
      ? `${a.program} talks to a database on the server itself (no remote host option); Lambda has no local database: point it at a reachable host (e.g. RDS) over the VPC`
      : `${a.program} calls a service on localhost, which does not exist on Lambda`,
  'remote-host': (a) => `${a.program} connects to ${a.hosts.join(', ')}: the function needs a network path (VPC, security group, SSH key from Secrets Manager)`,
  'write-outside-tmp': (a) => writeText(a.path, a.op !== undefined ? `redirection ${a.op}` : (a.program ?? ''), a.lambdaPath),
  'output-redirect': (a) => `the job's output goes to ${a.target} (${a.op}); on Lambda stdout and stderr go to CloudWatch Logs, so cron2lambda drops this redirection`,
  flock: (a) =>
    a.replaced
      ? `flock ${a.lock} is a lock on this server only (each Lambda sandbox has its own files, and flock is not on provided.al2023): the job-level lock in the lock table replaces it, and cron2lambda removes this flock call`
      : `flock ${a.lock} is kept as written: ${FLOCK_KEPT[a.kept ?? 'dynamic']}; on Lambda it locks nothing outside its own sandbox`,
  mail: (a) => `${a.program} sends mail, which Lambda cannot; use an on-failure destination (SNS) or a CloudWatch alarm`,
  mailto: () => 'MAILTO is set: cron mailed the job output, Lambda does not; add an on-failure destination (SNS/EventBridge) or a CloudWatch alarm on errors',
  'aws-cli': (a) => `calls the AWS CLI: the function needs an AWS CLI layer and IAM permissions${a.permissions.length ? ` (${a.permissions.join(', ')})` : ''}`,
  'missing-command': (a) => {
    const what = a.interpreter ? `the interpreter ${a.program} (from the script's #! line)` : a.program;
    const label = runtimeLabel(a.runtime);
    return a.runtime.probe
      ? `${what} is not on provided.al2023 (${label}) and not bundled: add it in a layer or the zip, or replace it`
      : `${what} is probably not on provided.al2023 and not bundled (unverified: judged against ${label}, not your account's runtime; run \`cron2lambda probe\` to know): add it in a layer or the zip, or replace it`;
  },
  'long-running': (a) => {
    switch (a.kind) {
      case 'unbounded-loop':
        return 'an unbounded loop (while true) can run past the 15-minute Lambda limit; make it bounded or move the job to ECS/Fargate';
      case 'sleep-in-loop':
        return 'sleep inside a loop can run past the 15-minute Lambda limit';
      case 'wait':
        return 'waits for background jobs; the whole run must finish within the 15-minute Lambda limit';
      case 'sleeps':
        return `sleeps ${a.seconds === null ? 'forever' : `${a.seconds} s`} in total; with the rest of the work it may pass the 15-minute Lambda limit`;
    }
  },
  network: (a) => `talks to ${a.hosts.join(', ')}`,
  unresolved: (a) =>
    a.role === 'shell code'
      ? `runs shell code the analysis cannot read (a -c or eval string ${a.reference ? `built from ${a.reference.split(' ').join(', ')} when the job runs` : 'with escapes, or of several words'}): what it runs is not bundled; check it and bundle what it needs`
      : a.role === 'the program'
        ? `runs a program named when the job runs (${a.reference}), which the analysis cannot resolve: it is not bundled; check what it runs and bundle it`
        : `cannot tell statically which file ${a.role} ${a.reference} is; check that it is bundled`,
  'parse-error': (a) => `cannot parse ${a.heredoc ? `the heredoc given to a shell in ${a.path ?? 'the crontab command'}` : (a.path ?? 'the crontab command')}: ${a.error}`,
  'credential-file': (a) =>
    a.held !== undefined
      ? `${linked(a.path, a.link)} is a program with a credential in its bytes (${/^[AEIOU]/i.test(a.held) ? 'an' : 'a'} ${a.held}); it is not copied into the zip, since the credential cannot be taken out of it without breaking it: rebuild it to read the credential at run time from SSM Parameter Store or Secrets Manager`
      : `${linked(a.path, a.link)} is a credential file; it is not copied into the zip: put what the job needs from it in SSM Parameter Store or Secrets Manager and read it at run time`,
  'forbidden-path': (a) => `${linked(a.path, a.link)} is under ${a.kernel}, a kernel filesystem of the machine running cron2lambda, not a file of the job; it is never bundled`,
  unreadable: (a) => `${a.path} exists under --root but cannot be read (permissions?); make the copy readable, or the job fails on Lambda`,
  'too-large': (a) =>
    a.kind === 'bundle'
      ? `bundling ${a.path} would take the job's files past ${a.limit / MIB} MiB, more than a Lambda zip uploaded directly holds; move the large files to a layer or S3`
      : `${a.path} is ${mib(a.size)}${a.size > a.limit ? '' : ' or more'}; ${a.script ? 'a shell script' : 'a file'} above ${mib(a.limit)} is not bundled`,
  'too-deep': (a) => `${a.path} is nested more than ${a.limit} scripts deep (source/exec); cron2lambda stops following there, so the bundle could miss files`,
  'bad-path': (a) =>
    a.kind === 'control'
      ? `the file name ${JSON.stringify(a.path)} holds a backslash or a control character, which a zip entry cannot carry faithfully; rename the file on the server`
      : `${a.path} ends with a slash, so it names a directory, but it is a file (bash fails with "Not a directory"); fix the reference`,
  'bad-input': (a) => `the job's ${a.fields.map((f) => NUL_FIELD[f]).join(', ')} ${a.fields.length > 1 ? 'hold' : 'holds'} a NUL byte, which no shell can pass on; fix the crontab line`,
  background: (a) =>
    a.kind === 'ampersand'
      ? 'starts work in the background (&); Lambda freezes the sandbox once the job answers, and cron2lambda ends what is left a short grace period after the script exits: wait for it before the script ends'
      : `${a.program} keeps work running after the script; on Lambda the sandbox is frozen once the job answers, and cron2lambda ends what is left a short grace period after the script exits`,
  'native-arch': (a) =>
    `${a.path} is a ${a.bits}-bit ${a.machine} program; the function runs on ${a.architecture} (${a.expected}): rebuild it for ${a.expected}, or deploy with --arch ${a.machine === 'aarch64' ? 'arm64' : 'x86_64'}`,
  'native-library': (a) => {
    const role = a.loader !== undefined ? `its dynamic loader ${a.loader}` : `the library ${a.library}`;
    const label = runtimeLabel(a.runtime);
    return a.runtime.probe
      ? `${a.path} needs ${role}, which is not on provided.al2023 (${label}) and not bundled: add it to the zip's lib/ or a layer, or build the program statically`
      : `${a.path} needs ${role}, which is probably not on provided.al2023 (unverified: judged against ${label}; run \`cron2lambda probe\` to know) and not bundled: add it to the zip's lib/ or a layer`;
  },
  'native-glibc': (a) =>
    `${a.path} needs glibc ${a.needed} (symbol version GLIBC_${a.needed}); provided.al2023 has glibc ${a.have} (${runtimeLabel(a.runtime)}): rebuild it on a system with glibc ${a.have} or older, e.g. Amazon Linux 2023`,
  'native-unreadable': (a) => `${a.path} looks like a native program but its ELF header cannot be read (${a.error}); check by hand that it runs on provided.al2023 ${a.architecture}`,
};

/** The sentence of a finding code with its args. */
export function findingArgsText<C extends keyof FindingArgs>(code: C, args: FindingArgs[C]): string {
  return (FINDING_TEXT[code] as (a: FindingArgs[C]) => string)(args);
}

/** The sentence of a finding. */
export function findingMessage(f: Pick<Finding, 'code' | 'args'>): string {
  return findingArgsText(f.code, f.args);
}

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
