// The schedule proofs of a run shared with a second thread (issue 11): a worker proves while this thread analyses the
// scripts, and this thread joins in once its own work is done. Imperative shell around the pure translate: both
// threads take requests from one shared counter, so each request is proved once, by whichever thread gets to it,
// and the plan is the same whoever proved what (a proof is a pure function of its request).
//
// Before its proofs, the worker parses the scripts the plan named ahead (scripts/ahead.ts), in the order the analysis
// will want them, and posts each tree as numbers (sh/treesitter.ts parseFlat). Each text is claimed in a shared array
// by the first thread to want it, so it is parsed once: by the worker ahead of the analysis, or here when the
// analysis gets to it first. A tree is a pure function of its text, so the plan is the same whoever parsed what.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { ProofRequest } from '../schedule/translate.js';
import { inProcessProver, prove, type PendingProofs, type Proved, type Prover } from '../plan/proofs.js';
import type { TreeSource } from '../scripts/sh/index.js';
import { FLAT_TREES, inflateCst, TooDeepError, type CstNode } from '../scripts/sh/treesitter.js';
import { AHEAD_BYTES, AHEAD_TEXTS, ASKED, BEAT, CLOSED, DONE, FREE, HERE_CLAIM, NEXT, OPEN, SLOTS, STARTED, STATE, STOP, TAKEN, TAKEN_CHARS, TREES, WANT, type WorkerInput, type WorkerMessage } from './proof-protocol.js';

/** Fewer proofs than this are made here: a worker costs ~50 ms to start, a proof ~0.3 ms. */
export const MIN_SHARED_PROOFS = 256;

/**
 * How long the worker may make no progress (no parse, no proof) while this thread waits for it before it is taken for
 * gone (its resource limits, a bug): then this thread parses and proves whatever it was waiting for itself. A parse of
 * the largest script allowed takes about a second, a proof milliseconds.
 */
const STALL_MS = 20_000;

/** Whether the worker is making progress, read from its beat (proof-protocol.ts BEAT) while this thread waits. */
class Liveness {
  private beat = -1;
  private since = 0;

  constructor(
    private readonly control: Int32Array,
    private readonly stallMs: number,
  ) {}

  /** True once the beat has stood still for stallMs (or the worker has ended: DONE). */
  gone(): boolean {
    if (Atomics.load(this.control, DONE) === 1) return true;
    const beat = Atomics.load(this.control, BEAT);
    const now = Date.now();
    if (beat !== this.beat) {
      this.beat = beat;
      this.since = now;
    }
    return now - this.since > this.stallMs;
  }
}

/** The compiled worker beside this module. */
const WORKER = new URL('./proof-worker.js', import.meta.url);

export interface ParallelOptions {
  /** Fewer requests and texts are proved and parsed in this thread alone (default MIN_SHARED_PROOFS). */
  min?: number;
  /** The worker's module (tests running the TypeScript sources name the compiled one; without one, all is done here). */
  worker?: URL;
  /**
   * false: this thread only waits, the worker proves and parses everything (tests: so that the worker's share is
   * never empty).
   */
  join?: boolean;
  /** How long the worker may make no progress while waited for (default STALL_MS; tests of a worker that is gone). */
  stallMs?: number;
  /** How far the worker parses ahead (default AHEAD_TEXTS and AHEAD_BYTES; tests). */
  ahead?: { texts: number; bytes: number };
}

/**
 * The CLI's prover: shares a run's proofs, and the parses of the scripts it names, with a worker thread when there are
 * enough of them to be worth one.
 */
export function parallelProver({
  min = MIN_SHARED_PROOFS,
  worker = WORKER,
  join = true,
  stallMs = STALL_MS,
  ahead = { texts: AHEAD_TEXTS, bytes: AHEAD_BYTES },
}: ParallelOptions = {}): Prover {
  const compiled = existsSync(fileURLToPath(worker));
  // With one core a second thread only adds its start.
  const cores = availableParallelism();
  return {
    start(requests, parses = []) {
      if (requests.length + parses.length < min || !compiled || cores < 2) return inProcessProver.start(requests);
      return shared(requests, FLAT_TREES ? parses : [], { module: worker, takes: join, stallMs, ahead });
    },
  };
}

/** The worker's trees, taken by text as the parser asks for them (sh/parse.ts TreeSource). */
class WorkerTrees implements TreeSource {
  private readonly index = new Map<string, number>();
  private readonly posted = new Map<number, Int32Array | { error: string; tooDeep: boolean }>();
  /** Trees (or errors) the worker posted and this thread took. */
  used = 0;
  /** The most trees posted and not yet taken at once (bounded by the worker's window, proof-protocol.ts). */
  private held = 0;
  /** Set when a claimed tree never came: from then on every text is parsed here. */
  private gone = false;

  constructor(
    parses: readonly string[],
    private readonly claims: Int32Array,
    private readonly control: Int32Array,
    private readonly port: MessagePort,
    private readonly claiming: boolean,
    private readonly liveness: Liveness,
  ) {
    parses.forEach((text, i) => this.index.set(text, i));
  }

