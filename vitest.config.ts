import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The slowest files (measured), started first: on a clean clone vitest has no timings to order files by, and a slow
// file that starts last keeps the run going on one worker while the other idles.
const SLOW_FIRST = [
  'test/e2e/migrate-hosts.test.ts',
  'test/e2e/package-cli.test.ts',
  'test/e2e/bundling.test.ts',
  'test/e2e/migrate-faults.test.ts',
  'test/e2e/migrate-cli.test.ts',
  'test/runtime-probe/probe-aws.test.ts',
  'test/e2e/output-safety.test.ts',
  'test/e2e/plan-cli.test.ts',
  'test/e2e/migrate-scheduler.test.ts',
  'test/schedule/property-1.test.ts',
  'test/runtime/jobprocess.test.ts',
  'test/runtime/overlap.test.ts',
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
    // Four workers on the 2-core machine: the suite is not bound by CPU alone. Most of its CPU is spent in the CLI
    // subprocesses it starts (some 500), and a worker waits while its subprocess talks to a local endpoint, sleeps in
    // a runtime test or backs off; a third and fourth worker fill those waits. Measured (vitest alone, same CPU
    // time, ~160 CPU-s): 2 workers 121 s, 3 workers 94 s, 4 workers 84 s, 6 workers 82 s; with another process
    // holding one core busy, 2 workers 139 s and 4 workers 100 s.
    maxWorkers: 4,
    // A worker runs its test files one after another in one module graph instead of a fresh one per file: loading
    // vitest, the SDK, the shell parser and src/ again for each of some sixty files cost more CPU than many of the
    // tests. Test files therefore leave no global state behind (environment variables are put back, servers closed).
    isolate: false,
    sequence: { sequencer: SlowFirst },
  },
});
