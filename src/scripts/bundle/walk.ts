// Layer 5: following statements: lists, pipelines, compound commands, assignments, declarations, redirections,
// substitutions and heredocs given to a shell. What a simple command runs is the next layer's (follow.ts).
import { secretFromAssignment } from '../secrets.js';
import {
  evalWord,
  literalWord,
  parseShell,
  resolvePath,
  toText,
  walk,
  type Assign,
  type CallExpr,
  type Command,
  type DeclClause,
  type EvalScope,
  type Node,
  type Redirect,
  type Stmt,
  type Value,
  type Word,
} from '../sh/index.js';
import { makeFinding } from '../types.js';
import { TASK_ROOT, type RedirectUse, type WordInfo } from './types.js';
import { cloneScope, type Ctx, type PendingFunc, type Unit } from './context.js';
import { isUnboundedWhile, readsCommandsFromStdin, runsRemoteShell } from './programs.js';
import { FD_OPEN_OPS, FlockRewriter } from './flock-rewrite.js';
import { carriesOn, isCd, NO_GUARD, testedDirs, type CdGuard } from './guards.js';
import { MAX_GLOB_MATCHES, followsOnly, plainGlob } from './glob-loop.js';

/**
 * Where the files a job reads are made or given when it runs, on Lambda as on the server, or are the server's own
 * running state (logs, spools, caches, services' data): never bundled, and not missing when the copy lacks them.
 */
const RUNTIME_PLACES = ['/tmp/', '/dev/', '/proc/', '/sys/', '/run/', '/var/tmp/', '/var/run/', '/var/log/', '/var/spool/', '/var/cache/', '/var/lib/'];

/** Whether a file read at `path` is the server's (bundled, or missing), not one made or given when the job runs. */
export function isInputPlace(path: string): boolean {
  return !RUNTIME_PLACES.some((d) => path.startsWith(d)) && !SYSTEM_ETC.has(path);
}

/** Programs that make or write the files they are given (any of them: which operand is which is not asked here). */
const WRITERS = new Set(['cp', 'mv', 'install', 'ln', 'tee', 'touch', 'dd', 'curl', 'wget', 'rsync', 'tar', 'unzip', 'gzip', 'gunzip', 'sort', 'split', 'mkfifo']);

/**
 * The system's own files in /etc, which every Lambda has (a job reading them means the machine it runs on): never
 * bundled, so the server's users, hosts or release never go into the zip.
 */
const SYSTEM_ETC = new Set([
  '/etc/passwd', '/etc/group', '/etc/hosts', '/etc/resolv.conf', '/etc/nsswitch.conf', '/etc/os-release',
  '/etc/system-release', '/etc/services', '/etc/protocols', '/etc/localtime', '/etc/shells', '/etc/mime.types',
  '/etc/ld.so.conf', '/etc/ld.so.cache', '/etc/hostname', '/etc/machine-id', '/etc/fstab', '/etc/mtab',
]);

export abstract class StatementWalker extends FlockRewriter {
  protected readonly funcs = new Map<string, PendingFunc>();
  protected readonly funcNames = new Set<string>();
  /** Definitions replaced by a later one of the same name before they were called (see FuncDecl). */
  protected readonly replacedFuncs: PendingFunc[] = [];

  /** A simple command: what it runs (follow.ts). */
  protected abstract visitCall(call: CallExpr, ctx: Ctx): void;

  // ---- traversal ----
  visitStmts(stmts: readonly Stmt[], ctx: Ctx): void {
    for (const st of stmts) this.visitStmt(st, ctx);
  }

  protected sub(ctx: Ctx, patch: Partial<Ctx> = {}): Ctx {
    // a handled failure is the cd's own (`cd X || true`), not that of the commands in its words
    const guard = ctx.guard?.failureHandled ? { ...ctx.guard, failureHandled: false } : ctx.guard;
    return { ...ctx, scope: cloneScope(ctx.scope), exported: new Set(ctx.exported), topLevel: false, guard, ...patch };
  }

