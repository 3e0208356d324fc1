// Parsing shell text into the typed tree, once per distinct text per run.
//
// Offsets: the analysis rewrites bytes, so every offset in the tree is a byte offset into `bytes`, the UTF-8
// encoding of the parsed text. Input that is not valid UTF-8 is read as Latin-1 (one character per byte), and
// `toOriginal` maps an offset back to the input's bytes.
import type { File } from './ast.js';
import { Converter } from './convert.js';
import { simpleCst } from './simple.js';
import { parseCst, TooDeepError, type CstNode } from './treesitter.js';

export interface ParseError {
  message: string;
  line: number;
}

export interface ParsedShell {
  /** The tree, or null when the text is not valid bash. */
  readonly file: File | null;
  readonly error: ParseError | null;
  readonly text: string;
  readonly bytes: Uint8Array;
  /** false when the input is not valid UTF-8 (see above). */
  readonly exact: boolean;
  readonly toOriginal?: (offset: number) => number;
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

/** String index → UTF-8 byte offset; the identity for ASCII text. */
function byteIndex(text: string, bytes: Uint8Array): (index: number) => number {
  if (bytes.length === text.length) return (i) => i;
  const map = new Int32Array(text.length + 1);
  let b = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = b;
    const c = text.charCodeAt(i);
    if (c < 0x80) b += 1;
    else if (c < 0x800) b += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      map[++i] = b; // the low surrogate points at the same 4-byte character
      b += 4;
    } else b += 3;
  }
  map[text.length] = b;
  return (i) => map[i];
}

/** Byte offset → 1-based line. */
function lineIndex(bytes: Uint8Array): (byte: number) => number {
  const starts: number[] = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
  return (byte) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= byte) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/**
 * Where the text stops being bash: the first ERROR or MISSING node, depth first. tree-sitter's ERROR node often starts
 * with the complete statements before the fault; the fault is its first stray token (an `if` with no command after it).
 */
function firstError(n: CstNode): CstNode | null {
  if (n.error) {
    if (n.type !== 'ERROR') return n;
    for (const k of n.kids) {
      if (k.error) return firstError(k);
      if (!k.named) return k;
    }
    return n;
  }
  // indexed: every node of every parsed text is visited here (a for-of step allocates)
  for (let i = 0; i < n.kids.length; i++) {
    const e = firstError(n.kids[i]);
    if (e) return e;
  }
  return null;
}

/** True when every byte is ASCII: then the bytes' Latin-1 and UTF-8 readings are the same text. */
export function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] >= 0x80) return false;
  return true;
}

/** The text a parse reads from `content` (see the offsets note above), its bytes, and the map back when inexact. */
interface Decoded {
  text: string;
  bytes: Uint8Array;
  exact: boolean;
  toOriginal?: (offset: number) => number;
}

/** `key`: the cache key of `content` (`b` and the bytes' Latin-1 text), whose tail is the text itself when ASCII. */
function decode(content: Uint8Array | string, key: string): Decoded {
  const bytes = typeof content === 'string' ? toBytes(content) : content;
  // ASCII bytes (most scripts): the text is the key's tail, not decoded again, encoded again to be compared and held
  // twice (the parse cache holds every script's text for the run)
  const ascii = typeof content !== 'string' && isAscii(content);
  const text = typeof content === 'string' ? content : ascii ? key.slice(1) : toText(content);
  const exact = typeof content === 'string' || ascii || sameBytes(toBytes(text), bytes);
  return exact ? { text, bytes, exact } : { ...latin1View(bytes), exact };
}

/**
 * The text tree-sitter would be given for `content` (a file's bytes), or null when it would not be (a NUL byte, or
 * a line the parser is not needed for): what a plan can have parsed elsewhere, ahead of the analysis (see TreeSource).
 */
export function parserText(content: Uint8Array): string | null {
  const { text } = decode(content, keyOf(content));
  return text.includes('\u0000') || simpleCst(text) !== null ? null : text;
}

