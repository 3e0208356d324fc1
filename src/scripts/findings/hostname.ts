// The machine's own name, used for what a job does (not only printed). Pure, over the trace.
//
// On the server `hostname` is the server's name; on Lambda it is the name of whichever sandbox the run gets, another
// on most runs. A job that builds a path from it (`aws s3 cp x "s3://backups/$(hostname)/"`) writes somewhere new
// each run, one that tests it (`[ "$(hostname)" = db01 ] || exit 0`, the primary-only guard of a job installed on
// every server) silently does nothing, and both succeed. Printed (echo, printf, logger), it only labels a log line.
import type { Trace, WordInfo } from '../bundle.js';
import { makeFinding, type Finding } from '../types.js';

/** Where a word reads the machine's name: `$(hostname ...)`, `` `hostname` ``, `$(uname -n)`, `$(cat /etc/hostname)`, $HOSTNAME. */
const HOST_NAME = /\$\(\s*(?:hostname\b[^)]*|uname\s+(?:-[a-z]*n[a-z]*|--nodename)[^)]*|cat\s+\/etc\/hostname\s*)\)|`\s*(?:hostname\b[^`]*|uname\s+(?:-[a-z]*n[a-z]*|--nodename)[^`]*)`|\$\{?HOSTNAME\b\}?/;

/** Programs that only print their arguments: the name in a log line is only a label. */
const PRINTS = new Set(['echo', 'printf', 'logger', ':']);

/** A reference to variable `name` in a word as written. */
function refersTo(raw: string, name: string): boolean {
  return new RegExp(`\\$(?:${name}\\b|\\{${name}[}:#%/^,@[-])`).test(raw);
}

export function hostnameFindings(trace: Trace): Finding[] {
  // variables whose value is built from the name (`HOST=$(hostname -s)`, then `DEST=s3://b/$HOST`), in the order set
  const tainted: string[] = [];
  for (const a of trace.assigns) {
    const raw = a.value?.raw;
    if (raw === undefined || tainted.includes(a.name)) continue;
    if (HOST_NAME.test(raw) || tainted.some((t) => refersTo(raw, t))) tainted.push(a.name);
  }
  const out: Finding[] = [];
  const seen = new Set<string>();
  /** The first word of `words` that reads the name, as a finding of `program` on that line. */
  const judge = (file: string, line: number, program: string, words: readonly WordInfo[]) => {
    const key = `${file}\u0000${line}`;
    if (seen.has(key)) return;
    for (const a of words) {
      const m = HOST_NAME.exec(a.raw);
      const t = m ? undefined : tainted.find((name) => refersTo(a.raw, name));
      if (!m && t === undefined) continue;
      seen.add(key);
      out.push(makeFinding('hostname', { program, reference: m ? m[0] : `$${t}`, ...(t !== undefined ? { variable: t } : {}) }, file, line));
      return;
    }
  };
  for (const u of trace.commands) if (!PRINTS.has(u.name)) judge(u.file, u.line, u.name, u.argv);
  // `[[ $(hostname) == db01 ]]`, `case $(hostname -s) in db01) ...`
  for (const t of trace.tests) judge(t.file, t.line, t.kind, t.words);
  return out;
}
