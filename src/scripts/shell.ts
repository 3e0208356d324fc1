// Thin, typed layer over mvdan-sh (a GopherJS build of mvdan.cc/sh/v3/syntax).
//
// Everything shell-syntactic in src/scripts goes through this module: parsing, node types, byte
// offsets, and the static evaluation of words (`$(dirname "$0")/lib.sh`, `${BASH_SOURCE%/*}`,
// `$DIR/x.sh` with DIR assigned a literal earlier, ...). No regular expression ever looks at
// shell syntax; the regular expressions elsewhere only look at the *values* of words.
//
// Offsets: the Go parser works on UTF-8 bytes, so every offset here is a byte offset into the
// UTF-8 encoding of the parsed text. Splicing is done on bytes (see `applyEdits`).
import { posix } from 'node:path';
import sh from 'mvdan-sh';

// The GopherJS objects have no TypeScript types; keep `any` confined to this alias.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ShNode = any;

const syntax = (sh as ShNode).syntax;

export function nodeType(n: ShNode): string | null {
  if (n === null || n === undefined) return null;
  try {
    return syntax.NodeType(n) as string;
  } catch {
    return null;
  }
}

export function startOf(n: ShNode): number {
  return n.Pos().Offset() as number;
}
export function endOf(n: ShNode): number {
  return n.End().Offset() as number;
}
export function lineOf(n: ShNode): number {
  return n.Pos().Line() as number;
}

/** Walk every node below `n` (pre-order); return false from `visit` to skip a subtree. */
export function walk(n: ShNode, visit: (node: ShNode, type: string) => boolean): void {
  syntax.Walk(n, (node: ShNode) => {
    if (node === null || node === undefined) return true;
    const t = nodeType(node);
    if (t === null) return true;
    return visit(node, t);
  });
}

// ---- operators (token values of mvdan.cc/sh/v3/syntax as compiled into mvdan-sh 0.10.1) ----
export const BinOp = { And: 10, Or: 11, Pipe: 12, PipeAll: 13 } as const;
export const RedirOp = {
  RdrOut: 54, // >
  AppOut: 55, // >>
  RdrIn: 56, // <
  RdrInOut: 57, // <>
  DplIn: 58, // <&
  DplOut: 59, // >&
  ClbOut: 60, // >|
  Hdoc: 61, // <<
  DashHdoc: 62, // <<-
  WordHdoc: 63, // <<<
  RdrAll: 64, // &>
  AppAll: 65, // &>>
} as const;
export const REDIR_TEXT: Record<number, string> = {
  54: '>', 55: '>>', 56: '<', 57: '<>', 58: '<&', 59: '>&', 60: '>|', 61: '<<', 62: '<<-', 63: '<<<', 64: '&>', 65: '&>>',
};
export const ParExpOp = {
  AlternateUnset: 68, AlternateUnsetOrNull: 69, DefaultUnset: 70, DefaultUnsetOrNull: 71,
  ErrorUnset: 72, ErrorUnsetOrNull: 73, AssignUnset: 74, AssignUnsetOrNull: 75,
  RemSmallSuffix: 76, RemLargeSuffix: 77, RemSmallPrefix: 78, RemLargePrefix: 79,
} as const;

// ---- source units ----
export interface ParseError {
  message: string;
  line: number;
}

