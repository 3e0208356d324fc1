// What a traversal carries: the text unit being read (where its edits go, how inserted text is quoted), the shell
// state (variables, directory, exported names) and where relative paths are anchored.
import {
  type EvalScope,
  type Stmt,
} from '../sh/index.js';
import type { BundleReason } from './types.js';
import type { CdGuard } from './guards.js';

export const COMMAND_KEY = '\u0000command';

export interface Unit {
  /** Where findings point. */
  file: string;
  /** Edit bucket: a server path, or COMMAND_KEY. */
  key: string;
  crontab: boolean;
  bytes: Uint8Array;
  base: number;
  lineBase: number;
  /** Escapes inserted text for the quoting context the unit's text lives in. */
  escape: (s: string) => string;
}

export type Anchor =
  | { kind: 'initial' }
  | { kind: 'script' }
  | { kind: 'unknown' }
  /**
   * `dirs`: the directories the shell entered since that `cd` (its target, later relative `cd`s, each directory a `..`
   * leaves); once a relative path is rewritten to the task root through this `cd`, the zip must hold them.
   */
  | { kind: 'cd'; key: string; offset: number; escape: (s: string) => string; dirs: readonly string[] };

export interface Ctx {
  unit: Unit;
  scope: EvalScope;
  exported: Set<string>;
  anchor: Anchor;
  inLoop: boolean;
  topLevel: boolean;
  /** Depth of nested script executions, a guard against pathological trees. */
  depth: number;
  /** What makes a failing cd here something the script expects (guards.ts); none when absent. */
  guard?: CdGuard;
}

export interface Registered {
  path: string;
  original: Uint8Array;
  reason: BundleReason;
  shell: boolean;
}

export interface PendingFunc {
  name: string;
  body: Stmt;
  unit: Unit;
  bashSource: string | null;
  visited: boolean;
}

export const REASON_RANK: Record<BundleReason, number> = { command: 3, exec: 2, source: 1, input: 0 };

export const identity = (s: string): string => s;
export const inDoubleQuotes = (s: string): string => s.replace(/[\\"$`]/g, '\\$&');

export function cloneScope(s: EvalScope): EvalScope {
  return { vars: new Map(s.vars), dollar0: s.dollar0, bashSource: s.bashSource, cwd: s.cwd };
}
