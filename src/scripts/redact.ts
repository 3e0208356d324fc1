// Redaction: a credential value is replaced where it occurs as a value, and nothing else changes.
//
// A long value (16 characters or more) is replaced wherever it occurs: such a string is not part of prose, names or
// schedules by accident, and missing it in some odd context would leak it. A short value (`DB_PASSWORD=cron`) is
// replaced only where it stands as a value: a whole word, a quoted string, after `=`, `:` or an attached short option
// (`-pcron`), before `@` (user:cron@host). `cron(0 3 * * ? *)`, `/etc/cron.d`, `crontab` and `c2l-cron-…` keep
// their text. Bytes are redacted as Latin-1 strings, so a file that is not UTF-8 keeps every byte not replaced.

export const REDACTED = '[REDACTED]';

/** Values of at least this many characters are redacted as substrings everywhere. */
export const SUBSTRING_MIN = 16;

/**
 * Before a short value: start, blank, quote, `=`, `:`, `,`, `;`, `(`, `[`, `{`, `<`, `>`, `|`, `&`, `%`, `` ` ``, or an
 * attached option `-X` (itself at the start or after a blank, quote, `=` or `%`). `%` ends a crontab line's command
 * and separates the lines of its stdin text (`cmd%pw%`), as a newline does.
 */
const BEFORE_CHARS = new Set([...`"'=:,;([{<>|&%\``]);
const BEFORE_OPTION_CHARS = new Set([...`"'=%`]);
/**
 * After a short value: end, blank, quote, `@`, `:`, `/`, `;`, `,`, `&`, `|`, `)`, `]`, `}`, `<`, `>`, `%`, `` ` `` (`:`
 * and `/`: the value as a part of a path or a list the tool prints, `x=pw:/home/u/r`, `/srv/x=pw/d`).
 */
const AFTER_CHARS = new Set([...`"'@:/;,&|)]}<>%\``]);

/** A blank as a regular expression's `\s` means one (Unicode spaces and line ends included). */
const isBlank = (c: string): boolean => /\s/.test(c);
const isLetter = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

/** Whether a value found at `at` in `text` stands where a value stands (see BEFORE_CHARS). */
function valueStarts(text: string, at: number): boolean {
  if (at === 0) return true;
  const c = text[at - 1];
  if (isBlank(c) || BEFORE_CHARS.has(c)) return true;
  // -X: the option's letter, its dash, and before the dash the start or a blank, quote, = or %
  if (at < 2 || !isLetter(c) || text[at - 2] !== '-') return false;
  return at === 2 || isBlank(text[at - 3]) || BEFORE_OPTION_CHARS.has(text[at - 3]);
}

function valueEnds(text: string, end: number): boolean {
  if (end === text.length) return true;
  const c = text[end];
  return isBlank(c) || AFTER_CHARS.has(c);
}

/**
 * `text` with each occurrence of a short value that stands as a value replaced, left to right, the boundaries read in
 * the text as given. Written out rather than as one regular expression per value: a fleet's thousands of distinct
 * credentials each compiled a pattern, which cost more than all the rest of the redaction.
 */
