// The worker thread of parallel-proofs.ts: takes requests from the shared counter and proves them until none is left,
// then posts its proofs and says so through the shared array.
import { workerData, type MessagePort } from 'node:worker_threads';
import type { ProofRequest } from '../schedule/translate.js';
import { prove, type Proved } from '../plan/proofs.js';
import type { WorkerReply } from './parallel-proofs.js';

const { requests, control: buffer, port } = workerData as { requests: ProofRequest[]; control: SharedArrayBuffer; port: MessagePort };
const control = new Int32Array(buffer);
// Same slots and states as parallel-proofs.ts.
const NEXT = 0;
const STATE = 1;
const DONE = 2;

// Started before the main thread closed the run: this thread's proofs are waited for.
if (Atomics.compareExchange(control, STATE, 0, 1) === 0) {
  const proofs: [number, Proved][] = [];
  let reply: WorkerReply;
  try {
    for (let i = Atomics.add(control, NEXT, 1); i < requests.length; i = Atomics.add(control, NEXT, 1)) {
      proofs.push([i, prove(requests[i])]);
    }
    reply = { proofs };
  } catch (e) {
    reply = { error: e instanceof Error ? e.message : String(e), proofs };
  }
  port.postMessage(reply);
  Atomics.store(control, DONE, 1);
  Atomics.notify(control, DONE);
}
port.close();
