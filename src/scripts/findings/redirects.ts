// The crontab command's top-level output redirections, dropped on Lambda (stdout and stderr go to CloudWatch Logs).
import { applyEdits, evalWord, literalWord, parseShell, toBytes, toText, walk, type Edit, type File, type RedirOp, type Stmt } from '../sh/index.js';

// ---------------------------------------------------------------- output redirections

const SAFE_DEVICES = ['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty'];
const OUTPUT_OPS = new Set<RedirOp>(['>', '>>', '>|', '&>', '&>>']);

export function isSafeWriteTarget(path: string): boolean {
  return (
    path === '/tmp' ||
    path.startsWith('/tmp/') ||
    SAFE_DEVICES.includes(path) ||
    path.startsWith('/dev/fd/') ||
    path.startsWith('/proc/self/fd/')
  );
}

/** A top-level output redirection the command for Lambda leaves out. */
export interface OutputDrop {
  /** Byte offsets in the command (the blanks before the redirection included). */
  start: number;
  end: number;
  /** The redirection as written. */
  text: string;
  /** Line within the command, and the file written to (its value, else the word as written). */
  line: number;
  target: string;
}

function topLevelStmts(file: File): Stmt[] {
  const out: Stmt[] = [];
  const visit = (st: Stmt): void => {
    out.push(st);
    if (st.cmd?.type === 'BinaryCmd') {
      visit(st.cmd.x);
      visit(st.cmd.y);
    }
  };
  for (const st of file.stmts) visit(st);
  return out;
}

/**
 * The crontab command's top-level output redirections to files (`>> /var/log/x.log`): on Lambda, stdout and stderr
 * go to CloudWatch Logs. fd duplications (`2>&1`) and /dev/null stay.
 */
export function outputDrops(command: string): OutputDrop[] {
  const parsed = parseShell(command);
  if (!parsed.file || !parsed.exact) return [];
  const scope = { vars: new Map(), dollar0: null, bashSource: null, cwd: null };
  const candidates: OutputDrop[] = [];
  for (const st of topLevelStmts(parsed.file)) {
    for (const r of st.redirs) {
      const op = r.op;
      if (!r.word) continue;
      const isFileDup = op === '>&' && !/^[0-9]+-?$|^-$/.test(literalWord(r.word) ?? '0');
      if (!OUTPUT_OPS.has(op) && !isFileDup) continue;
      const v = evalWord(r.word, scope);
      const target = v ? v.text : toText(parsed.bytes.subarray(r.word.pos, r.word.end));
      if (SAFE_DEVICES.includes(target)) continue;
      let start = r.pos;
      // take the blanks before the redirection with it
      while (start > 0 && (parsed.bytes[start - 1] === 0x20 || parsed.bytes[start - 1] === 0x09)) start--;
      candidates.push({ start, end: r.end, text: toText(parsed.bytes.subarray(r.pos, r.end)), line: r.line, target });
    }
  }
  if (candidates.length === 0) return [];
  // keep a redirection whose file the command uses again (`cmd > /tmp/x && gzip /tmp/x`)
  const used = new Map<string, number>();
  walk(parsed.file, (n) => {
    if (n.type === 'Word') {
      const v = evalWord(n, scope);
      if (v) used.set(v.text, (used.get(v.text) ?? 0) + 1);
    }
    return true;
  });
  return candidates.filter((c) => (used.get(c.target) ?? 0) <= 1);
}

/** The command without its output drops; everything else byte-identical (spliced by parser offsets). */
export function dropOutputRedirects(command: string): { command: string; dropped: string[] } {
  const drops = outputDrops(command);
  if (drops.length === 0) return { command, dropped: [] };
  return { command: toText(applyEdits(toBytes(command), drops.map(dropEdit))), dropped: drops.map((d) => d.text) };
}

/** A drop as an edit of the command's bytes. */
export function dropEdit(d: OutputDrop): Edit {
  return { start: d.start, end: d.end, text: '' };
}
