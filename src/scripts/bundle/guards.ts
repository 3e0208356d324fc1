// Whether a job depends on a `cd` succeeding, read from the statements around it. Pure.
//
// A plain `cd /data/in; ./import.sh` shows the author relied on the directory: on Lambda, where the server's
// directories exist only as the zip's copy, the cd fails and what follows runs elsewhere (a blocker). A *guarded* cd
// shows the author expected the directory to be absent at times, and wrote what the job does then:
//   [ -d /data/in ] && cd /data/in          test -d X && cd X          [[ -e X ]] && cd X
//   if [ -d /data/in ]; then cd /data/in; ...; fi
//   cd /data/in 2>/dev/null || true         cd X || cd /tmp            cd X || echo "no X, staying here"
// There the job runs on Lambda as it runs on a server that lacks the directory: something to look at (a warning),
// not a job that cannot work. `cd X || exit 1` (or return, or anything not known to carry on) still stops the job,
// so it stays a blocker.
import { literalWord, evalWord, resolvePath, type EvalScope, type Stmt, type Word } from '../sh/index.js';

/** What the statements being visited are guarded by. */
export interface CdGuard {
  /** Directories (absolute, no trailing slash) a test made sure exist before these statements run. */
  readonly dirs: readonly string[];
  /** The statement is a `cd` whose failure the script handles and carries on after (`cd X || true`). */
  readonly failureHandled: boolean;
}

export const NO_GUARD: CdGuard = { dirs: [], failureHandled: false };

/** Test operators that are true only when the path exists (a directory for -d; -e would not let a cd into a file). */
const EXISTS = new Set(['-d', '-e']);

/** Programs that, run after a failed cd, leave the job going: nothing, a message, or another cd. */
const CARRIES_ON = new Set(['true', ':', 'echo', 'printf', 'logger', 'cd', 'pushd']);

/**
 * The directories a condition makes sure exist when it is true: `[ -d X ]`, `test -d X`, `[[ -d X ]]`, and any of
 * them joined by `&&`. A negated test, an `||` or a `-o` anywhere proves nothing.
 */
export function testedDirs(cond: readonly Stmt[], scope: EvalScope): string[] {
  // only the last statement of a condition list decides it
  const last = cond.at(-1);
  return last ? stmtDirs(last, scope) : [];
}

function stmtDirs(st: Stmt, scope: EvalScope): string[] {
  const cmd = st.cmd;
  if (!cmd || st.negated || st.background) return [];
  if (cmd.type === 'BinaryCmd') return cmd.op === '&&' ? [...stmtDirs(cmd.x, scope), ...stmtDirs(cmd.y, scope)] : [];
  if (cmd.type === 'TestClause') return testDirs(cmd.words, scope);
  if (cmd.type !== 'CallExpr' || cmd.assigns.length > 0) return [];
  const prog = cmd.args[0] ? literalWord(cmd.args[0]) : null;
  if (prog === '[') return literalWord(cmd.args.at(-1) as Word) === ']' ? testDirs(cmd.args.slice(1, -1), scope) : [];
  if (prog === 'test') return testDirs(cmd.args.slice(1), scope);
  return [];
}

function testDirs(words: readonly Word[], scope: EvalScope): string[] {
  const ops = words.map((w) => literalWord(w));
  if (ops.some((o) => o === '-o' || o === '||' || o === '!')) return [];
  const out: string[] = [];
  for (let i = 0; i + 1 < words.length; i++) {
    if (!EXISTS.has(ops[i] ?? '')) continue;
    const v = evalWord(words[i + 1], scope);
    const path = v ? resolvePath(v.text, scope.cwd) : null;
    if (path !== null) out.push(withoutSlash(path));
  }
  return out;
}

function withoutSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** `cd X || Y` where Y carries on: true, `:`, a message, or another cd (a Block of only those). */
export function carriesOn(st: Stmt): boolean {
  const cmd = st.cmd;
  if (!cmd) return false;
  if (cmd.type === 'Block') return cmd.stmts.length > 0 && cmd.stmts.every(carriesOn);
  if (cmd.type !== 'CallExpr' || cmd.args.length === 0) return false;
  const prog = literalWord(cmd.args[0]);
  return prog !== null && CARRIES_ON.has(prog);
}

/** Whether a statement is a plain `cd` or `pushd` (the left side of `cd X || true`). */
export function isCd(st: Stmt): boolean {
  const cmd = st.cmd;
  if (cmd?.type !== 'CallExpr' || cmd.args.length === 0) return false;
  const prog = literalWord(cmd.args[0]);
  return prog === 'cd' || prog === 'pushd';
}

/** Whether a cd into `dir` (absolute) is guarded. */
export function cdGuarded(guard: CdGuard, dir: string): boolean {
  return guard.failureHandled || guard.dirs.includes(withoutSlash(dir));
}
