// The concrete tree of the plainest command line, made without the parser: a program name and arguments of plain
// characters, then plain redirections (`/opt/app/bin/job.sh --flag 7 >> /var/log/job.log 2>&1`), the shape of most
// crontab lines. A fleet has one such line per job, each different (issue 11: 10,000 per run), and tree-sitter costs
// about 20 µs a line however short. Anything else (quotes, expansions, operators, keywords, assignments, a redirection
// before a word, and the forms where tree-sitter-bash reads plain words otherwise than bash) is left to tree-sitter:
// null. The tree is the one tree-sitter gives for these lines, but for telling some numbers (`0x9`) from words, which
// convert.ts reads alike (test/scripts/sh-fast.test.ts compares the two on generated lines), so the typed tree is the same.
import { NO_KIDS, type CstNode } from './treesitter.js';

/** Characters of a plain word: none is special to bash anywhere in a word. */
const WORD = /^[A-Za-z0-9_./:,+@%-]+$/;
/**
 * A program name: word characters, `.`, `/` and `-` but not leading, and not only digits (tree-sitter-bash reads
 * `x%y`, a leading `-` and a number followed by some words otherwise than bash).
 */
const PROGRAM = /^(?![0-9]+$)[A-Za-z0-9_./][A-Za-z0-9_./-]*$/;
/**
 * An argument: a plain word that may also hold `=` (`--level=3`; in the program position it would be an assignment)
 * but not leading (tree-sitter-bash reads `==` as a test operator), and not a lone `-` (dropped before a redirection).
 */
const ARG = /^(?!-$)[A-Za-z0-9_./:,+@%-][A-Za-z0-9_./:,+@%=-]*$/;
/** A redirection: optional descriptor, operator, and the target when written attached (`2>/dev/null`, `>>log`). */
const REDIRECT = /^([0-9]*)(>>|>|<)(.*)$/;
/** A descriptor duplication (`2>&1`, `>&2`). */
const DUP = /^([0-9]*)>&([0-9]+)$/;
const NUMBER = /^-?[0-9]+$/;

/**
 * Program names bash or tree-sitter read as something else: keywords and declaration builtins, also when another
 * character follows (tree-sitter-bash reads `export.x` as `export` and `.x`).
 */
const NOT_A_PROGRAM =
  /^(if|then|else|elif|fi|case|esac|for|select|while|until|do|done|in|function|time|coproc|declare|typeset|export|readonly|local|unset|unsetenv)(?![A-Za-z0-9_])/;

const leaf = (type: string, named: boolean, field: string | null, start: number, end: number): CstNode => ({ type, named, field, start, end, kids: NO_KIDS, error: false });
const wordNode = (text: string, field: string | null, start: number): CstNode => leaf(NUMBER.test(text) ? 'number' : 'word', true, field, start, start + text.length);

/** Everything a plain line may hold: word characters, blanks and the redirection operators. */
const PLAIN_LINE = /^[A-Za-z0-9_./:,+@%=\- \t<>&]+$/;

interface Token {
  readonly text: string;
  readonly start: number;
}

/** tree-sitter's tree for a plain command line, or null when the line is not one (then the parser reads it). */
export function simpleCst(text: string): CstNode | null {
  if (text.length > 4096 || !PLAIN_LINE.test(text) || text.trim() !== text) return null;
  const toks: Token[] = [];
  const blanks = /[^ \t]+/g;
  for (let m = blanks.exec(text); m !== null; m = blanks.exec(text)) toks.push({ text: m[0], start: m.index });
  const first = toks[0];
  if (!PROGRAM.test(first.text) || NOT_A_PROGRAM.test(first.text)) return null;
  const args: CstNode[] = [];
  let i = 1;
  for (; i < toks.length && ARG.test(toks[i].text); i++) args.push(wordNode(toks[i].text, 'argument', toks[i].start));
  const redirects: CstNode[] = [];
  for (; i < toks.length; i++) {
    const t = toks[i];
    const dup = DUP.exec(t.text);
    const r = dup ? null : REDIRECT.exec(t.text);
    const fd = dup ? dup[1] : r ? r[1] : null;
    // tree-sitter-bash reads `0<file` as an argument `0` and `<file`: left to it
    if (fd === null || (fd !== '' && !dup && (r as RegExpExecArray)[2] === '<')) return null;
    const kids: CstNode[] = [];
    let at = t.start;
    if (fd !== '') kids.push(leaf('file_descriptor', true, 'descriptor', at, (at += fd.length)));
    const op = dup ? '>&' : (r as RegExpExecArray)[2];
    kids.push(leaf(op, false, null, at, at + op.length));
    // the target: attached to the operator, or the next token
    const attached = dup ? dup[2] : (r as RegExpExecArray)[3];
    const target: Token | undefined = attached !== '' ? { text: attached, start: at + op.length } : toks[++i];
    if (target === undefined || !WORD.test(target.text)) return null;
    kids.push(wordNode(target.text, 'destination', target.start));
    redirects.push({ type: 'file_redirect', named: true, field: 'redirect', start: t.start, end: target.start + target.text.length, kids, error: false });
  }
  const end = (args.length > 0 ? args[args.length - 1] : null)?.end ?? first.start + first.text.length;
  const name: CstNode = { type: 'command_name', named: true, field: 'name', start: first.start, end: first.start + first.text.length, kids: [wordNode(first.text, null, first.start)], error: false };
  const command = (field: string | null): CstNode => ({ type: 'command', named: true, field, start: first.start, end, kids: [name, ...args], error: false });
  const body =
    redirects.length === 0
      ? command(null)
      : { type: 'redirected_statement', named: true, field: null, start: first.start, end: redirects[redirects.length - 1].end, kids: [command('body'), ...redirects], error: false };
  return { type: 'program', named: true, field: null, start: 0, end: text.length, kids: [body], error: false };
}