  /** Run the command substitutions (and process substitutions) inside a node. */
  visitSubsts(node: Node | null, ctx: Ctx): void {
    if (!node) return;
    walk(node, (n) => {
      if (n.type === 'CmdSubst' || n.type === 'ProcSubst') {
        this.visitStmts(n.stmts, this.sub(ctx));
        return false;
      }
      return true;
    });
  }

  visitStmt(st: Stmt, ctx: Ctx): void {
    const c = st.background ? this.sub(ctx, { topLevel: ctx.topLevel }) : ctx;
    if (st.cmd) this.visitCmd(st.cmd, c);
    const shellFed = st.cmd?.type === 'CallExpr' && readsCommandsFromStdin(st.cmd.args);
    const remoteFed = st.cmd?.type === 'CallExpr' && runsRemoteShell(st.cmd.args);
    for (const r of st.redirs) this.visitRedirect(r, c, shellFed, remoteFed);
  }

  /**
   * `bash <<EOF ... EOF`, `sh -s <<'EOF'`: the heredoc is code, analysed and rewritten like a script's lines. It runs
   * in a new shell (exported variables only); an unquoted body is expanded by the outer shell first, which leaves the
   * inserted "$LAMBDA_TASK_ROOT" references as they are meant.
   */
  protected heredocCode(r: Redirect, ctx: Ctx): void {
    const body = r.hdoc;
    if (!body) return;
    const text = toText(ctx.unit.bytes.subarray(body.pos, body.end));
    const parsed = parseShell(text);
    if (!parsed.file) {
      this.findings.push(makeFinding('parse-error', { ...(ctx.unit.crontab ? {} : { path: ctx.unit.file }), error: parsed.error?.message ?? '', heredoc: true }, ctx.unit.file, this.line(body, ctx) + (parsed.error?.line ?? 1) - 1));
      return;
    }
    const outer = ctx.unit;
    const unit: Unit = { ...outer, bytes: parsed.bytes, base: outer.base + body.pos, lineBase: outer.lineBase + body.line - 1 };
    const inner: Ctx = { ...ctx, unit, scope: this.execScope(ctx, ctx.scope.dollar0), exported: new Set(ctx.exported), topLevel: false };
    this.visitStmts(parsed.file.stmts, inner);
  }

  protected visitRedirect(r: Redirect, ctx: Ctx, shellFed = false, remoteFed = false): void {
    const op = r.op;
    if (r.word) this.visitSubsts(r.word, ctx);
    if (r.hdoc) {
      if (shellFed && (op === '<<' || op === '<<-')) this.heredocCode(r, ctx);
      this.visitSubsts(r.hdoc, ctx);
      this.textSecrets(toText(ctx.unit.bytes.subarray(r.hdoc.pos, r.hdoc.end)), ctx.unit.file, this.line(r.hdoc, ctx));
      // code for a remote shell (`ssh host <<EOF`): not run here, but `mysql --password=pw` in it is a credential
      if (remoteFed && (op === '<<' || op === '<<-')) this.expandedSecrets(r.hdoc, ctx);
    }
    if (op === '<<' || op === '<<-' || !r.word) return;
    const target = this.word(r.word, ctx);
    let path: string | null = null;
    if (target.value !== null && !(op === '>&' || op === '<&')) path = resolvePath(target.value, ctx.scope.cwd);
    if (op === '>&' && target.value !== null && !/^[0-9]+-?$|^-$/.test(target.value)) path = resolvePath(target.value, ctx.scope.cwd);
    const use: RedirectUse = {
      file: ctx.unit.file,
      line: this.line(r, ctx),
      crontab: ctx.unit.crontab,
      topLevel: ctx.topLevel,
      op,
      fd: r.n,
      target,
      path,
      cwd: ctx.scope.cwd,
      cwdHome: this.cwdHome(ctx),
    };
    this.trace.redirects.push(use);
    // `cmd < FILE`: a file the job reads on its standard input
    if (op === '<' && (r.n === null || r.n === '0') && path !== null) this.inputFile(r.word, target, path, ctx);
    if (r.n && FD_OPEN_OPS.has(op)) {
      this.fdOpens.push({ unit: ctx.unit, fd: r.n, path, start: ctx.unit.base + r.word.pos, end: ctx.unit.base + r.word.end, use });
    }
    if (target.literal !== null) this.valueSecrets(r.word, target.literal, ctx);
    else this.expandedSecrets(r.word, ctx);
  }

