// `flock` on the server → the job-level overlap lock on Lambda (issue 13).
//
// On the server `flock -n /var/lock/x job.sh` (or `exec 9>/var/lock/x; flock -n 9 || exit 1` in a script) keeps a job
// from running twice at once. On Lambda every sandbox has its own files, so a file lock protects nothing, and flock is
// not even installed on provided.al2023. The job-level lock (`<job>#running` in the lock table) gives the same
// guarantee, so the plan sets the job's overlap policy to `forbid` and the bundle drops the flock calls it replaces.
//
// Pure: parsing flock's options, deciding whether a flock call can be replaced, and the job's policy from the calls.
// bundle.ts calls these while it walks the scripts, and makes the edits.

/** A flock command line, as util-linux flock(1) reads it. */
export interface FlockCall {
  shared: boolean;
  unlock: boolean;
  nonblock: boolean;
  /** -w/--wait/--timeout seconds (fractions allowed), or null when not given. */
  waitSeconds: number | null;
  /** -E/--conflict-exit-code, or null. */
  conflictExitCode: number | null;
  /** argv index of the lock file or descriptor number. */
  targetIndex: number;
  target: string;
  /** The descriptor number of `flock [opts] N` (no command), else null. */
  fd: number | null;
  /** argv index of the command flock runs (`flock L cmd args`), or null. */
  commandIndex: number | null;
  /** argv index of the `-c` / `--command` word, or null; its shell string follows it. */
  dashCIndex: number | null;
}

const SHORT_FLAGS = new Set(['s', 'x', 'e', 'u', 'n', 'o', 'F']);

/**
 * Parse flock's argv (values of the words; null for a word whose value is not known statically). Null when the call
 * cannot be read for sure: an unknown option, a dynamic option or lock target, no lock target.
 */
export function parseFlock(vals: ReadonlyArray<string | null>): FlockCall | null {
  const call: Omit<FlockCall, 'targetIndex' | 'target' | 'fd' | 'commandIndex' | 'dashCIndex'> = {
    shared: false,
    unlock: false,
    nonblock: false,
    waitSeconds: null,
    conflictExitCode: null,
  };
  let dashC: number | null = null;
  let i = 1;
  const number = (v: string | null | undefined): number | null => (v != null && /^[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : null);
  for (; i < vals.length; i++) {
    const v = vals[i];
    if (v === null) return null;
    if (v === '--') {
      i++;
      break;
    }
    if (!v.startsWith('-') || v === '-') break;
    if (v.startsWith('--')) {
      const [name, inline] = v.includes('=') ? [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)] : [v, undefined];
      const arg = (): string | null | undefined => (inline !== undefined ? inline : vals[++i]);
      switch (name) {
        case '--shared': call.shared = true; break;
        case '--exclusive': break;
        case '--unlock': call.unlock = true; break;
        case '--nonblock': case '--nb': call.nonblock = true; break;
        case '--close': case '--no-fork': case '--verbose': break;
        case '--wait': case '--timeout': {
          const n = number(arg());
          if (n === null) return null;
          call.waitSeconds = n;
          break;
        }
        case '--conflict-exit-code': {
          const n = number(arg());
          if (n === null) return null;
          call.conflictExitCode = n;
          break;
        }
        case '--command':
          dashC = i;
          break;
        default:
          return null;
      }
      if (dashC !== null) break;
      continue;
    }
    // short options, possibly grouped (-xn) and with an attached argument (-w5, -nw 5)
    let j = 1;
    for (; j < v.length; j++) {
      const c = v[j];
      if (SHORT_FLAGS.has(c)) {
        if (c === 's') call.shared = true;
        if (c === 'u') call.unlock = true;
        if (c === 'n') call.nonblock = true;
        continue;
      }
      if (c === 'w' || c === 'E') {
        const rest = v.slice(j + 1);
        const n = number(rest !== '' ? rest : vals[++i]);
        if (n === null) return null;
        if (c === 'w') call.waitSeconds = n;
        else call.conflictExitCode = n;
        break;
      }
      if (c === 'c' && j === v.length - 1) {
        dashC = i;
        break;
      }
      return null;
    }
    if (dashC !== null) break;
  }
  if (dashC !== null) {
    // `flock [opts] -c CMD FILE` is not valid; the lock file comes before -c: `flock [opts] FILE -c CMD`
    return null;
  }
  if (i >= vals.length) return null;
  const target = vals[i];
  if (target === null) return null;
  const targetIndex = i;
  const next = vals[i + 1];
  if (next === undefined) {
    // `flock [opts] N`: lock a descriptor the shell opened
    if (!/^[0-9]+$/.test(target)) return null;
    return { ...call, targetIndex, target, fd: Number(target), commandIndex: null, dashCIndex: null };
  }
  if (next === '-c' || next === '--command') {
    if (vals.length !== i + 3) return null;
    return { ...call, targetIndex, target, fd: null, commandIndex: null, dashCIndex: i + 1 };
  }
  if (next === null) return { ...call, targetIndex, target, fd: null, commandIndex: i + 1, dashCIndex: null };
  return { ...call, targetIndex, target, fd: null, commandIndex: i + 1, dashCIndex: null };
}

