// Shared data types of the script analysis (findings.ts re-exports all of them).
import type { FlockKeptReason, Overlap } from './flock.js';
import type { Reason } from '../model/reasons.js';

export type Severity = 'info' | 'warning' | 'blocker';

export const FINDING_CODES = [
  'missing-file',
  'missing-directory',
  'reboot',
  'secret',
  'sudo',
  'service-control',
  'local-service',
  'remote-host',
  'write-outside-tmp',
  'output-redirect',
  'flock',
  'mail',
  'mailto',
  'aws-cli',
  'missing-command',
  'long-running',
  'network',
  'unresolved',
  'parse-error',
  'credential-file',
  'forbidden-path',
  'unreadable',
  'too-large',
  'too-deep',
  'bad-path',
  'bad-input',
  'background',
  'native-arch',
  'native-library',
  'native-glibc',
  'native-unreadable',
  'run-parts',
  'server-directory',
  'hostname',
  'run-state',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

/**
 * What an ops engineer must do before the job can run on Lambda:
 * - blocker: the job cannot work on Lambda as is (a file is missing, a program is not there,
 *   it needs root, it controls or talks to a service on the old server itself).
 * - warning: it will run, but something needs a decision or a change (a credential in clear text,
 *   writes that will fail or vanish, a network path to arrange, AWS permissions, mail, the
 *   15-minute limit, a path we could not resolve, a script we could not parse).
 * - info: handled by cron2lambda or only useful for planning (output goes to CloudWatch Logs,
 *   the hosts a job talks to).
 */
export const SEVERITY: Record<FindingCode, Severity> = {
  'missing-file': 'blocker',
  // a cd into a directory the zip cannot hold: cd fails on Lambda, and what follows runs elsewhere or not at all
  'missing-directory': 'blocker',
  // what cannot be bundled (refused, unreadable, too large, nested too deep): the job would fail without it
  'credential-file': 'blocker',
  'forbidden-path': 'blocker',
  unreadable: 'blocker',
  'too-large': 'blocker',
  'too-deep': 'blocker',
  'bad-path': 'blocker',
  'bad-input': 'blocker',
  'missing-command': 'blocker',
  // run-parts DIR runs the server's scripts in DIR, which are not bundled: on Lambda there is no such directory
  'run-parts': 'blocker',
  // the job works in, or names, a server directory whose contents stay on the server: it runs, on other data
  'server-directory': 'warning',
  // the machine's name used in a path, a test or a program's argument: on Lambda it is a sandbox's, not the server's
  'hostname': 'warning',
  // a file in /tmp read before the job writes it: what a former run left, which Lambda keeps only in some sandboxes
  'run-state': 'warning',
  sudo: 'blocker',
  'service-control': 'blocker',
  'local-service': 'blocker',
  reboot: 'info', // the job is skipped (status `skip`), nothing to fix in it
  secret: 'warning',
  'write-outside-tmp': 'warning',
  'remote-host': 'warning',
  mail: 'warning',
  mailto: 'warning',
  'aws-cli': 'warning',
  'long-running': 'warning',
  unresolved: 'warning',
  'parse-error': 'warning',
  background: 'warning', // Lambda freezes the sandbox after the answer; bootstrap ends leftovers
  // bundled native programs (src/runtime/native.ts): wrong architecture, a library or glibc the runtime lacks
  'native-arch': 'blocker',
  'native-library': 'blocker',
  'native-glibc': 'blocker',
  'native-unreadable': 'warning',
  'output-redirect': 'info',
  // the job's overlap policy changes with it (issue 13): the user should see what the plan chose
  flock: 'warning',
  network: 'info',
};

/**
 * A finding is data: its code, severity, place, the values its sentence needs (`args`, typed per code) and the
 * structured `detail` tools read. The sentence itself is made in src/render/messages.ts only, from code and args,
 * so redaction works on values (args and detail), never on prose.
 */
export type Finding = { [C in FindingCode]: FindingOf<C> }[FindingCode];

export interface FindingOf<C extends FindingCode> {
  code: C;
  severity: Severity;
  /** The crontab file or the script's absolute server path. */
  file: string;
  /** 1-based. */
  line: number;
  /** The values the sentence is made of (redacted like any value). Never contains a secret value. */
  args: FindingArgs[C];
  detail?: FindingDetail;
}

/** How a runtime snapshot is named in a sentence ("probe of eu-west-1 x86_64 on 2026-11-20", "the shipped list of ..."). */
export interface RuntimeRef {
  probe: boolean;
  region: string | null;
  architecture: string;
  /** YYYY-MM-DD the snapshot was taken. */
  day: string;
}

/**
 * What a reference names, in the words of its finding: the program run, a sourced file, a script given to a shell;
 * `shell code`: a `-c` or `eval` string the analysis cannot read (built from variables, escaped, several words).
 */
export type ReferenceRole = 'program' | 'the program' | 'sourced file' | 'script' | 'shell code' | 'input file';

/** The values of each finding's sentence, by code. A code with several sentences says which by `kind`. */
export interface FindingArgs {
  'missing-file':
    | { kind: 'no-base'; role: ReferenceRole; reference: string }
    | { kind: 'directory' | 'not-under-root'; role: ReferenceRole; reference: string; path: string };
  /**
   * A `cd`/`pushd` target (path) that is not a directory under --root: missing there, or a `file`. guarded: the script
   * carries on without the directory (`[ -d X ] && cd X`, `cd X || true`): a warning.
   */
  'missing-directory': { kind: 'not-under-root' | 'file'; reference: string; path: string; guarded?: boolean };
  reboot: Record<string, never>;
  /**
   * secret: `label` says what the detector found (e.g. "password in a URL"); `variable` the crontab variable that
   * holds it, `stdin` for the % text; `envVar` the variable the bundled copy now reads, `bundled` when the bundled
   * copy has [REDACTED] in its place; `elsewhere` a credential reported for the job on another line (file, line),
   * found here too (plan/secrets-elsewhere.ts).
   */
  secret: { label?: string; variable?: string; stdin?: boolean; envVar?: string; bundled?: boolean; elsewhere?: { file: string; line: number } };
  sudo: { program: string };
  'service-control': { program: string };
  'local-service': { kind: 'database' | 'localhost'; program: string };
  'remote-host': { program: string; hosts: string[] };
  /**
   * `program` for a command that writes (cp, tee, ...), `op` for a redirection; `lambdaPath` when the path is under
   * the job's HOME (or relative to where cron starts it), which is /tmp on Lambda: the write works there, as this path.
   */
  'write-outside-tmp': { path: string; op?: string; program?: string; lambdaPath?: string };
  'output-redirect': { target: string; op: string };
  flock: { lock: string; replaced: boolean; kept?: FlockKeptReason };
  mail: { program: string };
  mailto: Record<string, never>;
  'aws-cli': { permissions: string[] };
  'missing-command': { program: string; interpreter: boolean; runtime: RuntimeRef };
  'long-running':
    | { kind: 'unbounded-loop' | 'sleep-in-loop' | 'wait' }
    /** seconds: null when a sleep is forever (`sleep infinity`). */
    | { kind: 'sleeps'; seconds: number | null };
  network: { hosts: string[] };
  unresolved: { role: ReferenceRole; reference: string };
  /** path: the file that does not parse; absent for the crontab command. error: the parser's own words. */
  /** `heredoc`: the body of a heredoc given to a shell (in `path` when the heredoc is in a script). */
  'parse-error': { path?: string; error: string; heredoc?: boolean };
  /** held: the format of a credential found in the bytes of a program (not by its path), e.g. "AWS access key id". */
  'credential-file': { path: string; link?: string; held?: string };
  'forbidden-path': { path: string; link?: string; kernel: string };
  unreadable: { path: string };
  'too-large':
    | { kind: 'file'; path: string; size: number; limit: number; script: boolean }
    | { kind: 'bundle'; path: string; limit: number };
  'too-deep': { path: string; limit: number };
  'bad-path': { kind: 'control' | 'slash'; path: string };
  /** fields: the parts of the job that hold a NUL ("command", "% text (stdin)", "SHELL", "home directory"). */
  'bad-input': { fields: NulField[] };
  background: { kind: 'ampersand' } | { kind: 'command'; program: string };
  /** dir: the directory run-parts runs every executable file of (as written when not a literal path). */
  'run-parts': { dir: string };
  /**
   * A server directory the job works in (`cd`, rewritten to the zip's empty copy of it) or gives a program as an
   * argument (not on Lambda at all), with none of its contents bundled: `entries` counts what the server's copy holds
   * there (null: more than can be listed), `sample` names up to three of them.
   */
  'server-directory': { kind: 'cd' | 'argument'; program: string; reference: string; path: string; entries: number | null; sample: string[] };
  /**
   * The machine's name (`reference` as written: `$(hostname)`, `$HOSTNAME`, ...) in an argument of `program` other
   * than a program that only prints, or in a `[[ ]]` test or a `case` subject (`program` `[[` or `case`);
   * `variable`: through a variable set from it.
   */
  hostname: { program: string; reference: string; variable?: string };
  /**
   * A file of /tmp (`path`) the job tests or reads on a line before the one that writes it (`writtenAt`, same file);
   * `lock`: a directory of /tmp made with mkdir without -p (it fails when a former run left it), made on `writtenAt`.
   */
  'run-state': { path: string; writtenAt: number; lock?: boolean };
  'native-arch': { path: string; bits: number; machine: string; architecture: string; expected: string };
  /** loader: set when the missing library is the program's dynamic loader (its path). */
  'native-library': { path: string; library: string; loader?: string; runtime: RuntimeRef };
  'native-glibc': { path: string; needed: string; have: string; runtime: RuntimeRef };
  'native-unreadable': { path: string; error: string; architecture: string };
}

export type NulField = 'command' | 'stdin' | 'SHELL' | 'PATH' | 'HOME' | 'home';

export interface FindingDetail {
  /** missing-file / missing-directory / unresolved: the reference as written (redacted) and the resolved path. */
  reference?: string;
  path?: string;
  /** missing-command: the program. */
  command?: string;
  /** missing-command, native-library: judged against the shipped list, not a probe (a warning, not a blocker). */
  unverified?: boolean;
  /** native-*: the ELF machine, needed library, or highest GLIBC version of the bundled file; the runtime's. */
  machine?: string;
  library?: string;
  glibc?: string;
  runtimeGlibc?: string;
  /** aws-cli: IAM actions, e.g. s3:PutObject. */
  permissions?: string[];
  /** network / remote-host / local-service: hosts. */
  hosts?: string[];
  /** secret: what kind, and the environment variable the rewritten script now reads it from. */
  secretKind?: string;
  envVar?: string;
  /** output-redirect: the dropped redirections (redacted). */
  dropped?: string[];
  /** long-running: total literal sleep seconds in the file. */
  sleepSeconds?: number;
  /** flock: the lock file (or descriptor), whether the job-level lock replaced the call, and why not. */
  lock?: string;
  replaced?: boolean;
  kept?: FlockKeptReason;
  /** flock: the job's overlap policy the plan chose (set by the plan, which also knows --overlap). */
  overlap?: Overlap;
}

/**
 * Findings that leave a job's bundle incomplete or impossible: the job is an error and is not packaged. Only as
 * blockers: a guarded missing-directory is a warning (the job runs on without it).
 */
export const BUNDLE_ERROR_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'missing-file',
  'missing-directory',
  'credential-file',
  'forbidden-path',
  'unreadable',
  'too-large',
  'too-deep',
  'bad-path',
  'bad-input',
]);