export interface ParsedShell {
  /** The syntax.File, or null when the text does not parse. */
  file: ShNode | null;
  error: ParseError | null;
  text: string;
  bytes: Uint8Array;
  /**
   * false when the input is not valid UTF-8: it is then read as Latin-1 (one character per byte), `bytes` is that
   * text's UTF-8 encoding (what offsets index), and `toOriginal` maps an offset back to the input's bytes.
   */
  exact: boolean;
  toOriginal?: (offset: number) => number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export function toBytes(s: string): Uint8Array {
  return encoder.encode(s);
}
export function toText(b: Uint8Array): string {
  return decoder.decode(b);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Latin-1 text of bytes that are not UTF-8, its UTF-8 encoding, and the offset map back to the bytes. */
function latin1View(input: Uint8Array): { text: string; bytes: Uint8Array; toOriginal: (offset: number) => number } {
  const text = Buffer.from(input.buffer, input.byteOffset, input.length).toString('latin1');
  const bytes = toBytes(text);
  const map = new Int32Array(bytes.length + 1);
  let j = 0;
  for (let i = 0; i < input.length; i++) {
    map[j++] = i;
    if (input[i] >= 0x80) map[j++] = i; // a byte >= 0x80 is two bytes in UTF-8
  }
  map[j] = input.length;
  return { text, bytes, toOriginal: (offset) => map[offset] };
}

export function parseShell(content: Uint8Array | string, name: string): ParsedShell {
  let bytes = typeof content === 'string' ? toBytes(content) : content;
  let text = typeof content === 'string' ? content : toText(content);
  const exact = typeof content === 'string' || sameBytes(toBytes(text), bytes);
  let toOriginal: ((offset: number) => number) | undefined;
  if (!exact) ({ text, bytes, toOriginal } = latin1View(bytes));
  const parser = syntax.NewParser(syntax.KeepComments(false), syntax.Variant(syntax.LangBash));
  try {
    const file = parser.Parse(text, name);
    return { file, error: null, text, bytes, exact, ...(toOriginal ? { toOriginal } : {}) };
  } catch (e) {
    const err = e as ShNode;
    let line = 1;
    let message = 'parse error';
    try {
      line = Number(err.Pos.Line()) || 1;
      message = String(err.Text ?? err.Error?.() ?? 'parse error');
    } catch {
      message = String((err && err.message) || err);
    }
    return { file: null, error: { message, line }, text, bytes, exact, ...(toOriginal ? { toOriginal } : {}) };
  }
}

/** Source text of a node (bytes sliced by offsets, decoded). */
export function sourceOf(bytes: Uint8Array, n: ShNode): string {
  return toText(bytes.subarray(startOf(n), endOf(n)));
}

// ---- byte splicing ----
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * Apply non-overlapping edits (duplicates collapse) to bytes; everything else stays byte-identical. `encode` turns
 * inserted text into bytes (UTF-8 unless the file is Latin-1).
 */
export function applyEdits(bytes: Uint8Array, edits: Edit[], encode: (s: string) => Uint8Array = toBytes): Uint8Array {
  const uniq = new Map<string, Edit>();
  for (const e of edits) uniq.set(`${e.start}:${e.end}:${e.text}`, e);
  const sorted = [...uniq.values()].sort((a, b) => a.start - b.start || a.end - b.end || (a.text < b.text ? -1 : 1));
  const out: Uint8Array[] = [];
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) continue; // overlapping edit: first one wins (deterministic by sort order)
    out.push(bytes.subarray(pos, e.start));
    out.push(encode(e.text));
    pos = e.end;
  }
  out.push(bytes.subarray(pos));
  const total = out.reduce((n, b) => n + b.length, 0);
  const res = new Uint8Array(total);
  let off = 0;
  for (const b of out) {
    res.set(b, off);
    off += b.length;
  }
  return res;
}

// ---- static evaluation of words ----

/** A statically known value; `scriptRelative` when it derives from $0 / BASH_SOURCE (already right on Lambda). */
export interface Value {
  text: string;
  scriptRelative: boolean;
}

export interface EvalScope {
  vars: Map<string, Value>;
  /** Server path of $0 (the executed script), null when unknown. */
  dollar0: string | null;
  /** Server path of the file being read (BASH_SOURCE[0]). */
  bashSource: string | null;
  /** Current directory, when known. */
  cwd: string | null;
}

/** Marker for the parts of a word whose value is not known statically (used by loose evaluation). */
export const UNKNOWN = '\u0000';

