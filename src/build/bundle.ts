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
// - What src/ loads with require() (CommonJS, loaded when first needed) is not in these chunks: the biggest (the AWS
//   SDK, archiver, zod) get files of their own with a code cache (below); the small ones (cronstrue, and dynalite
//   for `invoke`) stay in node_modules: measured, a cache gains nothing on cronstrue. web-tree-sitter stays outside
//   too: it is one ES module already, and Emscripten's loader in it uses eval and its own import.meta.url.
//
// It lives in src/ (compiled by tsc to dist/build/, which the npm package leaves out) so that it is type-checked
// like the rest; it runs as `node dist/build/bundle.js`.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';
// The caches are made under the CLI's V8 flags (V8 rejects a cache under others): importing v8-flags sets them.
import '../v8-flags.js';
import { writeCodeCache } from '../code-cache.js';
import { packageRoot } from '../package-root.js';

const root = packageRoot();
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

// CommonJS dependencies, each one minified file (names kept: errors are told apart by name) with a V8 code cache
// beside it, loaded by src/code-cache.ts (bundledCopy, requireDependency):
// - aws-sdk: every @aws-sdk dependency of package.json, as an object by package name (src/aws/sdk.ts). One file:
//   the packages share @smithy and @aws-sdk/core.
// - archiver (src/package/zip.ts) and zod (src/runtime/snapshot.ts): the package's exports.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const sdkPackages = Object.keys(pkg.dependencies).filter((name) => name.startsWith('@aws-sdk/'));
const copies = {
  'aws-sdk': `module.exports = {\n${sdkPackages.map((p) => `  '${p}': require('${p}'),`).join('\n')}\n};\n`,
  archiver: "module.exports = require('archiver');\n",
  zod: "module.exports = require('zod');\n",
};
for (const [name, source] of Object.entries(copies)) {
  const entry = `\0${name}-entry`;
  await build({
    cwd: root,
    input: entry,
    platform: 'node',
    logLevel: 'warn',
    // CommonJS builds (the packages' "main"): what require() loads from node_modules, and what the tests run.
    resolve: { mainFields: ['main'], conditionNames: ['node', 'require', 'default'] },
    plugins: [{ name: 'entry', resolveId: (id: string) => (id === entry ? entry : null), load: (id: string) => (id === entry ? source : null) }],
    // import() of a Node built-in becomes require(): the file is compiled as a script (code-cache.ts), which has no
    // dynamic import.
    output: { file: join(out, `${name}.cjs`), format: 'cjs', codeSplitting: false, dynamicImportInCjs: false, minify: true, keepNames: true },
  });
}

// The caches, under the CLI's V8 flags (set by the import of v8-flags above).
for (const name of Object.keys(copies)) writeCodeCache(join(out, `${name}.cjs`));
