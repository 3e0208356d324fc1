// Test support: faults the local AWS endpoint can inject (latency, rate limits, random throttling, one-off errors,
// access denied), each answered with the error the real service sends.
import { AwsError, SERVICES, type CallKind, type ServiceName } from './types.js';
import { mulberry32 } from '../random.js';

/** An error to inject: a code (status and message filled in as the service would), or all of it. */
export interface FailSpec {
  service?: ServiceName;
  operation?: string;
  /** Only calls of this kind (e.g. 'mutating', to fail each mutating call in turn with `skip`). */
  kind?: CallKind;
  /** Error code as the service sends it (`e.name` in the SDK, e.g. 'ServiceException', 'NoSuchEntity'), or one
   * that each service answers its own way: '$accessDenied', '$throttling', '$internal' (a 5xx: the SDK retries);
   * or '$dropResponse': the call takes effect but its answer is lost (the connection is reset), as when a write
   * succeeds silently: the SDK retries it and the retry meets the state the first attempt made. */
  error: string;
  message?: string;
  status?: number;
  /** Let this many matching calls through first; default 0. */
  skip?: number;
  /** How many matching calls fail; default 1. */
  count?: number;
}

export interface DenySpec {
  service?: ServiceName;
  operation?: string;
  /** How many matching calls are denied; default: every one until clearFaults(). */
  count?: number;
}

export interface ThrottleSpec {
  /** Probability (0-1) that a call is throttled; 0 turns it off. */
  probability: number;
  /** PRNG seed, so a run is reproducible; default 1. */
  seed?: number;
  /** Only these services; default all. */
  services?: ServiceName[];
}

/** Requests per second (token bucket, burst = rate) per service, or per operation as `service:Operation` (an
 * operation with its own rate is not counted against its service's); null or 0 = unlimited. Lambda's Invoke is
 * never counted against the control-plane rate (invocations are limited by concurrency, not modelled here). */
export type RateSpec = Partial<Record<ServiceName | `${ServiceName}:${string}`, number | null>>;

/** AWS's documented control-plane rates. Lambda (quotas page): GetFunction 100/s, GetPolicy 15/s, the remainder of
 * the control plane 15/s; EventBridge: 50/s for APIs other than PutEvents. IAM and STS throttle with token buckets
 * whose sizes AWS does not publish ("the number of tokens ... depends on the API"), so no figure is set for them. */
export const DOCUMENTED_RATES: RateSpec = { lambda: 15, 'lambda:GetFunction': 100, 'lambda:GetPolicy': 15, events: 50 };

/** Throttling as each service answers it (code, status, message). */
export function throttlingError(service: ServiceName): AwsError {
  switch (service) {
    case 'lambda':
      return new AwsError('TooManyRequestsException', 'Rate exceeded', 429, { Reason: 'CallerRateLimitExceeded' });
    case 'iam':
    case 'sts':
      return new AwsError('Throttling', 'Rate exceeded', 400);
    case 'scheduler':
      return new AwsError('ThrottlingException', 'Rate exceeded', 429);
    case 'dynamodb':
      return new AwsError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.', 400);
    default:
      return new AwsError('ThrottlingException', 'Rate exceeded', 400);
  }
}

export function accessDeniedError(service: ServiceName, operation: string, region: string, accountId: string): AwsError {
  const who = `arn:aws:iam::${accountId}:user/local-test`;
  const action = `${service === 'logs' ? 'logs' : service}:${operation}`;
  const message = `User: ${who} is not authorized to perform: ${action} on resource: arn:aws:${service}:${region}:${accountId}:* because no identity-based policy allows the ${action} action`;
  if (service === 'iam' || service === 'sts') return new AwsError('AccessDenied', message, 403);
  if (service === 'lambda' || service === 'scheduler') return new AwsError('AccessDeniedException', message, 403);
  return new AwsError('AccessDeniedException', message, 400);
}

/** The service's own internal error (5xx). */
export function internalError(service: ServiceName): AwsError {
  const code = { lambda: 'ServiceException', iam: 'ServiceFailure', sts: 'InternalFailure', events: 'InternalException', logs: 'ServiceUnavailableException', dynamodb: 'InternalServerError', scheduler: 'InternalServerException' }[service];
  return new AwsError(code, 'We encountered an internal error. Please try again.', 500);
}

/** Status a code is sent with when the caller does not say (the service's modelled httpError). */
function defaultStatus(service: ServiceName, code: string): number {
  if (/^(ServiceException|InternalFailure|InternalServerError|InternalServerException|InternalException|ServiceUnavailableException)$/.test(code)) return 500;
  if (code === 'ServiceUnavailable') return 503;
  if (code === 'TooManyRequestsException') return 429;
  if (code === 'NoSuchEntity') return 404;
  if (/^(EntityAlreadyExists|DeleteConflict|LimitExceeded|ConcurrentModification)$/.test(code)) return 409;
  if (service === 'lambda' || service === 'scheduler') {
    if (code === 'ResourceNotFoundException') return 404;
    if (code === 'ResourceConflictException' || code === 'ConflictException') return 409;
    if (code === 'AccessDeniedException') return 403;
    if (code === 'ServiceQuotaExceededException') return 402;
    if (code === 'ThrottlingException') return 429;
  }
  if (code === 'AccessDenied') return 403;
  return 400;
}


