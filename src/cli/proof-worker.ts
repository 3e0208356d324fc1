// The worker thread of parallel-proofs.ts: parses the texts it is given ahead of the main thread (each one the main
// thread has not claimed), then takes requests from the shared counter and proves them until none is left, posts its
// proofs and says so through the shared array.
import { workerData } from 'node:worker_threads';
import { prove, type Proved } from '../plan/proofs.js';
import { DONE, FREE, NEXT, OPEN, STARTED, STATE, STOP, TREE_BATCH, TREES, WANT, WORKER_CLAIM, type PostedTree, type WorkerInput, type WorkerMessage } from './proof-protocol.js';

const { requests, parses, control: buffer, claims: claimBuffer, port } = workerData as WorkerInput;
const control = new Int32Array(buffer);
const claims = new Int32Array(claimBuffer);

/** Parses each text nobody has claimed yet, until the main thread stops wanting trees. */
async function parseAhead(): Promise<void> {
  if (parses.length === 0) return;
  // Loaded only when there is something to parse: the grammar costs ~20 ms to load.
  const { parseFlat, TooDeepError } = await import('../scripts/sh/treesitter.js');
  let batch: PostedTree[] = [];
  let moved: ArrayBuffer[] = [];
  const post = (): void => {
    if (batch.length === 0) return;
    const msg: WorkerMessage = { kind: 'trees', trees: batch };
    port.postMessage(msg, moved);
    Atomics.add(control, TREES, batch.length);
    Atomics.notify(control, TREES);
    batch = [];
    moved = [];
  };
  for (let i = 0; i < parses.length && Atomics.load(control, STOP) === 0; i++) {
    if (Atomics.compareExchange(claims, i, FREE, WORKER_CLAIM) !== FREE) continue;
    try {
      const flat = parseFlat(parses[i]);
      batch.push({ i, flat });
      moved.push(flat.buffer as ArrayBuffer);
    } catch (e) {
      batch.push({ i, error: e instanceof Error ? e.message : String(e), tooDeep: e instanceof TooDeepError });
    }
    // the main thread waits for a tree of this batch: post it now
    const want = Atomics.load(control, WANT) - 1;
    if (batch.length >= TREE_BATCH || (want >= batch[0].i && want <= i)) post();
  }
  post();
}

// Started before the main thread closed the run: this thread's proofs are waited for.
if (Atomics.compareExchange(control, STATE, OPEN, STARTED) === OPEN) {
  const proofs: [number, Proved][] = [];
  let reply: WorkerMessage;
  try {
    await parseAhead();
    for (let i = Atomics.add(control, NEXT, 1); i < requests.length; i = Atomics.add(control, NEXT, 1)) {
      proofs.push([i, prove(requests[i])]);
    }
    reply = { kind: 'proofs', proofs };
  } catch (e) {
    reply = { kind: 'proofs', error: e instanceof Error ? e.message : String(e), proofs };
  }
  port.postMessage(reply);
  Atomics.store(control, DONE, 1);
  Atomics.notify(control, DONE);
}
port.close();
