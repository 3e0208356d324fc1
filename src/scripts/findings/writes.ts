// Where a write lands: outside /tmp it fails on Lambda (a read-only filesystem), unless it is under the job's HOME or
// the directory cron starts the job in, which function.sh makes /tmp there: that write works, and is gone next run.
import { posix } from 'node:path';
import { UNKNOWN, dirPath } from '../sh/index.js';
import { isSafeWriteTarget } from './redirects.js';
import type { RedirectUse } from '../bundle.js';

/** A write outside /tmp on the server: `path` as shown ("…" for unknown parts), `lambdaPath` when it lands in /tmp. */
export interface OutsideTmp {
  path: string;
  lambdaPath?: string;
}

/**
 * The job's HOME a write target starts from, where Lambda has /tmp: the word's (~/x, "$HOME"/x), or the directory
 * cron starts the job in (its HOME) for a relative word written there.
 */
export function homeOf(target: { value: string | null; loose: string; home?: string }, cwd: string | null, cwdHome: boolean | undefined): string | undefined {
  if (target.home !== undefined) return target.home;
  return cwdHome && cwd !== null && !(target.value ?? target.loose).startsWith('/') ? cwd : undefined;
}

const shown = (p: string): string => p.split(UNKNOWN).join('…');

/** Is this path (possibly partly unknown) a write outside /tmp? Unknown leading parts: cannot tell. */
export function outsideTmp(value: string | null, loose: string, cwd: string | null, home?: string): OutsideTmp | null {
  let p = value ?? loose;
  if (p.startsWith(UNKNOWN) || p === '') return null;
  if (!p.startsWith('/')) {
    if (cwd === null) return null;
    p = posix.join(cwd, p);
  }
  const known = p.includes(UNKNOWN) ? p.slice(0, p.indexOf(UNKNOWN)) : p;
  if (isSafeWriteTarget(posix.normalize(known.endsWith('/') ? known.slice(0, -1) || '/' : known)) || known.startsWith('/tmp/')) return null;
  if (known === '/' || known === '/dev/') return null;
  if (home === undefined) return { path: shown(p) };
  // under HOME after `..` is taken out (~/../x is outside it, and outside /tmp on Lambda too)
  const h = dirPath(home);
  const n = posix.normalize(p);
  if (n !== h && !n.startsWith(`${h}/`)) return { path: shown(p) };
  return { path: shown(p), lambdaPath: shown(`/tmp${n.slice(h.length)}`) };
}

/** Whether a redirection writes its target (`>`, `>>`, `>|`, `&>`, `&>>`, `<>`, and `>&` to a file). */
export function isWriteOp(r: RedirectUse): boolean {
  if (['>', '>>', '>|', '&>', '&>>', '<>'].includes(r.op)) return true;
  return r.op === '>&' && r.path !== null;
}
