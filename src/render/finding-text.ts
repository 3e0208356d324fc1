// Every sentence a person reads about a finding, made from its code and args (src/scripts/types.ts FindingArgs); the
// rest of the prose is in messages.ts, which re-exports these. The args are redacted before they get here, so a
// sentence holds no secret that its values do not.
import type { FlockKeptReason } from '../scripts/flock.js';
import type { Finding, FindingArgs, NulField, RuntimeRef } from '../scripts/types.js';
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
    `${a.program === '[' || a.program === 'test' || a.program === '[[' ? 'a test' : a.program === 'case' ? 'a case statement' : a.program} is given the machine's name (${a.reference}${a.variable !== undefined ? `, set from it` : ''}): on Lambda it is the name of the sandbox a run happens to get, not this server's, so a path, a tag or a test made from it (such as [ "$(hostname)" = db01 ]) differs on every run or never holds, and the job still succeeds; write the server's name instead (a crontab variable such as SERVER_NAME=db01)`,
  'run-state': (a) =>
    `${a.lock ? `the job makes ${a.path} as a lock (mkdir fails when it is there), so it depends on what an earlier run left there` : `the job looks for ${a.path} before it writes it (line ${a.writtenAt}), so it reads what an earlier run left there (a lock, a pid, a marker or data)`}: on Lambda /tmp belongs to a sandbox a later run may or may not get, so the file is there on some runs and not on others, and one left by a run that was killed stops every later run in that sandbox, which still succeeds; keep state in DynamoDB, S3 or SSM Parameter Store, and let cron2lambda's job lock keep runs apart (--overlap)`,
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
