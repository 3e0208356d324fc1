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
// - What src/ loads with require() (archiver, zod, cronstrue, dynalite: CommonJS, loaded when first needed) stays in
//   node_modules and is still loaded when first needed. web-tree-sitter stays outside too: it is one ES module
//   already, and Emscripten's loader in it uses eval and its own import.meta.url.
// - The AWS SDK (every @aws-sdk dependency of package.json) becomes one CommonJS file, aws-sdk.cjs, minified (names
//   kept: errors are told apart by name), with a V8 code cache written beside it (aws-sdk.cjs.cache); src/aws/sdk.ts
//   loads it from there (src/code-cache.ts). Measured per `migrate` or `probe`: ~0.5 s of CPU to load the packages
//   from node_modules, ~0.35 s from this file and its cache.
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

// The SDK: an object by package name, as src/aws/sdk.ts asks for them.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const sdkPackages = Object.keys(pkg.dependencies).filter((name) => name.startsWith('@aws-sdk/'));
const entry = '\0aws-sdk-entry';
await build({
  cwd: root,
  input: entry,
  platform: 'node',
  logLevel: 'warn',
  // CommonJS builds (the packages' "main"): what require() loads from node_modules, and what the tests run.
  resolve: { mainFields: ['main'], conditionNames: ['node', 'require', 'default'] },
  plugins: [
    {
      name: 'aws-sdk-entry',
      resolveId: (id) => (id === entry ? entry : null),
      load: (id) => (id === entry ? `module.exports = {\n${sdkPackages.map((p) => `  '${p}': require('${p}'),`).join('\n')}\n};\n` : null),
    },
  ],
  // import() of a Node built-in becomes require(): the file is compiled as a script (code-cache.ts), which has no
  // dynamic import.
  output: { file: join(out, 'aws-sdk.cjs'), format: 'cjs', codeSplitting: false, dynamicImportInCjs: false, minify: true, keepNames: true },
});

// The cache is made under the CLI's V8 flags (V8 rejects it under others): importing v8-flags.js sets them here too.
await import(pathToFileURL(join(root, 'dist/cli/v8-flags.js')).href);
const { writeCodeCache } = await import(pathToFileURL(join(root, 'dist/code-cache.js')).href);
writeCodeCache(join(out, 'aws-sdk.cjs'));
