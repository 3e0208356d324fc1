// The state one bundling run builds up: the trace, the findings, the edits of each text and the files, plus how a
// word and a line are read in a unit. The layers above each add one concern (files, secrets, path rewrites,
// flock, statements, commands), each in its own module, as one class chain so that the traversal reads as one.
import {
  dirPath,
  evalWord,
  evalWordLooseValue,
  isAscii,
  literalWord,
  plainWord,
  toText,
  type Edit,
  type Node,
  type Value,
  type Word,
} from '../sh/index.js';
import { posix } from 'node:path';
import { isLambdaDir } from '../al2023.js';
import type { FileReader } from '../reader.js';
import { type Finding } from '../types.js';
import { emptyTrace, type CdCopy, type Trace, type WordInfo } from './types.js';
import { type Ctx, type Registered } from './context.js';

/** Each unit's text when all its bytes are ASCII (a byte offset is then a string index), else null; see BundleState.raw. */
const asciiTexts = new WeakMap<Uint8Array, string | null>();

function asciiText(bytes: Uint8Array): string | null {
  let text = asciiTexts.get(bytes);
  if (text === undefined) {
    text = isAscii(bytes) ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1') : null;
    asciiTexts.set(bytes, text);
  }
  return text;
}

/**
 * The directories a path walks into before a `..` leaves them (`/a/b/../c` enters /a/b): the kernel resolves `..` on
 * the directory itself, so each must exist. PATH is absolute and not normalized.
 */
export function dirsLeft(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) if (parts[i] === '..') out.push(posix.normalize(`/${parts.slice(0, i).join('/')}`));
  return out;
}

export class BundleState {
  readonly trace: Trace = emptyTrace();
  readonly findings: Finding[] = [];
  readonly edits = new Map<string, Edit[]>();
  readonly files = new Map<string, Registered>();
  /**
   * Server directories the job enters or walks through in the task root (a `cd` target, `dir` in `dir/../x`): a zip
   * holds only files, so a directory with no bundled file in it would be missing on Lambda.
   */
  readonly dirs = new Set<string>();
  /** Each cd into the zip's copy of a server directory, where it is written (server-dirs.ts judges them). */
  readonly cdCopies: CdCopy[] = [];
  protected secretCounter = 0;
  protected readonly secretVars = new Map<string, string>();
  protected readonly refused = new Set<string>();
  protected totalBytes = 0;
  private jobHome: string | null | undefined;

  constructor(
    protected readonly reader: FileReader,
    protected readonly env: Map<string, Value>,
    protected readonly keepLocks: ReadonlySet<string> = new Set(),
  ) {}

  // ---- edits ----
  addEdit(key: string, start: number, end: number, text: string): void {
    const list = this.edits.get(key) ?? [];
    list.push({ start, end, text });
    this.edits.set(key, list);
  }

  /** Keep the directories among PATHS that are directories under the root (the server itself needs them so). */
  protected needDirs(paths: readonly string[]): void {
    for (const p of paths) if (!this.dirs.has(p) && this.reader.stat(p)?.kind === 'dir') this.dirs.add(p);
  }

  // ---- words ----
  word(w: Word, ctx: Ctx): WordInfo {
    const plain = plainWord(w);
    if (plain !== null) return { raw: this.raw(ctx, w.pos, w.end), value: plain, loose: plain, literal: plain, line: w.line + ctx.unit.lineBase };
    const v = evalWord(w, ctx.scope);
    const loose = v ?? evalWordLooseValue(w, ctx.scope);
    const info: WordInfo = {
      raw: this.raw(ctx, w.pos, w.end),
      value: v ? v.text : null,
      loose: loose.text,
      literal: literalWord(w),
      line: w.line + ctx.unit.lineBase,
    };
    const home = loose.relocated === 'home' || (loose.relocated === 'cwd' && this.cwdHome(ctx)) ? this.movedHome() : null;
    if (home !== null) info.home = home;
    return info;
  }

  /**
   * The job's HOME (normalized) when Lambda has it at /tmp: function.sh sets HOME, and starts the job, in /tmp when the
   * home directory is not there (a directory every Lambda has, isLambdaDir, stays as it is). Null without a HOME.
   */
  protected movedHome(): string | null {
    if (this.jobHome === undefined) {
      const text = this.env.get('HOME')?.text;
      const home = text !== undefined && text.startsWith('/') ? dirPath(text) : null;
      this.jobHome = home !== null && !isLambdaDir(home) ? home : null;
    }
    return this.jobHome;
  }

  /** Is the shell in the directory cron starts the job in (its HOME), which is /tmp on Lambda? */
  cwdHome(ctx: Ctx): boolean {
    const home = this.movedHome();
    return home !== null && ctx.anchor.kind === 'initial' && ctx.scope.cwd !== null && dirPath(ctx.scope.cwd) === home;
  }

  /**
   * The text of a unit's bytes from..to. Every word of every script is read so: an ASCII text (nearly every script) is
   * sliced from the unit's string, not decoded again piece by piece.
   */
  raw(ctx: Ctx, from: number, to: number): string {
    const text = asciiText(ctx.unit.bytes);
    return text !== null ? text.slice(from, to) : toText(ctx.unit.bytes.subarray(from, to));
  }

  line(n: Node, ctx: Ctx): number {
    return n.line + ctx.unit.lineBase;
  }
}