  /** The proofs' message, if read while looking for trees. */
  proofs: Extract<WorkerMessage, { kind: 'proofs' }> | undefined;

  /** Reads what the worker has posted so far. */
  drain(): void {
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      const msg = m.message as WorkerMessage;
      if (msg.kind === 'proofs') this.proofs = msg;
      else for (const t of msg.trees) this.posted.set(t.i, 'flat' in t ? t.flat : { error: t.error, tooDeep: t.tooDeep });
      this.held = Math.max(this.held, this.posted.size);
    }
  }

  take(text: string): CstNode | undefined {
    const i = this.index.get(text);
    if (i === undefined || this.gone) return undefined;
    // asked once: the parser remembers what it parsed
    this.index.delete(text);
    // the worker parses no further ahead than a window past this (proof-protocol.ts AHEAD_TEXTS)
    if (i + 1 > Atomics.load(this.control, ASKED)) {
      Atomics.store(this.control, ASKED, i + 1);
      Atomics.notify(this.control, ASKED);
    }
    if (this.claiming && Atomics.compareExchange(this.claims, i, FREE, HERE_CLAIM) === FREE) return undefined;
    // the worker posts the batch holding it at once
    Atomics.store(this.control, WANT, i + 1);
    try {
      return this.await(i, text.length);
    } finally {
      Atomics.store(this.control, WANT, 0);
    }
  }

  /** The worker's tree of text i, once posted. */
  private await(i: number, chars: number): CstNode | undefined {
    for (;;) {
      const seen = Atomics.load(this.control, TREES);
      this.drain();
      const tree = this.posted.get(i);
      if (tree !== undefined) {
        this.posted.delete(i);
        this.used++;
        // the worker holds no more than its window of trees posted and not taken (proof-protocol.ts AHEAD_TEXTS)
        Atomics.add(this.control, TAKEN, 1);
        Atomics.add(this.control, TAKEN_CHARS, chars);
        Atomics.notify(this.control, ASKED);
        if (!(tree instanceof Int32Array)) {
          if (tree.tooDeep) throw new TooDeepError(tree.error);
          return undefined; // the worker could not: parsed here
        }
        return inflateCst(tree);
      }
      // Claimed (or, not joining, to be claimed) by the worker: its tree is a parse away, unless the worker is gone
      // (ended without posting it, or stuck).
      if (this.liveness.gone()) {
        this.drain();
        if (this.posted.has(i)) continue;
        this.gone = true;
        return undefined;
      }
      Atomics.wait(this.control, TREES, seen, 100);
    }
  }

  /** Trees made, and trees made but not asked for (parses the run did not need). */
  stats(): { made: number; used: number; unused: number; held: number } {
    this.drain();
    const made = Atomics.load(this.control, TREES);
    return { made, used: this.used, unused: made - this.used, held: this.held };
  }
}

interface SharedOptions {
  module: URL;
  /** This thread proves and parses too (ParallelOptions.join). */
  takes: boolean;
  stallMs: number;
  ahead: { texts: number; bytes: number };
}

function shared(requests: readonly ProofRequest[], parses: readonly string[], { module, takes, stallMs, ahead }: SharedOptions): PendingProofs {
  const control = new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const claims = new Int32Array(new SharedArrayBuffer(Math.max(1, parses.length) * Int32Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new MessageChannel();
  const input: WorkerInput = { requests, parses, ahead, control: control.buffer as SharedArrayBuffer, claims: claims.buffer as SharedArrayBuffer, port: port2 };
  const worker = new Worker(module, { workerData: input, transferList: [port2] });
  // The process need not wait for it: join ends it.
  worker.unref();
  const liveness = new Liveness(control, stallMs);
  const trees = new WorkerTrees(parses, claims, control, port1, takes, liveness);
  return {
    ...(parses.length > 0 ? { trees } : {}),
    join() {
      // No more trees: the analysis is done (a worker waiting at its window hears it at once).
      Atomics.store(control, STOP, 1);
      Atomics.notify(control, ASKED);
      const out: (Proved | undefined)[] = new Array(requests.length);
      if (takes) {
        for (let i = Atomics.add(control, NEXT, 1); i < requests.length; i = Atomics.add(control, NEXT, 1)) {
          out[i] = prove(requests[i]);
        }
      }
      // Every request is taken (or left to the worker). A worker that had not started yet will take none then.
      if (!takes || Atomics.compareExchange(control, STATE, OPEN, CLOSED) === STARTED) {
        while (!liveness.gone()) Atomics.wait(control, DONE, 0, 1000);
        trees.drain();
        const reply = trees.proofs;
        for (const [i, plan] of reply?.proofs ?? []) out[i] = plan;
        // A worker that failed (it should not: translate is pure) or is gone leaves what it had taken to this thread.
        if (reply === undefined || reply.error !== undefined) for (let i = 0; i < requests.length; i++) out[i] ??= prove(requests[i]);
      }
      port1.close();
      void worker.terminate();
      return out as Proved[];
    },
  };
}
