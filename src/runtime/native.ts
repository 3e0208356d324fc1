// Bundled native programs (an ELF executable or shared library copied from the server, such as
// /usr/lib/sysstat/sadc) judged against the runtime: its architecture, its dynamic loader and needed libraries,
// and the highest glibc symbol version it needs. Pure over the bundled bytes.
import { posix } from 'node:path';
import { compareVersions, isElf, readElf } from '../scripts/elf.js';
import { makeFinding, type Finding } from '../scripts/types.js';
import { runtimeRef, type RuntimeView } from './judge.js';
import { MACHINE_OF, type Architecture } from './snapshot.js';

export interface NativeInput {
  /** Absolute server path (where findings point). */
  path: string;
  /** Path inside the zip. */
  zipPath: string;
  content: Uint8Array;
}

/**
 * Libraries the loader finds in the function itself: LD_LIBRARY_PATH on Lambda holds $LAMBDA_TASK_ROOT and
 * $LAMBDA_TASK_ROOT/lib, not the server paths files are bundled under (so a bundled /usr/lib/libx.so.1 does not count).
 */
function bundledLibraries(files: NativeInput[]): Set<string> {
  return new Set(files.filter((f) => /^(lib\/)?[^/]+$/.test(f.zipPath)).map((f) => posix.basename(f.zipPath)));
}

export function nativeFindings(files: NativeInput[], runtime: RuntimeView, architecture: Architecture): Finding[] {
  const out: Finding[] = [];
  const bundled = bundledLibraries(files);
  const expected = MACHINE_OF[architecture];
  for (const f of files) {
    if (!isElf(f.content)) continue;
    const r = readElf(f.content);
    if (!r.ok) {
      out.push(makeFinding('native-unreadable', { path: f.path, error: r.error, architecture }, f.path, 1));
      continue;
    }
    const e = r.info;
    if (e.type !== 'executable' && e.type !== 'shared') continue;
    if (e.machine !== expected || e.class !== 64) {
      out.push(
        makeFinding('native-arch', { path: f.path, bits: e.class, machine: e.machine, architecture, expected }, f.path, 1, {
          machine: e.machine,
        }),
      );
      continue; // libraries and versions of a program that cannot run at all say nothing more
    }
    const libs = [...(e.interpreter ? [posix.basename(e.interpreter)] : []), ...e.needed];
    for (const lib of libs) {
      if (runtime.hasLibrary(lib) || bundled.has(lib)) continue;
      const loader = e.interpreter && lib === posix.basename(e.interpreter) ? { loader: e.interpreter } : {};
      const args = { path: f.path, library: lib, ...loader, runtime: runtimeRef(runtime) };
      if (runtime.verified) {
        out.push(makeFinding('native-library', args, f.path, 1, { library: lib, unverified: false }));
      } else {
        const w = makeFinding('native-library', args, f.path, 1, { library: lib, unverified: true });
        out.push({ ...w, severity: 'warning' });
      }
    }
    const have = runtime.snapshot.glibc.version;
    if (e.glibcNeeded !== null && have !== null && compareVersions(e.glibcNeeded, have) > 0) {
      out.push(
        makeFinding('native-glibc', { path: f.path, needed: e.glibcNeeded, have, runtime: runtimeRef(runtime) }, f.path, 1, {
          glibc: e.glibcNeeded,
          runtimeGlibc: have,
        }),
      );
    }
  }
  return out;
}
