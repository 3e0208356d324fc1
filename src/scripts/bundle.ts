// Bundling: find every file a crontab command runs or sources (recursively through the scripts),
// and rewrite absolute references so that they run from "$LAMBDA_TASK_ROOT".
//
// One traversal over the syntax trees produces both the bundle and a *trace* (every simple
// command, redirection, assignment, loop and credential literal met on the way, with file and
// line); findings.ts turns the trace into findings. Pure over the FileReader.
import { posix } from 'node:path';
import { CRON_DEFAULT_PATH, SYSTEM_DIRS, isBashBuiltin, isSystemPath } from './al2023.js';
import { secretFromAssignment, secretsInArgv, secretsInText, secretsInValue, type SecretMatch } from './secrets.js';
import { credentialParts, tokensIn } from './tokens.js';
import {
  UNKNOWN,
  applyEdits,
  evalWord,
  evalWordLoose,
  literalWord,
  parseShell,
  resolvePath,
  toBytes,
  toText,
  walk,
  type Assign,
  type CallExpr,
  type Command,
  type DeclClause,
  type Edit,
  type EvalScope,
  type Node,
  type RedirOp,
  type Redirect,
  type Stmt,
  type Value,
  type WhileClause,
  type Word,
} from './sh/index.js';
import type { FileReader } from './reader.js';
import { flockMode, keptBecause, parseFlock, type FlockCall, type FlockUse } from './flock.js';
import { MAX_BUNDLE_BYTES, MAX_FILE_BYTES, MAX_NESTING, MAX_SCRIPT_BYTES, refuseBundling, refusalFinding, tooLarge, type Refusal } from './policy.js';
import { BUNDLE_ERROR_CODES, makeFinding, type Finding, type FindingArgs, type NulField, type ReferenceRole } from './types.js';

export const TASK_ROOT = '"$LAMBDA_TASK_ROOT"';

export interface JobInput {
  /** The crontab command (after the five schedule fields, `%` already handled). */
  command: string;
  /** cron's SHELL for the job (default /bin/sh). */
  shell: string;
  /** The crontab variables in force for the job (PATH, HOME, MAILTO, ...). */
  environment: Record<string, string>;
  /** The user's home directory on the server (cron starts the job there), null when unknown. */
  home: string | null;
  /** Where the command comes from, for findings: the crontab file and line. Default 'crontab', 1. */
  file?: string;
  line?: number;
  /** cron's `%` text (the job's stdin), when the line has one. */
  stdin?: string | null;
  /** Lock files other jobs lock too: their flock calls are kept (see flock.ts). */
  keepFlockLocks?: readonly string[];
}

export type BundleReason = 'command' | 'source' | 'exec';

export interface BundledFile {
  /** Absolute server path. */
  path: string;
  /** Path inside the zip: the server path without its leading slash. */
  zipPath: string;
  /** Content to write (rewritten for shell scripts). */
  content: Uint8Array;
  /** 0o755 for executed files, 0o644 for sourced files. */
  mode: number;
  reason: BundleReason;
}

/** A word as met in the trace. */
export interface WordInfo {
  /** Source text as written. */
  raw: string;
  /** Static value, or null when it depends on the runtime. */
  value: string | null;
  /** Value with unknown parts replaced by U+0000. */
  loose: string;
  /** Value when the word has no expansion at all (a literal), else null. */
  literal: string | null;
  line: number;
}

export type Resolution = 'builtin' | 'function' | 'bundled' | 'system' | 'not-found' | 'missing-file' | 'dynamic';

export interface CommandUse {
  file: string;
  line: number;
  /** True for the crontab command itself (not a script). */
  crontab: boolean;
  /** True for a command at the top level of the crontab line (not in a subshell, loop, ...). */
  topLevel: boolean;
  inLoop: boolean;
  /** Program name (basename of the program word's value; the loose value when dynamic). */
  name: string;
  argv: WordInfo[];
  resolution: Resolution;
  /** Server path when the program is a path or was found in PATH. */
  path?: string;
  /** The wrapper this command runs under (sudo, timeout, flock, ...), if any. */
  via?: string;
  /** The crontab's flock wrapper that cron2lambda removed from the command. */
  stripped?: boolean;
  /** Current directory when the command runs, when known. */
  cwd?: string | null;
}

export interface RedirectUse {
  file: string;
  line: number;
  crontab: boolean;
  topLevel: boolean;
  op: string;
  fd: string | null;
  target: WordInfo;
  /** Absolute target path when known. */
  path: string | null;
  cwd?: string | null;
  /** The file opened only for a flock the job-level lock replaced: the bundled copy opens /dev/null instead. */
  lockFile?: boolean;
}

export interface AssignUse {
  file: string;
  line: number;
  crontab: boolean;
  name: string;
  value: WordInfo | null;
}

export interface LoopUse {
  file: string;
  line: number;
  unbounded: boolean;
}

export interface SecretUse {
  file: string;
  line: number;
  kind: SecretMatch['kind'];
  label: string;
  value: string;
  /** Environment variable the rewritten text reads the secret from, when it was rewritten. */
  envVar?: string;
  /** True when met in the crontab command itself (not in a bundled file). */
  crontab?: boolean;
}

