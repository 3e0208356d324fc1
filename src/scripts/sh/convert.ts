// tree-sitter-bash's concrete tree → the typed tree of ast.ts.
//
// Where the two disagree on shape, the typed tree follows bash's meaning (and mvdan-sh's tree, which the analysis
// was written against): `[ ... ]` is a command with `[` as argv[0]; `time`/`coproc` wrap the statement after them;
// a heredoc's trailing `| cmd`, `&& cmd`, extra redirections or arguments (which tree-sitter keeps inside the
// heredoc redirect) are put back where bash runs them. Words are convert-words.ts's.
import {
  NONE,
  type Assign,
  type BinaryOp,
  type CaseItem,
  type Command,
  type File,
  type IfClause,
  type RedirOp,
  type Redirect,
  type Stmt,
  type Word,
} from './ast.js';
import type { CstNode } from './treesitter.js';
import { fit, orNone, WordConverter } from './convert-words.js';

export type { Source } from './convert-words.js';

const REDIR_OPS = new Set<string>(['>', '>>', '<', '<>', '<&', '>&', '>|', '<<', '<<-', '<<<', '&>', '&>>']);

/** Statements, commands and redirections; words are WordConverter's. */
export class Converter extends WordConverter {
  file(root: CstNode): File {
    return { type: 'File', pos: this.byte(root.start), end: this.byte(root.end), line: this.lineOf(root.start), stmts: this.stmtList(root.kids) };
  }

  /** Statements among a container's children; a `&` after one puts it in the background. */
  stmtList(kids: readonly CstNode[]): Stmt[] {
    const out: Stmt[] = [];
    for (const k of kids) {
      if (!k.named) {
        if (k.type === '&' && out.length > 0) out[out.length - 1] = { ...out[out.length - 1], background: true };
        continue;
      }
      const st = this.stmt(k);
      if (st) out.push(st);
    }
    return fit(out);
  }

