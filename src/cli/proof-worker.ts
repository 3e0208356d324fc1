// The worker thread of parallel-proofs.ts. It parses the texts it is given ahead of the main thread (each one the main
// thread has not claimed), no further ahead than AHEAD_TEXTS and AHEAD_BYTES past the last text asked for, and proves
// requests from the shared counter meanwhile when it is that far ahead; then it proves until no request is left,
// posts its proofs and says so through the shared array.
import { workerData } from 'node:worker_threads';
import { prove, type Proved } from '../plan/proofs.js';
import { ASKED, BEAT, DONE, FREE, NEXT, OPEN, STARTED, STATE, STOP, TAKEN, TAKEN_CHARS, TREE_BATCH, TREES, WANT, WORKER_CLAIM, type PostedTree, type WorkerInput, type WorkerMessage } from './proof-protocol.js';

const { requests, parses, ahead, control: buffer, claims: claimBuffer, port } = workerData as WorkerInput;
const control = new Int32Array(buffer);
const claims = new Int32Array(claimBuffer);
const proofs: [number, Proved][] = [];

/** Proves the next request nobody has taken; false when none is left. */
function proveOne(): boolean {
  const i = Atomics.add(control, NEXT, 1);
  if (i >= requests.length) return false;
  proofs.push([i, prove(requests[i])]);
  Atomics.add(control, BEAT, 1);
  return true;
}

/** Parses each text nobody has claimed yet, until the main thread stops wanting trees. */
async function parseAhead(): Promise<void> {
  if (parses.length === 0) return;
  // Loaded only when there is something to parse: the grammar costs ~20 ms to load.
  const { parseFlat, TooDeepError } = await import('../scripts/sh/treesitter.js');
  // bytes of text before each index, for the window
  const before = new Float64Array(parses.length + 1);
  for (let i = 0; i < parses.length; i++) before[i + 1] = before[i] + parses[i].length;
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
  // trees (and their texts' length, modulo 2^32) made here, taken or not: the trees held are these less those taken
  let made = 0;
  let madeChars = 0;
  let i = 0;
  while (i < parses.length && Atomics.load(control, STOP) === 0) {
    const asked = Atomics.load(control, ASKED);
    // Trees posted and not yet taken: ASKED only says the furthest text asked for, which can be far past the
    // analysis (an early script that runs a late one), so the trees held are counted as well.
    const held = made - Atomics.load(control, TAKEN);
    const heldChars = (madeChars - Atomics.load(control, TAKEN_CHARS)) | 0;
    // unless the main thread is waiting for this text or a later one (not joining, it waits for every text)
    const full = held > 0 && i > Atomics.load(control, WANT) - 1 && (held >= ahead.texts || heldChars + parses[i].length > ahead.bytes);
    // Far enough ahead: prove meanwhile, or wait for the analysis to ask for more (it always may take one more).
    if (full || (i > asked && (i - asked >= ahead.texts || before[i + 1] - before[asked] > ahead.bytes))) {
      post();
      if (!proveOne()) Atomics.wait(control, ASKED, asked, 100);
      continue;
    }
    if (Atomics.compareExchange(claims, i, FREE, WORKER_CLAIM) === FREE) {
      made++;
      madeChars = (madeChars + parses[i].length) | 0;
      try {
        const flat = parseFlat(parses[i]);
        batch.push({ i, flat });
        moved.push(flat.buffer as ArrayBuffer);
      } catch (e) {
        batch.push({ i, error: e instanceof Error ? e.message : String(e), tooDeep: e instanceof TooDeepError });
      }
      Atomics.add(control, BEAT, 1);
      // the main thread waits for a tree of this batch: post it now
      const want = Atomics.load(control, WANT) - 1;
      if (batch.length >= TREE_BATCH || (want >= batch[0].i && want <= i)) post();
    }
    i++;
  }
  post();
}

// Started before the main thread closed the run: this thread's proofs are waited for.
if (Atomics.compareExchange(control, STATE, OPEN, STARTED) === OPEN) {
  let reply: WorkerMessage;
  try {
    await parseAhead();
    while (proveOne());
    reply = { kind: 'proofs', proofs };
  } catch (e) {
    reply = { kind: 'proofs', error: e instanceof Error ? e.message : String(e), proofs };
  }
  port.postMessage(reply);
  Atomics.store(control, DONE, 1);
  Atomics.notify(control, DONE);
}
port.close();
