// The data bundling produces: the bundled files, the rewritten command and the trace (every command, redirection,
// assignment, loop and credential met on the way) that findings are made from.
import { type SecretMatch } from '../secrets.js';
import {
  type Edit,
} from '../sh/index.js';
import { type FlockUse } from '../flock.js';
import { type Finding } from '../types.js';
export const TASK_ROOT = '"$LAMBDA_TASK_ROOT"';

export interface JobInput {
  /** The crontab command (after the five schedule fields, `%` already handled). */
  command: string;
  /** cron's SHELL for the job (default /bin/sh). */
  shell: string;
  /** The crontab variables in force for the job (PATH, HOME, MAILTO, ...). */
  environment: Record<string, string>;
  /** The user's home directory on the server (cron starts the job there), null when unknown. */
  home: string | null;
  /** Where the command comes from, for findings: the crontab file and line. Default 'crontab', 1. */
  file?: string;
  line?: number;
  /** cron's `%` text (the job's stdin), when the line has one. */
  stdin?: string | null;
  /** Lock files other jobs lock too: their flock calls are kept (see flock.ts). */
  keepFlockLocks?: readonly string[];
}

/** Why a file is in the zip: run as the command, run by it (exec), sourced, or read through `< FILE` (input: data). */
export type BundleReason = 'command' | 'source' | 'exec' | 'input';

export interface BundledFile {
  /** Absolute server path. */
  path: string;
  /** Path inside the zip: the server path without its leading slash. */
  zipPath: string;
  /** Content to write (rewritten for shell scripts). */
  content: Uint8Array;
  /** 0o755 for executed files, 0o644 for sourced and input files. */
  mode: number;
  reason: BundleReason;
}

/** A word as met in the trace. */
export interface WordInfo {
  /** Source text as written. */
  raw: string;
  /** Static value, or null when it depends on the runtime. */
  value: string | null;
  /** Value with unknown parts replaced by U+0000. */
  loose: string;
  /** Value when the word has no expansion at all (a literal), else null. */
  literal: string | null;
  line: number;
  /**
   * The job's HOME (its server path) when the value starts from it (~, $HOME, $PWD where the job starts) and Lambda
   * has it at /tmp instead: function.sh makes HOME, and the directory the job starts in, /tmp when it is not there.
   */
  home?: string;
}

export type Resolution = 'builtin' | 'function' | 'bundled' | 'system' | 'not-found' | 'missing-file' | 'dynamic';

export interface CommandUse {
  file: string;
  line: number;
  /** True for the crontab command itself (not a script). */
  crontab: boolean;
  /** True for a command at the top level of the crontab line (not in a subshell, loop, ...). */
  topLevel: boolean;
  inLoop: boolean;
  /** Program name (basename of the program word's value; the loose value when dynamic). */
  name: string;
  argv: WordInfo[];
  resolution: Resolution;
  /** Server path when the program is a path or was found in PATH. */
  path?: string;
  /** The wrapper this command runs under (sudo, timeout, flock, ...), if any. */
  via?: string;
  /** The crontab's flock wrapper that cron2lambda removed from the command. */
  stripped?: boolean;
  /** Current directory when the command runs, when known. */
  cwd?: string | null;
  /** cwd is the job's HOME where cron starts the job, and /tmp on Lambda (see WordInfo.home). */
  cwdHome?: boolean;
}

/** A cd into the zip's copy of a server directory (`path`), as written (`reference`). */
export interface CdCopy {
  file: string;
  line: number;
  reference: string;
  path: string;
}

export interface RedirectUse {
  file: string;
  line: number;
  crontab: boolean;
  topLevel: boolean;
  op: string;
  fd: string | null;
  target: WordInfo;
  /** Absolute target path when known. */
  path: string | null;
  cwd?: string | null;
  /** cwd is the job's HOME where cron starts the job, and /tmp on Lambda (see WordInfo.home). */
  cwdHome?: boolean;
  /** The file opened only for a flock the job-level lock replaced: the bundled copy opens /dev/null instead. */
  lockFile?: boolean;
}

export interface AssignUse {
  file: string;
  line: number;
  crontab: boolean;
  name: string;
  value: WordInfo | null;
}

/** A `[[ ]]` test or a `case` subject: words the job tests, not arguments of a command. */
export interface TestUse {
  file: string;
  line: number;
  kind: '[[' | 'case';
  words: WordInfo[];
}

export interface LoopUse {
  file: string;
  line: number;
  unbounded: boolean;
}

export interface SecretUse {
  file: string;
  line: number;
  kind: SecretMatch['kind'];
  label: string;
  value: string;
  /** Environment variable the rewritten text reads the secret from, when it was rewritten. */
  envVar?: string;
  /** True when met in the crontab command itself (not in a bundled file). */
  crontab?: boolean;
}

export interface Trace {
  commands: CommandUse[];
  redirects: RedirectUse[];
  assigns: AssignUse[];
  loops: LoopUse[];
  /** `[[ ]]` tests and `case` subjects, whose words the job tests. */
  tests: TestUse[];
  secrets: SecretUse[];
  /** Every function name defined in the command or a bundled script. */
  functions: string[];
  /** Pieces of secrets (a PEM key's lines) that are redacted with them but are no finding of their own. */
  secretParts: string[];
  /** Every flock call, and whether the job-level lock replaced it. */
  flocks: FlockUse[];
}

/** A trace with no records: what a walk starts from, or, given flocks, all the plan keeps of a finished job's. */
export function emptyTrace(flocks: FlockUse[] = []): Trace {
  return { commands: [], redirects: [], assigns: [], loops: [], tests: [], secrets: [], functions: [], secretParts: [], flocks };
}

export interface BundleResult {
  /** The crontab command, rewritten to run from "$LAMBDA_TASK_ROOT" (output redirections kept). */
  command: string;
  /** The rewrites of `command` as edits of the original command's bytes (none when it does not parse). */
  commandEdits: Edit[];
  files: BundledFile[];
  /** Server directories the job enters or walks through from the task root (see BundleState.dirs), sorted. */
  dirs: string[];
  /** missing-file, unresolved and parse-error findings. */
  findings: Finding[];
  /** True when a missing-file finding makes the job an error. */
  error: boolean;
  trace: Trace;
}
