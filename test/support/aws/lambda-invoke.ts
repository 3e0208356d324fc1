// Test support: Invoke for the local AWS endpoint. Unzips the function into a temporary directory and runs its
// bootstrap with bash against a local Runtime API (the same parts `cron2lambda invoke` uses), one fresh
// environment per call (a cold start every time).
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntimeApi, type InvocationResult } from '../../../src/local/runtime-api.js';
import { extractZipToDir, startBootstrap, type BootstrapExit } from '../../../src/local/runner.js';
import type { InvokeAnswer, InvokeRequest } from './service.js';

/** Lambda keeps the last 4 KB of a function's log for LogType Tail. */
const LOG_TAIL = 4096;

export interface InvokeRunnerOptions {
  /** Where to unzip functions (default the OS temp dir). */
  tmpDir?: string;
  /** Keep unzipped directories (for debugging a test). */
  keep?: boolean;
}

export function makeInvokeRunner(options: InvokeRunnerOptions = {}): { run: (zip: Buffer, req: InvokeRequest) => Promise<InvokeAnswer>; close: () => Promise<void> } {
  const running = new Set<Promise<unknown>>();

  async function run(zip: Buffer, req: InvokeRequest): Promise<InvokeAnswer> {
    const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'c2l-localaws-fn-'));
    const api = await startRuntimeApi({ functionName: req.functionName, region: req.region });
    let log = '';
    const addLog = (line: string) => {
      log = (log + line + '\n').slice(-LOG_TAIL * 2);
    };
    const requestId = randomUUID();
    try {
      await extractZipToDir(zip, dir);
      const proc = startBootstrap({
        taskDir: dir,
        runtimeApi: api.address,
        environment: req.environment,
        functionName: req.functionName,
        region: req.region,
        handler: req.handler,
        onStdout: addLog,
        onStderr: addLog,
      });
      const result = api.enqueue(req.payload.toString('utf8'), { timeoutMs: req.timeoutMs, requestId, functionArn: req.functionArn });
      type Outcome = { kind: 'result'; r: InvocationResult } | { kind: 'init'; body: string } | { kind: 'exit'; e: BootstrapExit } | { kind: 'timeout' };
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race<Outcome>([
        result.then((r) => ({ kind: 'result', r })),
        api.waitForInitError().then((e) => ({ kind: 'init', body: e.body })),
        proc.exited.then((e) => ({ kind: 'exit', e })),
        new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ kind: 'timeout' }), req.timeoutMs))),
      ]);
      clearTimeout(timer);
      proc.kill();
      await proc.exited;
      const fail = (doc: unknown): InvokeAnswer => ({ payload: Buffer.from(JSON.stringify(doc)), functionError: 'Unhandled', log });
      switch (outcome.kind) {
        case 'result':
          if (outcome.r.kind === 'response') return { payload: Buffer.from(outcome.r.body), log };
          if (outcome.r.kind === 'error') return { payload: Buffer.from(outcome.r.body), functionError: 'Unhandled', log };
          return fail({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited without providing a reason` });
        case 'init':
          return { payload: Buffer.from(outcome.body), functionError: 'Unhandled', log };
        case 'exit':
          return fail({
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${requestId} Error: Runtime exited ${outcome.e.signal ? `with signal: ${outcome.e.signal}` : `with error: exit status ${outcome.e.code}`}`,
          });
        default:
          return fail({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(req.timeoutMs / 1000).toFixed(2)} seconds` });
      }
    } finally {
      await api.close();
      if (!options.keep) await rm(dir, { recursive: true, force: true });
    }
  }

  return {
    run: (zip, req) => {
      const p = run(zip, req);
      running.add(p);
      void p.finally(() => running.delete(p)).catch(() => undefined);
      return p;
    },
    close: async () => {
      await Promise.allSettled([...running]);
    },
  };
}
