// Layer 6b: following what a simple command runs and sources: builtins, functions, programs through PATH, wrappers
// (sudo, timeout, flock), cd/pushd/popd, `.` and `source`. What it hands on to a shell or an interpreter (scripts,
// `bash -c` and `eval` strings) is walked by run.ts, layer 6a.
import { posix } from 'node:path';
import { CRON_DEFAULT_PATH, isBashBuiltin, isLambdaDir, isSystemPath } from '../al2023.js';
import { SHELL_ELSEWHERE } from '../secrets.js';
import {
  dirPath,
  evalWord,
  parseShell,
  resolvePath,
  wordAfter,
  type CallExpr,
  type EvalScope,
  type Word,
} from '../sh/index.js';
import { MAX_NESTING, MAX_SOURCE_WALKS } from '../policy.js';
import { makeFinding } from '../types.js';
import { TASK_ROOT, type CommandUse, type Resolution, type WordInfo } from './types.js';
import { identity, type Anchor, type Ctx, type Unit } from './context.js';
import { INTERPRETERS, SHELL_NAMES, argumentsRead, runPartsDir, wrappedCommand } from './programs.js';
import { Runner } from './run.js';
import { isInputPlace } from './walk.js';
import { dirsLeft } from './state.js';
import { cdGuarded, NO_GUARD } from './guards.js';
import { quotePath } from './splice.js';

/**
 * A command's trace record, its fields written out: a record is made for every command of every script, and one
 * spread from a shared base (then given a path) cost more than all the rest of following the command.
 */
function commandUse(ctx: Ctx, line: number, argv: WordInfo[], via: string | undefined, name: string, resolution: Resolution, cwdHome: boolean): CommandUse {
  const { file, crontab } = ctx.unit;
  return via
    ? { file, line, crontab, topLevel: ctx.topLevel, inLoop: ctx.inLoop, argv, cwd: ctx.scope.cwd, cwdHome, via, name, resolution }
    : { file, line, crontab, topLevel: ctx.topLevel, inLoop: ctx.inLoop, argv, cwd: ctx.scope.cwd, cwdHome, name, resolution };
}

/** The PATH a command is looked up in: the job's own, else cron's. */
const pathOf = (ctx: Ctx): string => ctx.scope.vars.get('PATH')?.text ?? CRON_DEFAULT_PATH;

export class Tracer extends Runner {
  protected readonly sourcing: string[] = [];
  /** Walks of each sourced file in this job (MAX_SOURCE_WALKS). */
  private readonly sourceWalks = new Map<string, number>();
  /** pushd's directory stack of each shell (a subshell's scope is a copy, with no stack of its own). */
  private readonly dirStacks = new WeakMap<EvalScope, Array<{ cwd: string | null; anchor: Anchor }>>();

  protected visitCall(call: CallExpr, ctx: Ctx): void {
    const args = call.args;
    for (const a of call.assigns) this.visitAssign(a, ctx, args.length === 0);
    if (args.length === 0) return;
    for (const w of args) this.visitSubsts(w, ctx);
    this.command(args, ctx, undefined);
  }

