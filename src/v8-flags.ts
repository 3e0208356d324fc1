// The process's V8 flags, set when this module is loaded: the CLI imports it before anything else (cli/main.ts), and
// the shell parser imports it too, for code that loads the parser outside the CLI (tests, benchmarks, library use).
//
// - --liftoff-only: WebAssembly stays on the baseline tier. The bash grammar's lexer (scripts/sh/treesitter.ts) is one
//   very large function: V8's optimizing tier spent about 0.9 s of CPU compiling it in the background of every
//   process, for no measurable gain in parsing (measured: 4,000 scripts parse as fast on the baseline tier). It must
//   be set before the grammar's module is compiled.
//
// V8 accepts a code cache only under the flags it was made under: the caches of code-cache.ts are written by
// src/build/bundle.ts after importing this module, and setting the flags at the CLI's start makes them the same
// whenever a cached file is loaded, whether the shell parser came first or not.
import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS: readonly string[] = ['--liftoff-only'];
for (const flag of V8_FLAGS) setFlagsFromString(flag);
