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

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Before a short value: start, blank, quote, `=`, `:`, `,`, `;`, `(`, `[`, `{`, `<`, `>`, `|`, `&`, `%`, or `-X`.
 * `%` ends a crontab line's command and separates the lines of its stdin text (`cmd%pw%`), as a newline does.
 */
const BEFORE = `(?<=^|[\\s"'=:,;([{<>|&%\`]|(?:^|[\\s"'=%])-[A-Za-z])`;
/** After a short value: end, blank, quote, `@`, `;`, `,`, `&`, `|`, `)`, `]`, `}`, `<`, `>`, `%`. */
const AFTER = '(?=$|[\\s"\'@;,&|)\\]}<>%`])';

function shortValuePattern(value: string): RegExp {
  return new RegExp(`${BEFORE}${escapeRe(value)}${AFTER}`, 'g');
}

function ordered(secrets: readonly string[]): string[] {
  return [...new Set(secrets)].filter((s) => s !== '').sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

function redactOne(text: string, secret: string): string {
  if (!text.includes(secret)) return text;
  if (secret.length >= SUBSTRING_MIN) return text.split(secret).join(REDACTED);
  return text.replace(shortValuePattern(secret), REDACTED);
}

/** Replace every secret value (longest first) where it occurs as a value. */
export function redact(text: string, secrets: readonly string[]): string {
  return redactOrdered(text, ordered(secrets));
}

function redactOrdered(text: string, list: readonly string[]): string {
  let out = text;
  for (const s of list) out = redactOne(out, s);
  return out;
}

/** Every string inside a JSON-like value with the secrets redacted; object keys are names and stay as they are. */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  const list = ordered(secrets);
  if (value === undefined || list.length === 0) return value;
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return redactOrdered(v, list);
    if (Array.isArray(v)) return v.map(visit);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = visit(x);
      return out;
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
  const buf = Buffer.from(content.buffer, content.byteOffset, content.length);
  const text = buf.toString('latin1');
  const forms = new Set<string>();
  for (const s of ordered(secrets)) {
    forms.add(Buffer.from(s, 'utf8').toString('latin1'));
    if (!/[^\u0000-\u00ff]/.test(s)) forms.add(s);
  }
  const out = redactOrdered(text, ordered([...forms]));
  return out === text ? content : new Uint8Array(Buffer.from(out, 'latin1'));
}
