// A proof worker that claims every text to parse ahead, then ends without posting a tree: it says it failed, so
// the main thread proves everything itself (a worker gone wrong: its resource limits, a bug). Used by
// test/plan/parse-ahead.test.ts: the plan must still be made, the same, after one wait for a tree, not one per text.
// Slots and messages as in src/cli/proof-protocol.ts.
import { workerData } from 'node:worker_threads';

const control = new Int32Array(workerData.control);
const claims = new Int32Array(workerData.claims);
if (Atomics.compareExchange(control, 1, 0, 1) === 0) {
  for (let i = 0; i < workerData.parses.length; i++) Atomics.compareExchange(claims, i, 0, 1);
  workerData.port.postMessage({ kind: 'proofs', proofs: [], error: 'gone' });
  Atomics.store(control, 2, 1);
  Atomics.notify(control, 2);
}
workerData.port.close();
