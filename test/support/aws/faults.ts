// Test support: faults the local AWS endpoint can inject (latency, rate limits, random throttling, one-off errors,
// access denied), each answered with the error the real service sends.
import { AwsError, SERVICES, type ServiceName } from './types.js';

/** An error to inject: a code (status and message filled in as the service would), or all of it. */
export interface FailSpec {
  service?: ServiceName;
  operation?: string;
  /** Error code as the service sends it (`e.name` in the SDK, e.g. 'ServiceException', 'NoSuchEntity'). */
  error: string;
  message?: string;
  status?: number;
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

/** Requests per second per service (token bucket, burst = rate unless given); null or 0 = unlimited. */
export type RateSpec = Partial<Record<ServiceName, number | null>>;

/** Documented control-plane rates: Lambda 15/s (facts.md: "other control-plane calls 15/s"; GetFunction 100/s is
 * not modelled separately), EventBridge 50/s (APIs other than PutEvents). IAM and STS publish no per-second
 * figure (they throttle with token buckets whose sizes are not documented), so they are left to the caller. */
export const DOCUMENTED_RATES: RateSpec = { lambda: 15, events: 50 };

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

/** Small seeded PRNG (mulberry32): the same seed throttles the same calls. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Bucket {
  rate: number;
  burst: number;
  tokens: number;
  last: number;
}

export type Injected = { error: AwsError; injected: 'failNext' | 'throttle' | 'accessDenied' };

export class Faults {
  private latencyAll = 0;
  private latencyBy: Partial<Record<ServiceName, number>> = {};
  private buckets = new Map<ServiceName, Bucket>();
  private throttle: { probability: number; random: () => number; services?: ServiceName[] } = { probability: 0, random: mulberry32(1) };
  private failQueue: (FailSpec & { left: number })[] = [];
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

  setRates(rates: RateSpec, burst?: Partial<Record<ServiceName, number>>): void {
    for (const s of SERVICES) {
      if (!(s in rates)) continue;
      const rate = rates[s];
      if (!rate) this.buckets.delete(s);
      else {
        const b = burst?.[s] ?? rate;
        this.buckets.set(s, { rate, burst: b, tokens: b, last: Date.now() });
      }
    }
  }

  setThrottle(spec: ThrottleSpec): void {
    this.throttle = { probability: spec.probability, random: mulberry32(spec.seed ?? 1), services: spec.services };
  }

  failNext(spec: FailSpec): void {
    this.failQueue.push({ ...spec, left: spec.count ?? 1 });
  }

  denyAccess(spec: DenySpec = {}): void {
    this.denies.push({ ...spec, left: spec.count ?? Infinity });
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
  check(service: ServiceName, operation: string, region: string, accountId: string): Injected | undefined {
    const matches = (s: { service?: ServiceName; operation?: string }) =>
      (s.service === undefined || s.service === service) && (s.operation === undefined || s.operation === operation);
    const fail = this.failQueue.find((f) => f.left > 0 && matches(f));
    if (fail) {
      fail.left--;
      this.failQueue = this.failQueue.filter((f) => f.left > 0);
      const status = fail.status ?? defaultStatus(service, fail.error);
      return { error: new AwsError(fail.error, fail.message ?? `injected ${fail.error}`, status), injected: 'failNext' };
    }
    const deny = this.denies.find((d) => d.left > 0 && matches(d));
    if (deny) {
      deny.left--;
      return { error: accessDeniedError(service, operation, region, accountId), injected: 'accessDenied' };
    }
    const bucket = this.buckets.get(service);
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
