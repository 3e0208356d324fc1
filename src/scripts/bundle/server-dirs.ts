// Server directories a job works in or names, whose contents the zip does not hold. Pure over the walk's records and
// the FileReader.
//
// A zip holds only the files a job runs, sources or reads by name. A `cd` into a server directory is rewritten to the
// task root and the directory made a directory entry of the zip (follow.ts changeDir), so the cd works on Lambda; but
// when nothing of that directory is bundled, the job then works in an empty directory: `cd /var/www/uploads && tar czf
// /tmp/u.tgz .` archives nothing, and succeeds. A directory given to a program as an argument (`tar -C /srv/data`,
// `rsync -a /srv/data/ host:`, `find /srv/data -mtime +7`) is not on Lambda at all. Either way the job reads (or
// cleans up) data that stays on the server, which a verdict of ready would hide: a warning that names the directory
// and what the server's copy holds there. A directory that holds a bundled file is the job's own (`cd "$(dirname
// "$0")"`, `cd /opt/app && ./bin/run.sh`) and is not judged.
import { isLambdaDir } from '../al2023.js';
import { dirPath } from '../sh/index.js';
import type { FileReader } from '../reader.js';
import { tokensIn } from '../tokens.js';
import { makeFinding, type Finding } from '../types.js';
import type { CdCopy, CommandUse } from './types.js';
import { isInputPlace } from './walk.js';

/**
 * Commands whose directory arguments name no data the job uses: text they only print or test, directories they make
 * or change the modes of (a write outside /tmp is a finding of its own), and cd, whose target is judged where the walk
 * rewrote it (CdCopy).
 */
const NOT_USES = new Set(['echo', 'printf', 'logger', 'test', '[', 'mkdir', 'chmod', 'chown', 'chgrp', 'cd', 'pushd']);

/**
 * The warnings for one job. `cds`: its cds into the zip's copies of server directories; `commands`: its commands,
 * whose absolute directory arguments are judged; `bundled`: the server paths of the files in its zip.
 */
export function serverDirectoryFindings(
  cds: readonly CdCopy[],
  commands: readonly CommandUse[],
  bundled: ReadonlySet<string>,
  reader: FileReader,
): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const holdsBundled = new Map<string, boolean>();
  const bundledUnder = (dir: string): boolean => {
    let hit = holdsBundled.get(dir);
    if (hit === undefined) {
      const prefix = `${dir}/`;
      hit = false;
      for (const p of bundled) if (p.startsWith(prefix)) { hit = true; break; }
      holdsBundled.set(dir, hit);
    }
    return hit;
  };
  const judge = (kind: 'cd' | 'argument', program: string, file: string, line: number, reference: string, path: string) => {
    if (isLambdaDir(path) || !isInputPlace(`${path}/`) || reader.stat(path)?.kind !== 'dir' || bundledUnder(path)) return;
    // a directory too large to list (or unreadable) holds something, how much is not known
    const names = reader.list?.(path);
    if (names === undefined || names?.length === 0) return;
    const key = `${file}\u0000${line}\u0000${path}`;
    if (seen.has(key)) return;
    seen.add(key);
    // names the plan prints: not one that holds a credential (a directory of token files named by their value)
    const sample = (names ?? []).filter((n) => tokensIn(n).length === 0).slice(0, 3);
    const args = { kind, program, reference, path, entries: names === null ? null : names.length, sample };
    out.push(makeFinding('server-directory', args, file, line, { reference, path }));
  };
  for (const c of cds) judge('cd', 'cd', c.file, c.line, c.reference, c.path);
  for (const c of commands) {
    if (NOT_USES.has(c.name) || c.resolution === 'function') continue;
    for (let i = 1; i < c.argv.length; i++) {
      const a = c.argv[i];
      // absolute words only (a relative one is as often no path at all); a value made from the job's HOME is /tmp on
      // Lambda (function.sh); an option is not a path
      if (a.value === null || a.home !== undefined || !a.value.startsWith('/')) continue;
      judge('argument', c.name, c.file, c.line, a.raw, dirPath(a.value));
    }
  }
  return out;
}
