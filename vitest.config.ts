import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Runtime tests start bash processes and servers; two workers match the 2-core CI machine.
    maxWorkers: 2,
    // A worker runs its test files one after another in one module graph instead of a fresh one per file: loading
    // vitest, the SDK, the shell parser and src/ again for each of some sixty files cost more CPU than many of the
    // tests. Test files therefore leave no global state behind (environment variables are put back, servers closed).
    isolate: false,
  },
});
