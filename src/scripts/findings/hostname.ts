// The machine's own name, used for what a job does (not only printed). Pure, over the trace.
//
// On the server `hostname` is the server's name; on Lambda it is the name of whichever sandbox the run gets, another
// on most runs. A job that builds a path from it (`aws s3 cp x "s3://backups/$(hostname)/"`) writes somewhere new
// each run, one that tests it (`[ "$(hostname)" = db01 ] || exit 0`, the primary-only guard of a job installed on
// every server) silently does nothing, and both succeed. Printed (echo, printf, logger), it only labels a log line.
import type { CommandUse, Trace } from '../bundle.js';
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
  const found = (u: CommandUse, reference: string, variable?: string) => {
    const key = `${u.file}\u0000${u.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(makeFinding('hostname', { program: u.name, reference, ...(variable !== undefined ? { variable } : {}) }, u.file, u.line));
  };
  for (const u of trace.commands) {
    if (PRINTS.has(u.name)) continue;
    for (const a of u.argv) {
      const m = HOST_NAME.exec(a.raw);
      if (m) {
        found(u, m[0]);
        break;
      }
      const t = tainted.find((name) => refersTo(a.raw, name));
      if (t !== undefined) {
        found(u, `$${t}`, t);
        break;
      }
    }
  }
  return out;
}
