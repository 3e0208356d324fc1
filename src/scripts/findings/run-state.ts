// A file in /tmp that carries something from one run to the next. Pure, over the trace.
//
// On the server /tmp outlives a run: `[ -f /tmp/report.lock ] && exit 0; touch /tmp/report.lock; ...; rm
// /tmp/report.lock` keeps two runs apart, `[ -e /tmp/alert.sent ] || mail ...; touch /tmp/alert.sent` alerts once.
// On Lambda /tmp belongs to a sandbox that a later run may or may not get: the file is there on some runs and not on
// others, and one left behind by a run that was killed (its timeout) stops every later run in that sandbox, which
// succeed without doing anything. Found when the job tests or reads a file of /tmp on a line before the one that
// writes it, in the same file (what a run finds there before it writes it is a former run's).
import type { Trace, WordInfo } from '../bundle.js';
import { makeFinding, type Finding } from '../types.js';
import { isWriteOp } from './writes.js';

/** test(1) operators that ask about a file that is there (-d aside: `[ -d /tmp/w ] || mkdir /tmp/w` is set-up). */
const FILE_TESTS = new Set(['-e', '-f', '-s', '-r', '-w', '-x', '-O', '-G', '-N', '-L', '-h']);
/** Programs that read the files they are given. */
const READERS = new Set(['cat', 'head', 'tail', 'grep', 'wc', 'stat', 'find', 'read']);
/** Programs that make or write the files they are given. */
const MAKERS = new Set(['touch', 'tee']);

const inTmp = (p: string | null | undefined): p is string => typeof p === 'string' && /^\/tmp\/[^/]/.test(p);

export function runStateFindings(trace: Trace): Finding[] {
  // where each /tmp file is first written, by file of the job
  const written = new Map<string, number>();
  const wrote = (file: string, path: string, line: number) => {
    const key = `${file}\u0000${path}`;
    const at = written.get(key);
    if (at === undefined || line < at) written.set(key, line);
  };
  for (const r of trace.redirects) if (isWriteOp(r) && inTmp(r.path)) wrote(r.file, r.path, r.line);
  // and what each line removes: `[ -f /tmp/x ] && rm -f /tmp/x` clears a leftover, it carries nothing over
  const removed = new Set<string>();
  for (const u of trace.commands) {
    if (!MAKERS.has(u.name) && u.name !== 'rm') continue;
    for (const a of u.argv.slice(1)) {
      if (!inTmp(a.value)) continue;
      if (u.name === 'rm') removed.add(`${u.file}\u0000${u.line}\u0000${a.value}`);
      else wrote(u.file, a.value, u.line);
    }
  }

  const out: Finding[] = [];
  const seen = new Set<string>();
  const asked = (file: string, line: number, path: string) => {
    const key = `${file}\u0000${path}`;
    const at = written.get(key);
    if (at === undefined || line >= at || seen.has(key) || removed.has(`${file}\u0000${line}\u0000${path}`)) return;
    seen.add(key);
    out.push(makeFinding('run-state', { path, writtenAt: at }, file, line, { path }));
  };
  /** `-f /tmp/x` among the words of a test (`[`, `test`, `[[`). */
  const fileTests = (file: string, line: number, words: readonly WordInfo[]) => {
    for (let i = 0; i + 1 < words.length; i++) {
      const v = words[i + 1].value;
      if (FILE_TESTS.has(words[i].value ?? '') && inTmp(v)) asked(file, line, v);
    }
  };
  for (const u of trace.commands) {
    if (u.name === '[' || u.name === 'test') fileTests(u.file, u.line, u.argv.slice(1));
    else if (READERS.has(u.name)) for (const a of u.argv.slice(1)) if (inTmp(a.value)) asked(u.file, u.line, a.value);
  }
  for (const t of trace.tests) if (t.kind === '[[') fileTests(t.file, t.line, t.words);
  for (const r of trace.redirects) if (r.op === '<' && inTmp(r.path)) asked(r.file, r.line, r.path);
  // `mkdir /tmp/job.lock || exit 0`: mkdir without -p fails when the directory is there, so the job asks for what a
  // former run left as surely as a test does (the lock a killed run never removed)
  for (const u of trace.commands) {
    if (u.name !== 'mkdir' || u.argv.some((a) => a.value !== null && /^-[a-zA-Z]*p|^--parents$/.test(a.value))) continue;
    for (const a of u.argv.slice(1)) {
      const key = `${u.file}\u0000${a.value}`;
      if (!inTmp(a.value) || seen.has(key)) continue;
      seen.add(key);
      out.push(makeFinding('run-state', { path: a.value, writtenAt: u.line, lock: true }, u.file, u.line, { path: a.value }));
    }
  }
  return out;
}
