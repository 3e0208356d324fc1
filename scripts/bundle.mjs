// Bundles the CLI into dist/bundle/, which bin/cron2lambda.js runs (issue 11: the per-process cost of the CLI). Node 20
// loads an ES module graph file by file: resolving, reading and compiling tsc's ~150 modules of dist/ cost every run
// tens of milliseconds before any work, for `npx cron2lambda` on each server as for the hundreds of CLI processes of
// the tests. Run after tsc (it bundles tsc's output, so what is bundled is what tsc checked).
//
// - One chunk per command, loaded when the command runs (main.ts imports them with import()), and chunks for what
//   commands share: `--help` compiles commander and main.ts only, `plan` not the AWS code. Every file lands in
//   dist/bundle/ itself, so a file found beside a module (the proof worker, './proof-worker.js' from
//   parallel-proofs.ts) is found beside it in the bundle too; files of the package (templates/, package.json) are
//   found from the package root (src/package-root.ts), whatever the depth.
// - The proof worker is an entry of its own (a worker thread starts from a file).
// - What src/ loads with require() (the AWS SDK, archiver, zod, cronstrue, dynalite: CommonJS, loaded when first
//   needed) stays in node_modules and is still loaded when first needed. web-tree-sitter stays outside too: it is
//   one ES module already, and Emscripten's loader in it uses eval and its own import.meta.url.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/bundle');
rmSync(out, { recursive: true, force: true });
await build({
  cwd: root,
  input: { cron2lambda: join(root, 'dist/cli/main.js'), 'proof-worker': join(root, 'dist/cli/proof-worker.js') },
  platform: 'node',
  external: ['web-tree-sitter'],
  logLevel: 'warn',
  output: { dir: out, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
});
