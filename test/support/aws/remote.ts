// Test support: drive a local AWS endpoint running in another process (serve.ts) through its /__local/ control
// channel, or start one as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DenySpec, FailSpec, RateSpec, ThrottleSpec } from './faults.js';
import type { AccountSnapshot } from './state.js';
import type { CallRecord, Quotas, ServiceName, Timings } from './types.js';

export interface RemoteLocalAws {
  readonly endpoint: string;
  calls(): Promise<CallRecord[]>;
  mutatingCalls(): Promise<CallRecord[]>;
  resetCalls(): Promise<void>;
  failNext(spec: FailSpec): Promise<void>;
  denyAccess(spec?: DenySpec): Promise<void>;
  setThrottle(spec: ThrottleSpec): Promise<void>;
  setLatency(ms: number | Partial<Record<ServiceName, number>>): Promise<void>;
  setRates(rates: RateSpec): Promise<void>;
  clearFaults(): Promise<void>;
  setTimings(t: Partial<Timings>): Promise<void>;
  setQuotas(q: Partial<Quotas>): Promise<void>;
  advanceClock(ms: number): Promise<void>;
  setInvokeEnvironment(env: Record<string, string>): Promise<void>;
  state(): Promise<AccountSnapshot>;
  reset(): Promise<void>;
}

export function connectLocalAws(endpoint: string): RemoteLocalAws {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${endpoint}/__local${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    if (!res.ok) throw new Error(`local AWS control ${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  return {
    endpoint,
    calls: () => call('GET', '/calls'),
    mutatingCalls: async () => (await call<CallRecord[]>('GET', '/calls')).filter((c) => c.mutating),
    resetCalls: () => call('DELETE', '/calls'),
    failNext: (spec) => call('POST', '/fail-next', spec),
    denyAccess: (spec = {}) => call('POST', '/deny', spec),
    setThrottle: (spec) => call('POST', '/throttle', spec),
    setLatency: (ms) => call('POST', '/latency', typeof ms === 'number' ? { ms } : ms),
    setRates: (rates) => call('POST', '/rates', rates),
    clearFaults: () => call('POST', '/clear-faults', {}),
    setTimings: (t) => call('POST', '/timings', t),
    setQuotas: (q) => call('POST', '/quotas', q),
    advanceClock: (ms) => call('POST', '/advance-clock', { ms }),
    setInvokeEnvironment: (env) => call('POST', '/invoke-environment', env),
    state: () => call('GET', '/state'),
    reset: () => call('POST', '/reset', {}),
  };
}

/** The compiled serve.js (npm run build:support), from the repository root. */
export function servePath(repo: string): string {
  return join(repo, '.build/support/test/support/aws/serve.js');
}

export interface SpawnedLocalAws extends RemoteLocalAws {
  readonly child: ChildProcess;
  close(): Promise<void>;
}

/** Starts serve.js as a child process and connects to it (build it first with `npm run build:support`). */
export async function spawnLocalAws(repo: string, args: string[] = []): Promise<SpawnedLocalAws> {
  const script = servePath(repo);
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build:support`);
  const child = spawn(process.execPath, [script, '--watch-stdin', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line.trim()));
    child.once('exit', (code) => reject(new Error(`serve.js exited with ${code} before printing its endpoint`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    ...connectLocalAws(endpoint),
    child,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
