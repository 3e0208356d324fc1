// tree-sitter-bash's concrete tree → the typed tree: words and their parts (quotes, expansions, substitutions).
// Text between a node's children that no child covers (inside strings, concatenations, heredoc bodies) becomes
// literal parts, so a word's parts always cover its text. Statements inside substitutions are convert.ts's.
import { NONE, type ParamExp, type ParamOp, type Stmt, type Word, type WordPart } from './ast.js';
import type { CstNode } from './treesitter.js';

export interface Source {
  /** The parsed text. */
  readonly text: string;
  /** String index → byte offset (UTF-8) of the parsed bytes. */
  readonly byteAt: (index: number) => number;
  /** Byte offset → 1-based line. */
  readonly lineAt: (byte: number) => number;
}

export const orNone = <T>(list: readonly T[]): readonly T[] => (list.length === 0 ? NONE : list);
/**
 * A list built with push, as the tree holds it: the shared empty list, or a copy with no spare room. push grows an
 * array's store to 16 slots or more, so a one-element list held for the run is about six times its size (measured:
 * the lists' spare room was about a quarter of what a parsed script holds).
 */
export const fit = <T>(list: T[]): T[] => (list.length === 0 ? (NONE as never[]) : list.slice());

const PARAM_OPS = new Set<string>([':-', '-', ':=', '=', ':?', '?', ':+', '+', '#', '##', '%', '%%']);

export abstract class WordConverter {
  constructor(protected readonly src: Source) {}

  /** Statements among a container's children (convert.ts). */
  abstract stmtList(kids: readonly CstNode[]): Stmt[];

  // Nodes are written out field by field (`pos: this.byte(start), ...`), not with a spread span: a spread costs
  // about 5x an object literal, and a tree is tens of nodes per script line (issue 11: 10,000 scripts per run).
  protected span(start: number, end: number): { pos: number; end: number; line: number } {
    const pos = this.src.byteAt(start);
    return { pos, end: this.src.byteAt(end), line: this.src.lineAt(pos) };
  }

  /** Byte offset of a string index. */
  protected byte(index: number): number {
    return this.src.byteAt(index);
  }

  /** Line of a string index. */
  protected lineOf(index: number): number {
    return this.src.lineAt(this.src.byteAt(index));
  }

  protected raw(n: { start: number; end: number }): string {
    return this.src.text.slice(n.start, n.end);
  }


  protected wordsIn(kids: readonly CstNode[]): Word[] {
    const out: Word[] = [];
    for (const k of kids) {
      if (!k.named) continue;
      if (WORD_KINDS.has(k.type)) out.push(this.word(k));
      else out.push(...this.wordsIn(k.kids));
    }
    return fit(out);
  }

  protected emptyWord(at: number): Word {
    const sp = this.span(at, at);
    return { type: 'Word', pos: sp.pos, end: sp.end, line: sp.line, parts: NONE };
  }

  protected litWord(n: CstNode): Word {
    const sp = this.span(n.start, n.end);
    return { type: 'Word', pos: sp.pos, end: sp.end, line: sp.line, parts: [{ type: 'Lit', pos: sp.pos, end: sp.end, line: sp.line, value: this.raw(n) }] };
  }

  /** A word node (or a concatenation) → Word. */
  word(n: CstNode): Word {
    if (n.type === 'concatenation') return this.concat(n, n.kids, false);
    const sp = this.span(n.start, n.end);
    return { type: 'Word', pos: sp.pos, end: sp.end, line: sp.line, parts: [this.part(n)] };
  }

