// Byte-exact rewriting of the bundled copies: quoting of inserted paths, and edits applied so that every byte outside
// them stays as it was.
import {
  applyEdits,
  parseShell,
  type Edit,
} from '../sh/index.js';
import type { Registered } from './context.js';

/**
 * A bundled file with its edits applied. A shell script that is not UTF-8 was parsed as Latin-1: edits are mapped back
 * to its bytes and inserted as Latin-1, so every byte outside them stays as it was.
 */
export function spliced(r: Registered, edits: Edit[]): Uint8Array {
  if (!r.shell) return applyEdits(r.original, edits);
  const p = parseShell(r.original);
  if (p.exact) return applyEdits(r.original, edits);
  const back = p.toOriginal;
  if (!back || edits.some((e) => /[^\u0000-\u00ff]/.test(e.text))) return r.original;
  const latin1 = (t: string): Uint8Array => new Uint8Array(Buffer.from(t, 'latin1'));
  return applyEdits(r.original, edits.map((e) => ({ ...e, start: back(e.start), end: back(e.end) })), latin1);
}

export function quotePath(p: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

/** Double-quote a literal fragment (no single quotes, so it survives any outer quoting context). */
export function dq(s: string): string {
  if (s === '') return '';
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `"${s.replace(/[\\"$`]/g, '\\$&')}"`;
}
