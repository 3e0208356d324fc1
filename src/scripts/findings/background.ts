// Work left running after the script ends: Lambda freezes the sandbox once the job answers.
import { posix } from 'node:path';
import { literalWord, parseShell, toBytes, toText, walk } from '../sh/index.js';
import { makeFinding, type Finding } from '../types.js';

// ---------------------------------------------------------------- background work

const BACKGROUND_COMMANDS = new Set(['nohup', 'disown', 'setsid']);
const SHELL_SHEBANG = /^#![ \t]*(?:\S*\/)?(?:env[ \t]+(?:-\S+[ \t]+)*)?(?:ba|da|k|z|a|mk)?sh(?:[ \t]|$)/;

/** Text that a shell reads: sourced, or a shell shebang, or no shebang (cron's shell runs it); never binary. */
export function isShellText(text: string | Uint8Array, sourced = false): boolean {
  const bytes = typeof text === 'string' ? toBytes(text) : text;
  if (bytes.includes(0)) return false;
  if (sourced) return true;
  const first = toText(bytes.subarray(0, Math.min(bytes.length, 200))).split('\n')[0];
  return !first.startsWith('#!') || SHELL_SHEBANG.test(first);
}

/**
 * `background` findings: statements started in the background (`cmd &`) and nohup, disown, setsid, in the crontab
 * command and the bundled shell scripts. On Lambda the sandbox is frozen once the job has answered, and bootstrap
 * ends the job's process group a short grace period after its shell exits, so work left running does not finish:
 * wait for it (`wait`) before the script ends. A `&` in a file that calls `wait` is taken as waited for.
 */
export function backgroundFindings(sources: ReadonlyArray<{ file: string; text: string | Uint8Array; lineBase?: number }>): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>(); // one finding per line: `long_task & disown` is one thing to fix
  const push = (f: Finding) => {
    if (!seen.has(`${f.file}\0${f.line}`)) out.push(f);
    seen.add(`${f.file}\0${f.line}`);
  };
  for (const src of sources) {
    const parsed = parseShell(src.text);
    if (!parsed.file) continue; // parse errors are reported by the bundling
    const base = src.lineBase ?? 0;
    // A script that calls `wait` waits for what it started with `&` (nohup, disown and setsid mean to outlive it):
    // one walk notes both, in tree order, and the `&` ones count only when nothing waits.
    let waits = false;
    const found: Array<{ line: number; program: string | null }> = [];
    walk(parsed.file, (n) => {
      if (n.type === 'Stmt' && n.background) found.push({ line: n.line, program: null });
      else if (n.type === 'CallExpr' && n.args.length > 0) {
        const program = literalWord(n.args[0]);
        if (program === 'wait') waits = true;
        const name = posix.basename(program ?? '');
        if (BACKGROUND_COMMANDS.has(name)) found.push({ line: n.line, program: name });
      }
      return true;
    });
    for (const f of found) {
      if (f.program === null) {
        if (!waits) push(makeFinding('background', { kind: 'ampersand' }, src.file, base + f.line));
      } else push(makeFinding('background', { kind: 'command', program: f.program }, src.file, base + f.line));
    }
  }
  return out;
}