/**
 * A finding's values as one string, for ordering and telling duplicates apart (the sentence is made from exactly
 * these, so equal keys mean equal sentences).
 */
export function argsKey(f: { args: object }): string {
  let key = argsKeys.get(f.args);
  if (key === undefined) {
    key = JSON.stringify(f.args);
    argsKeys.set(f.args, key);
  }
  return key;
}

/**
 * Each args object's key, made once: a finding is sorted and deduplicated three times on its way into the plan (the
 * job's analysis, its readiness, the file's warnings), and a finding's args are never changed once it is made.
 */
const argsKeys = new WeakMap<object, string>();

/**
 * What makes a verdict worse than ready: a blocker or warning finding, or a job warning that needs a decision
 * (src/plan/readiness.ts ATTENTION_WARNINGS). src/render says each as "severity code at file:line: sentence".
 */
export type VerdictReason = { finding: Finding } | { warning: Reason };

/** Whether a finding makes the job an error (see BUNDLE_ERROR_CODES). */
export function isBundleError(f: { code: FindingCode; severity: Severity }): boolean {
  return f.severity === 'blocker' && BUNDLE_ERROR_CODES.has(f.code);
}

export function makeFinding<C extends FindingCode>(code: C, args: FindingArgs[C], file: string, line: number, detail?: FindingDetail): FindingOf<C> {
  const f: FindingOf<C> = { code, severity: SEVERITY[code], file, line, args };
  if (detail !== undefined) f.detail = detail;
  return f;
}
