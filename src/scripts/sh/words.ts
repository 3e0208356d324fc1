// Static evaluation of words (`$(dirname "$0")/lib.sh`, `${BASH_SOURCE%/*}`, `$DIR/x.sh` with DIR assigned a
// literal earlier, ...) and byte splicing. No regular expression ever looks at shell syntax; the ones elsewhere only
// look at the *values* of words.
import { posix } from 'node:path';
import type { CmdSubst, ParamExp, ParamOp, Stmt, Word, WordPart } from './ast.js';
import { toBytes } from './parse.js';

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

/**
 * A statically known value; `scriptRelative` when it derives from $0 / BASH_SOURCE (already right on Lambda);
 * `relocated` when it starts from a directory that is another one on Lambda: the job's HOME as cron set it (~, $HOME,
 * a variable made from them; function.sh makes it /tmp) or the working directory ($PWD, $(pwd): /tmp where the job
 * starts, the zip's copy after a rewritten cd). A bundled path made from it must name the copy by its server path.
 * Which of the two it starts from matters to a write: under HOME it lands in /tmp and works, after a cd into the
 * zip's copy it fails.
 */
export interface Value {
  text: string;
  scriptRelative: boolean;
  relocated?: 'home' | 'cwd';
}

/** `v`'s text replaced, its origin kept (the directory or a trimmed form of a relocated path is relocated too). */
const derived = (v: Value, text: string): Value => (v.relocated ? { text, scriptRelative: v.scriptRelative, relocated: v.relocated } : { text, scriptRelative: v.scriptRelative });

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
/** A directory's path as one string for it: normalized, no trailing slash (`/a/b/` and `/a//b` are `/a/b`). */
export function dirPath(p: string): string {
  return posix.normalize(p).replace(/(.)\/+$/, '$1');
}

export function resolvePath(p: string, cwd: string | null): string | null {
  if (p.startsWith('/')) return posix.normalize(p);
  if (cwd === null) return null;
  return posix.normalize(posix.join(cwd, p));
}

/**
 * Glob pattern to a RegExp source: *, ? and literals, and with `brackets` bracket expressions (`[a-z]`, `[!.]`) as a
 * file name glob has them; null for what it cannot read (any bracket without `brackets`, as in ${x%pat}).
 */
