// Layer 6a: code a command hands on to be run: `bash -c` and `eval` strings, scripts given to shells and
// interpreters, executed files (each walked once per job), and the job's shell functions. follow.ts (layer 6b)
// decides, command by command, what is run; this layer walks what it hands on.
import { isSystemPath } from '../al2023.js';
import { evalWord, parseShell, resolvePath, type Node, type Word, type WordPart } from '../sh/index.js';
import { MAX_NESTING, MAX_SCRIPT_BYTES, refusalFinding, tooLarge } from '../policy.js';
import { makeFinding } from '../types.js';
import { type WordInfo } from './types.js';
import { identity, inDoubleQuotes, type Ctx, type Unit } from './context.js';
import { SHELL_NAMES, interpreterOptions, shebangInterpreter } from './programs.js';
import { StatementWalker } from './walk.js';

export abstract class Runner extends StatementWalker {
  protected readonly executed = new Set<string>();

  protected callFunction(name: string, ctx: Ctx): void {
    const f = this.funcs.get(name);
    if (!f || f.visited) return;
    f.visited = true;
    const scope = ctx.scope;
    const saved = scope.bashSource;
    scope.bashSource = f.bashSource;
    this.visitStmt(f.body, { ...ctx, unit: f.unit, topLevel: false });
    scope.bashSource = saved;
  }

  /**
   * Visit the bodies of functions never called (a library's functions, say) with the final scope, and of definitions
   * replaced before they were called.
   */
  flushFunctions(ctx: Ctx): void {
    for (const name of [...this.funcs.keys()].sort()) this.callFunction(name, ctx);
    for (let i = 0; i < this.replacedFuncs.length; i++) {
      const f = this.replacedFuncs[i];
      if (f.visited) continue;
      f.visited = true;
      this.visitStmt(f.body, { ...ctx, unit: f.unit, topLevel: false, scope: { ...ctx.scope, bashSource: f.bashSource } });
    }
  }