/** Why a flock call stays as it is (and then is a missing command on Lambda). */
export type FlockKeptReason =
  /** -s: readers that may run together but not with a writer (another job): nothing per-job models that. */
  | 'shared'
  /** the lock file or an option depends on the runtime, or the call is not one flock(1) accepts. */
  | 'dynamic'
  /** -E 0: the script goes on when the lock is busy, so the lock never kept runs apart. */
  | 'conflict-exit-zero'
  /** `flock N` on a descriptor not opened on one fixed file in the same script. */
  | 'descriptor-unknown'
  /** another job locks the same file: the jobs keep each other apart, which a per-job lock cannot. */
  | 'shared-with-other-jobs'
  /** `flock -u N` for a lock that was not replaced. */
  | 'unlock';

export type FlockMode = 'nonblock' | 'wait' | 'block';

/** One flock call met in the command or a bundled script (part of the bundle's trace). */
export interface FlockUse {
  file: string;
  line: number;
  crontab: boolean;
  /** The lock: absolute path of the file (the descriptor's file for `flock N`), or the target as written. */
  lock: string;
  mode: FlockMode;
  /** For mode `wait`: the -w seconds. */
  waitSeconds: number | null;
  unlock: boolean;
  /** True when the call was removed from the bundled text (the job-level lock replaces it). */
  replaced: boolean;
  kept?: FlockKeptReason;
}

export function flockMode(call: Pick<FlockCall, 'nonblock' | 'waitSeconds'>): { mode: FlockMode; waitSeconds: number | null } {
  if (call.nonblock || call.waitSeconds === 0) return { mode: 'nonblock', waitSeconds: 0 };
  if (call.waitSeconds !== null) return { mode: 'wait', waitSeconds: call.waitSeconds };
  return { mode: 'block', waitSeconds: null };
}

/**
 * Whether a parsed call can be replaced by the job-level lock, before the lock file is known to be private to the job
 * (bundle.ts checks the descriptor's file and plan.ts the other jobs' locks).
 */
export function keptBecause(call: FlockCall, keepLocks: ReadonlySet<string>, lockPath: string | null): FlockKeptReason | null {
  if (call.shared) return 'shared';
  if (call.conflictExitCode === 0) return 'conflict-exit-zero';
  if (lockPath === null) return call.fd !== null ? 'descriptor-unknown' : 'dynamic';
  if (keepLocks.has(lockPath)) return 'shared-with-other-jobs';
  return null;
}

// ---------------------------------------------------------------------------------------------- the job's policy

export type OverlapPolicy = 'allow' | 'forbid';
export type OverlapSource = 'flock-command' | 'flock-script' | 'option' | 'default';

export interface Overlap {
  policy: OverlapPolicy;
  /** forbid: how long a run waits for the running one to finish before it skips (0: skip at once). */
  waitSeconds: number;
  source: OverlapSource;
}

/** What the user asked for one job (`--overlap JOB=forbid:30`); waitSeconds absent keeps the plan's (or 0). */
export interface OverlapOverride {
  policy: OverlapPolicy;
  waitSeconds?: number;
}

/** Lambda's longest run: a wait cannot outlast the function. */
export const MAX_FUNCTION_SECONDS = 900;

/**
 * The job's overlap policy from its flock calls: `forbid` when any exclusive lock is taken (replaced or not: on the
 * server the job never ran twice at once), waiting as the shortest of them waited (a blocking flock waits until the
 * function's timeout). The crontab's own flock names the source when there is one.
 */
export function overlapFromFlocks(flocks: readonly FlockUse[], timeoutSeconds = MAX_FUNCTION_SECONDS): Overlap {
  const locking = flocks.filter((f) => !f.unlock && f.kept !== 'shared' && f.kept !== 'conflict-exit-zero');
  if (locking.length === 0) return { policy: 'allow', waitSeconds: 0, source: 'default' };
  const waits = locking.map((f) => (f.mode === 'nonblock' ? 0 : f.mode === 'wait' ? Math.ceil(f.waitSeconds ?? 0) : timeoutSeconds));
  const waitSeconds = Math.min(timeoutSeconds, ...waits);
  return { policy: 'forbid', waitSeconds, source: locking.some((f) => f.crontab) ? 'flock-command' : 'flock-script' };
}

/** The user's choice wins; a forbid without a wait keeps the wait the flock calls gave, else 0. */
export function applyOverride(planned: Overlap, override: OverlapOverride | undefined): Overlap {
  if (!override) return planned;
  const waitSeconds = override.policy === 'allow' ? 0 : override.waitSeconds ?? (planned.policy === 'forbid' ? planned.waitSeconds : 0);
  return { policy: override.policy, waitSeconds, source: 'option' };
}

/** The function's environment for the runtime's overlap lock; nothing for `allow` (the runtime's default). */
export function overlapEnvironment(overlap: Overlap | undefined): Record<string, string> {
  if (!overlap || overlap.policy !== 'forbid') return {};
  return { CRON2LAMBDA_OVERLAP: 'forbid', CRON2LAMBDA_OVERLAP_WAIT: String(overlap.waitSeconds) };
}
