// Notes about a run (the assumed --root, files removed from --out, a lock taken over), one line each.
import { escapeControls } from './escape.js';
import type { Style } from './style.js';

export interface Note {
  code: string;
  message: string;
}

export function renderNotes(notes: readonly Note[], style: Style): string {
  return notes.map((n) => `${style.yellow('note:')} ${escapeControls(n.message, true)} ${style.dim(`[${n.code}]`)}\n`).join('');
}
