// The typed syntax tree the script analysis works on: only the node kinds it uses (commands, words and their
// parts, redirections, assignments, functions, pipelines, lists, subshells, heredocs). The parser behind it
// (src/scripts/sh/parse.ts) is an implementation detail: nothing outside this folder sees its tree.
//
// Offsets: every node has `pos`/`end`, byte offsets into the UTF-8 bytes that were parsed (ParsedShell.bytes), so
// rewrites splice bytes and leave the rest of a file byte-identical; `line` is 1-based.

export interface Span {
  readonly pos: number;
  readonly end: number;
  readonly line: number;
}

export interface File extends Span {
  readonly type: 'File';
  readonly stmts: readonly Stmt[];
}

export interface Stmt extends Span {
  readonly type: 'Stmt';
  /** null for a statement that is only redirections (`> file`). */
  readonly cmd: Command | null;
  readonly redirs: readonly Redirect[];
  readonly negated: boolean;
  readonly background: boolean;
}

export type Command =
  | CallExpr
  | BinaryCmd
  | Block
  | Subshell
  | IfClause
  | WhileClause
  | ForClause
  | CaseClause
  | FuncDecl
  | DeclClause
  | TimeClause
  | CoprocClause
  | TestClause
  | ArithmCmd;

/** A simple command: `A=1 prog arg...`; args[0] is the program (none for bare assignments). */
export interface CallExpr extends Span {
  readonly type: 'CallExpr';
  readonly assigns: readonly Assign[];
  readonly args: readonly Word[];
}

export type BinaryOp = '&&' | '||' | '|' | '|&';

export interface BinaryCmd extends Span {
  readonly type: 'BinaryCmd';
  readonly op: BinaryOp;
  readonly x: Stmt;
  readonly y: Stmt;
}

/** `{ ...; }` */
export interface Block extends Span {
  readonly type: 'Block';
  readonly stmts: readonly Stmt[];
}

/** `( ... )` */
export interface Subshell extends Span {
  readonly type: 'Subshell';
  readonly stmts: readonly Stmt[];
}

/** `if`/`elif`/`else` as a chain: `else` is the next clause (an `else` alone has no condition). */
export interface IfClause extends Span {
  readonly type: 'IfClause';
  readonly cond: readonly Stmt[];
  readonly then: readonly Stmt[];
  readonly else: IfClause | null;
}

export interface WhileClause extends Span {
  readonly type: 'WhileClause';
  readonly until: boolean;
  readonly cond: readonly Stmt[];
  readonly do: readonly Stmt[];
}

export interface WordIter extends Span {
  readonly type: 'WordIter';
  readonly name: string;
  /** null for `for x; do` (the positional parameters). */
  readonly items: readonly Word[] | null;
}

export interface CStyleLoop extends Span {
  readonly type: 'CStyleLoop';
  /** `for ((;;))`: no condition, the loop never ends by itself. */
  readonly hasCond: boolean;
  /** The words inside the parentheses (for the command substitutions in them). */
  readonly words: readonly Word[];
}

export interface ForClause extends Span {
  readonly type: 'ForClause';
  readonly select: boolean;
  readonly loop: WordIter | CStyleLoop;
  readonly do: readonly Stmt[];
}

export interface CaseItem extends Span {
  readonly type: 'CaseItem';
  readonly patterns: readonly Word[];
  readonly stmts: readonly Stmt[];
}

export interface CaseClause extends Span {
  readonly type: 'CaseClause';
  readonly word: Word;
  readonly items: readonly CaseItem[];
}

export interface FuncDecl extends Span {
  readonly type: 'FuncDecl';
  readonly name: string;
  readonly body: Stmt;
}

/** `declare`, `local`, `export`, `readonly`, `typeset`: options and bare names are naked assignments. */
export interface DeclClause extends Span {
  readonly type: 'DeclClause';
  readonly variant: string;
  readonly args: readonly Assign[];
}

export interface TimeClause extends Span {
  readonly type: 'TimeClause';
  readonly stmt: Stmt | null;
}

export interface CoprocClause extends Span {
  readonly type: 'CoprocClause';
  readonly stmt: Stmt | null;
}

/** `[[ ... ]]`: only the command substitutions in its words can run anything. */
export interface TestClause extends Span {
  readonly type: 'TestClause';
  readonly words: readonly Word[];
}

/** `(( ... ))` */
export interface ArithmCmd extends Span {
  readonly type: 'ArithmCmd';
  readonly words: readonly Word[];
}

export interface Assign extends Span {
  readonly type: 'Assign';
  /** null for a naked option word of a declaration (`declare -x`). */
  readonly name: string | null;
  /** The value word; for a naked option, the option itself. */
  readonly value: Word | null;
  /** `a=(x y)` */
  readonly array: readonly Word[] | null;
  /** `a[i]=x` */
  readonly index: Word | null;
  readonly append: boolean;
  /** A name or option of a declaration without `=`. */
  readonly naked: boolean;
}

export type RedirOp = '>' | '>>' | '<' | '<>' | '<&' | '>&' | '>|' | '<<' | '<<-' | '<<<' | '&>' | '&>>';

export interface Redirect extends Span {
  readonly type: 'Redirect';
  readonly op: RedirOp;
  /** The file descriptor written before the operator (`2>`), or null. */
  readonly n: string | null;
  /** The target word; for a heredoc, its delimiter; null for `>&-`-style closes. */
  readonly word: Word | null;
  /** A heredoc's body. */
  readonly hdoc: Word | null;
  /** A heredoc whose delimiter is quoted: its body is not expanded. */
  readonly hdocQuoted: boolean;
}

export interface Word extends Span {
  readonly type: 'Word';
  readonly parts: readonly WordPart[];
}