interface Bucket {
  rate: number;
  burst: number;
  tokens: number;
  last: number;
}

export type Injected = { error: AwsError; injected: 'failNext' | 'throttle' | 'accessDenied' } | { drop: true; injected: 'dropResponse' };

export class Faults {
  private latencyAll = 0;
  private latencyBy: Partial<Record<ServiceName, number>> = {};
  private buckets = new Map<string, Bucket>();
  private throttle: { probability: number; random: () => number; services?: ServiceName[] } = { probability: 0, random: mulberry32(1) };
  private failQueue: (FailSpec & { left: number; toSkip: number })[] = [];
  private denies: (DenySpec & { left: number })[] = [];

  /** ms added to every call, or per service. */
  setLatency(ms: number | Partial<Record<ServiceName, number>>): void {
    if (typeof ms === 'number') {
      this.latencyAll = ms;
      this.latencyBy = {};
    } else {
      this.latencyBy = { ...this.latencyBy, ...ms };
    }
  }

  latencyFor(service: ServiceName): number {
    return this.latencyBy[service] ?? this.latencyAll;
  }

  setRates(rates: RateSpec): void {
    for (const [key, rate] of Object.entries(rates)) {
      const service = key.split(':')[0];
      if (!(SERVICES as readonly string[]).includes(service)) throw new Error(`unknown service in rate ${key}`);
      if (!rate) this.buckets.delete(key);
      else this.buckets.set(key, { rate, burst: rate, tokens: rate, last: Date.now() });
    }
  }

  setThrottle(spec: ThrottleSpec): void {
    this.throttle = { probability: spec.probability, random: mulberry32(spec.seed ?? 1), services: spec.services };
  }

  failNext(spec: FailSpec): void {
    this.failQueue.push({ ...spec, left: spec.count ?? 1, toSkip: spec.skip ?? 0 });
  }

  denyAccess(spec: DenySpec = {}): void {
    this.denies.push({ ...spec, left: spec.count ?? Infinity });
  }

  private failError(f: FailSpec, service: ServiceName, operation: string, region: string, accountId: string): AwsError {
    if (f.error === '$accessDenied') return accessDeniedError(service, operation, region, accountId);
    if (f.error === '$throttling') return throttlingError(service);
    if (f.error === '$internal') return internalError(service);
    return new AwsError(f.error, f.message ?? `injected ${f.error}`, f.status ?? defaultStatus(service, f.error));
  }

  /** Removes every fault (latency, rates, throttling, queued failures, denials). */
  clear(): void {
    this.latencyAll = 0;
    this.latencyBy = {};
    this.buckets.clear();
    this.throttle = { probability: 0, random: mulberry32(1) };
    this.failQueue = [];
    this.denies = [];
  }

  /** The fault for this call, if any; consumes a one-off failure or a token. */
  check(service: ServiceName, operation: string, kind: CallKind, region: string, accountId: string): Injected | undefined {
    const matches = (s: { service?: ServiceName; operation?: string; kind?: CallKind }) =>
      (s.service === undefined || s.service === service) && (s.operation === undefined || s.operation === operation) && (s.kind === undefined || s.kind === kind);
    // Every queued failure that matches sees the call: each counts down its own skips.
    let fail: (typeof this.failQueue)[number] | undefined;
    for (const f of this.failQueue) {
      if (f.left <= 0 || !matches(f)) continue;
      if (f.toSkip > 0) f.toSkip--;
      else if (!fail) fail = f;
    }
    if (fail) {
      fail.left--;
      this.failQueue = this.failQueue.filter((f) => f.left > 0);
      if (fail.error === '$dropResponse') return { drop: true, injected: 'dropResponse' };
      return { error: this.failError(fail, service, operation, region, accountId), injected: 'failNext' };
    }
    const deny = this.denies.find((d) => d.left > 0 && matches(d));
    if (deny) {
      deny.left--;
      return { error: accessDeniedError(service, operation, region, accountId), injected: 'accessDenied' };
    }
    const bucket = this.buckets.get(`${service}:${operation}`) ?? (operation === 'Invoke' ? undefined : this.buckets.get(service));
    if (bucket) {
      const now = Date.now();
      bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((now - bucket.last) / 1000) * bucket.rate);
      bucket.last = now;
      if (bucket.tokens < 1) return { error: throttlingError(service), injected: 'throttle' };
      bucket.tokens -= 1;
    }
    const t = this.throttle;
    if (t.probability > 0 && (!t.services || t.services.includes(service)) && t.random() < t.probability) {
      return { error: throttlingError(service), injected: 'throttle' };
    }
    return undefined;
  }
}
