// Test support (not product): a local AWS endpoint on 127.0.0.1 speaking the wire protocols of STS, IAM, Lambda,
// EventBridge, CloudWatch Logs, DynamoDB (control plane) and EventBridge Scheduler, with state, real error codes,
// injectable faults and a log of every call. Give every SDK client `endpoint: aws.endpoint` (one endpoint for all
// services, as --endpoint-url does); the service is told from the SigV4 credential scope.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control.js';
import { Faults, type DenySpec, type FailSpec, type RateSpec, type ThrottleSpec } from './faults.js';
import { makeInvokeRunner } from './lambda-invoke.js';
import { handleAws } from './router.js';
import { Account, snapshot, type AccountSnapshot } from './state.js';
import type { CallRecord, Quotas, ServiceName, Timings } from './types.js';

export type { CallRecord, FailSpec, DenySpec, RateSpec, ThrottleSpec, Timings, Quotas, ServiceName, AccountSnapshot };
export { DOCUMENTED_RATES } from './faults.js';

export interface LocalAwsOptions {
  /** Port on 127.0.0.1; default a free one. */
  port?: number;
  /** Region used when a request carries no credential scope; default us-east-1. */
  region?: string;
  timings?: Partial<Timings>;
  quotas?: Partial<Quotas>;
  /** ms added to every call. */
  latencyMs?: number;
  rates?: RateSpec;
  throttle?: ThrottleSpec;
  /** Keep the directories Invoke unzips functions into. */
  keepInvokeDirs?: boolean;
  /** Variables laid over every invoked function's environment (e.g. CRON2LAMBDA_DYNAMODB_ENDPOINT of a dynalite). */
  invokeEnvironment?: Record<string, string>;
}

/** A port nothing listens on: what a function reaches instead of the internet. */
const DEAD = 'http://127.0.0.1:9';

/** Keeps invoked functions off the network: proxies point at a dead loopback port (loopback itself stays direct),
 * and the lock's DynamoDB endpoint, when the function does not name one, is that dead port rather than AWS. */
export function guardEnvironment(fnEnv: Record<string, string>, overlay: Record<string, string>): Record<string, string> {
  return {
    ...fnEnv,
    CRON2LAMBDA_DYNAMODB_ENDPOINT: fnEnv.CRON2LAMBDA_DYNAMODB_ENDPOINT ?? DEAD,
    ...overlay,
    http_proxy: DEAD,
    https_proxy: DEAD,
    HTTP_PROXY: DEAD,
    HTTPS_PROXY: DEAD,
    no_proxy: '127.0.0.1,localhost',
    NO_PROXY: '127.0.0.1,localhost',
  };
}

export interface LocalAws {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  /** The live account (seed or change resources directly, as someone would by hand in the console). */
  readonly account: Account;
  /** The live call log, in arrival order. */
  readonly calls: CallRecord[];
  /** Calls that changed state (kind 'mutating'). */
  mutatingCalls(): CallRecord[];
  resetCalls(): void;
  failNext(spec: FailSpec): void;
  denyAccess(spec?: DenySpec): void;
  setThrottle(spec: ThrottleSpec): void;
  setLatency(ms: number | Partial<Record<ServiceName, number>>): void;
  setRates(rates: RateSpec): void;
  clearFaults(): void;
  setTimings(timings: Partial<Timings>): void;
  setQuotas(quotas: Partial<Quotas>): void;
  /** Replaces the variables laid over every invoked function's environment. */
  setInvokeEnvironment(env: Record<string, string>): void;
  /** Moves the account's clock forward (ends Pending, InProgress, CREATING and role-propagation windows). */
  advanceClock(ms: number): void;
  state(): AccountSnapshot;
  /** Empties the account, the call log and every fault; timings and quotas go back to the start options. */
  reset(): void;
  close(): Promise<void>;
}

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const account = new Account();
  Object.assign(account.timings, options.timings ?? {});
  Object.assign(account.quotas, options.quotas ?? {});
  account.baseTimings = { ...account.timings };
  account.baseQuotas = { ...account.quotas };
  const faults = new Faults();
  if (options.latencyMs) faults.setLatency(options.latencyMs);
  if (options.rates) faults.setRates(options.rates);
  if (options.throttle) faults.setThrottle(options.throttle);
  const calls: CallRecord[] = [];
  const runner = makeInvokeRunner({ keep: options.keepInvokeDirs });
  let invokeEnvironment = { ...options.invokeEnvironment };
  const invoke: typeof runner.run = (zip, req) => runner.run(zip, { ...req, environment: guardEnvironment(req.environment, invokeEnvironment) });
  const deps = { account, faults, calls, invoke, defaultRegion: options.region ?? 'us-east-1' };

  let aws!: LocalAws;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if ((req.url ?? '').startsWith('/__local/')) {
        handleControl(aws, req, res, body);
        return;
      }
      handleAws(deps, req, res, body).catch((e: unknown) => {
        process.stderr.write(`local AWS endpoint: ${(e as Error).stack ?? String(e)}\n`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });
  // Clients keep connections open between calls (the SDK's agent, undici's fetch); closing an idle one after Node's
  // default 5 s races with a client reusing it ("other side closed"). Idle connections stay for a minute instead.
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 61_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  aws = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    account,
    calls,
    mutatingCalls: () => calls.filter((c) => c.mutating),
    resetCalls: () => void calls.splice(0),
    failNext: (spec) => faults.failNext(spec),
    denyAccess: (spec) => faults.denyAccess(spec),
    setThrottle: (spec) => faults.setThrottle(spec),
    setLatency: (ms) => faults.setLatency(ms),
    setRates: (rates) => faults.setRates(rates),
    clearFaults: () => faults.clear(),
    setTimings: (t) => void Object.assign(account.timings, t),
    setQuotas: (q) => void Object.assign(account.quotas, q),
    setInvokeEnvironment: (env) => void (invokeEnvironment = { ...env }),
    advanceClock: (ms) => void (account.clockOffsetMs += ms),
    state: () => snapshot(account),
    reset: () => {
      account.reset();
      calls.splice(0);
      faults.clear();
    },
    close: async () => {
      await runner.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return aws;
}
