// V8 flags of every CLI process, set at start: main.ts imports this module before anything else.
//
// - --liftoff-only: WebAssembly stays on the baseline tier (why: scripts/sh/treesitter.ts, which sets it too, for
//   the code that loads the parser outside the CLI).
//
// V8 accepts a code cache only under the flags it was made under: the AWS SDK's cache (code-cache.ts) is written by
// src/build/bundle.ts after importing this module, and setting the flags here, at start, makes them the same whenever
// the SDK is loaded, whether the shell parser (which sets --liftoff-only when loaded) came first or not.
import { setFlagsFromString } from 'node:v8';

export const CLI_V8_FLAGS: readonly string[] = ['--liftoff-only'];
for (const flag of CLI_V8_FLAGS) setFlagsFromString(flag);