function replaceShortValue(text: string, value: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(value); at >= 0; ) {
    const end = at + value.length;
    if (valueStarts(text, at) && valueEnds(text, end)) {
      out += text.slice(from, at) + REDACTED;
      from = end;
      at = text.indexOf(value, end);
    } else at = text.indexOf(value, at + 1);
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * A run's secrets, made ready once for many texts. A fleet plan redacts every string of every job with every
 * credential of the run (thousands, when each script has its own): sorting the list, and asking each text for each
 * value in turn, cost O(texts x secrets). The values are therefore indexed by their first three characters, and a
 * text with many candidates is scanned once, position by position, for the values that start there.
 */
interface Prepared {
  /** Distinct, non-empty, longest first (then by code unit): the order values are replaced in. */
  readonly list: readonly string[];
  /** Position of each value in `list`. */
  readonly rank: ReadonlyMap<string, number>;
  /** Values of three characters or more by their first three (as one number: three UTF-16 code units). */
  readonly index: ReadonlyMap<number, readonly string[]>;
  /** Values shorter than three characters, asked for one by one. */
  readonly tiny: readonly string[];
  /** The same values as byte strings (redactBytes), made when first asked for. */
  bytes?: Prepared;
  /** For a byte-string list: the value each form was made from. */
  readonly from?: ReadonlyMap<string, string>;
}

/** Below this many values a text is simply asked for each one. */
const SCAN_FROM = 24;

/** Frozen secret lists, prepared (see prepare). */
const prepared = new WeakMap<readonly string[], Prepared>();

function prepare(secrets: readonly string[], from?: ReadonlyMap<string, string>): Prepared {
  const hit = prepared.get(secrets);
  if (hit) return hit;
  const list = [...new Set(secrets)].filter((s) => s !== '').sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map<number, string[]>();
  const tiny: string[] = [];
  for (const s of list) {
    if (s.length < 3) {
      tiny.push(s);
      continue;
    }
    const k = key3(s, 0);
    const bucket = index.get(k);
    if (bucket) bucket.push(s);
    else index.set(k, [s]);
  }
  const p: Prepared = { list, rank: new Map(list.map((s, i) => [s, i])), index, tiny, ...(from ? { from } : {}) };
  // Kept only for a frozen list (plan.ts freezes the run's): one that may still grow must be read again each time,
  // or a value added later would be missed, and printed.
  if (Object.isFrozen(secrets)) prepared.set(secrets, p);
  return p;
}

/** Whether `value` is one of `secrets` (constant time for a frozen list, which is prepared once). */
export function holdsSecret(secrets: readonly string[], value: string): boolean {
  return prepare(secrets).rank.has(value);
}

function key3(s: string, i: number): number {
  return s.charCodeAt(i) * 4294967296 + s.charCodeAt(i + 1) * 65536 + s.charCodeAt(i + 2);
}

/** The values that occur in `text`, in replacement order. */
function present(text: string, p: Prepared): readonly string[] {
  if (p.list.length < SCAN_FROM || text.length < 3) return p.list.filter((s) => text.includes(s));
  // most texts hold none: nothing is allocated for them
  let found: Set<string> | null = null;
  for (const s of p.tiny) if (text.includes(s)) (found ??= new Set()).add(s);
  for (let i = 0; i + 3 <= text.length; i++) {
    const bucket = p.index.get(key3(text, i));
    if (!bucket) continue;
    for (const s of bucket) if (text.startsWith(s, i)) (found ??= new Set()).add(s);
  }
  return found === null ? NONE : [...found].sort((a, b) => (p.rank.get(a) as number) - (p.rank.get(b) as number));
}

const NONE: readonly string[] = Object.freeze([]);

function redactOne(text: string, secret: string): string {
  if (!text.includes(secret)) return text;
  if (secret.length >= SUBSTRING_MIN) return text.split(secret).join(REDACTED);
  return replaceShortValue(text, secret);
}

/** Replace every secret value (longest first) where it occurs as a value. */
export function redact(text: string, secrets: readonly string[]): string {
  return redactPrepared(text, prepare(secrets));
}

function redactPrepared(text: string, p: Prepared): string {
  if (p.list.length === 0) return text;
  let out = text;
  for (const s of present(text, p)) out = redactOne(out, s);
  return out;
}

/**
 * Every string inside a JSON-like value with the secrets redacted; object keys are names and stay as they are. An
 * array or object with nothing redacted inside is returned as it is, one with something redacted as a plain copy
 * (its own enumerable keys): a fleet's plan holds few credentials, and copying all of it was most of the cost.
 */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  const p = prepare(secrets);
  if (value === undefined || p.list.length === 0) return value;
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return redactPrepared(v, p);
    if (Array.isArray(v)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < v.length; i++) {
        const x = visit(v[i]);
        if (x !== v[i]) (out ??= [...v])[i] = x;
      }
      return out ?? v;
    }
    if (v !== null && typeof v === 'object') {
      let out: Record<string, unknown> | null = null;
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) {
        const x = visit(o[k]);
        if (x !== o[k]) (out ??= { ...o })[k] = x;
      }
      return out ?? v;
    }
    return v;
  };
  return visit(value) as T;
}

/**
 * Redact bytes without decoding them: the file is read as Latin-1 (one character per byte) and each secret is
 * searched as its UTF-8 bytes (and as Latin-1 bytes when it has only such characters), so bytes that are not
 * replaced stay byte-identical whatever the file's encoding. Returns the input itself when nothing matched.
 */
export function redactBytes(content: Uint8Array, secrets: readonly string[]): Uint8Array {
  if (secrets.length === 0) return content;
  const text = latin1(content);
  const out = redactPrepared(text, bytesOf(prepare(secrets)));
  return out === text ? content : new Uint8Array(Buffer.from(out, 'latin1'));
}

/**
 * The values among `secrets` that `text` holds where redact would replace them (as a value; a long one anywhere),
 * each with the offset of its first occurrence. Indexed as redaction is: a text is scanned once, not asked for each.
 */
export function secretsHeld(text: string, secrets: readonly string[]): { value: string; at: number }[] {
  return held(text, prepare(secrets));
}

/** secretsHeld for bytes, read as redactBytes reads them; offsets are byte offsets, and `line` the 1-based line. */
export function secretsHeldInBytes(content: Uint8Array, secrets: readonly string[]): { value: string; at: number; line: number }[] {
  if (secrets.length === 0) return [];
  const p = bytesOf(prepare(secrets));
  const text = latin1(content);
  return held(text, p).map((h) => ({ value: p.from?.get(h.value) ?? h.value, at: h.at, line: text.slice(0, h.at).split('\n').length }));
}

function held(text: string, p: Prepared): { value: string; at: number }[] {
  const out: { value: string; at: number }[] = [];
  const seen = new Set<string>();
  for (const s of present(text, p)) {
    if (redactOne(text, s) === text) continue;
    const value = p.from?.get(s) ?? s;
    if (seen.has(value)) continue;
    seen.add(value);
    out.push({ value: s, at: text.indexOf(s) });
  }
  return out;
}

function latin1(content: Uint8Array): string {
  return Buffer.from(content.buffer, content.byteOffset, content.length).toString('latin1');
}

/**
 * The byte-string forms of a prepared list: each value as its UTF-8 bytes, and as its Latin-1 bytes when it has
 * only such characters (one char per byte); made once per frozen list.
 */
function bytesOf(p: Prepared): Prepared {
  if (p.bytes) return p.bytes;
  const from = new Map<string, string>();
  for (const s of p.list) {
    const utf8 = Buffer.from(s, 'utf8').toString('latin1');
    if (!from.has(utf8)) from.set(utf8, s);
    if (!/[^\u0000-\u00ff]/.test(s) && !from.has(s)) from.set(s, s);
  }
  const bytes = prepare(Object.freeze([...from.keys()]), from);
  p.bytes = bytes;
  return bytes;
}
