// `for f in /etc/profile.d/*.sh; do . "$f"; done`: the body of /etc/profile and of many scripts' setup, which sources
// every file a glob names; and `for f in /opt/app/jobs.d/*.sh; do "$f"; done` (or `bash "$f"`), which runs each, as
// run-parts does. Pure: which loops qualify and what their glob matches; walk.ts follows them.
//
// Only a loop that does nothing with its variable but source or run it (and test it: `[ -x "$f" ] && "$f"`) is
// followed. On Lambda its glob is rewritten to the zip's copy of the directory, so that it names the bundled files and
// nothing else; a loop that also wrote, deleted or sent its files would then act on the copy, so it is left as it was.
import { posix } from 'node:path';
import { globSource, literalWord, walk, type Stmt, type Word } from '../sh/index.js';
import { SHELL_NAMES } from './programs.js';

/** At most this many files are followed for one loop (a directory of more is left unexpanded). */
export const MAX_GLOB_MATCHES = 64;

/**
 * The glob of a word written as a plain absolute path whose last component alone holds `*`, `?` or `[...]` (no quotes,
 * escapes or expansions), as its directory and a matcher for the names in it; null for any other word.
 */
export function plainGlob(raw: string): { dir: string; matches: (name: string) => boolean } | null {
  const m = /^(\/(?:[^\s'"\\$`*?[\]]*\/)?)([^\s'"\\$`/]*[*?[][^\s'"\\$`/]*)$/.exec(raw);
  if (!m) return null;
  const dir = m[1].length > 1 ? m[1].slice(0, -1) : '/';
  const re = globRegExp(m[2]);
  if (!re) return null;
  // a name starting with a dot is matched only by a pattern that starts with one (bash without dotglob)
  const dotted = m[2].startsWith('.');
  return { dir, matches: (name) => (dotted || !name.startsWith('.')) && re.test(name) };
}

function globRegExp(pattern: string): RegExp | null {
  const src = globSource(pattern, true);
  if (src === null) return null;
  try {
    return new RegExp(`^${src}$`);
  } catch {
    return null;
  }
}

/** Whether a word is exactly `$name`, `${name}`, `"$name"` or `"${name}"`. */
function isRef(w: Word, name: string): boolean {
  const p = w.parts.length === 1 && w.parts[0].type === 'DblQuoted' ? w.parts[0].parts : w.parts;
  return p.length === 1 && p[0].type === 'ParamExp' && p[0].param === name && p[0].index === null && !p[0].length && !p[0].excl;
}

function mentions(node: Stmt | Word, name: string): boolean {
  let found = false;
  walk(node, (n) => {
    if (n.type === 'ParamExp' && n.param === name) found = true;
    return !found;
  });
  return found;
}

/**
 * Whether the statements do nothing with variable `name` but source it (`. "$f"`, `source "$f"`), run it (`"$f"`,
 * `"$f" ARGS`, `bash "$f" ARGS`, ARGS not naming it) and test it (`[`, `test`, `[[`), joined by lists, `if` and
 * blocks; and source or run it at least once.
 */
export function followsOnly(body: readonly Stmt[], name: string): boolean {
  let follows = 0;
  const others = (args: readonly Word[]) => args.every((w) => !mentions(w, name));
  const ok = (st: Stmt): boolean => {
    const cmd = st.cmd;
    if (st.redirs.some((r) => (r.word && mentions(r.word, name)) || (r.hdoc && mentions(r.hdoc, name)))) return false;
    if (!cmd) return true;
    switch (cmd.type) {
      case 'CallExpr': {
        const prog = cmd.args[0] ? literalWord(cmd.args[0]) : null;
        if ((prog === '.' || prog === 'source') && cmd.args.length === 2 && isRef(cmd.args[1], name) && cmd.assigns.length === 0) {
          follows++;
          return true;
        }
        // run as a program, or given to a shell as its script (no option before it: `bash -c "$f"` is code, not a file)
        const runs = cmd.args[0] && isRef(cmd.args[0], name) ? 1 : prog !== null && SHELL_NAMES.has(posix.basename(prog)) && cmd.args[1] && isRef(cmd.args[1], name) ? 2 : 0;
        if (runs > 0 && others(cmd.args.slice(runs)) && cmd.assigns.every((a) => !a.value || !mentions(a.value, name))) {
          follows++;
          return true;
        }
        if (prog === '[' || prog === 'test') return true;
        return !mentions(st, name);
      }
      case 'TestClause':
        return true;
      case 'BinaryCmd':
        return cmd.op === '&&' || cmd.op === '||' ? ok(cmd.x) && ok(cmd.y) : !mentions(st, name);
      case 'Block':
        return cmd.stmts.every(ok);
      case 'IfClause':
        for (let c: typeof cmd | null = cmd; c; c = c.else) if (!c.cond.every(ok) || !c.then.every(ok)) return false;
        return true;
      default:
        return !mentions(st, name);
    }
  };
  return body.every(ok) && follows > 0;
}