/** Unescape the raw text of an unquoted literal: backslash quotes the next character, `\<newline>` vanishes. */
function unescapeUnquoted(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const n = raw[++i];
      if (n !== '\n') out += n;
    } else out += c;
  }
  return out;
}

/** Unescape a literal inside double quotes: only \$ \` \" \\ and \<newline> are special. */
function unescapeDouble(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length && '$`"\\\n'.includes(raw[i + 1])) {
      const n = raw[++i];
      if (n !== '\n') out += n;
    } else out += c;
  }
  return out;
}

/** $'...' escapes (the common ones). */
function unescapeAnsiC(raw: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v' };
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length && map[raw[i + 1]] !== undefined) out += map[raw[++i]];
    else out += c;
  }
  return out;
}

export function dirname(p: string): string {
  return posix.dirname(p);
}

/** Resolve `p` against `cwd` (when relative) and normalize; null when relative and cwd unknown. */
export function resolvePath(p: string, cwd: string | null): string | null {
  if (p.startsWith('/')) return posix.normalize(p);
  if (cwd === null) return null;
  return posix.normalize(posix.join(cwd, p));
}

/** Glob pattern (as used in ${x%pat}) to a RegExp source; only *, ? and literals are supported. */
function globSource(pat: string): string | null {
  let s = '';
  for (const c of pat) {
    if (c === '*') s += '[\\s\\S]*';
    else if (c === '?') s += '[\\s\\S]';
    else if (c === '[' || c === ']') return null;
    else s += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return s;
}

function trimPattern(value: string, pat: string, op: number): string | null {
  const src = globSource(pat);
  if (src === null) return null;
  const re = new RegExp(`^${src}$`);
  if (op === ParExpOp.RemSmallSuffix || op === ParExpOp.RemLargeSuffix) {
    const idx: number[] = [];
    for (let i = value.length; i >= 0; i--) idx.push(i);
    const order = op === ParExpOp.RemSmallSuffix ? idx : idx.reverse();
    for (const i of order) if (re.test(value.slice(i))) return value.slice(0, i);
    return value;
  }
  const idx: number[] = [];
  for (let i = 0; i <= value.length; i++) idx.push(i);
  const order = op === ParExpOp.RemSmallPrefix ? idx : idx.reverse();
  for (const i of order) if (re.test(value.slice(0, i))) return value.slice(i);
  return value;
}

interface EvalOpts {
  /** Loose: unknown parts become UNKNOWN instead of failing the whole word. */
  loose: boolean;
}

function lookupParam(pe: ShNode, scope: EvalScope): Value | null {
  const name: string = pe.Param?.Value ?? '';
  if (pe.Excl || pe.Length || pe.Slice || pe.Repl) return null;
  if (name === '0') return scope.dollar0 === null ? null : { text: scope.dollar0, scriptRelative: true };
  if (name === 'BASH_SOURCE') {
    if (pe.Index) {
      const idx = pe.Index;
      const lit = nodeType(idx) === 'Word' ? idx.Lit() : null;
      if (lit !== '0') return null;
    }
    return scope.bashSource === null ? null : { text: scope.bashSource, scriptRelative: true };
  }
  if (pe.Index) return null;
  if (name === 'PWD' && scope.cwd !== null) return { text: scope.cwd, scriptRelative: false };
  return scope.vars.get(name) ?? null;
}

function evalParamExp(pe: ShNode, scope: EvalScope, opts: EvalOpts): Value | null {
  let base = lookupParam(pe, scope);
  const exp = pe.Exp;
  if (exp) {
    const op: number = exp.Op;
    if (op === ParExpOp.DefaultUnset || op === ParExpOp.DefaultUnsetOrNull || op === ParExpOp.AssignUnset || op === ParExpOp.AssignUnsetOrNull) {
      if (base === null || (base.text === '' && (op === ParExpOp.DefaultUnsetOrNull || op === ParExpOp.AssignUnsetOrNull))) {
        return exp.Word ? evalWordInner(exp.Word, scope, { loose: false }) : { text: '', scriptRelative: false };
      }
      return base;
    }
    if (op === ParExpOp.ErrorUnset || op === ParExpOp.ErrorUnsetOrNull) return base;
    if (op >= ParExpOp.RemSmallSuffix && op <= ParExpOp.RemLargePrefix) {
      if (base === null) return null;
      const pat = exp.Word ? evalWordInner(exp.Word, scope, { loose: false }) : { text: '', scriptRelative: false };
      if (pat === null) return null;
      const t = trimPattern(base.text, pat.text, op);
      if (t === null) return null;
      // ${0%/*} on a bare name gives the name itself: bash then runs relative to cwd; keep it simple.
      base = { text: t, scriptRelative: base.scriptRelative };
      return base;
    }
    return null;
  }
  void opts;
  return base;
}

/** Argument words of a simple command inside a command substitution, or null. */
function substCall(stmts: ShNode[]): { stmts: ShNode[] } | null {
  if (!stmts || stmts.length === 0) return null;
  return { stmts };
}

function callArgs(stmt: ShNode): ShNode[] | null {
  if (!stmt || stmt.Redirs.length > 0 || stmt.Negated || stmt.Background) return null;
  const c = stmt.Cmd;
  if (nodeType(c) !== 'CallExpr' || c.Assigns.length > 0) return null;
  return c.Args as ShNode[];
}

/** `$(dirname X)`, `$(cd X && pwd)`, `$(cd X; pwd)`, `$(realpath X)`, `$(readlink -f X)`, `$(pwd)`. */
function evalCmdSubst(cs: ShNode, scope: EvalScope): Value | null {
  const s = substCall(cs.Stmts);
  if (!s) return null;
  const stmts = s.stmts;
  const litOf = (w: ShNode): string | null => (nodeType(w) === 'Word' ? (w.Lit() as string) || null : null);
  const evalArg = (w: ShNode): Value | null => evalWordInner(w, scope, { loose: false });
  if (stmts.length === 1) {
    const st = stmts[0];
    const args = callArgs(st);
    if (args) {
      const prog = litOf(args[0]);
      if (prog === 'dirname' && args.length === 2) {
        const v = evalArg(args[1]);
        return v ? { text: dirname(v.text), scriptRelative: v.scriptRelative } : null;
      }
      if (prog === 'pwd' && scope.cwd !== null) return { text: scope.cwd, scriptRelative: false };
      if ((prog === 'realpath' && args.length === 2) || (prog === 'readlink' && args.length === 3 && ['-f', '-e', '-m'].includes(litOf(args[1]) ?? ''))) {
        const v = evalArg(args[args.length - 1]);
        if (!v) return null;
        const abs = resolvePath(v.text, scope.cwd);
        return abs === null ? null : { text: abs, scriptRelative: v.scriptRelative };
      }
      if (prog === 'basename' && args.length === 2) {
        const v = evalArg(args[1]);
        return v ? { text: posix.basename(v.text), scriptRelative: false } : null;
      }
    }
    // cd X && pwd
    if (nodeType(st.Cmd) === 'BinaryCmd' && st.Cmd.Op === BinOp.And) {
      return evalCdPwd([st.Cmd.X, st.Cmd.Y], scope);
    }
    return null;
  }
  if (stmts.length === 2) return evalCdPwd(stmts, scope);
  return null;
}

function evalCdPwd(pair: ShNode[], scope: EvalScope): Value | null {
  const a = callArgs(pair[0]);
  const b = callArgs(pair[1]);
  if (!a || !b) return null;
  const lit = (w: ShNode): string => (nodeType(w) === 'Word' ? (w.Lit() as string) : '');
  if (lit(a[0]) !== 'cd' || lit(b[0]) !== 'pwd') return null;
  const dirArgs = a.slice(1).filter((w: ShNode) => !['-P', '-L', '--'].includes(lit(w)));
  if (dirArgs.length !== 1) return null;
  const v = evalWordInner(dirArgs[0], scope, { loose: false });
  if (!v) return null;
  const abs = resolvePath(v.text, scope.cwd);
  return abs === null ? null : { text: abs, scriptRelative: v.scriptRelative };
}

function evalParts(parts: ShNode[], scope: EvalScope, opts: EvalOpts, quoted: boolean): Value | null {
  let text = '';
  let rel = false;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const t = nodeType(p);
    let v: Value | null = null;
    if (t === 'Lit') {
      let raw: string = p.Value;
      if (!quoted && i === 0 && raw.startsWith('~')) {
        // tilde expansion of ~ and ~/...
        const slash = raw.indexOf('/');
        const user = slash === -1 ? raw.slice(1) : raw.slice(1, slash);
        const home = scope.vars.get('HOME');
        raw = raw.slice(slash === -1 ? raw.length : slash);
        if (user === '' && home) {
          text += home.text;
        } else {
          if (!opts.loose) return null;
          text += UNKNOWN;
        }
      }
      v = { text: quoted ? unescapeDouble(raw) : unescapeUnquoted(raw), scriptRelative: false };
    } else if (t === 'SglQuoted') {
      v = { text: p.Dollar ? unescapeAnsiC(p.Value) : p.Value, scriptRelative: false };
    } else if (t === 'DblQuoted') {
      v = evalParts(p.Parts, scope, opts, true);
    } else if (t === 'ParamExp') {
      v = evalParamExp(p, scope, opts);
    } else if (t === 'CmdSubst') {
      v = evalCmdSubst(p, scope);
    }
    if (v === null) {
      if (!opts.loose) return null;
      text += UNKNOWN;
      continue;
    }
    text += v.text;
    // A value is script-relative when it *starts* from $0/BASH_SOURCE.
    if (i === 0 && v.scriptRelative) rel = true;
  }
  return { text, scriptRelative: rel };
}

