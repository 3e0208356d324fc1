// The schedule proofs of a run shared with a second thread (issue 11): a worker proves while this thread analyses the
// scripts, and this thread joins in once its own work is done. Imperative shell around the pure translate: both
// threads take requests from one shared counter, so each request is proved once, by whichever thread gets to it,
// and the plan is the same whoever proved what (a proof is a pure function of its request).
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { ProofRequest } from '../schedule/translate.js';
import { inProcessProver, prove, type PendingProofs, type Proved, type Prover } from '../plan/proofs.js';

/** Fewer proofs than this are made here: a worker costs ~50 ms to start, a proof ~0.3 ms. */
export const MIN_SHARED_PROOFS = 256;

/** Slots of the shared control array. */
const NEXT = 0; // the next request index to take
const STATE = 1; // who owns the worker's share: OPEN, then STARTED (the worker) or CLOSED (this thread, first)
const DONE = 2; // 1 once the worker has posted its proofs
const OPEN = 0;
const STARTED = 1;
const CLOSED = 2;

/** How long this thread waits for the worker's last proofs before saying something is wrong. */
const JOIN_TIMEOUT_MS = 10 * 60_000;

/** What the worker posts back: the proofs it made, by request index, or why it stopped. */
export type WorkerReply = { proofs: [number, Proved][] } | { error: string; proofs: [number, Proved][] };

/** The compiled worker beside this module. */
const WORKER = new URL('./proof-worker.js', import.meta.url);

export interface ParallelOptions {
  /** Fewer requests are proved in this thread alone (default MIN_SHARED_PROOFS). */
  min?: number;
  /** The worker's module (tests running the TypeScript sources name the compiled one; without one, all is done here). */
  worker?: URL;
  /** false: this thread only waits, the worker proves everything (tests: so that the worker's share is never empty). */
  join?: boolean;
}

/** The CLI's prover: shares a run's proofs with a worker thread when there are enough of them to be worth one. */
export function parallelProver({ min = MIN_SHARED_PROOFS, worker = WORKER, join = true }: ParallelOptions = {}): Prover {
  const compiled = existsSync(fileURLToPath(worker));
  // With one core a second thread only adds its start.
  const cores = availableParallelism();
  return {
    start(requests) {
      if (requests.length < min || !compiled || cores < 2) return inProcessProver.start(requests);
      return shared(requests, worker, join);
    },
  };
}

function shared(requests: readonly ProofRequest[], module: URL, takes: boolean): PendingProofs {
  const control = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(module, { workerData: { requests, control: control.buffer, port: port2 }, transferList: [port2] });
  // The process need not wait for it: join ends it.
  worker.unref();
  return {
    join() {
      const out: (Proved | undefined)[] = new Array(requests.length);
      if (takes) {
        for (let i = Atomics.add(control, NEXT, 1); i < requests.length; i = Atomics.add(control, NEXT, 1)) {
          out[i] = prove(requests[i]);
        }
      }
      // Every request is taken (or left to the worker). A worker that had not started yet will take none then.
      if (!takes || Atomics.compareExchange(control, STATE, OPEN, CLOSED) === STARTED) {
        const deadline = Date.now() + JOIN_TIMEOUT_MS;
        while (Atomics.load(control, DONE) === 0) {
          if (Date.now() > deadline) throw new Error('internal error: the schedule proof worker did not finish');
          Atomics.wait(control, DONE, 0, 1000);
        }
        const reply = receiveMessageOnPort(port1)?.message as WorkerReply | undefined;
        if (!reply) throw new Error('internal error: the schedule proof worker finished without its proofs');
        for (const [i, plan] of reply.proofs) out[i] = plan;
        // A worker that failed (it should not: translate is pure) leaves its remaining requests to this thread.
        if ('error' in reply) for (let i = 0; i < requests.length; i++) out[i] ??= prove(requests[i]);
      }
      port1.close();
      void worker.terminate();
      return out as Proved[];
    },
  };
}
