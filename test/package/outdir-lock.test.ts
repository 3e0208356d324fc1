// The --out lock under real contention: runs that start at the same moment (several servers packaged into one
// directory by a script) must each either hold the lock or be told that another run holds it. A lock file that
// exists without its record yet (created, not written) was read as "not a cron2lambda lock", an error that asks the
// user to delete the live run's lock. Threads, not processes, so that the opens really overlap; they run the
// compiled module (tsc's dist/, built by `npm test`), as the proof-worker tests do.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

const OUTDIR = join(REPO, 'dist/package/outdir.js');

/** A thread that opens and closes DIR's lock ROUNDS times, as fast as it can, and reports each refusal's message. */
const CONTENDER = `
const { workerData, parentPort } = require('node:worker_threads');
import(workerData.module).then(({ OutDir }) => {
  const refusals = [];
  let held = 0;
  for (let i = 0; i < workerData.rounds; i++) {
    try {
      const out = OutDir.open(workerData.dir, new Date());
      held++;
      // A holder records the zips it is about to write in its lock (announce), as package does before writing.
      for (let k = 0; k < workerData.announces; k++) out.announce(['a-' + k + '.zip', 'b-' + k + '.zip']);
      out.close();
    } catch (e) {
      refusals.push(String(e && e.message));
    }
  }
  parentPort.postMessage({ held, refusals });
});
`;

function contend(dir: string, threads: number, rounds: number, announces = 0): Promise<{ held: number; refusals: string[] }[]> {
  return Promise.all(
    Array.from({ length: threads }, () => new Promise<{ held: number; refusals: string[] }>((resolve, reject) => {
      const w = new Worker(CONTENDER, { eval: true, workerData: { module: `file://${OUTDIR}`, dir, rounds, announces } });
      w.once('message', resolve);
      w.once('error', reject);
    })),
  );
}

describe('the --out lock when runs start at once', () => {
  it('is always either held or reported as held by another run, never read half-made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2l-outlock-'));
    const results = await contend(dir, 4, 400);
    const refusals = results.flatMap((r) => r.refusals);
    // Contention happened: some opens were refused because another thread held the lock...
    expect(refusals.length).toBeGreaterThan(0);
    // ...and every refusal says so; none calls the live lock foreign.
    const other = refusals.filter((m) => !/another cron2lambda package run \(pid \d+ on .*\) is writing to/.test(m));
    expect(other.slice(0, 3)).toEqual([]);
    expect(results.reduce((n, r) => n + r.held, 0)).toBeGreaterThan(0);
  }, 60_000);

  it('is never read half-made while its holder records the zips it is about to write', async () => {
    // announce() rewrote the lock in place (truncate, then write): a run starting then read an empty lock and called
    // it foreign, asking the user to remove a live run's lock.
    const dir = mkdtempSync(join(tmpdir(), 'c2l-outlock-'));
    const results = await contend(dir, 4, 150, 20);
    const refusals = results.flatMap((r) => r.refusals);
    expect(refusals.length).toBeGreaterThan(0);
    const other = refusals.filter((m) => !/another cron2lambda package run \(pid \d+ on .*\) is writing to/.test(m));
    expect(other.slice(0, 3)).toEqual([]);
  }, 60_000);
});