function evalWordInner(word: ShNode, scope: EvalScope, opts: EvalOpts): Value | null {
  if (!word) return null;
  return evalParts(word.Parts, scope, opts, false);
}

/** Static value of a word, or null when any part is unknown. */
export function evalWord(word: ShNode, scope: EvalScope): Value | null {
  return evalWordInner(word, scope, { loose: false });
}

/** Value of a word with unknown parts replaced by UNKNOWN (never null). */
export function evalWordLoose(word: ShNode, scope: EvalScope): string {
  return evalWordInner(word, scope, { loose: true })?.text ?? UNKNOWN;
}

/** The value of a word made only of literal text and quotes (no expansions at all), else null. */
export function literalWord(word: ShNode): string | null {
  if (!word) return null;
  let ok = true;
  const visit = (parts: ShNode[], quoted: boolean): string => {
    let s = '';
    for (const p of parts) {
      const t = nodeType(p);
      if (t === 'Lit') s += quoted ? unescapeDouble(p.Value) : unescapeUnquoted(p.Value);
      else if (t === 'SglQuoted') s += p.Dollar ? unescapeAnsiC(p.Value) : p.Value;
      else if (t === 'DblQuoted') s += visit(p.Parts, true);
      else ok = false;
    }
    return s;
  };
  const s = visit(word.Parts, false);
  // an unquoted leading ~ is an expansion, not a literal
  const first = word.Parts[0];
  if (first && nodeType(first) === 'Lit' && String(first.Value).startsWith('~')) return null;
  return ok ? s : null;
}

/** True when the word's first part is a quoted or unquoted literal (not an expansion). */
export function startsWithLiteral(word: ShNode): boolean {
  const first = word?.Parts?.[0];
  const t = nodeType(first);
  if (t === 'Lit' || t === 'SglQuoted') return true;
  if (t === 'DblQuoted') return startsWithLiteral({ Parts: first.Parts });
  return false;
}

/** Quote a string for the shell (single quotes unless it is made of safe characters). */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
