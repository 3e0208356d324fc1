// A file in /tmp that carries something from one run to the next. Pure, over the trace.
//
// On the server /tmp outlives a run: `[ -f /tmp/report.lock ] && exit 0; touch /tmp/report.lock; ...; rm
// /tmp/report.lock` keeps two runs apart, `[ -e /tmp/alert.sent ] || mail ...; touch /tmp/alert.sent` alerts once.
// On Lambda /tmp belongs to a sandbox that a later run may or may not get: the file is there on some runs and not on
// others, and one left behind by a run that was killed (its timeout) stops every later run in that sandbox, which
// succeed without doing anything. Found when the job tests or reads a file of /tmp on a line before the one that
// writes it, in the same file (what a run finds there before it writes it is a former run's).
import type { Trace } from '../bundle.js';
import { makeFinding, type Finding } from '../types.js';

/** test(1) operators that ask about a file that is there (-d aside: `[ -d /tmp/w ] || mkdir /tmp/w` is set-up). */
const FILE_TESTS = new Set(['-e', '-f', '-s', '-r', '-w', '-x', '-O', '-G', '-N', '-L', '-h']);
/** Programs that read the files they are given. */
const READERS = new Set(['cat', 'head', 'tail', 'grep', 'wc', 'stat', 'find', 'read']);
/** Programs that make or write the files they are given. */
const MAKERS = new Set(['touch', 'tee']);
const WRITE_OPS = new Set(['>', '>>', '>|', '&>', '&>>']);

const inTmp = (p: string | null | undefined): p is string => typeof p === 'string' && /^\/tmp\/[^/]/.test(p);

export function runStateFindings(trace: Trace): Finding[] {
  // where each /tmp file is first written, by file of the job
  const written = new Map<string, number>();
  const wrote = (file: string, path: string, line: number) => {
    const key = `${file}\u0000${path}`;
    const at = written.get(key);
    if (at === undefined || line < at) written.set(key, line);
  };
  for (const r of trace.redirects) if (WRITE_OPS.has(r.op) && inTmp(r.path)) wrote(r.file, r.path, r.line);
  for (const u of trace.commands) if (MAKERS.has(u.name)) for (const a of u.argv.slice(1)) if (inTmp(a.value)) wrote(u.file, a.value, u.line);

  // what each line removes: `[ -f /tmp/x ] && rm -f /tmp/x` clears a leftover, it carries nothing over
  const removed = new Set<string>();
  for (const u of trace.commands) if (u.name === 'rm') for (const a of u.argv.slice(1)) if (inTmp(a.value)) removed.add(`${u.file}\u0000${u.line}\u0000${a.value}`);

  const out: Finding[] = [];
  const seen = new Set<string>();
  const asked = (file: string, line: number, path: string) => {
    const key = `${file}\u0000${path}`;
    const at = written.get(key);
    if (at === undefined || line >= at || seen.has(key) || removed.has(`${file}\u0000${line}\u0000${path}`)) return;
    seen.add(key);
    out.push(makeFinding('run-state', { path, writtenAt: at }, file, line, { path }));
  };
  for (const u of trace.commands) {
    if (u.name === '[' || u.name === 'test') {
      for (let i = 1; i + 1 < u.argv.length; i++) {
        const v = u.argv[i + 1].value;
        if (FILE_TESTS.has(u.argv[i].value ?? '') && inTmp(v)) asked(u.file, u.line, v);
      }
    } else if (READERS.has(u.name)) {
      for (const a of u.argv.slice(1)) if (inTmp(a.value)) asked(u.file, u.line, a.value);
    }
  }
  for (const t of trace.tests) {
    for (let i = 0; i + 1 < t.words.length; i++) {
      const v = t.words[i + 1].value;
      if (t.kind === '[[' && FILE_TESTS.has(t.words[i].value ?? '') && inTmp(v)) asked(t.file, t.line, v);
    }
  }
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
