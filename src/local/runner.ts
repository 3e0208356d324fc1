// Runs a function's task directory the way Lambda's provided.al2023 does: bash bootstrap with the runtime's
// environment, talking to a Runtime API (see runtime-api.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve, sep } from 'node:path';
import { readZip } from '../package/zip.js';

/**
 * Set in a local sandbox's environment, and so inherited by every process the job starts: the mark by which the end
 * of the sandbox finds the processes that left its session (`setsid`, a daemon that double-forks). Lambda ends the
 * whole sandbox; a local run has no such boundary, and a process group or session kill alone would leave them running
 * on the user's machine after `invoke` has returned. (Jenkins ends a build's processes the same way.)
 */
export const SANDBOX_MARK = 'CRON2LAMBDA_LOCAL_SANDBOX';

/** PATH of the Lambda runtime (facts.md). */
export const LAMBDA_RUNTIME_PATH = '/usr/local/bin:/usr/bin/:/bin:/opt/bin';

export interface RunBootstrapOptions {
  /** Directory holding the unzipped function (bootstrap, lock.sh, function.sh, ...): LAMBDA_TASK_ROOT. */
  taskDir: string;
  /** host:port of the Runtime API (AWS_LAMBDA_RUNTIME_API). */
  runtimeApi: string;
  /** The function's environment variables (CRON2LAMBDA_LOCK_TABLE, CRON2LAMBDA_JOB, ...). */
  environment?: Record<string, string>;
  functionName?: string;
  region?: string;
  /** _HANDLER; default function.handler. */
  handler?: string;
  /** PATH; default Lambda's. */
  path?: string;
  /** Called with each complete line (without "\n"), and a last unterminated line at exit. */
  onStdout?: (line: string) => void;
  onStderr?: (line: string) => void;
  /** Bash to run bootstrap with; default bash found on this process's PATH. */
  bash?: string;
}

export interface BootstrapExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when bash could not be started at all. */
  error?: Error;
}

/** bash on this machine's PATH (not the function's PATH, which may not contain it). */
export function findBash(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'bash');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return '/bin/bash';
}

export interface BootstrapProcess {
  /** Process id (and process group id) of bash; -1 when it could not be started (see exited). */
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when bootstrap has exited and its output is drained. */
  readonly exited: Promise<BootstrapExit>;
  /**
   * Sends SIGNAL (default SIGKILL, as Lambda does at a timeout) to every process of the sandbox: bootstrap's session
   * (its own process group and the jobs' groups: bootstrap runs each job in a process group of its own) and, on
   * Linux, every process that carries the sandbox's mark (SANDBOX_MARK), wherever it went (setsid).
   */
  kill(signal?: NodeJS.Signals): void;
}

/** Reserved variables Lambda sets; a function's own environment cannot override them. */
export function lambdaEnvironment(options: RunBootstrapOptions): Record<string, string> {
  const functionName = options.functionName ?? 'cron2lambda-local';
  const region = options.region ?? 'us-east-1';
  return {
    ...(options.environment ?? {}),
    PATH: options.path ?? LAMBDA_RUNTIME_PATH,
    LANG: 'en_US.UTF-8',
    // Lambda sets TZ=:UTC unless the function's configuration sets TZ (TZ is not reserved).
    TZ: options.environment?.TZ ?? ':UTC',
    _HANDLER: options.handler ?? 'function.handler',
    LAMBDA_TASK_ROOT: options.taskDir,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    AWS_LAMBDA_RUNTIME_API: options.runtimeApi,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: 'AWS_Lambda_provided.al2023',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALFAKE',
    AWS_SECRET_ACCESS_KEY: 'local/fake/secret',
    AWS_SESSION_TOKEN: 'local-fake-session-token',
  };
}

function lineSplitter(onLine: ((line: string) => void) | undefined) {
  let pending = '';
  return {
    push(chunk: string) {
      if (!onLine) return;
      pending += chunk;
      let i: number;
      while ((i = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, i));
        pending = pending.slice(i + 1);
      }
    },
    end() {
      if (onLine && pending !== '') onLine(pending);
      pending = '';
    },
  };
}

