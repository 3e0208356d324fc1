// The machine's own name, used for what a job does (not only printed). Pure, over the trace.
//
// On the server `hostname` is the server's name; on Lambda it is the name of whichever sandbox the run gets, another
// on most runs. A job that builds a path from it (`aws s3 cp x "s3://backups/$(hostname)/"`) writes somewhere new
// each run, one that tests it (`[ "$(hostname)" = db01 ] || exit 0`, the primary-only guard of a job installed on
// every server) silently does nothing, and both succeed. Printed (echo, printf, logger), it only labels a log line.
import type { Trace, WordInfo } from '../bundle.js';
import { makeFinding, type Finding } from '../types.js';

/** Where a word runs a program for the machine's name: `$(hostname ...)`, `` `hostname` ``, `$(uname -n)`, `$(cat /etc/hostname)`. */
// (the options are bounded: a long quoted text of `$(hostname` without its `)` is scanned in linear time)
const HOST_COMMAND = /\$\(\s*(?:hostname\b[^)]{0,100}|uname\s+(?:-[a-z]{0,10}n[a-z]{0,10}|--nodename)[^)]{0,100}|cat\s+\/etc\/hostname\s*)\)|`\s*(?:hostname\b[^`]{0,100}|uname\s+(?:-[a-z]{0,10}n[a-z]{0,10}|--nodename)[^`]{0,100})`/;
/** bash's $HOSTNAME, the machine's name unless the environment gave it (bash sets it only when unset). */
const HOST_VARIABLE = /\$\{?HOSTNAME\b\}?/;

/** Programs that only print their arguments: the name in a log line is only a label. */
const PRINTS = new Set(['echo', 'printf', 'logger', ':']);

/** `$name` and `${name...}` in a word as written. */
const VARIABLE_REF = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;

/** The first variable among `names` that a word as written refers to (one scan of the word, whatever their number). */
function refersTo(raw: string, names: ReadonlySet<string>): string | undefined {
  if (names.size === 0 || !raw.includes('$')) return undefined;
  for (const m of raw.matchAll(VARIABLE_REF)) if (names.has(m[1])) return m[1];
  return undefined;
}

/**
 * `environment`: the names the job's environment sets (the crontab's variables, given to the job on Lambda as by
 * cron): a HOSTNAME there, or one the job sets itself from anything but the name, is the same value on Lambda.
 */
export function hostnameFindings(trace: Trace, environment: ReadonlySet<string> = new Set()): Finding[] {
  const hostVariable = !environment.has('HOSTNAME') && !trace.assigns.some((a) => a.name === 'HOSTNAME' && !HOST_COMMAND.test(a.value?.raw ?? ''));
  const readsName = (raw: string): RegExpExecArray | null => HOST_COMMAND.exec(raw) ?? (hostVariable ? HOST_VARIABLE.exec(raw) : null);
  // variables whose value is built from the name (`HOST=$(hostname -s)`, then `DEST=s3://b/$HOST`), in the order set
  const tainted = new Set<string>();
  for (const a of trace.assigns) {
    const raw = a.value?.raw;
    if (raw === undefined || tainted.has(a.name)) continue;
    if (readsName(raw) !== null || refersTo(raw, tainted) !== undefined) tainted.add(a.name);
  }
  const out: Finding[] = [];
  const seen = new Set<string>();
  /** The first word of `words` that reads the name, as a finding of `program` on that line. */
  const judge = (file: string, line: number, program: string, words: readonly WordInfo[]) => {
    const key = `${file}\u0000${line}`;
    if (seen.has(key)) return;
    for (const a of words) {
      const m = readsName(a.raw);
      const t = m ? undefined : refersTo(a.raw, tainted);
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