export interface Trace {
  commands: CommandUse[];
  redirects: RedirectUse[];
  assigns: AssignUse[];
  loops: LoopUse[];
  secrets: SecretUse[];
  /** Every function name defined in the command or a bundled script. */
  functions: string[];
  /** Pieces of secrets (a PEM key's lines) that are redacted with them but are no finding of their own. */
  secretParts: string[];
  /** Every flock call, and whether the job-level lock replaced it. */
  flocks: FlockUse[];
}

export interface BundleResult {
  /** The crontab command, rewritten to run from "$LAMBDA_TASK_ROOT" (output redirections kept). */
  command: string;
  /** The rewrites of `command` as edits of the original command's bytes (none when it does not parse). */
  commandEdits: Edit[];
  files: BundledFile[];
  /** missing-file, unresolved and parse-error findings. */
  findings: Finding[];
  /** True when a missing-file finding makes the job an error. */
  error: boolean;
  trace: Trace;
}

// ---------------------------------------------------------------------------------------------

const COMMAND_KEY = '\u0000command';

interface Unit {
  /** Where findings point. */
  file: string;
  /** Edit bucket: a server path, or COMMAND_KEY. */
  key: string;
  crontab: boolean;
  bytes: Uint8Array;
  base: number;
  lineBase: number;
  /** Escapes inserted text for the quoting context the unit's text lives in. */
  escape: (s: string) => string;
}

type Anchor =
  | { kind: 'initial' }
  | { kind: 'script' }
  | { kind: 'unknown' }
  | { kind: 'cd'; key: string; offset: number; escape: (s: string) => string };

interface Ctx {
  unit: Unit;
  scope: EvalScope;
  exported: Set<string>;
  anchor: Anchor;
  inLoop: boolean;
  topLevel: boolean;
  /** Depth of nested script executions, a guard against pathological trees. */
  depth: number;
}

interface Registered {
  path: string;
  original: Uint8Array;
  reason: BundleReason;
  shell: boolean;
}

interface PendingFunc {
  name: string;
  body: Stmt;
  unit: Unit;
  bashSource: string | null;
  visited: boolean;
}

const REASON_RANK: Record<BundleReason, number> = { command: 3, exec: 2, source: 1 };

const SHELL_NAMES = new Set(['bash', 'sh', 'dash', 'ksh', 'zsh']);
const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'php', 'ruby', 'node', 'nodejs']);
/** Interpreter options after which no script path follows (code given inline or a module). */
const INLINE_CODE_OPTS = new Set(['-c', '-e', '-E', '-m', '-r']);

