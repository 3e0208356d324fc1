// Review of the parse-ahead change: the window must bound the trees held, and nothing is read ahead that the
// analysis alone does not read.
import { describe, expect, it } from 'vitest';
import { parallelProver } from '../../src/cli/parallel-proofs.js';
import { buildPlan, type PlanOptions } from '../../src/plan/plan.js';
import type { PendingProofs, Prover } from '../../src/plan/proofs.js';
import { memoryReader, type FileReader } from '../../src/scripts/reader.js';
import { resetParseStats } from '../../src/scripts/sh/index.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';
import { makeHorizon } from '../../src/schedule/translate.js';

const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 30);
const worker = new URL('../../dist/cli/proof-worker.js', import.meta.url);
type TreeStats = { made: number; used: number; unused: number; held: number };

function run(text: string, files: Record<string, string>, prover?: Prover) {
  let pending: PendingProofs | undefined;
  const reads = new Set<string>();
  const inner = memoryReader(files);
  const reader: FileReader = { readFile: (p, m) => (reads.add(p), inner.readFile(p, m)), stat: (p) => inner.stat(p) };
  resetParseStats();
  const options: PlanOptions = {
    target: 'rule', timezone: 'UTC', horizon, reader,
    ...(prover ? { prover: { start: (r, p) => (pending = prover.start(r, p)) } } : {}),
  };
  const plan = buildPlan([{ file: '/var/spool/cron/crontabs/deploy', text, system: false }], options);
  const trees = (pending?.trees as unknown as { stats(): TreeStats } | undefined)?.stats();
  return { json: JSON.stringify(plan), reads: [...reads].sort(), trees };
}

describe('parse-ahead review', () => {
  it('holds no more trees than the window when an early script runs a late one', () => {
    // The analysis asks for the last text first (the first job's script runs the last job's: a wrapper, a "run
    // everything" job), then for the others in order. ASKED jumps to the end, and the worker parses everything
    // between while this thread is still at the start.
    const count = 400;
    const texts = Array.from({ length: count }, (_, k) => `#!/bin/bash\nset -eu\npg_dump shop_${k} | gzip > /tmp/job-${k}.gz\n`);
    const ahead = { texts: 8, bytes: 1 << 30 };
    const pending = parallelProver({ min: 1, worker, ahead }).start([], texts);
    const trees = pending.trees as unknown as { take(t: string): unknown; stats(): TreeStats };
    const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    pause(1500); // the worker has started and parsed its window
    expect(trees.take(texts[count - 1])).toBeUndefined(); // not the worker's yet: parsed here
    pause(1500); // meanwhile the worker parses on
    for (let k = 0; k < count - 1; k++) trees.take(texts[k]);
    const stats = trees.stats();
    pending.join();
    expect(stats.made).toBeGreaterThan(0);
    expect(stats.held).toBeLessThanOrEqual(ahead.texts + 1);
  });

  it('give the same plan when an early script runs a late one', () => {
    const count = 1500;
    const files: Record<string, string> = {};
    const lines: string[] = [];
    for (let k = 0; k < count; k++) {
      const extra = k === 0 ? `/opt/app/bin/job-${count - 1}.sh\n` : '';
      files[`/opt/app/bin/job-${k}.sh`] = `#!/bin/bash\nset -eu\n${extra}pg_dump shop_${k % 7} | gzip > /tmp/job-${k}.gz\ncurl -fsS -T /tmp/job-${k}.gz https://files.example.com/${k} >> /var/log/app/jobs.log 2>&1\n`;
      lines.push(`${k % 60} ${k % 24} * * * /opt/app/bin/job-${k}.sh --n ${k}`);
    }
    const text = lines.join('\n') + '\n';
    const alone = run(text, files);
    const ahead = { texts: 8, bytes: 1 << 30 };
    for (const join of [true, false]) {
      const r = run(text, files, parallelProver({ min: 1, worker, join, ahead }));
      expect(r.json).toBe(alone.json);
      // joining, the worker may have started too late to parse anything
      if (join) expect(r.trees?.held).toBeLessThanOrEqual(ahead.texts + 1);
      else expect(r.trees?.made).toBe(count);
    }
  });

  it('reads no script of a line whose command the analysis cannot parse', () => {
    const files = { '/opt/app/bin/job.sh': '#!/bin/bash\nset -eu\necho "$1" > /tmp/out\n', '/opt/app/bin/fn.sh': '#!/bin/bash\necho fn\necho fn\n' };
    // a quote left open, and a function named by the path (defined, not run)
    const text = `0 * * * * /opt/app/bin/job.sh 'unterminated\n0 2 * * * /opt/app/bin/fn.sh() { :; }\n` + Array.from({ length: 3 }, (_, i) => `${i} 1 * * * /usr/bin/true\n`).join('');
    const alone = run(text, files);
    const r = run(text, files, parallelProver({ min: 1, worker }));
    expect(r.json).toBe(alone.json);
    expect(alone.reads.filter((p) => p.startsWith('/opt'))).toEqual([]);
    expect(r.reads).toEqual(alone.reads);
  });
});
