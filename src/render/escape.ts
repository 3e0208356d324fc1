// Text from input files (crontabs, scripts, file names) is shown, never obeyed: a terminal must not receive its
// control characters raw. An ESC starts a sequence that can retitle the window, rewrite what was printed or (on
// some terminals) answer back into the input; bidi overrides make a line read differently from what it is
// ("Trojan Source", CVE-2021-42574). Every renderer passes values through here before it adds its own colour.

// DEL, the C1 controls, the Unicode bidi controls (embeddings, overrides, isolates, and the marks LRM, RLM, ALM),
// and U+FEFF (an invisible byte-order mark, which cron reads as text): escaped in every form below, which differ
// only in the C0 controls they keep. U+FFFD and other printable characters pass.
const BEYOND_C0 = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff';
const controls = (c0: string, flags = 'g'): RegExp => new RegExp(`[${c0}${BEYOND_C0}]`, flags);

// Text: C0 controls except TAB and LF.
const CONTROL = controls('\\u0000-\\u0008\\u000b-\\u001f');
// Without /g, so test() keeps no state between calls.
const CONTROL_TEST = controls('\\u0000-\\u0008\\u000b-\\u001f', '');
// In one-line values even TAB and LF are escaped: a crontab value never holds them, a file name might.
const CONTROL_LINE = controls('\\u0000-\\u001f');
// Values (escapeDeep) are printed inside one line of output: LF too, or a file name holding one prints a fake line
// of its own. TAB stays: crontab lines hold tabs between their fields.
const CONTROL_VALUE = controls('\\u0000-\\u0008\\u000a-\\u001f');
const CONTROL_VALUE_TEST = controls('\\u0000-\\u0008\\u000a-\\u001f', '');
// JSON.stringify escapes C0 already; these are the ones it leaves raw.
const JSON_RAW = controls('');

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * The text with every terminal control shown as an escape (`\x1b`, `\x07`, `\u202e`). Keeps TAB and LF, so a
 * multi-line message stays multi-line; `oneLine` escapes those too. Idempotent: the result holds no controls.
 */
export function escapeControls(text: string, oneLine = false): string {
  return text.replace(oneLine ? CONTROL_LINE : CONTROL, escapeOne);
}

/** True when the text holds a character escapeControls would escape. */
export function hasControls(text: string): boolean {
  return CONTROL_TEST.test(text);
}

/**
 * The value with every string in it escaped (LF too: a value is shown within a line), for JSON-like values (plans,
 * manifests, reports). Renderers call it once on what they are given, so no value reaches the terminal unescaped
 * however it is later formatted. Parts with nothing to escape are returned as they are (no copy), so the common
 * case costs one walk.
 */
export function escapeDeep<T>(value: T): T {
  if (typeof value === 'string') return (CONTROL_VALUE_TEST.test(value) ? value.replace(CONTROL_VALUE, escapeOne) : value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = escapeDeep(value[i]);
      if (v !== value[i]) (out ??= value.slice())[i] = v;
    }
    return (out ?? value) as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let out: Record<string, unknown> | null = null;
  for (const k in value) {
    const old = (value as Record<string, unknown>)[k];
    const v = escapeDeep(old);
    if (v !== old) (out ??= { ...(value as Record<string, unknown>) })[k] = v;
  }
  return (out ?? value) as T;
}

/**
 * JSON for a terminal or a file: the same value as JSON.stringify, with the controls JSON.stringify leaves raw
 * (DEL, C1, bidi) written as \u escapes, so `plan --json` printed to a terminal is as safe as the text.
 */
export function safeJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
