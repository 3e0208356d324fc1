// What an adapter for one resource kind provides, and the context every adapter call gets.
import type { AwsClients } from './clients.js';
import type { MigrateSettings } from './desired.js';
import type { Change, DesiredResource, Kind, LiveResource } from './model.js';
import { retrying, type RetryTiming } from './retry.js';

export interface Timing {
  retry?: RetryTiming;
  /** Waiters' first pause in seconds (the SDK's defaults when absent); tests make it short. */
  waiterMinDelaySeconds?: number;
  /** How long a waiter waits for a function to become Active or an update Successful. */
  waiterMaxSeconds?: number;
}

export interface AwsContext {
  clients: AwsClients;
  settings: MigrateSettings;
  timing: Timing;
  /** The AWS CLI layer: the zip to publish (from --aws-cli-zip) and, once known, the version's ARN. */
  layer: { zip?: Buffer; arn?: string };
  /** Called before each retry of a transient error (progress output). */
  onRetry?: (what: string, cls: string) => void;
}

export interface ReadRequest {
  name: string;
  parent?: string;
  job: string | null;
}

export interface Adapter {
  kind: Kind;
  read(ctx: AwsContext, r: ReadRequest): Promise<LiveResource | null>;
  create(ctx: AwsContext, d: DesiredResource): Promise<void>;
  update(ctx: AwsContext, change: Change): Promise<void>;
  delete(ctx: AwsContext, live: LiveResource): Promise<void>;
}

/** Every SDK write goes through here: transient errors are retried the same way everywhere. */
export function write<T>(ctx: AwsContext, what: string, call: () => Promise<T>, before?: () => Promise<void>): Promise<T> {
  return retrying(call, {
    ...(ctx.timing.retry ? { timing: ctx.timing.retry } : {}),
    onRetry: (cls) => ctx.onRetry?.(what, cls),
    ...(before ? { before: async () => before() } : {}),
  });
}

/** Reads retry like writes (throttling beyond the SDK's attempts); a missing resource is an answer, not an error. */
export async function readOrNull<T>(ctx: AwsContext, call: () => Promise<T>, notFound: string[]): Promise<T | null> {
  try {
    return await write(ctx, 'read', call);
  } catch (e) {
    if (notFound.includes((e as { name?: string }).name ?? '')) return null;
    throw e;
  }
}

export function waiterConfig<C>(ctx: AwsContext, client: C): { client: C; maxWaitTime: number; minDelay?: number; maxDelay?: number } {
  const min = ctx.timing.waiterMinDelaySeconds;
  return {
    client,
    maxWaitTime: ctx.timing.waiterMaxSeconds ?? 300,
    ...(min !== undefined ? { minDelay: min, maxDelay: Math.max(min * 16, min + 1) } : {}),
  };
}

export function tagsFromList(list: { Key?: string; Value?: string; key?: string; value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) {
    const k = t.Key ?? t.key;
    if (k !== undefined) out[k] = t.Value ?? t.value ?? '';
  }
  return out;
}