  /** Parts from children, with the uncovered text between them as literals (`quoted`: inside double quotes). */
  protected concat(n: CstNode, kids: readonly CstNode[], quoted: boolean): Word {
    return { type: 'Word', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), parts: this.parts(n.start, n.end, kids, quoted) };
  }

  protected parts(start: number, end: number, kids: readonly CstNode[], quoted: boolean): WordPart[] {
    const out: WordPart[] = [];
    let at = start;
    const gap = (to: number): void => {
      if (to > at) {
        const prev = out[out.length - 1];
        const sp = this.span(at, to);
        // adjacent literal text is one literal (as the shell reads it)
        if (prev && prev.type === 'Lit' && prev.end === sp.pos) out[out.length - 1] = { type: 'Lit', pos: prev.pos, end: sp.end, line: prev.line, value: prev.value + this.src.text.slice(at, to) };
        else out.push({ type: 'Lit', pos: sp.pos, end: sp.end, line: sp.line, value: this.src.text.slice(at, to) });
      }
    };
    for (const k of kids) {
      if (!k.named || k.start < at) continue;
      if (quoted && k.type === 'string_content') continue; // literal text: covered by the gaps
      gap(k.start);
      const p = this.part(k);
      if (p.type === 'Lit') {
        at = k.start;
        gap(k.end);
      } else out.push(p);
      at = k.end;
    }
    gap(end);
    return fit(out);
  }

  protected part(n: CstNode): WordPart {
    const sp = this.span(n.start, n.end);
    switch (n.type) {
      case 'string':
      case 'translated_string': {
        const dollar = n.type === 'translated_string';
        const inner = dollar ? n.kids.find((k) => k.type === 'string') : n;
        const s = inner ?? n;
        const open = s.start + 1;
        const close = s.end > open && this.src.text[s.end - 1] === '"' ? s.end - 1 : s.end;
        return { type: 'DblQuoted', pos: sp.pos, end: sp.end, line: sp.line, dollar, parts: this.parts(open, close, s.kids, true) };
      }
      case 'raw_string':
        return { type: 'SglQuoted', pos: sp.pos, end: sp.end, line: sp.line, dollar: false, value: this.src.text.slice(n.start + 1, Math.max(n.start + 1, n.end - 1)) };
      case 'ansi_c_string':
        return { type: 'SglQuoted', pos: sp.pos, end: sp.end, line: sp.line, dollar: true, value: this.src.text.slice(n.start + 2, Math.max(n.start + 2, n.end - 1)) };
      case 'simple_expansion':
        return this.simpleExpansion(n);
      case 'expansion':
        return this.expansion(n);
      case 'command_substitution': {
        const backquotes = this.src.text[n.start] === '`';
        return { type: 'CmdSubst', pos: sp.pos, end: sp.end, line: sp.line, backquotes, stmts: this.stmtList(n.kids) };
      }
      case 'process_substitution':
        return { type: 'ProcSubst', pos: sp.pos, end: sp.end, line: sp.line, op: this.src.text[n.start] === '>' ? '>(' : '<(', stmts: this.stmtList(n.kids) };
      case 'arithmetic_expansion':
        return { type: 'ArithmExp', pos: sp.pos, end: sp.end, line: sp.line, words: this.wordsIn(n.kids) };
      case 'concatenation':
        // a concatenation inside a word position that wants one part: keep its parts' meaning unknown
        return { type: 'Other', pos: sp.pos, end: sp.end, line: sp.line, raw: this.raw(n) };
      case 'word':
      case 'number':
      case 'extglob_pattern':
      case 'regex':
      case 'test_operator':
      case 'variable_name':
      case 'heredoc_start':
      case 'special_variable_name':
      case 'file_descriptor':
      case 'string_content':
      case 'heredoc_content':
        if (n.kids.some((k) => k.named)) return { type: 'Other', pos: sp.pos, end: sp.end, line: sp.line, raw: this.raw(n) };
        return { type: 'Lit', pos: sp.pos, end: sp.end, line: sp.line, value: this.raw(n) };
      default:
        return { type: 'Other', pos: sp.pos, end: sp.end, line: sp.line, raw: this.raw(n) };
    }
  }

  protected simpleExpansion(n: CstNode): ParamExp {
    const name = n.kids.find((k) => k.named);
    return {
      type: 'ParamExp',
      pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
      param: name ? this.raw(name) : this.raw(n).slice(1),
      short: true,
      index: null,
      length: false,
      excl: false,
      other: false,
      exp: null,
    };
  }

  /** `${...}`: the parameter, then at most one operator and its operand words. */
  protected expansion(n: CstNode): ParamExp {
    let param = '';
    let index: Word | null = null;
    let length = false;
    let excl = false;
    let other = false;
    let op: string | null = null;
    const operand: CstNode[] = [];
    let seenParam = false;
    for (const k of n.kids) {
      if (k.type === '${' || k.type === '}') continue;
      if (!seenParam) {
        if (!k.named && k.type === '#') {
          length = true;
          continue;
        }
        if (!k.named && k.type === '!') {
          excl = true;
          continue;
        }
        if (k.type === 'variable_name' || k.type === 'special_variable_name') {
          param = this.raw(k);
          seenParam = true;
          continue;
        }
        if (k.type === 'subscript') {
          const base = k.kids.find((c) => c.field === 'name');
          const idx = k.kids.find((c) => c.field === 'index');
          param = base ? this.raw(base) : this.raw(k);
          index = idx ? this.word(idx) : null;
          seenParam = true;
          continue;
        }
        other = true;
        continue;
      }
      if (op === null && !k.named) {
        op = k.type;
        continue;
      }
      operand.push(k);
    }
    if (op !== null && !PARAM_OPS.has(op)) other = true;
    let exp: ParamExp['exp'] = null;
    if (op !== null && PARAM_OPS.has(op)) {
      const first = operand[0];
      const last = operand[operand.length - 1];
      exp = { op: op as ParamOp, word: first && last ? this.concat({ ...first, start: first.start, end: last.end }, operand, false) : null };
    }
    return { type: 'ParamExp', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), param, short: false, index, length, excl, other, exp };
  }
}

/** Node kinds that are a whole shell word. */
const WORD_KINDS = new Set([
  'word', 'string', 'raw_string', 'ansi_c_string', 'translated_string', 'simple_expansion', 'expansion', 'command_substitution',
  'process_substitution', 'arithmetic_expansion', 'concatenation', 'number',
]);