export type WordPart = Lit | SglQuoted | DblQuoted | ParamExp | CmdSubst | ProcSubst | ArithmExp | OtherPart;

/** Unquoted literal text as written (backslashes included). */
export interface Lit extends Span {
  readonly type: 'Lit';
  readonly value: string;
}

/** `'...'`, or `$'...'` when dollar (value is the text between the quotes, escapes not applied). */
export interface SglQuoted extends Span {
  readonly type: 'SglQuoted';
  readonly dollar: boolean;
  readonly value: string;
}

export interface DblQuoted extends Span {
  readonly type: 'DblQuoted';
  readonly dollar: boolean;
  readonly parts: readonly WordPart[];
}

export type ParamOp =
  | ':-' | '-' | ':=' | '=' | ':?' | '?' | ':+' | '+'
  | '#' | '##' | '%' | '%%';

/** `$x`, `${x}`, `${x:-w}`, `${x%pat}`, ... */
export interface ParamExp extends Span {
  readonly type: 'ParamExp';
  readonly param: string;
  /** `$x` rather than `${x}` */
  readonly short: boolean;
  /** `${a[i]}` */
  readonly index: Word | null;
  /** `${#x}` */
  readonly length: boolean;
  /** `${!x}` */
  readonly excl: boolean;
  /** A form the analysis does not evaluate (slices, replacements, case changes, `@` operators). */
  readonly other: boolean;
  readonly exp: { readonly op: ParamOp; readonly word: Word | null } | null;
}

export interface CmdSubst extends Span {
  readonly type: 'CmdSubst';
  readonly backquotes: boolean;
  readonly stmts: readonly Stmt[];
}

export interface ProcSubst extends Span {
  readonly type: 'ProcSubst';
  readonly op: '<(' | '>(';
  readonly stmts: readonly Stmt[];
}

/** `$(( ... ))` */
export interface ArithmExp extends Span {
  readonly type: 'ArithmExp';
  readonly words: readonly Word[];
}

/** Anything else inside a word (a brace expansion, an extended glob): its value is not known statically. */
export interface OtherPart extends Span {
  readonly type: 'Other';
  readonly raw: string;
}

export type Node = File | Stmt | Command | WordIter | CStyleLoop | CaseItem | Assign | Redirect | Word | WordPart;
export type NodeType = Node['type'];

/**
 * Every empty list of the typed tree, and the children of every leaf: one shared frozen array. Parsed trees are held
 * for the whole run (parse.ts parses each text once), and what a run holds, every young-generation collection
 * copies: about one list in eight of a script's tree is an empty one (a statement's redirections, a command's
 * assignments); and every word's literal part is walked (bundle/walk.ts visitSubsts).
 */
export const NONE: readonly never[] = Object.freeze([]);

/** The direct children of a node, in source order. */
export function children(n: Node): readonly Node[] {
  switch (n.type) {
    case 'File':
    case 'Block':
    case 'Subshell':
    case 'CmdSubst':
    case 'ProcSubst':
      return n.stmts;
    case 'Stmt': {
      const out: Node[] = [];
      if (n.cmd) out.push(n.cmd);
      out.push(...n.redirs);
      return out;
    }
    case 'CallExpr':
      return [...n.assigns, ...n.args];
    case 'BinaryCmd':
      return [n.x, n.y];
    case 'IfClause':
      return n.else ? [...n.cond, ...n.then, n.else] : [...n.cond, ...n.then];
    case 'WhileClause':
      return [...n.cond, ...n.do];
    case 'ForClause':
      return [n.loop, ...n.do];
    case 'WordIter':
      return n.items ?? [];
    case 'CStyleLoop':
    case 'TestClause':
    case 'ArithmCmd':
    case 'ArithmExp':
      return n.words;
    case 'CaseClause':
      return [n.word, ...n.items];
    case 'CaseItem':
      return [...n.patterns, ...n.stmts];
    case 'FuncDecl':
      return [n.body];
    case 'DeclClause':
      return n.args;
    case 'TimeClause':
    case 'CoprocClause':
      return n.stmt ? [n.stmt] : [];
    case 'Assign': {
      const out: Node[] = [];
      if (n.index) out.push(n.index);
      if (n.value) out.push(n.value);
      if (n.array) out.push(...n.array);
      return out;
    }
    case 'Redirect': {
      const out: Node[] = [];
      if (n.word) out.push(n.word);
      if (n.hdoc) out.push(n.hdoc);
      return out;
    }
    case 'Word':
    case 'DblQuoted':
      return n.parts;
    case 'ParamExp': {
      const out: Node[] = [];
      if (n.index) out.push(n.index);
      if (n.exp?.word) out.push(n.exp.word);
      return out;
    }
    case 'Lit':
    case 'SglQuoted':
    case 'Other':
      return NONE;
  }
}

/**
 * Visit `n` and every node below it (pre-order); return false from `visit` to skip a node's subtree. Indexed, not
 * for-of: the analysis walks every word of every script (substitutions, background work), and each for-of step was an
 * iterator result allocated.
 */
export function walk(n: Node, visit: (node: Node) => boolean): void {
  if (!visit(n)) return;
  // the two commonest nodes with children from two lists: visited in children()'s order without joining the lists
  if (n.type === 'Stmt') {
    if (n.cmd) walk(n.cmd, visit);
    for (let i = 0; i < n.redirs.length; i++) walk(n.redirs[i], visit);
    return;
  }
  if (n.type === 'CallExpr') {
    for (let i = 0; i < n.assigns.length; i++) walk(n.assigns[i], visit);
    for (let i = 0; i < n.args.length; i++) walk(n.args[i], visit);
    return;
  }
  const kids = children(n);
  for (let i = 0; i < kids.length; i++) walk(kids[i], visit);
}
