import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The slowest files (measured), started first: on a clean clone vitest has no timings to order files by, and a slow
// file that starts last keeps the run going on one worker while the other idles.
const SLOW_FIRST = [
  'test/e2e/migrate-faults.test.ts',
  'test/runtime-probe/probe-aws.test.ts',
  'test/runtime/bootstrap.test.ts',
  'test/e2e/migrate-cli.test.ts',
  'test/e2e/migrate-hosts.test.ts',
  'test/e2e/output-safety.test.ts',
  'test/e2e/plan-cli.test.ts',
  'test/runtime/faults.test.ts',
  'test/e2e/bundling.test.ts',
  'test/e2e/leaks.test.ts',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = SLOW_FIRST.findIndex((p) => f.moduleId.replaceAll('\\', '/').endsWith(p));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return base
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Runtime tests start bash processes and servers; two workers match the 2-core CI machine (three measured
    // slower: the suite is bound by CPU, not by waits).
    maxWorkers: 2,
    // A worker runs its test files one after another in one module graph instead of a fresh one per file: loading
    // vitest, the SDK, the shell parser and src/ again for each of some sixty files cost more CPU than many of the
    // tests. Test files therefore leave no global state behind (environment variables are put back, servers closed).
    isolate: false,
    sequence: { sequencer: SlowFirst },
  },
});
