// What parallel-proofs.ts and its worker (proof-worker.ts) share: the slots of their shared arrays and the messages
// the worker posts. Apart from both so that the worker loads neither the other's code nor the parser until it needs it.
import type { MessagePort } from 'node:worker_threads';
import type { Proved } from '../plan/proofs.js';
import type { ProofRequest } from '../schedule/translate.js';

/** Slots of the shared control array. */
export const NEXT = 0; // the next request index to take
export const STATE = 1; // who owns the worker's share: OPEN, then STARTED (the worker) or CLOSED (this thread, first)
export const DONE = 2; // 1 once the worker has posted its proofs
export const TREES = 3; // how many trees (or tree errors) the worker has posted: the main thread waits on it for one it needs
export const STOP = 4; // 1 once the main thread wants no more trees (it is joining the proofs)
export const WANT = 5; // 1 + the index of the text whose tree the main thread is waiting for (0: none)
export const ASKED = 6; // 1 + the highest index of a text the main thread has asked for (0: none yet)
export const TAKEN = 7; // how many of the worker's trees (or tree errors) the main thread has taken
export const TAKEN_CHARS = 8; // their texts' length, summed modulo 2^32 (the worker subtracts in the same modulus)
export const BEAT = 9; // counts the worker's parses and proofs: a worker whose count stands still is stuck or gone
export const SLOTS = 10;
export const OPEN = 0;
export const STARTED = 1;
export const CLOSED = 2;
/** Claims of the shell texts to parse, one slot each: the thread that claims a text first parses it, once. */
export const FREE = 0;
export const WORKER_CLAIM = 1;
export const HERE_CLAIM = 2;

/** What the worker posts: each tree (or why it has none), then the proofs it made, by request index, or why it stopped. */
export type WorkerMessage =
  | { kind: 'trees'; trees: PostedTree[] }
  | { kind: 'proofs'; proofs: [number, Proved][]; error?: string };

/** One text's tree (as numbers, sh/treesitter.ts parseFlat), or why the worker has none. */
export type PostedTree = { i: number; flat: Int32Array } | { i: number; error: string; tooDeep: boolean };

/**
 * Trees are posted in batches of at most this many (a message costs about as much as a parse), and at once when the
 * main thread waits for one of them.
 */
export const TREE_BATCH = 32;

/**
 * How far the worker parses ahead of the main thread's analysis: at most this many texts, and this many bytes of
 * text, past the last one asked for (a tree is about five times its text). Further ahead it proves meanwhile, so that
 * a fleet of large scripts cannot pile its trees up in memory faster than the analysis takes them.
 */
export const AHEAD_TEXTS = 512;
export const AHEAD_BYTES = 8 * 1024 * 1024;

/** What the worker is given. */
export interface WorkerInput {
  requests: readonly ProofRequest[];
  /** Shell texts to parse ahead of this thread, in the order it will want them. */
  parses: readonly string[];
  /** How far ahead (AHEAD_TEXTS and AHEAD_BYTES unless a test says otherwise). */
  ahead: { texts: number; bytes: number };
  control: SharedArrayBuffer;
  claims: SharedArrayBuffer;
  port: MessagePort;
}

