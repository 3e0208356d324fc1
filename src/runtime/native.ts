// Bundled native programs (an ELF executable or shared library copied from the server, such as
// /usr/lib/sysstat/sadc) judged against the runtime: its architecture, its dynamic loader and needed libraries,
// and the highest glibc symbol version it needs. Pure over the bundled bytes.
import { posix } from 'node:path';
import { compareVersions, isElf, readElf } from '../scripts/elf.js';
import { makeFinding, type Finding } from '../scripts/types.js';
import type { RuntimeView } from './judge.js';
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
      out.push(makeFinding('native-unreadable', `${f.path} looks like a native program but its ELF header cannot be read (${r.error}); check by hand that it runs on provided.al2023 ${architecture}`, f.path, 1));
      continue;
    }
    const e = r.info;
    if (e.type !== 'executable' && e.type !== 'shared') continue;
    if (e.machine !== expected || e.class !== 64) {
      out.push(
        makeFinding('native-arch', `${f.path} is a ${e.class}-bit ${e.machine} program; the function runs on ${architecture} (${expected}): rebuild it for ${expected}, or deploy with --arch ${e.machine === 'aarch64' ? 'arm64' : 'x86_64'}`, f.path, 1, {
          machine: e.machine,
        }),
      );
      continue; // libraries and versions of a program that cannot run at all say nothing more
    }
    const libs = [...(e.interpreter ? [posix.basename(e.interpreter)] : []), ...e.needed];
    for (const lib of libs) {
      if (runtime.hasLibrary(lib) || bundled.has(lib)) continue;
      const role = lib === (e.interpreter ? posix.basename(e.interpreter) : null) ? `its dynamic loader ${e.interpreter}` : `the library ${lib}`;
      if (runtime.verified) {
        out.push(makeFinding('native-library', `${f.path} needs ${role}, which is not on provided.al2023 (${runtime.label}) and not bundled: add it to the zip's lib/ or a layer, or build the program statically`, f.path, 1, { library: lib, unverified: false }));
      } else {
        const w = makeFinding('native-library', `${f.path} needs ${role}, which is probably not on provided.al2023 (unverified: judged against ${runtime.label}; run \`cron2lambda probe\` to know) and not bundled: add it to the zip's lib/ or a layer`, f.path, 1, { library: lib, unverified: true });
        out.push({ ...w, severity: 'warning' });
      }
    }
    const have = runtime.snapshot.glibc.version;
    if (e.glibcNeeded !== null && have !== null && compareVersions(e.glibcNeeded, have) > 0) {
      out.push(
        makeFinding('native-glibc', `${f.path} needs glibc ${e.glibcNeeded} (symbol version GLIBC_${e.glibcNeeded}); provided.al2023 has glibc ${have} (${runtime.label}): rebuild it on a system with glibc ${have} or older, e.g. Amazon Linux 2023`, f.path, 1, {
          glibc: e.glibcNeeded,
          runtimeGlibc: have,
        }),
      );
    }
  }
  return out;
}