/**
 * Trees made elsewhere (another thread, cli/parallel-proofs.ts), asked for by text before the parser is: undefined
 * when there is none for that text, and the caller parses. A tree made elsewhere is the one parseCst makes.
 */
export interface TreeSource {
  take(text: string): CstNode | undefined;
}

let source: TreeSource | null = null;

/** Runs `fn` with `trees` asked first for every text parsed (a plan's run; parsing is synchronous, so one at a time). */
export function withTreeSource<T>(trees: TreeSource | undefined, fn: () => T): T {
  if (!trees) return fn();
  const before = source;
  source = trees;
  try {
    return fn();
  } finally {
    source = before;
  }
}

function parseUncached(content: Uint8Array | string, key: string): ParsedShell {
  const { text, bytes, exact, toOriginal } = decode(content, key);
  const extra = toOriginal ? { toOriginal } : {};
  stats.parses++;
  // NUL ends a C string: bash itself would not read past it, and neither can the parser
  const nul = text.indexOf('\u0000');
  const lineAt = lineIndex(bytes);
  const byteAt = byteIndex(text, bytes);
  if (nul !== -1) return { file: null, error: { message: 'NUL byte in shell text', line: lineAt(byteAt(nul)) }, text, bytes, exact, ...extra };
  try {
    const cst = simpleCst(text) ?? source?.take(text) ?? parseCst(text);
    const bad = firstError(cst);
    if (bad) {
      const near = text.slice(bad.start, Math.min(bad.end, bad.start + 20)).split('\n')[0];
      const message = bad.error && bad.type !== 'ERROR' ? `missing ${JSON.stringify(bad.type)}` : near ? `syntax error near ${JSON.stringify(near)}` : 'syntax error';
      return { file: null, error: { message, line: lineAt(byteAt(bad.start)) }, text, bytes, exact, ...extra };
    }
    const file = new Converter({ text, byteAt, lineAt }).file(cst);
    return { file, error: null, text, bytes, exact, ...extra };
  } catch (e) {
    // A text nested too deeply to be read and walked (see MAX_CST_DEPTH) is that file's parse error, not the end of
    // the run.
    if (!(e instanceof TooDeepError)) throw e;
    return { file: null, error: { message: e.message, line: 1 }, text, bytes, exact, ...extra };
  }
}

// ---- once per distinct text ----
// Parsing is a pure function of the text, so remembering results changes nothing but time: a library sourced by 200
// jobs, or a command parsed by several passes, is parsed once. Bounded so a fleet-sized run cannot grow without end.
const CACHE_BYTES = 64 * 1024 * 1024;
const cache = new Map<string, ParsedShell>();
let cachedBytes = 0;
const stats = { parses: 0, requests: 0 };

function keyOf(content: Uint8Array | string): string {
  return typeof content === 'string' ? `s${content}` : `b${Buffer.from(content.buffer, content.byteOffset, content.length).toString('latin1')}`;
}

/** Parse shell text (bash dialect). A parse is a function of the text alone: errors carry a line, the caller the file. */
export function parseShell(content: Uint8Array | string): ParsedShell {
  stats.requests++;
  const key = keyOf(content);
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = parseUncached(content, key);
  if (key.length <= CACHE_BYTES / 4) {
    cache.set(key, parsed);
    cachedBytes += key.length * 3; // the key, the text and the tree, roughly
    for (const [k] of cache) {
      if (cachedBytes <= CACHE_BYTES) break;
      cache.delete(k);
      cachedBytes -= k.length * 3;
    }
  }
  return parsed;
}

/** How many texts were really parsed, and how many parses were asked for (for bench/plan and tests). */
export function parseStats(): { parses: number; requests: number } {
  return { ...stats };
}

export function resetParseStats(): void {
  stats.parses = 0;
  stats.requests = 0;
  cache.clear();
  cachedBytes = 0;
}