  protected wrap(n: CstNode, cmd: Command | null, redirs: readonly Redirect[] = NONE): Stmt {
    return { type: 'Stmt', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), cmd, redirs: orNone(redirs), negated: false, background: false };
  }

  /** A statement node → Stmt; null for what is not a statement (comments, stray tokens). */
  stmt(n: CstNode): Stmt | null {
    switch (n.type) {
      case 'comment':
      case 'heredoc_body':
      case 'heredoc_end':
        return null;
      case 'redirected_statement':
        return this.redirected(n);
      case 'command':
        return this.command(n);
      case 'variable_assignment':
        return this.wrap(n, { type: 'CallExpr', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), assigns: [this.assign(n)], args: NONE });
      case 'variable_assignments':
        return this.wrap(n, {
          type: 'CallExpr',
          pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
          assigns: n.kids.filter((k) => k.type === 'variable_assignment').map((k) => this.assign(k)),
          args: NONE,
        });
      case 'pipeline':
        return this.chain(n, n.kids);
      case 'list':
        return this.chain(n, n.kids);
      case 'negated_command': {
        const inner = n.kids.find((k) => k.named);
        const st = inner ? this.stmt(inner) : null;
        return st ? { ...st, pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), negated: true } : null;
      }
      case 'subshell':
        return this.wrap(n, { type: 'Subshell', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), stmts: this.stmtList(n.kids) });
      case 'compound_statement':
        return this.wrap(n, { type: 'Block', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), stmts: this.stmtList(n.kids) });
      case 'if_statement':
        return this.wrap(n, this.ifClause(n));
      case 'while_statement':
        return this.wrap(n, {
          type: 'WhileClause',
          pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
          until: n.kids.some((k) => !k.named && k.type === 'until'),
          cond: this.stmtList(n.kids.filter((k) => k.field === 'condition')),
          do: this.body(n),
        });
      case 'for_statement': {
        const variable = n.kids.find((k) => k.field === 'variable');
        const values = n.kids.filter((k) => k.field === 'value');
        const hasIn = n.kids.some((k) => !k.named && k.type === 'in');
        return this.wrap(n, {
          type: 'ForClause',
          pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
          select: n.kids.some((k) => !k.named && k.type === 'select'),
          loop: {
            type: 'WordIter',
            pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
            name: variable ? this.raw(variable) : '',
            items: hasIn ? values.map((v) => this.word(v)) : null,
          },
          do: this.body(n),
        });
      }
      case 'c_style_for_statement':
        return this.wrap(n, {
          type: 'ForClause',
          pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
          select: false,
          loop: {
            type: 'CStyleLoop',
            pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
            hasCond: n.kids.some((k) => k.field === 'condition'),
            words: this.wordsIn(n.kids.filter((k) => k.field !== 'body')),
          },
          do: this.body(n),
        });
      case 'case_statement': {
        const value = n.kids.find((k) => k.field === 'value');
        return this.wrap(n, {
          type: 'CaseClause',
          pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
          word: value ? this.word(value) : this.emptyWord(n.start),
          items: n.kids.filter((k) => k.type === 'case_item').map((k) => this.caseItem(k)),
        });
      }
      case 'function_definition': {
        const name = n.kids.find((k) => k.field === 'name');
        const body = n.kids.find((k) => k.field === 'body');
        const redirs = n.kids.filter((k) => k.field === 'redirect').map((k) => this.redirect(k));
        const bodyStmt = (body && this.stmt(body)) ?? this.wrap(n, null);
        return this.wrap(n, {
          type: 'FuncDecl',
          pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
          name: name ? this.raw(name) : '',
          body: redirs.length ? { ...bodyStmt, redirs: [...bodyStmt.redirs, ...redirs] } : bodyStmt,
        });
      }
      case 'declaration_command':
        return this.wrap(n, this.decl(n));
      case 'unset_command':
        return this.wrap(n, {
          type: 'CallExpr',
          pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
          assigns: NONE,
          args: n.kids.map((k) => (k.named ? this.word(k) : this.litWord(k))),
        });
      case 'test_command':
        return this.wrap(n, this.test(n));
      default:
        // Any other statement kind (arithmetic commands, ...): its words, for the substitutions in them.
        return this.wrap(n, { type: 'ArithmCmd', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), words: this.wordsIn(n.kids) });
    }
  }

  /** Left-associative chain of statements joined by `|`, `|&`, `&&` or `||` tokens. */
  protected chain(n: CstNode, kids: readonly CstNode[]): Stmt | null {
    let acc: Stmt | null = null;
    let op: BinaryOp | null = null;
    for (const k of kids) {
      if (!k.named) {
        if (k.type === '|' || k.type === '|&' || k.type === '&&' || k.type === '||') op = k.type;
        continue;
      }
      const st = this.stmt(k);
      if (!st) continue;
      if (acc === null) acc = st;
      else {
        const sp = this.span(n.start, k.end);
        acc = { type: 'Stmt', pos: sp.pos, end: sp.end, line: sp.line, cmd: { type: 'BinaryCmd', pos: sp.pos, end: sp.end, line: sp.line, op: op ?? '|', x: acc, y: st }, redirs: NONE, negated: false, background: false };
      }
    }
    return acc;
  }

  protected body(n: CstNode): Stmt[] {
    const b = n.kids.find((k) => k.field === 'body');
    return b ? this.stmtList(b.kids) : [];
  }

  protected ifClause(n: CstNode): IfClause {
    // if_statement / elif_clause: statements before `then` are the condition, the rest (until elif/else) the body
    const cond: CstNode[] = [];
    const then: CstNode[] = [];
    let seenThen = false;
    let next: IfClause | null = null;
    const rest: CstNode[] = [];
    for (const k of n.kids) {
      if (!k.named && k.type === 'then') {
        seenThen = true;
        continue;
      }
      if (k.type === 'elif_clause' || k.type === 'else_clause') {
        rest.push(k);
        continue;
      }
      (seenThen ? then : cond).push(k);
    }
    for (let i = rest.length - 1; i >= 0; i--) {
      const r = rest[i];
      if (r.type === 'else_clause') next = { type: 'IfClause', pos: this.byte(r.start), end: this.byte(r.end), line: this.lineOf(r.start), cond: [], then: this.stmtList(r.kids), else: next };
      else next = { ...this.ifClause(r), else: next };
    }
    return { type: 'IfClause', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), cond: this.stmtList(cond), then: this.stmtList(then), else: next };
  }

  protected caseItem(n: CstNode): CaseItem {
    return {
      type: 'CaseItem',
      pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
      patterns: n.kids.filter((k) => k.field === 'value').map((k) => this.word(k)),
      stmts: this.stmtList(n.kids.filter((k) => k.field !== 'value')),
    };
  }

  protected decl(n: CstNode): Command {
    const keyword = n.kids.find((k) => !k.named);
    const args: Assign[] = [];
    for (const k of n.kids) {
      if (!k.named || k.type === 'comment') continue;
      if (k.type === 'variable_assignment') args.push(this.assign(k));
      else if (k.type === 'variable_name') args.push(this.nakedAssign(k, this.raw(k), null));
      else args.push(this.nakedAssign(k, null, this.word(k)));
    }
    return { type: 'DeclClause', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), variant: keyword ? keyword.type : 'declare', args: fit(args) };
  }

  protected nakedAssign(n: CstNode, name: string | null, value: Word | null): Assign {
    return { type: 'Assign', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), name, value, array: null, index: null, append: false, naked: true };
  }

  assign(n: CstNode): Assign {
    const nameNode = n.kids.find((k) => k.field === 'name');
    const valueNode = n.kids.find((k) => k.field === 'value');
    let name: string | null = nameNode ? this.raw(nameNode) : null;
    let index: Word | null = null;
    if (nameNode?.type === 'subscript') {
      const base = nameNode.kids.find((k) => k.field === 'name');
      const idx = nameNode.kids.find((k) => k.field === 'index');
      name = base ? this.raw(base) : name;
      index = idx ? this.word(idx) : null;
    }
    const append = n.kids.some((k) => !k.named && k.type === '+=');
    const isArray = valueNode?.type === 'array';
    return {
      type: 'Assign',
      pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start),
      name,
      value: valueNode && !isArray ? this.word(valueNode) : null,
      array: isArray ? valueNode.kids.filter((k) => k.named).map((k) => this.word(k)) : null,
      index,
      append,
      naked: false,
    };
  }

  protected command(n: CstNode): Stmt {
    const assigns: Assign[] = [];
    const args: Word[] = [];
    const redirs: Redirect[] = [];
    for (const k of n.kids) {
      if (k.type === 'variable_assignment') assigns.push(this.assign(k));
      else if (k.field === 'name') {
        const w = k.kids.find((c) => c.named);
        args.push(w ? this.word(w) : this.litWord(k));
      } else if (k.field === 'argument') args.push(this.word(k));
      else if (k.field === 'redirect' || k.type === 'file_redirect' || k.type === 'herestring_redirect') redirs.push(this.redirect(k));
    }
    // `time cmd` and `coproc cmd` wrap the command that follows (tree-sitter reads them as a program name)
    const lead = args.length > 1 && args[0].parts.length === 1 && args[0].parts[0].type === 'Lit' ? args[0].parts[0].value : null;
    if (lead === 'time' || lead === 'coproc') {
      let rest = args.slice(1);
      if (lead === 'time') while (rest.length > 0 && rest[0].parts.length === 1 && rest[0].parts[0].type === 'Lit' && rest[0].parts[0].value.startsWith('-')) rest = rest.slice(1);
      const innerStart = rest.length ? rest[0].pos : n.end;
      const inner: Stmt | null = rest.length
        ? { type: 'Stmt', pos: innerStart, end: rest[rest.length - 1].end, line: rest[0].line, cmd: { type: 'CallExpr', pos: innerStart, end: rest[rest.length - 1].end, line: rest[0].line, assigns, args: rest }, redirs, negated: false, background: false }
        : null;
      const sp = this.span(n.start, n.end);
      return { type: 'Stmt', pos: sp.pos, end: sp.end, line: sp.line, cmd: lead === 'time' ? { type: 'TimeClause', pos: sp.pos, end: sp.end, line: sp.line, stmt: inner } : { type: 'CoprocClause', pos: sp.pos, end: sp.end, line: sp.line, stmt: inner }, redirs: NONE, negated: false, background: false };
    }
    return this.wrap(n, { type: 'CallExpr', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), assigns: fit(assigns), args: fit(args) }, fit(redirs));
  }

  /**
   * `body redirect...`. A heredoc redirect may carry what follows its delimiter on the same line: a pipeline, `&&`/`||`
   * and a statement, more redirections, more arguments. Put them back: `cat <<EOF | grep x` is a pipe from cat.
   */
  protected redirected(n: CstNode): Stmt | null {
    const bodyNode = n.kids.find((k) => k.field === 'body');
    let st: Stmt = (bodyNode && this.stmt(bodyNode)) ?? this.wrap(n, null);
    const redirs: Redirect[] = [...st.redirs];
    const extraArgs: Word[] = [];
    const after: Array<{ op: BinaryOp; kids: readonly CstNode[] }> = [];
    for (const k of n.kids) {
      if (k.field !== 'redirect' && !/_redirect$/.test(k.type)) continue;
      redirs.push(this.redirect(k));
      if (k.type !== 'heredoc_redirect') continue;
      for (let i = 0; i < k.kids.length; i++) {
        const c = k.kids[i];
        if (c.type === 'pipeline') after.push({ op: '|', kids: c.kids });
        else if (c.field === 'redirect') redirs.push(this.redirect(c));
        else if (c.field === 'argument') extraArgs.push(this.word(c));
        else if (c.field === 'operator') {
          const right = k.kids.find((r) => r.field === 'right');
          if (right) after.push({ op: c.type as BinaryOp, kids: [right] });
        }
      }
    }
    if (extraArgs.length && st.cmd?.type === 'CallExpr') st = { ...st, cmd: { ...st.cmd, args: [...st.cmd.args, ...extraArgs] } };
    st = { type: 'Stmt', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), cmd: st.cmd, redirs: fit(redirs), negated: st.negated, background: st.background };
    for (const a of after) {
      // a pipeline's first token is `|` (or `|&`): the chain starts from the heredoc's command
      let op: BinaryOp = a.op;
      for (const k of a.kids) {
        if (!k.named) {
          if (k.type === '|' || k.type === '|&' || k.type === '&&' || k.type === '||') op = k.type;
          continue;
        }
        const y = this.stmt(k);
        if (!y) continue;
        const sp = this.span(n.start, k.end);
        st = { type: 'Stmt', pos: sp.pos, end: sp.end, line: sp.line, cmd: { type: 'BinaryCmd', pos: sp.pos, end: sp.end, line: sp.line, op, x: st, y }, redirs: NONE, negated: false, background: false };
      }
    }
    return st;
  }

  redirect(n: CstNode): Redirect {
    const sp = this.span(n.start, n.end);
    let fd: string | null = null;
    let opText = '';
    let word: Word | null = null;
    let hdoc: Word | null = null;
    let hdocQuoted = false;
    for (const k of n.kids) {
      if (k.field === 'descriptor') fd = this.raw(k);
      else if (!k.named && opText === '' && k.type !== '-') opText = k.type;
      else if (k.type === 'heredoc_start') {
        word = this.word(k);
        hdocQuoted = /['"\\]/.test(this.raw(k));
      } else if (k.type === 'heredoc_body') hdoc = this.concat(k, k.kids.filter((c) => c.type !== 'heredoc_content'), false);
      else if (n.type !== 'heredoc_redirect' && k.named && (k.field === 'destination' || word === null)) word = word ?? this.word(k);
    }
    // `>&-`, `<&-`: tree-sitter gives one token; the typed tree keeps the operator and a `-` target
    if (opText !== '<<-' && opText.endsWith('-') && opText.length > 1 && REDIR_OPS.has(opText.slice(0, -1))) {
      const end = sp.end;
      word = { type: 'Word', pos: end - 1, end, line: sp.line, parts: [{ type: 'Lit', pos: end - 1, end, line: sp.line, value: '-' }] };
      opText = opText.slice(0, -1);
    }
    if (n.type === 'heredoc_redirect' && hdoc === null) hdoc = this.emptyWord(n.end);
    const op = (REDIR_OPS.has(opText) ? opText : n.type === 'herestring_redirect' ? '<<<' : '>') as RedirOp;
    return { type: 'Redirect', pos: sp.pos, end: sp.end, line: sp.line, op, n: fd, word, hdoc, hdocQuoted };
  }

  protected test(n: CstNode): Command {
    const open = n.kids[0];
    const words = this.flatWords(n.kids);
    if (open && !open.named && open.type === '[') return { type: 'CallExpr', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), assigns: NONE, args: fit(words) };
    return { type: 'TestClause', pos: this.byte(n.start), end: this.byte(n.end), line: this.lineOf(n.start), words: words.slice(1, -1) };
  }

  /** The words of a test expression in order, operators and brackets included (as `[`'s argv). */
  protected flatWords(kids: readonly CstNode[]): Word[] {
    const out: Word[] = [];
    for (const k of kids) {
      if (!k.named) out.push(this.litWord(k));
      else if (/_expression$/.test(k.type) || k.type === 'test_command') out.push(...this.flatWords(k.kids));
      else out.push(this.word(k));
    }
    return out;
  }

  /** Words inside an arithmetic or unknown construct, for the substitutions they hold. */
}
