// The schedule proofs of a run, made together: every distinct line (fields, zone, target, horizon) is proved once,
// whatever number of crontab lines repeat it, and all of them can be made while the scripts are analysed. Who makes
// them is injected (a Prover): this thread by default; the CLI's shares the work with a worker thread
// (cli/parallel-proofs.ts). A proof is a pure function of its request, so the plan is the same whoever makes it.
import type { CronSpec } from '../schedule/model.js';
import { describeSchedule } from '../schedule/describe.js';
import { proofKey, translate, type ProofRequest, type SchedulePlan } from '../schedule/translate.js';
import { describe } from './entry.js';
import type { TreeSource } from '../scripts/sh/index.js';

/** A proof with its sentences, made together (both are pure, and the sentences cost a third of the proof). */
export interface Proved {
  plan: SchedulePlan;
  /** The request's line in words. */
  description: string;
  /** Each expression of the plan in words. */
  expressionDescriptions: string[];
}

/** Prove one request and say it in words. */
export function prove(request: ProofRequest): Proved {
  const plan = translate(request.spec, request.options);
  return { plan, description: describeSchedule(request.spec), expressionDescriptions: plan.expressions.map((e) => describe(e, true)) };
}

export interface Prover {
  /**
   * Begins proving the requests (possibly elsewhere, in the background). `parses`: shell texts the plan is about to
   * parse, in the order it will; a prover that works elsewhere may parse them there too (see `trees`).
   */
  start(requests: readonly ProofRequest[], parses?: readonly string[]): PendingProofs;
}

export interface PendingProofs {
  /** One proof per request, in order; waits for work done elsewhere (the plan is synchronous). */
  join(): Proved[];
  /** Trees of `parses` made elsewhere, for the parser to take (sh/parse.ts); absent when none are. */
  trees?: TreeSource;
}

/** Proofs made in this thread, when asked for. */
export const inProcessProver: Prover = {
  start: (requests) => ({ join: () => requests.map(prove) }),
};

/** The distinct proofs a run needs, and for each line the index of its own. */
export class ProofBatch {
  readonly requests: ProofRequest[] = [];
  private readonly index = new Map<string, number>();

  add(request: ProofRequest): number {
    const key = proofKey(request.spec, request.options);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.requests.length;
      this.requests.push(request);
      this.index.set(key, i);
    }
    return i;
  }
}

/** A proof made for a line with the same fields (`0 0 * * 7` for `0 0 * * 0`), as this line's: its own text and words. */
export function forLine(proved: Proved, spec: CronSpec): Proved {
  if (proved.plan.cron === spec.text) return proved;
  return { plan: { ...proved.plan, cron: spec.text }, description: describeSchedule(spec), expressionDescriptions: proved.expressionDescriptions };
}