  /**
   * `bash -c 'string'` (a new shell) or `eval 'string'` (`sameShell`: this shell, its variables and directory):
   * analyze the string as shell code when it is a plain literal. Any other string (built from variables, escaped,
   * spliced from parts) runs code the analysis does not read, so nothing it runs is bundled or rewritten: an
   * `unresolved` finding, else the job would be planned ready and fail on Lambda.
   */
  protected shellString(w: Word, ctx: Ctx, sameShell = false): void {
    const parts = w.parts;
    if (parts.length !== 1) {
      this.unreadableCode([w], ctx);
      return;
    }
    const p = parts[0];
    let innerText: string | null = null;
    let escape = identity;
    let base = 0;
    if (p.type === 'SglQuoted' && !p.dollar) {
      innerText = p.value;
      base = p.pos + 1;
      // inside '...' nothing needs escaping as long as no single quote is inserted
      escape = (s: string) => s.replace(/'/g, `'\\''`);
    } else if (p.type === 'DblQuoted' && p.parts.length === 1 && p.parts[0].type === 'Lit' && !p.parts[0].value.includes('\\')) {
      innerText = p.parts[0].value;
      base = p.parts[0].pos;
      escape = inDoubleQuotes;
    } else if (p.type === 'Lit' && !p.value.includes('\\')) {
      innerText = p.value;
      base = p.pos;
    }
    if (innerText === null) {
      this.unreadableCode([w], ctx);
      return;
    }
    const parsed = parseShell(innerText);
    if (!parsed.file) return;
    const outer = ctx.unit;
    const unit: Unit = {
      file: outer.file,
      key: outer.key,
      crontab: outer.crontab,
      bytes: parsed.bytes,
      base: outer.base + base,
      lineBase: outer.lineBase + p.line - 1,
      escape: (s: string) => outer.escape(escape(s)),
    };
    if (sameShell) {
      const inner: Ctx = { ...ctx, unit };
      this.visitStmts(parsed.file.stmts, inner);
      ctx.anchor = inner.anchor;
      return;
    }
    const scope = this.execScope(ctx, ctx.scope.dollar0);
    const inner: Ctx = { ...ctx, unit, scope, exported: new Set(ctx.exported), topLevel: false };
    this.visitStmts(parsed.file.stmts, inner);
  }

  /**
   * A `-c`/`eval` string the analysis cannot read (see shellString). Its reference names only the expansions it is
   * built from ($NAME, $(...)), never its text: a credential written in the string is not found by the secret
   * detectors (the string is not read as a command), and the finding's sentence is printed.
   */
  protected unreadableCode(words: readonly Word[], ctx: Ctx): void {
    const found: string[] = [];
    for (const w of words) expansionsOf(w.parts, found);
    this.unresolved(ctx, words[0], found.join(' '), 'shell code');
  }

  protected shellInvocation(args: readonly Word[], vals: Array<string | null>, ctx: Ctx): void {
    for (let i = 1; i < args.length; i++) {
      const v = vals[i];
      if (v === null) {
        this.unresolved(ctx, args[i], this.word(args[i], ctx).raw, 'script');
        return;
      }
      if (v === '-c') {
        if (i + 1 < args.length) this.shellString(args[i + 1], ctx);
        return;
      }
      if (v === '-o' || v === '+o' || v === '-O' || v === '+O') {
        i++;
        continue;
      }
      if (v.startsWith('-') || v.startsWith('+')) {
        if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(v)) {
          if (i + 1 < args.length) this.shellString(args[i + 1], ctx);
          return;
        }
        // -s: commands come from stdin (a heredoc, see heredocCode); the operands are positional parameters
        if (/^-[a-zA-Z]*s[a-zA-Z]*$/.test(v)) return;
        continue;
      }
      this.scriptArg(args[i], ctx, true);
      return;
    }
  }

  protected interpreterInvocation(name: string, args: readonly Word[], vals: Array<string | null>, ctx: Ctx): void {
    const opts = interpreterOptions(name);
    for (let i = 1; i < args.length; i++) {
      const v = vals[i];
      if (v === null) return;
      if (opts.inline.has(v)) return;
      if (opts.withArg.has(v)) {
        i++;
        continue;
      }
      if (v === '-f' && i + 1 < args.length) {
        this.scriptArg(args[i + 1], ctx, false);
        return;
      }
      if (v.startsWith('-')) continue;
      this.scriptArg(args[i], ctx, false);
      return;
    }
  }

  /** The script file given to an interpreter (`bash x.sh`, `python3 job.py`). */
  protected scriptArg(w: Word, ctx: Ctx, shell: boolean): void {
    const v = evalWord(w, ctx.scope);
    const info = this.word(w, ctx);
    if (!v) {
      this.unresolved(ctx, w, info.raw, 'script');
      return;
    }
    const abs = resolvePath(v.text, ctx.scope.cwd);
    if (abs === null || !this.exists(abs)) {
      this.missing(ctx, w, info.raw, abs, 'script');
      return;
    }
    if (isSystemPath(abs)) return;
    const reg = this.register(abs, ctx.unit.crontab ? 'command' : 'exec', ctx, w, shell);
    if (!reg) return;
    this.rewriteRef(w, ctx, v, abs, false);
    if (shell) {
      if (reg.original.length > MAX_SCRIPT_BYTES) {
        this.findings.push(refusalFinding(tooLarge(abs, reg.original.length, MAX_SCRIPT_BYTES, true), ctx.unit.file, this.line(w, ctx), { path: abs }));
        return;
      }
      reg.shell = true;
      this.execFile(abs, ctx, w, true);
    }
  }


  /** A bundled file is executed: analyze it as a shell script (once), or note its interpreter. */
  protected execFile(path: string, ctx: Ctx, node: Node, forceShell = false): void {
    const reg = this.files.get(path);
    if (!reg) return;
    if (this.executed.has(path)) return;
    if (ctx.depth >= MAX_NESTING) {
      this.tooDeep(ctx, node, path);
      return;
    }
    this.executed.add(path);
    const interp = shebangInterpreter(reg.original);
    if (!forceShell && interp !== null && !SHELL_NAMES.has(interp.name)) {
      // not a shell script: its interpreter has to exist on Lambda
      const argv: WordInfo[] = [{ raw: interp.raw, value: interp.name, loose: interp.name, literal: interp.name, line: 1 }];
      this.trace.commands.push({ file: path, line: 1, crontab: false, topLevel: false, inLoop: false, name: interp.name, argv, resolution: 'not-found' });
      return;
    }
    if (!forceShell && !reg.shell) return;
    if (reg.original.length > MAX_SCRIPT_BYTES) return;
    reg.shell = true;
    const parsed = parseShell(reg.original);
    if (!parsed.file) {
      this.findings.push(makeFinding('parse-error', { path, error: parsed.error?.message ?? '' }, path, parsed.error?.line ?? 1));
      return;
    }
    const unit: Unit = { file: path, key: path, crontab: false, bytes: parsed.bytes, base: 0, lineBase: 0, escape: identity };
    const inner: Ctx = {
      unit,
      scope: this.execScope(ctx, path),
      exported: new Set(ctx.exported),
      anchor: ctx.anchor,
      inLoop: false,
      topLevel: false,
      depth: ctx.depth + 1,
    };
    this.visitStmts(parsed.file.stmts, inner);
    this.flushFunctions(inner);
  }
}

/** The expansions a word is built from, each once, as `$NAME`, `$(...)`, `$((...))`, `<(...)`: no text of the word. */
function expansionsOf(parts: readonly WordPart[], out: string[] = []): string[] {
  const add = (e: string) => {
    if (!out.includes(e)) out.push(e);
  };
  for (const p of parts) {
    if (p.type === 'ParamExp') add(`$${p.param}`);
    else if (p.type === 'CmdSubst') add('$(...)');
    else if (p.type === 'ArithmExp') add('$((...))');
    else if (p.type === 'ProcSubst') add(`${p.op}...)`);
    else if (p.type === 'DblQuoted') expansionsOf(p.parts, out);
  }
  return out;
}
