import { describe, expect, it } from 'vitest';
import { escapeControls, escapeDeep, safeJson } from '../../src/render/escape.js';

describe('escapeControls', () => {
  it('shows ESC, BEL, CR, DEL, C1 and bidi controls as escapes, and keeps TAB, LF and printable text', () => {
    expect(escapeControls('a\u001b]0;x\u0007b')).toBe('a\\x1b]0;x\\x07b');
    expect(escapeControls('\r\u007f\u009b\u202e\u2066\u200f')).toBe('\\r\\x7f\\x9b\\u202e\\u2066\\u200f');
    expect(escapeControls('tab\there\nnext — é ✓ \ufffd')).toBe('tab\there\nnext — é ✓ \ufffd');
    expect(escapeControls('a\tb\nc', true)).toBe('a\\tb\\nc');
  });

  it('is idempotent', () => {
    const once = escapeControls('\u001b[2J\u202e');
    expect(escapeControls(once)).toBe(once);
  });
});

describe('escapeDeep', () => {
  it('escapes every string in plain objects and arrays, and leaves numbers, booleans and null', () => {
    expect(escapeDeep({ a: ['\u001b', 1, null, true], b: { c: '\u0007' } })).toEqual({ a: ['\\x1b', 1, null, true], b: { c: '\\x07' } });
  });
});

describe('safeJson', () => {
  it('is the same JSON value with C1 and bidi controls written as \\u escapes', () => {
    const value = { s: '\u001b\u009b\u202eok' };
    const text = safeJson(value);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