  /** One simple command (argv as word nodes), possibly the inner command of a wrapper. */
  protected command(args: readonly Word[], ctx: Ctx, via: string | undefined): void {
    const argv = args.map((w) => this.word(w, ctx));
    const w0 = args[0];
    const v0 = evalWord(w0, ctx.scope);
    const line = argv[0].line;

    // secrets on the command line
    const lits = argv.map((a) => a.literal);
    const progName = v0 ? posix.basename(v0.text) : '';
    // su/runuser -c STRING, runuser -u USER CMD: what they run is followed (below), where its credentials are found
    // and rewritten
    const followed = (progName === 'su' || progName === 'runuser') && wrappedCommand(progName, lits) !== null;
    // `ssh host 'PGPASSWORD=pw psql'`, `docker exec db sh -c '...'`: a literal string a shell runs elsewhere (another
    // host, user or container), not followed here, yet code
    this.argvSecrets(progName, args, lits, ctx, !followed && SHELL_ELSEWHERE.has(progName));

    if (!v0) {
      this.trace.commands.push(commandUse(ctx, line, argv, via, posix.basename(argv[0].loose), 'dynamic', this.cwdHome(ctx)));
      // a program named by a value only known when the job runs (a loop variable, an unset variable, $(...)):
      // whatever it is, it is not bundled nor followed
      this.unresolved(ctx, w0, argv[0].raw, 'the program');
      return;
    }
    const prog = v0.text;
    const name = prog.includes('/') ? posix.basename(prog) : prog;
    const use = commandUse(ctx, line, argv, via, name, 'not-found', this.cwdHome(ctx));
    this.trace.commands.push(use);

    // ---- resolve the program ----
    let bundled: string | null = null;
    if (prog.includes('/')) {
      const abs = resolvePath(prog, ctx.scope.cwd);
      if (abs === null) {
        use.resolution = 'missing-file';
        this.missing(ctx, w0, argv[0].raw, null, 'program');
      } else if (isSystemPath(abs)) {
        use.resolution = 'system';
        use.path = abs;
      } else if (this.exists(abs)) {
        use.resolution = 'bundled';
        use.path = abs;
        if (this.register(abs, ctx.unit.crontab ? 'command' : 'exec', ctx, w0)) {
          bundled = abs;
          this.rewriteRef(w0, ctx, v0, abs, false);
        }
      } else {
        use.resolution = 'missing-file';
        use.path = abs;
        this.missing(ctx, w0, argv[0].raw, abs, 'program');
      }
    } else if (isBashBuiltin(prog)) {
      use.resolution = 'builtin';
    } else if (this.funcNames.has(prog)) {
      use.resolution = 'function';
      this.callFunction(prog, ctx);
    } else {
      const found = this.lookPath(prog, pathOf(ctx));
      if (found && found.system) {
        use.resolution = 'system';
        use.path = found.path;
      } else if (found) {
        use.resolution = 'bundled';
        use.path = found.path;
        if (this.register(found.path, ctx.unit.crontab ? 'command' : 'exec', ctx, w0)) {
          bundled = found.path;
          this.rewriteRef(w0, ctx, v0, found.path, true);
        }
      }
    }

    if (bundled) this.execFile(bundled, ctx, w0);

    // ---- builtins with effects, wrappers, interpreters ----
    this.special(name, args, argv, ctx, use);
  }