  /**
   * `cmd < FILE`: a file the job reads, which Lambda has only as the zip's copy. One under --root is bundled as data
   * (not followed) and the word rewritten to the copy, as for a sourced file; one that is not is a missing file (the
   * redirection fails, and the command does not run). Left alone: what the job makes or the system has when it runs
   * (/tmp, /dev, /proc, /sys, /run; and /etc, where Lambda has files of its own), and a path known only at run time.
   */
  protected inputFile(w: Word, info: WordInfo, path: string, ctx: Ctx, reportMissing = true, at?: number): void {
    if (!isInputPlace(path)) return;
    const v = evalWord(w, ctx.scope);
    if (!v) return;
    if (this.exists(path)) {
      // `at`: the path starts that far into a literal word (`--config=/opt/app/x.yml`)
      if (this.register(path, 'input', ctx, w, false)) {
        if (at === undefined) this.rewriteRef(w, ctx, v, path, false);
        else this.rewriteAt(w, at, ctx);
      }
      return;
    }
    if (!reportMissing || this.mayBeMadeByTheJob(path, v)) return;
    this.missing(ctx, w, info.raw, path, 'input file');
  }

  /**
   * A file the copy lacks that the job may make itself before reading it, so not reported missing: one it wrote
   * earlier (a redirection, or a program that writes its operands), one under the job's HOME or working directory as
   * the value says (both are /tmp on Lambda, where the job's own files are), and /etc, where Lambda has files of its own.
   */
  protected mayBeMadeByTheJob(path: string, v: Value): boolean {
    if (path.startsWith('/etc/') || v.relocated !== undefined) return true;
    if (this.trace.redirects.some((r) => r.path === path && r.op !== '<')) return true;
    return this.trace.commands.some((u) => WRITERS.has(u.name) && u.argv.some((a, i) => i > 0 && a.value !== null && resolvePath(a.value, u.cwd ?? null) === path));
  }