/** Starts `bash <taskDir>/bootstrap` in its own process group, as Lambda starts a custom runtime. */
export function startBootstrap(options: RunBootstrapOptions): BootstrapProcess {
  const taskDir = resolve(options.taskDir);
  const mark = randomUUID();
  const child = spawn(options.bash ?? findBash(), [`${taskDir}/bootstrap`], {
    cwd: taskDir,
    env: { ...lambdaEnvironment({ ...options, taskDir }), [SANDBOX_MARK]: mark },
    // stdin must not be a socket (node's 'pipe'): Debian's bash then sources ~/.bashrc as if run by sshd.
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so kill() reaches the job's processes too
  });
  const out = lineSplitter(options.onStdout);
  const err = lineSplitter(options.onStderr);
  child.stdout!.setEncoding('utf8').on('data', (c: string) => out.push(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => err.push(c));
  const exited = new Promise<BootstrapExit>((resolvePromise) => {
    child.once('error', (error) => resolvePromise({ code: null, signal: null, error }));
    child.once('close', (code, signal) => {
      out.end();
      err.end();
      resolvePromise({ code, signal });
    });
  });
  const pid = child.pid ?? -1;
  return {
    pid,
    child,
    exited,
    kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (pid <= 0) return;
      const signalled = new Set<number>();
      const send = (target: number) => {
        signalled.add(target);
        try {
          process.kill(target, signal);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
        }
      };
      const members = () => [...sessionMembers(pid), ...markedProcesses(SANDBOX_MARK, mark)];
      for (const target of [-pid, ...members()]) if (!signalled.has(target)) send(target);
      // A process forked while /proc was being read can be missed by that pass (a job's `sleep` just started): it
      // would outlive the kill and hold bootstrap's output open (a 30 s wait in a test). A killed process forks no
      // more, so passes until one finds nobody new end it. Only for SIGKILL: other signals may be trapped, and what a
      // trap starts afterwards is not ours to signal.
      for (let pass = 0; signal === 'SIGKILL' && pass < 20; pass++) {
        const missed = members().filter((p) => !signalled.has(p));
        if (missed.length === 0) break;
        missed.forEach(send);
      }
    },
  };
}

/**
 * The ids of the processes (Linux /proc) whose file FILE (`stat`, `environ`) `test` accepts. None where there is no
 * /proc; a process gone meanwhile, or one whose file this user may not read, is left out.
 */
function processesWhere(file: 'stat' | 'environ', test: (content: Buffer) => boolean): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let content: Buffer;
    try {
      content = readFileSync(`/proc/${entry}/${file}`);
    } catch {
      continue;
    }
    if (test(content)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * Process ids whose session id is SID (Linux /proc); the session leader started with `detached: true` has its pid as
 * session id, and every process it starts stays in that session unless it calls setsid itself.
 */
export function sessionMembers(sid: number): number[] {
  return processesWhere('stat', (content) => {
    // pid (comm) state ppid pgrp session ...: comm may hold spaces and parentheses, so split after the last ')'
    const stat = content.toString('latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]) === sid;
  });
}

/**
 * Process ids (Linux /proc) whose environment holds NAME=VALUE, as they were started: this user's processes only
 * (another user's environ cannot be read), and not this process.
 */
export function markedProcesses(name: string, value: string): number[] {
  const needle = Buffer.from(`${name}=${value}\0`);
  const inner = Buffer.concat([Buffer.from([0]), needle]);
  // the first variable has no NUL before it
  return processesWhere('environ', (environ) => environ.subarray(0, needle.length).equals(needle) || environ.includes(inner)).filter((pid) => pid !== process.pid);
}

/** Writes the zip's files under DIR with their modes (directories are created as needed). */
export async function extractZipToDir(zip: Buffer, dir: string): Promise<string[]> {
  const root = resolve(dir);
  const written: string[] = [];
  for (const entry of readZip(zip)) {
    const target = resolve(root, entry.path);
    if (target !== root && !target.startsWith(root + sep)) {
      throw new Error(`zip entry ${entry.path} would land outside ${root}`);
    }
    if (entry.isDirectory) {
      await mkdir(target, { recursive: true });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, entry.content);
    await chmod(target, entry.mode ?? 0o644);
    written.push(entry.path);
  }
  return written;
}
