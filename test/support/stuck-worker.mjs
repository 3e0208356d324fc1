// A proof worker that takes its share (the run's STATE), claims every text to parse ahead, and then never posts,
// proves or ends: stuck (a worker gone: its resource limits, a bug). Used by test/plan/parse-ahead.test.ts: the main
// thread must notice that it makes no progress, and make the plan itself, the same. Slots as in
// src/cli/proof-protocol.ts.
import { workerData } from 'node:worker_threads';

const control = new Int32Array(workerData.control);
const claims = new Int32Array(workerData.claims);
if (Atomics.compareExchange(control, 1, 0, 1) === 0) {
  for (let i = 0; i < workerData.parses.length; i++) Atomics.compareExchange(claims, i, 0, 1);
  // alive, doing nothing, until the main thread ends it
  setInterval(() => {}, 1000);
}