  protected visitCmd(cmd: Command, ctx: Ctx): void {
    switch (cmd.type) {
      case 'CallExpr':
        this.visitCall(cmd, ctx);
        return;
      case 'BinaryCmd': {
        if (cmd.op === '|' || cmd.op === '|&') {
          this.visitStmt(cmd.x, this.sub(ctx, { topLevel: ctx.topLevel }));
          this.visitStmt(cmd.y, this.sub(ctx, { topLevel: ctx.topLevel }));
        } else {
          // the same ctx, not a copy, so that a cd on either side moves where the statements after the list run
          const outer = ctx.guard ?? NO_GUARD;
          // `cd X || true`: the script carries on after a failed cd
          const x = cmd.op === '||' && isCd(cmd.x) && carriesOn(cmd.y) ? { dirs: outer.dirs, failureHandled: true } : outer;
          this.guarded(ctx, x, () => this.visitStmt(cmd.x, ctx));
          // `[ -d X ] && cd X`: the right side runs only when X exists
          const y = cmd.op === '&&' ? { dirs: [...outer.dirs, ...testedDirs([cmd.x], ctx.scope)], failureHandled: false } : outer;
          this.guarded(ctx, y, () => this.visitStmt(cmd.y, ctx));
        }
        return;
      }
      case 'Block':
        this.visitStmts(cmd.stmts, { ...ctx, topLevel: false });
        return;
      case 'Subshell':
        this.visitStmts(cmd.stmts, this.sub(ctx));
        return;
      case 'IfClause': {
        const inner = { ...ctx, topLevel: false };
        for (let c: typeof cmd | null = cmd; c; c = c.else) {
          this.visitStmts(c.cond, inner);
          // `if [ -d X ]; then cd X; ...`: the branch runs only when X exists
          const outer = inner.guard ?? NO_GUARD;
          this.visitStmts(c.then, { ...inner, guard: { dirs: [...outer.dirs, ...testedDirs(c.cond, inner.scope)], failureHandled: false } });
        }
        return;
      }
      case 'WhileClause': {
        const inner = { ...ctx, topLevel: false, inLoop: true };
        this.trace.loops.push({ file: ctx.unit.file, line: this.line(cmd, ctx), unbounded: isUnboundedWhile(cmd) });
        this.visitStmts(cmd.cond, inner);
        this.visitStmts(cmd.do, inner);
        return;
      }
      case 'ForClause': {
        const inner = { ...ctx, topLevel: false, inLoop: true };
        const loop = cmd.loop;
        const unbounded = loop.type === 'CStyleLoop' && !loop.hasCond;
        this.trace.loops.push({ file: ctx.unit.file, line: this.line(cmd, ctx), unbounded });
        this.visitSubsts(loop, ctx);
        // its words (`for kv in DB_PASSWORD=pw ...`) read as a command's arguments are
        if (loop.type === 'WordIter' && loop.items) this.argvSecrets('', [null, ...loop.items], [null, ...loop.items.map((w) => this.word(w, ctx).literal)], ctx);
        if (loop.type === 'WordIter' && this.globLoop(loop.name, loop.items, cmd.do, inner)) return;
        this.visitStmts(cmd.do, inner);
        return;
      }
      case 'CaseClause': {
        this.visitSubsts(cmd.word, ctx);
        this.trace.tests.push({ file: ctx.unit.file, line: this.line(cmd.word, ctx), kind: 'case', words: [this.word(cmd.word, ctx)] });
        const inner = { ...ctx, topLevel: false };
        for (const item of cmd.items) this.visitStmts(item.stmts, inner);
        return;
      }
      case 'FuncDecl': {
        const name = cmd.name;
        this.funcNames.add(name);
        // a definition replaced before it was called is still code of the bundled file (its credentials, its paths):
        // kept to be visited at the end with the others never called
        const before = this.funcs.get(name);
        if (before && !before.visited) this.replacedFuncs.push(before);
        this.funcs.set(name, { name, body: cmd.body, unit: ctx.unit, bashSource: ctx.scope.bashSource, visited: false });
        return;
      }
      case 'DeclClause':
        this.visitDecl(cmd, ctx);
        return;
      case 'TimeClause':
      case 'CoprocClause':
        if (cmd.stmt) this.visitStmt(cmd.stmt, { ...ctx, topLevel: cmd.type === 'TimeClause' ? ctx.topLevel : false });
        return;
      case 'TestClause':
        // only its command substitutions run anything; its words are what the job tests (findings read them)
        this.visitSubsts(cmd, ctx);
        this.trace.tests.push({ file: ctx.unit.file, line: this.line(cmd, ctx), kind: '[[', words: cmd.words.map((w) => this.word(w, ctx)) });
        return;
      default:
        // ArithmCmd: only its command substitutions run anything
        this.visitSubsts(cmd, ctx);
    }
  }

