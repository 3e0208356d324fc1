// Shared data types of the script analysis (findings.ts re-exports all of them).
import type { FlockKeptReason, Overlap } from './flock.js';

export type Severity = 'info' | 'warning' | 'blocker';

export const FINDING_CODES = [
  'missing-file',
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
  // what cannot be bundled (refused, unreadable, too large, nested too deep): the job would fail without it
  'credential-file': 'blocker',
  'forbidden-path': 'blocker',
  unreadable: 'blocker',
  'too-large': 'blocker',
  'too-deep': 'blocker',
  'bad-path': 'blocker',
  'bad-input': 'blocker',
  'missing-command': 'blocker',
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

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** Never contains a secret value. */
  message: string;
  /** The crontab file or the script's absolute server path. */
  file: string;
  /** 1-based. */
  line: number;
  detail?: FindingDetail;
}

export interface FindingDetail {
  /** missing-file / unresolved: the reference as written (redacted) and the resolved path. */
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

/** Findings that leave a job's bundle incomplete or impossible: the job is an error and is not packaged. */
export const BUNDLE_ERROR_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'missing-file',
  'credential-file',
  'forbidden-path',
  'unreadable',
  'too-large',
  'too-deep',
  'bad-path',
  'bad-input',
]);

export function makeFinding(code: FindingCode, message: string, file: string, line: number, detail?: FindingDetail): Finding {
  const f: Finding = { code, severity: SEVERITY[code], message, file, line };
  if (detail !== undefined) f.detail = detail;
  return f;
}