  protected special(name: string, args: readonly Word[], argv: WordInfo[], ctx: Ctx, use: CommandUse): void {
    const vals = argv.map((a) => a.value);
    switch (name) {
      case 'cd': {
        const rest = args.slice(1).filter((_, i) => !['-P', '-L', '-e', '--'].includes(vals[i + 1] ?? ''));
        if (rest.length === 0) {
          const home = ctx.scope.vars.get('HOME');
          ctx.scope.cwd = home ? home.text : null;
          ctx.anchor = home ? { kind: 'initial' } : { kind: 'unknown' };
          return;
        }
        this.changeDir(rest[0], ctx);
        return;
      }
      case 'pushd': {
        // pushd DIR: cd DIR, and popd comes back to where it was (the same shell); -n and rotations (+N) are not followed
        if (vals.length === 2 && !/^[-+]/.test(vals[1] ?? '')) {
          const stack = this.dirStacks.get(ctx.scope) ?? [];
          this.dirStacks.set(ctx.scope, stack);
          stack.push({ cwd: ctx.scope.cwd, anchor: ctx.anchor });
          this.changeDir(args[1], ctx);
        } else {
          ctx.scope.cwd = null;
          ctx.anchor = { kind: 'unknown' };
        }
        return;
      }
      case 'popd': {
        const back = vals.length === 1 ? this.dirStacks.get(ctx.scope)?.pop() : undefined;
        if (back) {
          ctx.scope.cwd = back.cwd;
          ctx.anchor = back.anchor;
        }
        return;
      }
      case 'source':
      case '.': {
        if (args.length < 2) return;
        this.sourceFile(args[1], argv[1], ctx);
        return;
      }
      case 'unset':
        for (const v of vals.slice(1)) if (v && !v.startsWith('-')) ctx.scope.vars.delete(v);
        return;
      case 'export':
        for (const v of vals.slice(1)) if (v && !v.startsWith('-')) ctx.exported.add(v.split('=')[0]);
        return;
      case 'eval':
        // `eval 'literal code'` runs the code in this shell: analysed like the lines around it; eval of several
        // words (joined with spaces) is not read
        if (args.length === 2) this.shellString(args[1], ctx, true);
        else if (args.length > 2) this.unreadableCode(args.slice(1), ctx);
        return;
      default:
        break;
    }
    if (name === 'flock') this.flock(args, vals, ctx, use);
    if (name === 'run-parts') this.runParts(args, vals, ctx);
    const inner = wrappedCommand(name, vals);
    if (inner === null) this.readArguments(name, args, vals, ctx, use.resolution === 'bundled');
    if (inner !== null && inner.index < args.length) {
      if (inner.shellString) {
        this.shellString(args[inner.index], ctx);
        return;
      }
      this.command(args.slice(inner.index), ctx, name);
      return;
    }
    // flock -c, su -c, runuser -c: a string run by a shell
    if (inner !== null && inner.shellStringAt !== undefined) {
      const w = args[inner.shellStringAt];
      const code = inner.shellStringFrom === undefined ? w : wordAfter(w, inner.shellStringFrom);
      if (code) this.shellString(code, ctx);
      else this.unreadableCode([w], ctx);
      return;
    }
    if (SHELL_NAMES.has(name)) {
      this.shellInvocation(args, vals, ctx);
      return;
    }
    if (INTERPRETERS.has(name) || /^python[0-9.]+$/.test(name) || /^php[0-9.]+$/.test(name)) {
      this.interpreterInvocation(name, args, vals, ctx);
    }
  }


  /** `run-parts [options] DIR` runs every file in DIR (Debian's /etc/cron.daily), none bundled: a finding naming DIR. */
  private runParts(args: readonly Word[], vals: ReadonlyArray<string | null>, ctx: Ctx): void {
    const dir = runPartsDir(vals);
    if (dir < 0) return;
    const w = args[dir];
    this.findings.push(makeFinding('run-parts', { dir: vals[dir] ?? this.word(w, ctx).raw }, ctx.unit.file, this.line(w, ctx)));
  }

  /**
   * Files a command reads, named by its arguments (argumentsRead says which): each an input file, as one read through
   * `<` is (inputFile): bundled and rewritten to the copy, or missing when the program certainly reads it.
   */
  protected readArguments(name: string, args: readonly Word[], vals: ReadonlyArray<string | null>, ctx: Ctx, bundledProgram: boolean): void {
    for (const r of argumentsRead(name, vals, bundledProgram)) {
      const w = args[r.index];
      if (r.at === undefined) this.argumentFile(w, evalWord(w, ctx.scope)?.text ?? null, ctx, r.certain);
      // --config=FILE: only a word written as it reads (no quotes or escapes), so the path's place in it is known
      else if (this.word(w, ctx).raw === vals[r.index]) this.inputFile(w, this.word(w, ctx), (vals[r.index] as string).slice(r.at), ctx, true, r.at);
    }
  }

  private argumentFile(w: Word, v: string | null, ctx: Ctx, reportMissing = true): void {
    if (v === null) return;
    if (!v.startsWith('/')) {
      // A relative word (`tail -n +8`, `sort -k 2`) is as often no path at all: only one that names a file the copy
      // has, from a directory that is the zip's copy on Lambda too (a cd rewritten to the task root: `cd
      // "$(dirname "$0")" && cat hosts.list`), is the server's file. Bundled; the word stays, since it names the copy
      // from there. Never reported missing.
      const cwd = ctx.scope.cwd;
      if (ctx.anchor.kind !== 'script' || cwd === null || v.startsWith('-')) return;
      const path = resolvePath(v, cwd);
      if (path !== null && isInputPlace(path) && this.exists(path)) this.register(path, 'input', ctx, w, false);
      return;
    }
    const path = resolvePath(v, ctx.scope.cwd);
    if (path !== null) this.inputFile(w, this.word(w, ctx), path, ctx, reportMissing);
  }

