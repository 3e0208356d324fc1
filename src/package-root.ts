// The package's root directory (package.json, templates/), for the files that ship beside the code. The code runs
// from places at different depths: src/ (the tests), dist/ (tsc's output) and dist/bundle/ (the bundle the bin runs),
// so the root is found by walking up from this module to the first package.json, not by a fixed '../..'.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root === undefined) {
    const start = dirname(fileURLToPath(import.meta.url));
    let dir = start;
    while (!existsSync(join(dir, 'package.json'))) {
      const up = dirname(dir);
      if (up === dir) throw new Error(`cron2lambda: no package.json above ${start}`);
      dir = up;
    }
    root = dir;
  }
  return root;
}

/** A file shipped with the package, by its path from the package root ('templates/bootstrap'). */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