export function globSource(pat: string, brackets = false): string | null {
  let s = '';
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i];
    if (c === '*') s += '[\\s\\S]*';
    else if (c === '?') s += '[\\s\\S]';
    else if (c === '[' && brackets) {
      // a `]` right after `[` is a member, not the end
      const close = pat.indexOf(']', i + 2);
      if (close < 0) return null;
      let set = pat.slice(i + 1, close);
      if (set.startsWith('!') || set.startsWith('^')) set = `^${set.slice(1)}`;
      s += `[${set.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else if ((c === '[' || c === ']') && !brackets) return null;
    else s += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return s;
}

function trimPattern(value: string, pat: string, op: ParamOp): string | null {
  const src = globSource(pat);
  if (src === null) return null;
  const re = new RegExp(`^${src}$`);
  if (op === '%' || op === '%%') {
    const idx: number[] = [];
    for (let i = value.length; i >= 0; i--) idx.push(i);
    const order = op === '%' ? idx : idx.reverse();
    for (const i of order) if (re.test(value.slice(i))) return value.slice(0, i);
    return value;
  }
  const idx: number[] = [];
  for (let i = 0; i <= value.length; i++) idx.push(i);
  const order = op === '#' ? idx : idx.reverse();
  for (const i of order) if (re.test(value.slice(0, i))) return value.slice(i);
  return value;
}

interface EvalOpts {
  /** Loose: unknown parts become UNKNOWN instead of failing the whole word. */
  loose: boolean;
}

function lookupParam(pe: ParamExp, scope: EvalScope): Value | null {
  const name = pe.param;
  if (pe.excl || pe.length || pe.other) return null;
  if (name === '0') return scope.dollar0 === null ? null : { text: scope.dollar0, scriptRelative: true };
  if (name === 'BASH_SOURCE') {
    if (pe.index && literalWord(pe.index) !== '0') return null;
    return scope.bashSource === null ? null : { text: scope.bashSource, scriptRelative: true };
  }
  if (pe.index) return null;
  if (name === 'PWD' && scope.cwd !== null) return { text: scope.cwd, scriptRelative: false, relocated: 'cwd' };
  return scope.vars.get(name) ?? null;
}

function evalParamExp(pe: ParamExp, scope: EvalScope): Value | null {
  const base = lookupParam(pe, scope);
  const exp = pe.exp;
  if (!exp) return base;
  const op = exp.op;
  if (op === '-' || op === ':-' || op === '=' || op === ':=') {
    if (base === null || (base.text === '' && (op === ':-' || op === ':='))) {
      return exp.word ? evalWordInner(exp.word, scope, { loose: false }) : { text: '', scriptRelative: false };
    }
    return base;
  }
  if (op === '?' || op === ':?') return base;
  if (op === '#' || op === '##' || op === '%' || op === '%%') {
    if (base === null) return null;
    const pat = exp.word ? evalWordInner(exp.word, scope, { loose: false }) : { text: '', scriptRelative: false };
    if (pat === null) return null;
    const t = trimPattern(base.text, pat.text, op);
    // ${0%/*} on a bare name gives the name itself: bash then runs relative to cwd; keep it simple.
    return t === null ? null : derived(base, t);
  }
  return null; // ${x:+...}, ${x+...}: the value depends on whether x is set
}

/** The argument words of a statement that is a plain simple command (no redirections, assignments, `!` or `&`). */
function callArgs(stmt: Stmt): readonly Word[] | null {
  if (stmt.redirs.length > 0 || stmt.negated || stmt.background) return null;
  const c = stmt.cmd;
  if (!c || c.type !== 'CallExpr' || c.assigns.length > 0) return null;
  return c.args;
}

/** The word as plain literal text (a single unquoted literal), or null. */
function litOf(w: Word | undefined): string | null {
  if (!w || w.parts.length !== 1) return null;
  const p = w.parts[0];
  return p.type === 'Lit' ? p.value : null;
}

/** `$(dirname X)`, `$(cd X && pwd)`, `$(cd X; pwd)`, `$(realpath X)`, `$(readlink -f X)`, `$(pwd)`. */
function evalCmdSubst(cs: CmdSubst, scope: EvalScope): Value | null {
  const stmts = cs.stmts;
  const evalArg = (w: Word): Value | null => evalWordInner(w, scope, { loose: false });
  if (stmts.length === 1) {
    const st = stmts[0];
    const args = callArgs(st);
    if (args && args.length > 0) {
      const prog = litOf(args[0]);
      if (prog === 'dirname' && args.length === 2) {
        const v = evalArg(args[1]);
        return v ? derived(v, dirname(v.text)) : null;
      }
      if (prog === 'pwd' && scope.cwd !== null) return { text: scope.cwd, scriptRelative: false, relocated: 'cwd' };
      if ((prog === 'realpath' && args.length === 2) || (prog === 'readlink' && args.length === 3 && ['-f', '-e', '-m'].includes(litOf(args[1]) ?? ''))) {
        const v = evalArg(args[args.length - 1]);
        if (!v) return null;
        const abs = resolvePath(v.text, scope.cwd);
        return abs === null ? null : derived(v, abs);
      }
      if (prog === 'basename' && args.length === 2) {
        const v = evalArg(args[1]);
        return v ? { text: posix.basename(v.text), scriptRelative: false } : null;
      }
    }
    // cd X && pwd
    if (st.cmd?.type === 'BinaryCmd' && st.cmd.op === '&&') return evalCdPwd([st.cmd.x, st.cmd.y], scope);
    return null;
  }
  if (stmts.length === 2) return evalCdPwd(stmts, scope);
  return null;
}

function evalCdPwd(pair: readonly Stmt[], scope: EvalScope): Value | null {
  const a = callArgs(pair[0]);
  const b = callArgs(pair[1]);
  if (!a || !b) return null;
  if (litOf(a[0]) !== 'cd' || litOf(b[0]) !== 'pwd') return null;
  const dirArgs = a.slice(1).filter((w) => !['-P', '-L', '--'].includes(litOf(w) ?? ''));
  if (dirArgs.length !== 1) return null;
  const v = evalWordInner(dirArgs[0], scope, { loose: false });
  if (!v) return null;
  const abs = resolvePath(v.text, scope.cwd);
  return abs === null ? null : derived(v, abs);
}

function evalParts(parts: readonly WordPart[], scope: EvalScope, opts: EvalOpts, quoted: boolean): Value | null {
  let text = '';
  let rel = false;
  let relocated: Value['relocated'];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    let v: Value | null = null;
    if (p.type === 'Lit') {
      let raw: string = p.value;
      if (!quoted && i === 0 && raw.startsWith('~')) {
        // tilde expansion of ~ and ~/...
        const slash = raw.indexOf('/');
        const user = slash === -1 ? raw.slice(1) : raw.slice(1, slash);
        const home = scope.vars.get('HOME');
        raw = raw.slice(slash === -1 ? raw.length : slash);
        if (user === '' && home) {
          text += home.text;
          relocated = home.relocated;
        } else {
          if (!opts.loose) return null;
          text += UNKNOWN;
        }
      }
      v = { text: quoted ? unescapeDouble(raw) : unescapeUnquoted(raw), scriptRelative: false };
    } else if (p.type === 'SglQuoted') {
      v = { text: p.dollar ? unescapeAnsiC(p.value) : p.value, scriptRelative: false };
    } else if (p.type === 'DblQuoted') {
      v = evalParts(p.parts, scope, opts, true);
    } else if (p.type === 'ParamExp') {
      v = evalParamExp(p, scope);
    } else if (p.type === 'CmdSubst') {
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
    if (i === 0 && v.relocated) relocated = v.relocated;
  }
  return relocated ? { text, scriptRelative: rel, relocated } : { text, scriptRelative: rel };
}

function evalWordInner(word: Word | null, scope: EvalScope, opts: EvalOpts): Value | null {
  if (!word) return null;
  return evalParts(word.parts, scope, opts, false);
}

/** Static value of a word, or null when any part is unknown. */
export function evalWord(word: Word | null, scope: EvalScope): Value | null {
  return evalWordInner(word, scope, { loose: false });
}

/**
 * The text of a word that is one unquoted literal not starting with `~` (most words of most scripts), else null: then
 * evalWord, evalWordLoose and literalWord all give this text, and it is made once instead of three times.
 */
export function plainWord(word: Word): string | null {
  if (word.parts.length !== 1) return null;
  const p = word.parts[0];
  return p.type === 'Lit' && !p.value.startsWith('~') ? unescapeUnquoted(p.value) : null;
}

/** Value of a word with unknown parts replaced by UNKNOWN (never null), with where it starts from (~/.cache/$NAME). */
export function evalWordLooseValue(word: Word | null, scope: EvalScope): Value {
  return evalWordInner(word, scope, { loose: true }) ?? { text: UNKNOWN, scriptRelative: false };
}

/** The text a word passes on, quotes removed, each expansion given by `expansion` (null: the word has no such text). */
function wordText(word: Word, expansion: () => string | null): string | null {
  let whole = true;
  const visit = (parts: readonly WordPart[], quoted: boolean): string => {
    let s = '';
    for (const p of parts) {
      if (p.type === 'Lit') s += quoted ? unescapeDouble(p.value) : unescapeUnquoted(p.value);
      else if (p.type === 'SglQuoted') s += p.dollar ? unescapeAnsiC(p.value) : p.value;
      else if (p.type === 'DblQuoted') s += visit(p.parts, true);
      else {
        const h = expansion();
        if (h === null) whole = false;
        else s += h;
      }
    }
    return s;
  };
  const s = visit(word.parts, false);
  return whole ? s : null;
}

/** The value of a word made only of literal text and quotes (no expansions at all), else null. */
export function literalWord(word: Word | null | undefined): string | null {
  if (!word) return null;
  // an unquoted leading ~ is an expansion, not a literal
  const first = word.parts[0];
  if (first && first.type === 'Lit' && first.value.startsWith('~')) return null;
  return wordText(word, () => null);
}

/**
 * The text a word passes on with every expansion ($x, $(...), `...`, $((...))) replaced by `hole` and quotes removed:
 * what a shell reading a `-c` string, or a program reading an argument, sees of the word's literal parts.
 */
export function templateWord(word: Word, hole: string): string {
  return wordText(word, () => hole) ?? '';
}

/**
 * The rest of a word after its first `from` characters, where those are plain text in its first part (the option of
 * `--command='...'`): the value as a word of its own, or null when the option is not written plainly.
 */
export function wordAfter(w: Word, from: number): Word | null {
  const first = w.parts[0];
  if (first?.type !== 'Lit' || first.value.length < from || /[\\'"]/.test(first.value.slice(0, from))) return null;
  const rest = first.value.length === from ? w.parts.slice(1) : [{ ...first, value: first.value.slice(from), pos: first.pos + from }, ...w.parts.slice(1)];
  return rest.length === 0 ? null : { ...w, pos: rest[0].pos, parts: rest };
}