  /**
   * `cd WORD` (and `pushd WORD`): the new directory, and where relative paths are anchored from now on. A directory
   * that is not on Lambda as it is on the server (isLambdaDir) exists there only as the zip's copy, so a cd into it
   * is rewritten to the task root and the directory goes into the zip, whether or not a bundled path goes through it;
   * one that is not a directory under --root is a missing-directory finding (cd would fail on Lambda).
   */
  protected changeDir(w: Word, ctx: Ctx): void {
    const v = evalWord(w, ctx.scope);
    // `cd -` goes back to $OLDPWD, which is not followed
    if (!v || v.text === '-') {
      ctx.scope.cwd = null;
      ctx.anchor = { kind: 'unknown' };
      return;
    }
    const from = ctx.scope.cwd;
    // a directory, whatever slash ends the word
    const resolved = resolvePath(v.text, from);
    const abs = resolved === null ? null : dirPath(resolved);
    ctx.scope.cwd = abs;
    // `cd ~`, `cd "$HOME"`, `D=$HOME; cd "$D"`: the job's HOME, which function.sh sets to /tmp on Lambda when the home
    // directory is not there: where a bare `cd` goes. Only a value made from HOME (relocated) goes there: a literal
    // `cd /home/deploy` names the server's directory, which is not on Lambda.
    const jobHome = this.env.get('HOME')?.text;
    if (abs !== null && jobHome !== undefined && jobHome.startsWith('/') && abs === dirPath(jobHome) && (v.relocated === 'home' || /^(~|\$HOME|\$\{HOME\})\/?$/.test(this.word(w, ctx).raw.replace(/"/g, '')))) {
      ctx.anchor = { kind: 'initial' };
      return;
    }
    if (abs === null) {
      ctx.anchor = { kind: 'unknown' };
      return;
    }
    // the directories this cd enters: its target and each one a `..` in it leaves
    const absolute = v.text.startsWith('/');
    const entered = [...dirsLeft(absolute ? v.text : `${from}/${v.text}`), abs];
    const a = ctx.anchor;
    if (v.scriptRelative || (!absolute && a.kind === 'script')) {
      // already in the task root (the script's own directory, or a cd rewritten there)
      ctx.anchor = { kind: 'script' };
      if (this.isDir(abs, ctx, w)) {
        this.needDirs(entered);
        this.enteredCopy(abs, w, ctx);
      }
      return;
    }
    // Kept as written: a directory Lambda has too, one relative to an unknown place, or one that is not a directory
    // under --root (it fails there and on Lambda alike; relative paths after it are missing files). An absolute cd
    // becomes the anchor a later relative cd may rewrite; a relative one adds the directories it enters to it.
    if (isLambdaDir(abs) || (!absolute && a.kind === 'unknown') || !this.isDir(abs, ctx, w)) {
      if (absolute) ctx.anchor = { kind: 'cd', key: ctx.unit.key, offset: ctx.unit.base + w.pos, escape: ctx.unit.escape, dirs: entered };
      else if (a.kind === 'cd') ctx.anchor = { ...a, dirs: [...a.dirs, ...entered] };
      return;
    }
    if (!absolute && a.kind === 'cd') {
      // relative to a cd kept as written (cd /opt && cd app): that cd now leads into the task root
      this.addEdit(a.key, a.offset, a.offset, a.escape(TASK_ROOT));
      this.needDirs([...a.dirs, ...entered]);
    } else {
      // the word as its value, in the task root: `cd ~/x`, `cd "$HOME/x"`, `cd x` from HOME (on Lambda HOME is /tmp
      // when the job's home is not there) all name the server's directory
      const u = ctx.unit;
      this.addEdit(u.key, u.base + w.pos, u.base + w.end, u.escape(`${TASK_ROOT}${quotePath(abs)}`));
      this.needDirs(entered);
    }
    this.enteredCopy(abs, w, ctx);
    ctx.anchor = { kind: 'script' };
  }

  /** A cd that lands in the zip's copy of a server directory: judged once the bundle is known (server-dirs.ts). */
  private enteredCopy(abs: string, w: Word, ctx: Ctx): void {
    this.cdCopies.push({ file: ctx.unit.file, line: this.line(w, ctx), reference: this.word(w, ctx).raw, path: abs });
  }

  /**
   * Whether a cd target is a directory under --root; a missing-directory finding when not: a blocker, or a warning
   * when the script is written for the directory to be absent (guards.ts), where the job runs on as it would on a
   * server without it.
   */
  private isDir(abs: string, ctx: Ctx, w: Word): boolean {
    const kind = this.reader.stat(abs)?.kind;
    if (kind === 'dir') return true;
    const reference = this.word(w, ctx).raw;
    const guarded = kind !== 'file' && cdGuarded(ctx.guard ?? NO_GUARD, abs);
    const args = { kind: kind === 'file' ? ('file' as const) : ('not-under-root' as const), reference, path: abs, ...(guarded ? { guarded } : {}) };
    const f = makeFinding('missing-directory', args, ctx.unit.file, this.line(w, ctx), { reference, path: abs });
    this.findings.push(guarded ? { ...f, severity: 'warning' } : f);
    return false;
  }

  protected sourceFile(w: Word, info: WordInfo, ctx: Ctx): void {
    const v = evalWord(w, ctx.scope);
    if (!v) {
      this.unresolved(ctx, w, info.raw, 'sourced file');
      return;
    }
    let abs: string | null = null;
    let viaPath = false;
    if (v.text.includes('/')) abs = resolvePath(v.text, ctx.scope.cwd);
    else {
      // bash looks a slash-less name up in PATH first, then in the current directory
      const found = this.lookPath(v.text, pathOf(ctx));
      if (found && !found.system) {
        abs = found.path;
        viaPath = true;
      } else abs = resolvePath(v.text, ctx.scope.cwd);
    }
    if (abs === null || !this.exists(abs)) {
      this.missing(ctx, w, info.raw, abs, 'sourced file');
      return;
    }
    const reg = this.register(abs, 'source', ctx, w);
    if (!reg) return;
    this.rewriteRef(w, ctx, v, abs, viaPath);
    if (this.sourcing.includes(abs)) return;
    // (a file that sources the next twice, 40 deep, was walked 2^40 times: the plan never ended)
    const walks = this.sourceWalks.get(abs) ?? 0;
    if (walks >= MAX_SOURCE_WALKS) return;
    this.sourceWalks.set(abs, walks + 1);
    if (this.sourcing.length >= MAX_NESTING) {
      this.tooDeep(ctx, w, abs);
      return;
    }
    const parsed = parseShell(reg.original);
    if (!parsed.file) {
      this.findings.push(makeFinding('parse-error', { path: abs, error: parsed.error?.message ?? '' }, abs, parsed.error?.line ?? 1));
      return;
    }
    const unit: Unit = { file: abs, key: abs, crontab: false, bytes: parsed.bytes, base: 0, lineBase: 0, escape: identity };
    const scope = ctx.scope;
    const saved = scope.bashSource;
    scope.bashSource = abs;
    this.sourcing.push(abs);
    // a sourced file runs in the caller's shell: same variables, cwd and $0
    const inner: Ctx = { ...ctx, unit, topLevel: false };
    this.visitStmts(parsed.file.stmts, inner);
    ctx.anchor = inner.anchor;
    this.sourcing.pop();
    scope.bashSource = saved;
  }

  get functionNames(): string[] {
    return [...this.funcNames].sort();
  }
}