  /**
   * `for f in /etc/profile.d/*.sh; do [ -r "$f" ] && . "$f"; done`, `for f in /opt/app/jobs.d/*; do "$f"; done`
   * (glob-loop.ts): the body is followed once for each file the glob matches in the copy, in the order bash gives
   * them, with `$f` naming the zip's copy; the glob word is rewritten to the task root, so that on Lambda it names the
   * bundled files. False (nothing done) for any other loop, a glob matching nothing or anything but files, or one the
   * copy cannot list.
   */
  private globLoop(name: string, items: readonly Word[] | null, body: readonly Stmt[], ctx: Ctx): boolean {
    if (items?.length !== 1) return false;
    const w = items[0];
    const glob = plainGlob(this.word(w, ctx).raw);
    if (!glob || !followsOnly(body, name)) return false;
    const names = this.reader.list?.(glob.dir)?.filter(glob.matches);
    if (!names || names.length === 0 || names.length > MAX_GLOB_MATCHES) return false;
    const files = names.map((n) => (glob.dir === '/' ? `/${n}` : `${glob.dir}/${n}`));
    if (files.some((f) => this.reader.stat(f)?.kind !== 'file')) return false;
    // A loop met again (its file sourced again) is followed again: how often a file is walked is bounded where files
    // are sourced (MAX_SOURCE_WALKS), and the same edit made twice is made once (applyEdits).
    const u = ctx.unit;
    // already the zip's copy: references through $f are not rewritten again (rewriteRef)
    for (const f of files) {
      ctx.scope.vars.set(name, { text: f, scriptRelative: true });
      this.visitStmts(body, ctx);
    }
    this.addEdit(u.key, u.base + w.pos, u.base + w.pos, u.escape(TASK_ROOT));
    return true;
  }

  /** Runs `fn` with `guard` on ctx, then puts the one before back (ctx itself is kept: see BinaryCmd). */
  private guarded(ctx: Ctx, guard: CdGuard, fn: () => void): void {
    const before = ctx.guard;
    ctx.guard = guard;
    try {
      fn();
    } finally {
      ctx.guard = before;
    }
  }

  protected visitDecl(cmd: DeclClause, ctx: Ctx): void {
    let exportAll = cmd.variant === 'export';
    for (const a of cmd.args) {
      if (a.naked && !a.name && a.value) {
        const opt = literalWord(a.value) ?? '';
        if (/^-[a-zA-Z]*x/.test(opt)) exportAll = true;
        continue;
      }
      this.visitAssign(a, ctx, true);
      if (exportAll && a.name) ctx.exported.add(a.name);
    }
  }

  protected visitAssign(a: Assign, ctx: Ctx, persistent: boolean): void {
    if (!a.name) return;
    const name = a.name;
    if (a.index) this.visitSubsts(a.index, ctx);
    if (a.value) this.visitSubsts(a.value, ctx);
    for (const w of a.array ?? []) this.visitSubsts(w, ctx);
    if (a.naked) return;
    const value = a.value ? this.word(a.value, ctx) : null;
    this.trace.assigns.push({ file: ctx.unit.file, line: this.line(a, ctx), crontab: ctx.unit.crontab, name, value });
    if (persistent) {
      const v = a.value ? evalWord(a.value, ctx.scope) : { text: '', scriptRelative: false };
      if (a.append || a.index || a.array) ctx.scope.vars.delete(name);
      else if (v) ctx.scope.vars.set(name, v);
      else ctx.scope.vars.delete(name);
    }
    if (value && value.literal !== null && a.value) {
      const m = secretFromAssignment(name, value.literal);
      if (m) this.secretWord(a.value, value.literal, m, ctx, name);
      else this.valueSecrets(a.value, value.literal, ctx);
    } else if (a.value) this.expandedSecrets(a.value, ctx);
  }


  protected execScope(ctx: Ctx, dollar0: string | null): EvalScope {
    const vars = new Map(this.env);
    for (const name of ctx.exported) {
      const v = ctx.scope.vars.get(name);
      if (v) vars.set(name, v);
    }
    return { vars, dollar0, bashSource: dollar0, cwd: ctx.scope.cwd };
  }

}