const identity = (s: string): string => s;
const inDoubleQuotes = (s: string): string => s.replace(/[\\"$`]/g, '\\$&');

function cloneScope(s: EvalScope): EvalScope {
  return { vars: new Map(s.vars), dollar0: s.dollar0, bashSource: s.bashSource, cwd: s.cwd };
}

class Tracer {
  readonly trace: Trace = { commands: [], redirects: [], assigns: [], loops: [], secrets: [], functions: [], secretParts: [], flocks: [] };
  /** `flock N` calls, decided once every descriptor the scripts open is known. */
  private readonly fdFlocks: PendingFdFlock[] = [];
  /** Descriptors opened on files (`exec 9>/var/lock/x`, `( ... ) 9>file`), for `flock N`. */
  private readonly fdOpens: FdOpen[] = [];
  readonly findings: Finding[] = [];
  readonly edits = new Map<string, Edit[]>();
  readonly files = new Map<string, Registered>();
  private readonly executed = new Set<string>();
  private readonly sourcing: string[] = [];
  private readonly funcs = new Map<string, PendingFunc>();
  private readonly funcNames = new Set<string>();
  private secretCounter = 0;
  private readonly secretVars = new Map<string, string>();
  private readonly refused = new Set<string>();
  private totalBytes = 0;

  constructor(
    private readonly reader: FileReader,
    private readonly env: Map<string, Value>,
    private readonly keepLocks: ReadonlySet<string> = new Set(),
  ) {}

  // ---- edits ----
  addEdit(key: string, start: number, end: number, text: string): void {
    const list = this.edits.get(key) ?? [];
    list.push({ start, end, text });
    this.edits.set(key, list);
  }

  // ---- words ----
  word(w: Word, ctx: Ctx): WordInfo {
    const v = evalWord(w, ctx.scope);
    return {
      raw: toText(ctx.unit.bytes.subarray(w.pos, w.end)),
      value: v ? v.text : null,
      loose: v ? v.text : evalWordLoose(w, ctx.scope),
      literal: literalWord(w),
      line: w.line + ctx.unit.lineBase,
    };
  }

  line(n: Node, ctx: Ctx): number {
    return n.line + ctx.unit.lineBase;
  }

  // ---- registering bundled files ----
  /**
   * Read a file for the bundle, once. Refused paths (kernel filesystems, credential files, names a zip cannot
   * hold), unreadable and oversized files are findings that make the job an error; null then.
   */
  private register(path: string, reason: BundleReason, ctx: Ctx, node: Node, shellHint?: boolean): Registered | null {
    const prev = this.files.get(path);
    if (prev) {
      if (REASON_RANK[reason] > REASON_RANK[prev.reason]) prev.reason = reason;
      return prev;
    }
    if (this.refused.has(path)) return null;
    const refuse = (r: Refusal): null => {
      this.refused.add(path);
      this.findings.push(refusalFinding(r, ctx.unit.file, this.line(node, ctx), { path }));
      return null;
    };
    const resolved = this.reader.resolve ? this.reader.resolve(path) : path;
    const refusal = refuseBundling(path, resolved ?? path);
    if (refusal) return refuse(refusal);
    const size = this.reader.stat(path)?.size ?? 0;
    if (size > MAX_FILE_BYTES) return refuse(tooLarge(path, size, MAX_FILE_BYTES, false));
    const content = this.reader.readFile(path, MAX_FILE_BYTES);
    if (content === null) {
      return refuse({ code: 'unreadable', args: { path } });
    }
    if (content.length > MAX_FILE_BYTES) return refuse(tooLarge(path, content.length, MAX_FILE_BYTES, false));
    // a file given to python/perl/... is theirs, whatever its first line says
    const shell = reason === 'source' || (shellHint ?? isShellScript(content, path));
    if (shell && content.length > MAX_SCRIPT_BYTES) return refuse(tooLarge(path, content.length, MAX_SCRIPT_BYTES, true));
    if (this.totalBytes + content.length > MAX_BUNDLE_BYTES) {
      return refuse({ code: 'too-large', args: { kind: 'bundle', path, limit: MAX_BUNDLE_BYTES } });
    }
    this.totalBytes += content.length;
    const reg: Registered = { path, original: content, reason, shell };
    this.files.set(path, reg);
    return reg;
  }

  /**
   * Credentials in text that is data, not shell words (a heredoc body, a Python script): recorded for the findings
   * and for redaction (the bundled copy gets [REDACTED] in their place); `line` is the text's first line.
   */
  textSecrets(text: string, file: string, line: number, formatsOnly = false): void {
    const known = new Set(this.trace.secrets.map((s) => s.value));
    for (const m of formatsOnly ? tokensIn(text) : secretsInText(text)) {
      this.trace.secretParts.push(...credentialParts(m));
      if (known.has(m.value)) continue;
      known.add(m.value);
      const at = text.indexOf(m.value);
      const l = line + (at > 0 ? text.slice(0, at).split('\n').length - 1 : 0);
      this.trace.secrets.push({ file, line: l, kind: m.kind, label: m.label, value: m.value });
    }
  }

  /** Nesting beyond MAX_NESTING: the rest of the chain is not followed, so the bundle may miss files. */
  private tooDeep(ctx: Ctx, node: Node, path: string): void {
    this.findings.push(
      makeFinding('too-deep', { path, limit: MAX_NESTING }, ctx.unit.file, this.line(node, ctx), { path }),
    );
  }

  private exists(path: string): boolean {
    return this.reader.stat(path)?.kind === 'file';
  }

  private missing(ctx: Ctx, node: Node, ref: string, path: string | null, role: ReferenceRole): void {
    const line = this.line(node, ctx);
    const args: FindingArgs['missing-file'] =
      path === null
        ? { kind: 'no-base', role, reference: ref }
        : { kind: this.reader.stat(path)?.kind === 'dir' ? 'directory' : 'not-under-root', role, reference: ref, path };
    this.findings.push(makeFinding('missing-file', args, ctx.unit.file, line, { reference: ref, ...(path ? { path } : {}) }));
  }

  private unresolved(ctx: Ctx, node: Node, ref: string, role: ReferenceRole): void {
    this.findings.push(
      makeFinding('unresolved', { role, reference: ref }, ctx.unit.file, this.line(node, ctx), {
        reference: ref,
      }),
    );
  }

  /**
   * Rewrite a reference word that resolved to a bundled server path so that it points into the
   * task root. `value` is how the word evaluated; `viaPath` when found through PATH.
   */
  private rewriteRef(w: Word, ctx: Ctx, value: Value, path: string, viaPath: boolean): void {
    const u = ctx.unit;
    const start = u.base + w.pos;
    const end = u.base + w.end;
    if (viaPath) {
      this.addEdit(u.key, start, end, u.escape(`${TASK_ROOT}${quotePath(path)}`));
      return;
    }
    if (value.scriptRelative) return;
    if (value.text.startsWith('/')) {
      const first = w.parts[0];
      if (first?.type === 'Lit' && first.value.startsWith('~')) {
        // ~/x: replace the tilde by the task root and the home directory
        const home = ctx.scope.vars.get('HOME')?.text ?? '';
        this.addEdit(u.key, start, start + 1, u.escape(`${TASK_ROOT}${quotePath(home)}`));
      } else {
        this.addEdit(u.key, start, start, u.escape(TASK_ROOT));
      }
      return;
    }
    // relative: anchored at the directory the job started in, a `cd`, or the script's own directory
    const a = ctx.anchor;
    if (a.kind === 'cd') this.addEdit(a.key, a.offset, a.offset, a.escape(TASK_ROOT));
    else if (a.kind === 'initial' && ctx.scope.cwd !== null) this.addEdit(u.key, start, start, u.escape(`${TASK_ROOT}${quotePath(ctx.scope.cwd)}/`));
  }

  // ---- traversal ----
  visitStmts(stmts: readonly Stmt[], ctx: Ctx): void {
    for (const st of stmts) this.visitStmt(st, ctx);
  }

  private sub(ctx: Ctx, patch: Partial<Ctx> = {}): Ctx {
    return { ...ctx, scope: cloneScope(ctx.scope), exported: new Set(ctx.exported), topLevel: false, ...patch };
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
    for (const r of st.redirs) this.visitRedirect(r, c, shellFed);
  }

  /**
   * `bash <<EOF ... EOF`, `sh -s <<'EOF'`: the heredoc is code, analysed and rewritten like a script's lines. It runs
   * in a new shell (exported variables only); an unquoted body is expanded by the outer shell first, which leaves the
   * inserted "$LAMBDA_TASK_ROOT" references as they are meant.
   */
  private heredocCode(r: Redirect, ctx: Ctx): void {
    const body = r.hdoc;
    if (!body) return;
    const text = toText(ctx.unit.bytes.subarray(body.pos, body.end));
    const parsed = parseShell(text, ctx.unit.file);
    if (!parsed.file) {
      this.findings.push(makeFinding('parse-error', { ...(ctx.unit.crontab ? {} : { path: ctx.unit.file }), error: parsed.error?.message ?? '', heredoc: true }, ctx.unit.file, this.line(body, ctx) + (parsed.error?.line ?? 1) - 1));
      return;
    }
    const outer = ctx.unit;
    const unit: Unit = { ...outer, bytes: parsed.bytes, base: outer.base + body.pos, lineBase: outer.lineBase + body.line - 1 };
    const inner: Ctx = { ...ctx, unit, scope: this.execScope(ctx, ctx.scope.dollar0), exported: new Set(ctx.exported), topLevel: false };
    this.visitStmts(parsed.file.stmts, inner);
  }

  private visitRedirect(r: Redirect, ctx: Ctx, shellFed = false): void {
    const op = r.op;
    if (r.word) this.visitSubsts(r.word, ctx);
    if (r.hdoc) {
      if (shellFed && (op === '<<' || op === '<<-')) this.heredocCode(r, ctx);
      this.visitSubsts(r.hdoc, ctx);
      this.textSecrets(toText(ctx.unit.bytes.subarray(r.hdoc.pos, r.hdoc.end)), ctx.unit.file, this.line(r.hdoc, ctx));
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
    };
    this.trace.redirects.push(use);
    if (r.n && FD_OPEN_OPS.has(op)) {
      this.fdOpens.push({ unit: ctx.unit, fd: r.n, path, start: ctx.unit.base + r.word.pos, end: ctx.unit.base + r.word.end, use });
    }
    if (target.literal !== null) this.valueSecrets(r.word, target.literal, ctx);
  }

  private visitCmd(cmd: Command, ctx: Ctx): void {
    switch (cmd.type) {
      case 'CallExpr':
        this.visitCall(cmd, ctx);
        return;
      case 'BinaryCmd': {
        if (cmd.op === '|' || cmd.op === '|&') {
          this.visitStmt(cmd.x, this.sub(ctx, { topLevel: ctx.topLevel }));
          this.visitStmt(cmd.y, this.sub(ctx, { topLevel: ctx.topLevel }));
        } else {
          this.visitStmt(cmd.x, ctx);
          this.visitStmt(cmd.y, ctx);
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
          this.visitStmts(c.then, inner);
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
        this.visitStmts(cmd.do, inner);
        return;
      }
      case 'CaseClause': {
        this.visitSubsts(cmd.word, ctx);
        const inner = { ...ctx, topLevel: false };
        for (const item of cmd.items) this.visitStmts(item.stmts, inner);
        return;
      }
      case 'FuncDecl': {
        const name = cmd.name;
        this.funcNames.add(name);
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
      default:
        // ArithmCmd, TestClause: only their command substitutions run anything
        this.visitSubsts(cmd, ctx);
    }
  }

  private visitDecl(cmd: DeclClause, ctx: Ctx): void {
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

  private visitAssign(a: Assign, ctx: Ctx, persistent: boolean): void {
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
    }
  }

  /** Record a secret found in a literal word and replace the word by an environment reference. */
  private secretWord(w: Word, literal: string, m: SecretMatch, ctx: Ctx, varName?: string): void {
    let envVar = varName;
    if (!envVar) {
      envVar = this.secretVars.get(m.value);
      if (!envVar) {
        envVar = `CRON2LAMBDA_SECRET_${++this.secretCounter}`;
        this.secretVars.set(m.value, envVar);
      }
    }
    this.trace.secrets.push({ file: ctx.unit.file, line: this.line(w, ctx), kind: m.kind, label: m.label, value: m.value, envVar });
    const at = literal.indexOf(m.value);
    if (at === -1) return;
    const prefix = literal.slice(0, at);
    const suffix = literal.slice(at + m.value.length);
    const ref = `"\${${envVar}:?set ${envVar} from SSM Parameter Store or Secrets Manager}"`;
    const text = `${dq(prefix)}${ref}${dq(suffix)}`;
    this.addEdit(ctx.unit.key, ctx.unit.base + w.pos, ctx.unit.base + w.end, ctx.unit.escape(text));
  }

  private valueSecrets(w: Word, literal: string, ctx: Ctx): void {
    const found = secretsInValue(literal);
    // one rewrite per word: the first secret; the others are still reported and redacted
    found.forEach((m, i) => {
      if (i === 0) this.secretWord(w, literal, m, ctx);
      else this.trace.secrets.push({ file: ctx.unit.file, line: this.line(w, ctx), kind: m.kind, label: m.label, value: m.value, crontab: ctx.unit.crontab });
    });
  }

  private visitCall(call: CallExpr, ctx: Ctx): void {
    const args = call.args;
    for (const a of call.assigns) this.visitAssign(a, ctx, args.length === 0);
    if (args.length === 0) return;
    for (const w of args) this.visitSubsts(w, ctx);
    this.command(args, ctx, undefined);
  }

  /** One simple command (argv as word nodes), possibly the inner command of a wrapper. */
  private command(args: readonly Word[], ctx: Ctx, via: string | undefined): void {
    const argv = args.map((w) => this.word(w, ctx));
    const w0 = args[0];
    const v0 = evalWord(w0, ctx.scope);
    const line = argv[0].line;
    const base = { file: ctx.unit.file, line, crontab: ctx.unit.crontab, topLevel: ctx.topLevel, inLoop: ctx.inLoop, argv, cwd: ctx.scope.cwd, ...(via ? { via } : {}) };

    // secrets on the command line
    const lits = argv.map((a) => a.literal);
    const progName = v0 ? posix.basename(v0.text) : '';
    const argSecrets = secretsInArgv(progName, lits);
    const secretIdx = new Set<number>();
    for (const s of argSecrets) {
      if (lits[s.index] !== null) {
        this.secretWord(args[s.index], lits[s.index] as string, s, ctx);
        secretIdx.add(s.index);
      }
    }
    argv.forEach((a, i) => {
      if (!secretIdx.has(i) && a.literal !== null) this.valueSecrets(args[i], a.literal, ctx);
    });

    if (!v0) {
      this.trace.commands.push({ ...base, name: posix.basename(argv[0].loose), resolution: 'dynamic' });
      if (argv[0].loose.includes('/') || /\.(sh|bash)$/.test(argv[0].loose)) this.unresolved(ctx, w0, argv[0].raw, 'the program');
      return;
    }
    const prog = v0.text;
    const name = prog.includes('/') ? posix.basename(prog) : prog;
    const use: CommandUse = { ...base, name, resolution: 'not-found' };
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
      const found = this.lookPath(prog, ctx);
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

  private lookPath(name: string, ctx: Ctx): { path: string; system: boolean } | null {
    const pathVar = ctx.scope.vars.get('PATH')?.text ?? CRON_DEFAULT_PATH;
    for (const dir of pathVar.split(':')) {
      if (!dir.startsWith('/')) continue;
      const p = posix.join(dir, name);
      const system = (SYSTEM_DIRS as readonly string[]).includes(posix.normalize(dir));
      if (this.exists(p)) return { path: p, system };
    }
    return null;
  }

  private callFunction(name: string, ctx: Ctx): void {
    const f = this.funcs.get(name);
    if (!f || f.visited) return;
    f.visited = true;
    const scope = ctx.scope;
    const saved = scope.bashSource;
    scope.bashSource = f.bashSource;
    this.visitStmt(f.body, { ...ctx, unit: f.unit, topLevel: false });
    scope.bashSource = saved;
  }

  /** Visit the bodies of functions never called (a library's functions, say) with the final scope. */
  flushFunctions(ctx: Ctx): void {
    for (const name of [...this.funcs.keys()].sort()) this.callFunction(name, ctx);
  }

  private special(name: string, args: readonly Word[], argv: WordInfo[], ctx: Ctx, use: CommandUse): void {
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
        const w = rest[0];
        const v = evalWord(w, ctx.scope);
        if (!v) {
          ctx.scope.cwd = null;
          ctx.anchor = { kind: 'unknown' };
          return;
        }
        const abs = resolvePath(v.text, ctx.scope.cwd);
        ctx.scope.cwd = abs;
        if (abs === null) ctx.anchor = { kind: 'unknown' };
        else if (v.scriptRelative) ctx.anchor = { kind: 'script' };
        else if (v.text.startsWith('/')) ctx.anchor = { kind: 'cd', key: ctx.unit.key, offset: ctx.unit.base + w.pos, escape: ctx.unit.escape };
        // relative cd keeps the anchor it is relative to
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
        // `eval 'literal code'` runs the code in this shell: analysed like the lines around it
        if (args.length === 2) this.shellString(args[1], ctx, true);
        return;
      default:
        break;
    }
    if (name === 'flock') this.flock(args, vals, ctx, use);
    const inner = wrappedCommand(name, vals);
    if (inner !== null && inner.index < args.length) {
      if (inner.shellString) {
        this.shellString(args[inner.index], ctx);
        return;
      }
      this.command(args.slice(inner.index), ctx, name);
      return;
    }
    if (name === 'flock' && inner !== null && inner.shellStringAt !== undefined) {
      this.shellString(args[inner.shellStringAt], ctx);
      return;
    }
    if (SHELL_NAMES.has(name)) {
      this.shellInvocation(args, vals, ctx);
      return;
    }
    if (INTERPRETERS.has(name) || /^python[0-9.]+$/.test(name) || /^php[0-9.]+$/.test(name)) {
      this.interpreterInvocation(args, vals, ctx);
    }
  }

  /**
   * A flock call: the job-level lock replaces it when it is an exclusive lock on a fixed file (see flock.ts). `flock
   * [opts] LOCK cmd` becomes `cmd`, `flock [opts] LOCK -c 'cmd'` becomes `bash -c 'cmd'`; `flock [opts] N` on a
   * descriptor is decided at the end, once the file the script opens it on is known.
   */
  private flock(args: readonly Word[], vals: Array<string | null>, ctx: Ctx, use: CommandUse): void {
    const u = ctx.unit;
    const call = parseFlock(vals);
    const at = { file: u.file, line: use.line, crontab: u.crontab };
    if (call === null) {
      this.trace.flocks.push({ ...at, lock: use.argv.slice(1).map((a) => a.raw).join(' '), mode: 'block', waitSeconds: null, unlock: false, replaced: false, kept: 'dynamic' });
      return;
    }
    const { mode, waitSeconds } = flockMode(call);
    if (call.fd !== null) {
      this.fdFlocks.push({ call, args, unit: u, use, at: { ...at, mode, waitSeconds, unlock: call.unlock } });
      return;
    }
    const lockPath = resolvePath(call.target, ctx.scope.cwd);
    const kept = keptBecause(call, this.keepLocks, lockPath);
    this.trace.flocks.push({ ...at, lock: lockPath ?? call.target, mode, waitSeconds, unlock: call.unlock, replaced: kept === null, ...(kept ? { kept } : {}) });
    if (kept !== null) return;
    use.stripped = true;
    const from = u.base + args[0].pos;
    if (call.commandIndex !== null) {
      this.addEdit(u.key, from, u.base + args[call.commandIndex].pos, '');
    } else if (call.dashCIndex !== null) {
      const c = args[call.dashCIndex];
      this.addEdit(u.key, from, u.base + c.pos, '');
      this.addEdit(u.key, u.base + c.pos, u.base + c.end, 'bash -c');
    }
  }

  /**
   * `flock [opts] N`: replaced by `:` (a command that succeeds: the job-level lock is already held) when N is opened on
   * one fixed file in the same script and nothing keeps the lock; its unlock (`flock -u N`) goes with it. The file
   * opened only for the lock is opened as /dev/null in the bundled copy (outside /tmp it cannot be created on Lambda).
   */
  resolveFdFlocks(): void {
    const replacedOpens = new Set<FdOpen>();
    const replacedLocks = new Set<string>();
    const order = [...this.fdFlocks.filter((p) => !p.call.unlock), ...this.fdFlocks.filter((p) => p.call.unlock)];
    for (const p of order) {
      const opens = this.fdOpens.filter((o) => o.unit.file === p.unit.file && o.fd === String(p.call.fd));
      const paths = new Set(opens.map((o) => o.path));
      const lockPath = paths.size === 1 && !paths.has(null) ? [...paths][0] : null;
      let kept = keptBecause(p.call, this.keepLocks, lockPath);
      if (kept === null && p.call.unlock && !replacedLocks.has(`${p.unit.file}\u0000${lockPath}`)) kept = 'unlock';
      const replaced = kept === null;
      this.trace.flocks.push({ ...p.at, lock: lockPath ?? String(p.call.fd), replaced, ...(kept ? { kept } : {}) });
      if (!replaced) continue;
      p.use.stripped = true;
      replacedLocks.add(`${p.unit.file}\u0000${lockPath}`);
      const u = p.unit;
      this.addEdit(u.key, u.base + p.args[0].pos, u.base + p.args[p.args.length - 1].end, ':');
      for (const o of opens) replacedOpens.add(o);
    }
    for (const o of replacedOpens) {
      // a descriptor also locked by a kept flock keeps its file
      const stillLocked = this.trace.flocks.some((f) => !f.replaced && f.file === o.unit.file && f.lock === o.path);
      if (stillLocked || o.path === null || o.path === '/tmp' || o.path.startsWith('/tmp/')) continue;
      this.addEdit(o.unit.key, o.start, o.end, o.unit.escape('/dev/null'));
      o.use.lockFile = true;
    }
  }

  private sourceFile(w: Word, info: WordInfo, ctx: Ctx): void {
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
      const found = this.lookPath(v.text, ctx);
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
    if (this.sourcing.length >= MAX_NESTING) {
      this.tooDeep(ctx, w, abs);
      return;
    }
    const parsed = parseShell(reg.original, abs);
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

  /**
   * `bash -c 'string'` (a new shell) or `eval 'string'` (`sameShell`: this shell, its variables and directory):
   * analyze the string as shell code when it is a plain literal.
   */
  private shellString(w: Word, ctx: Ctx, sameShell = false): void {
    const parts = w.parts;
    if (parts.length !== 1) return;
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
    if (innerText === null) return;
    const parsed = parseShell(innerText, ctx.unit.file);
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

  private shellInvocation(args: readonly Word[], vals: Array<string | null>, ctx: Ctx): void {
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

  private interpreterInvocation(args: readonly Word[], vals: Array<string | null>, ctx: Ctx): void {
    for (let i = 1; i < args.length; i++) {
      const v = vals[i];
      if (v === null) return;
      if (INLINE_CODE_OPTS.has(v)) return;
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
  private scriptArg(w: Word, ctx: Ctx, shell: boolean): void {
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

  private execScope(ctx: Ctx, dollar0: string | null): EvalScope {
    const vars = new Map(this.env);
    for (const name of ctx.exported) {
      const v = ctx.scope.vars.get(name);
      if (v) vars.set(name, v);
    }
    return { vars, dollar0, bashSource: dollar0, cwd: ctx.scope.cwd };
  }

  /** A bundled file is executed: analyze it as a shell script (once), or note its interpreter. */
  private execFile(path: string, ctx: Ctx, node: Node, forceShell = false): void {
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
    const parsed = parseShell(reg.original, path);
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

  get functionNames(): string[] {
    return [...this.funcNames].sort();
  }
}

// ---- helpers ----

/** Redirections that open a descriptor on a file (`9>x`, `9>>x`, `9<x`, `9<>x`, `9>|x`). */
const FD_OPEN_OPS = new Set<RedirOp>(['>', '>>', '<', '<>', '>|']);

interface FdOpen {
  unit: Unit;
  fd: string;
  path: string | null;
  /** The target word's offsets in the unit's edit bucket. */
  start: number;
  end: number;
  use: RedirectUse;
}

interface PendingFdFlock {
  call: FlockCall;
  args: readonly Word[];
  unit: Unit;
  use: CommandUse;
  at: Omit<FlockUse, 'lock' | 'replaced' | 'kept'>;
}

/**
 * A bundled file with its edits applied. A shell script that is not UTF-8 was parsed as Latin-1: edits are mapped back
 * to its bytes and inserted as Latin-1, so every byte outside them stays as it was.
 */
function spliced(r: Registered, edits: Edit[]): Uint8Array {
  if (!r.shell) return applyEdits(r.original, edits);
  const p = parseShell(r.original, r.path);
  if (p.exact) return applyEdits(r.original, edits);
  const back = p.toOriginal;
  if (!back || edits.some((e) => /[^\u0000-\u00ff]/.test(e.text))) return r.original;
  const latin1 = (t: string): Uint8Array => new Uint8Array(Buffer.from(t, 'latin1'));
  return applyEdits(r.original, edits.map((e) => ({ ...e, start: back(e.start), end: back(e.end) })), latin1);
}

function nulFields(input: JobInput): NulField[] {
  const out: NulField[] = [];
  if (input.command.includes('\u0000')) out.push('command');
  if (input.stdin?.includes('\u0000')) out.push('stdin');
  for (const name of ['SHELL', 'PATH', 'HOME'] as const) if (input.environment[name]?.includes('\u0000')) out.push(name);
  if (input.home?.includes('\u0000')) out.push('home');
  if (input.shell.includes('\u0000') && !out.includes('SHELL')) out.push('SHELL');
  return out;
}

/** The text of a file for scanning: UTF-8 when it is, else Latin-1 (one character per byte, nothing lost). */
function fileText(bytes: Uint8Array): string {
  const text = toText(bytes);
  return text.includes('\uFFFD') ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1') : text;
}

function quotePath(p: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]*$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}

/** Double-quote a literal fragment (no single quotes, so it survives any outer quoting context). */
function dq(s: string): string {
  if (s === '') return '';
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `"${s.replace(/[\\"$`]/g, '\\$&')}"`;
}

function isUnboundedWhile(cmd: WhileClause): boolean {
  if (cmd.cond.length !== 1) return false;
  const c = cmd.cond[0].cmd;
  if (c?.type !== 'CallExpr' || c.args.length !== 1) return false;
  const v = literalWord(c.args[0]);
  return cmd.until ? v === 'false' : v === 'true' || v === ':';
}

function shebangInterpreter(content: Uint8Array): { name: string; raw: string } | null {
  if (content.length < 2 || content[0] !== 0x23 || content[1] !== 0x21) return null;
  let end = content.indexOf(0x0a);
  if (end === -1) end = Math.min(content.length, 256);
  const line = toText(content.subarray(2, end)).trim();
  const fields = line.split(/[ \t]+/).filter((f) => f !== '');
  if (fields.length === 0) return null;
  let prog = posix.basename(fields[0]);
  if (prog === 'env') {
    const rest = fields.slice(1).filter((f) => !f.startsWith('-'));
    if (rest.length === 0) return null;
    prog = posix.basename(rest[0]);
  }
  return { name: prog, raw: `#!${line}` };
}

function isShellScript(content: Uint8Array, path: string): boolean {
  const interp = shebangInterpreter(content);
  if (interp) return SHELL_NAMES.has(interp.name);
  // no shebang: a text file is run by the shell, a binary is not parsed
  const head = content.subarray(0, 512);
  if (head.includes(0)) return false;
  if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return false;
  void path;
  return true;
}

/**
 * A shell that reads its commands from stdin: `bash`, `sh -s`, `bash -ex` with no script operand and no `-c`
 * (`bash script.sh <<EOF` gives the script data, not code).
 */
function readsCommandsFromStdin(args: readonly Word[]): boolean {
  const prog = literalWord(args[0]);
  if (prog === null || !SHELL_NAMES.has(posix.basename(prog))) return false;
  for (let i = 1; i < args.length; i++) {
    const v = literalWord(args[i]);
    if (v === null) return false;
    if (v === '-s' || v === '--') return true; // the rest are positional parameters
    if (v === '-o' || v === '+o' || v === '-O' || v === '+O') {
      i++;
      continue;
    }
    if (/^[-+][a-zA-Z]+$/.test(v)) {
      if (/^-[a-zA-Z]*c/.test(v)) return false;
      if (/^-[a-zA-Z]*s/.test(v)) return true;
      continue;
    }
    return false;
  }
  return true;
}

/** Options of wrapper programs that take a separate argument. */
const WRAPPER_OPTS_WITH_ARG: Record<string, string[]> = {
  sudo: ['-u', '-g', '-C', '-h', '-p', '-U', '-r', '-t', '-D', '-T', '-R'],
  nice: ['-n'],
  ionice: ['-c', '-n', '-t'],
  timeout: ['-s', '-k', '--signal', '--kill-after'],
  env: ['-u', '-C', '-S', '--unset', '--chdir'],
  stdbuf: ['-i', '-o', '-e'],
  flock: ['-w', '-E', '--timeout', '--wait', '--conflict-exit-code'],
  xargs: ['-n', '-P', '-I', '-d', '-L', '-s', '-a', '-E', '--max-args', '--max-procs', '--delimiter'],
  exec: ['-a'],
  time: ['-f', '-o', '--format', '--output'],
  chronic: [],
  nohup: [],
  command: [],
  setsid: [],
  doas: ['-u'],
};

/**
 * The index of the command run by a wrapper (`sudo -u x CMD`, `timeout 60 CMD`, `flock -n L CMD`),
 * or a `-c` shell string (flock), or null.
 */
function wrappedCommand(name: string, vals: Array<string | null>): { index: number; shellString?: boolean; shellStringAt?: number } | null {
  const withArg = WRAPPER_OPTS_WITH_ARG[name];
  if (!withArg) return null;
  let i = 1;
  let positional = 0;
  const needPositional = name === 'timeout' ? 1 : name === 'flock' ? 1 : 0;
  while (i < vals.length) {
    const v = vals[i];
    if (v === null) {
      // flock's lock file may be known only at run time (`flock -n "$LOCK" cmd`); the command after it still runs
      if (name === 'flock' && positional < needPositional) {
        positional++;
        i++;
        continue;
      }
      break;
    }
    if (name === 'command' && (v === '-v' || v === '-V')) return null;
    if (name === 'flock' && (v === '-c' || v === '--command')) {
      return positional >= 1 && i + 1 < vals.length ? { index: vals.length, shellStringAt: i + 1 } : null;
    }
    if (v === '--') {
      i++;
      break;
    }
    if (v.startsWith('-') && v.length > 1) {
      if (withArg.includes(v)) i += 2;
      else i += 1;
      continue;
    }
    if ((name === 'env' || name === 'sudo') && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) {
      i++;
      continue;
    }
    if (positional < needPositional) {
      positional++;
      i++;
      continue;
    }
    break;
  }
  if (name === 'flock' && positional < 1) return null;
  if (i >= vals.length) return null;
  return { index: i };
}

// ---- entry point ----

export function bundleJob(input: JobInput, reader: FileReader): BundleResult {
  const file = input.file ?? 'crontab';
  const lineBase = (input.line ?? 1) - 1;
  const env = new Map<string, Value>();
  if (input.home !== null) env.set('HOME', { text: input.home, scriptRelative: false });
  for (const [k, v] of Object.entries(input.environment)) env.set(k, { text: v, scriptRelative: false });
  if (!env.has('PATH')) env.set('PATH', { text: CRON_DEFAULT_PATH, scriptRelative: false });
  const home = env.get('HOME')?.text ?? null;

  const tracer = new Tracer(reader, env, new Set(input.keepFlockLocks ?? []));
  // A NUL cannot reach a shell (C strings end there): the line cannot run as written, on the server or on Lambda.
  const nul = nulFields(input);
  if (nul.length > 0) {
    const f = makeFinding('bad-input', { fields: nul }, file, lineBase + 1);
    return { command: input.command, commandEdits: [], files: [], findings: [f], error: true, trace: tracer.trace };
  }
  const parsed = parseShell(input.command, file);
  if (!parsed.file) {
    tracer.findings.push(makeFinding('parse-error', { error: parsed.error?.message ?? '' }, file, lineBase + (parsed.error?.line ?? 1)));
  } else {
    const unit: Unit = { file, key: COMMAND_KEY, crontab: true, bytes: parsed.bytes, base: 0, lineBase, escape: identity };
    const ctx: Ctx = {
      unit,
      scope: { vars: new Map(env), dollar0: null, bashSource: null, cwd: home },
      exported: new Set(env.keys()),
      anchor: home ? { kind: 'initial' } : { kind: 'unknown' },
      inLoop: false,
      topLevel: true,
      depth: 0,
    };
    tracer.visitStmts(parsed.file.stmts, ctx);
    tracer.flushFunctions(ctx);
    tracer.resolveFdFlocks();
  }

  // Every bundled text file is scanned as text too: shell scripts for well-known token formats (a PEM key in a comment
  // or a file that does not parse), other files (Python, config) for credential-named values as well. Binaries (a NUL
  // in the first 8 KiB) are programs: their bytes are not scanned.
  for (const r of [...tracer.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (r.original.subarray(0, 8192).includes(0)) continue;
    tracer.textSecrets(fileText(r.original), r.path, 1, r.shell);
  }

  const files: BundledFile[] = [...tracer.files.values()]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((r) => {
      const edits = tracer.edits.get(r.path) ?? [];
      const content = edits.length > 0 ? spliced(r, edits) : r.original;
      return { path: r.path, zipPath: r.path.replace(/^\/+/, ''), content, mode: r.reason === 'source' ? 0o644 : 0o755, reason: r.reason };
    });
  const commandEdits = parsed.file ? tracer.edits.get(COMMAND_KEY) ?? [] : [];
  const command = parsed.file ? toText(applyEdits(toBytes(input.command), commandEdits)) : input.command;
  tracer.trace.functions = tracer.functionNames;
  return {
    command,
    commandEdits,
    files,
    findings: tracer.findings,
    error: tracer.findings.some((f) => BUNDLE_ERROR_CODES.has(f.code)),
    trace: tracer.trace,
  };
}

export { UNKNOWN };
