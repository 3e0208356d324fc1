// The one place that decides which AWS errors mean "wait and try again". Throttling is first retried by the SDK
// itself (adaptive mode, clients.ts); what reaches here is what the SDK calls a client error but is really a state
// that passes: a role IAM has not yet propagated to Lambda, a function still Pending or mid-update, IAM or
// EventBridge's concurrent-modification answers, and throttling that outlasted the SDK's own attempts.

export interface RetryTiming {
  /** First pause; doubled each time with full jitter, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Give up after this long (a role usually becomes assumable in 5-30 s). */
  budgetMs: number;
}

export const DEFAULT_RETRY_TIMING: RetryTiming = { baseDelayMs: 500, maxDelayMs: 8_000, budgetMs: 120_000 };

export type Transient = 'role-not-assumable' | 'conflict' | 'throttling';

interface ErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'LimitExceededException', // CloudWatch Logs and DynamoDB's control plane say rate limits with this code
]);

/** The class of a transient error, or null when retrying cannot help. */
export function transientClass(e: unknown): Transient | null {
  const err = e as ErrorLike;
  const name = err?.name ?? '';
  const message = err?.message ?? '';
  if (name === 'InvalidParameterValueException' && /role defined for the function cannot be assumed|cannot be assumed by Lambda/i.test(message)) return 'role-not-assumable';
  // Lambda: "The operation cannot be performed at this time. An update is in progress" / function Pending.
  if (name === 'ResourceConflictException' && /in progress|pending|cannot be performed at this time/i.test(message)) return 'conflict';
  // Scheduler, just after the host's role was made: "The execution role you provide must allow AWS EventBridge
  // Scheduler to assume the role."
  if (name === 'ValidationException' && /execution role .* assume the role/i.test(message)) return 'role-not-assumable';
  if (name === 'ConcurrentModificationException' || name === 'ConcurrentModification') return 'conflict';
  if (THROTTLING.has(name) && !/quota|limit of \d+|maximum number/i.test(message)) return 'throttling';
  return null;
}

export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `call`, again after a backoff while it fails with a transient error and the budget lasts. */
export async function retrying<T>(
  call: () => Promise<T>,
  options: { timing?: RetryTiming; sleep?: Sleep; onRetry?: (cls: Transient, attempt: number) => void; before?: (cls: Transient) => Promise<void> } = {},
): Promise<T> {
  const timing = options.timing ?? DEFAULT_RETRY_TIMING;
  const sleep = options.sleep ?? realSleep;
  const start = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const cls = transientClass(e);
      if (cls === null) throw e;
      const cap = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** (attempt - 1));
      const delay = timing.baseDelayMs / 2 + Math.random() * (cap - timing.baseDelayMs / 2);
      if (Date.now() - start + delay > timing.budgetMs) throw e;
      options.onRetry?.(cls, attempt);
      await sleep(delay);
      if (options.before) await options.before(cls);
    }
  }
}

/** An AWS error as one line for people: the code and the service's message. */
export function describeError(e: unknown): string {
  const err = e as ErrorLike;
  const name = err?.name && err.name !== 'Error' ? err.name : '';
  const message = err?.message ?? String(e);
  return name ? `${name}: ${message}` : message;
}
