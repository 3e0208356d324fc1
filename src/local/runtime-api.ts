// A local Lambda Runtime API (2018-06-01) on 127.0.0.1, enough to run a custom runtime's bootstrap unchanged.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const PREFIX = '/2018-06-01/runtime';
/** Lambda's limit for a synchronous response payload. */
const MAX_PAYLOAD = 6 * 1024 * 1024;

export interface EnqueueOptions {
  /** Absolute deadline in epoch milliseconds (Lambda-Runtime-Deadline-Ms). */
  deadlineMs?: number;
  /** Relative timeout when deadlineMs is not given; default 300 000 ms. */
  timeoutMs?: number;
  /** Request id; default a random UUID. */
  requestId?: string;
  functionArn?: string;
  traceId?: string;
}

export type InvocationResult =
  | {
      kind: 'response';
      requestId: string;
      /** The posted body as text, and parsed when it is JSON (else undefined). */
      body: string;
      json: unknown;
      durationMs: number;
    }
  | {
      kind: 'error';
      requestId: string;
      body: string;
      json: unknown;
      /** Lambda-Runtime-Function-Error-Type header, else errorType from the body. */
      errorType: string | undefined;
      durationMs: number;
    }
  | {
      /** The server was closed before the runtime answered (e.g. the bootstrap was killed). */
      kind: 'abandoned';
      requestId: string;
    };

export interface InitError {
  body: string;
  json: unknown;
  errorType: string | undefined;
  at: number;
}

export interface RuntimeApiOptions {
  /** Function name used in the default invoked-function ARN. */
  functionName?: string;
  region?: string;
}

interface Invocation {
  requestId: string;
  event: string;
  deadlineMs: number;
  functionArn: string;
  traceId: string;
  handedOutAt: number | null;
  done: boolean;
  resolve: (result: InvocationResult) => void;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Events: 'init-error' (InitError), 'poll' when a runtime starts waiting on GET /invocation/next, 'next'
 * (requestId) when an invocation is handed to the runtime, 'result' (InvocationResult).
 */
export class RuntimeApiServer extends EventEmitter {
  readonly initErrors: InitError[] = [];
  readonly results: InvocationResult[] = [];
  /** Status to answer the next GET /invocation/next with instead of an event (e.g. 500), once. */
  failNextWith: number | null = null;

  private readonly queue: Invocation[] = [];
  private readonly byId = new Map<string, Invocation>();
  private readonly waiting: ServerResponse[] = [];
  private readonly server: Server;
  private readonly functionName: string;
  private readonly region: string;

  private constructor(server: Server, options: RuntimeApiOptions) {
    super();
    this.server = server;
    this.functionName = options.functionName ?? 'cron2lambda-local';
    this.region = options.region ?? 'us-east-1';
  }

  /** Starts a server on 127.0.0.1 and a random free port. */
  static async start(options: RuntimeApiOptions = {}): Promise<RuntimeApiServer> {
    let api!: RuntimeApiServer;
    const server = createServer((req, res) => api.handle(req, res));
    api = new RuntimeApiServer(server, options);
    server.keepAliveTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return api;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The value for AWS_LAMBDA_RUNTIME_API. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Queues an event; resolves when the runtime posts its response or error (or the server closes). */
  enqueue(event: unknown, options: EnqueueOptions = {}): Promise<InvocationResult> {
    const body = typeof event === 'string' ? event : JSON.stringify(event);
    return new Promise((resolve) => {
      const inv: Invocation = {
        requestId: options.requestId ?? randomUUID(),
        event: body,
        deadlineMs: options.deadlineMs ?? Date.now() + (options.timeoutMs ?? 300_000),
        functionArn:
          options.functionArn ?? `arn:aws:lambda:${this.region}:000000000000:function:${this.functionName}`,
        traceId: options.traceId ?? `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Sampled=0`,
        handedOutAt: null,
        done: false,
        resolve: (result) => {
          inv.done = true;
          this.byId.delete(inv.requestId);
          this.results.push(result);
          this.emit('result', result);
          resolve(result);
        },
      };
      if (this.byId.has(inv.requestId)) throw new Error(`request id ${inv.requestId} is already pending`);
      this.byId.set(inv.requestId, inv);
      this.queue.push(inv);
      this.dispatch();
    });
  }

  /** Invocations queued but not yet handed to a runtime. */
  get queued(): number {
    return this.queue.length;
  }

  /** Number of runtimes currently long-polling GET /invocation/next. */
  get polling(): number {
    return this.waiting.length;
  }

  /** Resolves once at least one runtime is long-polling GET /invocation/next (i.e. it has finished init). */
  waitUntilPolling(): Promise<void> {
    if (this.waiting.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.once('poll', () => resolve()));
  }

  /** Resolves with the next init error (or at once when one was already posted). */
  waitForInitError(): Promise<InitError> {
    if (this.initErrors.length > 0) return Promise.resolve(this.initErrors[0]);
    return new Promise((resolve) => this.once('init-error', resolve));
  }

  async close(): Promise<void> {
    for (const inv of [...this.byId.values()]) inv.resolve({ kind: 'abandoned', requestId: inv.requestId });
    this.queue.length = 0;
    for (const res of this.waiting.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && this.waiting.length > 0) {
      const res = this.waiting.shift()!;
      if (res.destroyed || res.writableEnded) continue;
      const inv = this.queue.shift()!;
      inv.handedOutAt = Date.now();
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': inv.requestId,
        'Lambda-Runtime-Deadline-Ms': String(inv.deadlineMs),
        'Lambda-Runtime-Invoked-Function-Arn': inv.functionArn,
        'Lambda-Runtime-Trace-Id': inv.traceId,
      });
      res.end(inv.event);
      this.emit('next', inv.requestId);
    }
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      req.resume();
      if (this.failNextWith !== null) {
        const status = this.failNextWith;
        this.failNextWith = null;
        this.reply(res, status, { errorMessage: 'injected failure', errorType: 'Runtime.Injected' });
        return;
      }
      this.waiting.push(res);
      res.on('close', () => {
        const i = this.waiting.indexOf(res);
        if (i >= 0) this.waiting.splice(i, 1);
      });
      this.emit('poll');
      this.dispatch();
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      this.reply(res, 404, { errorMessage: `no route ${req.method} ${path}`, errorType: 'NotFound' });
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_PAYLOAD) {
        this.reply(res, 413, { errorMessage: 'payload too large', errorType: 'RequestEntityTooLarge' });
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const errorTypeHeader = req.headers['lambda-runtime-function-error-type'];
      const headerType = Array.isArray(errorTypeHeader) ? errorTypeHeader[0] : errorTypeHeader;
      const json = parseJson(body);
      const bodyType =
        json && typeof json === 'object' && typeof (json as { errorType?: unknown }).errorType === 'string'
          ? (json as { errorType: string }).errorType
          : undefined;

      if (path === `${PREFIX}/init/error`) {
        const err: InitError = { body, json, errorType: headerType ?? bodyType, at: Date.now() };
        this.initErrors.push(err);
        this.emit('init-error', err);
        this.reply(res, 202, { status: 'OK' });
        return;
      }
      const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
      if (!m) {
        this.reply(res, 404, { errorMessage: `no route POST ${path}`, errorType: 'NotFound' });
        return;
      }
      const requestId = decodeURIComponent(m[1]);
      const inv = this.byId.get(requestId);
      if (!inv || inv.handedOutAt === null || inv.done) {
        this.reply(res, 400, { errorMessage: `invalid request id ${requestId}`, errorType: 'InvalidRequestID' });
        return;
      }
      const durationMs = Date.now() - inv.handedOutAt;
      if (m[2] === 'response') inv.resolve({ kind: 'response', requestId, body, json, durationMs });
      else inv.resolve({ kind: 'error', requestId, body, json, errorType: headerType ?? bodyType, durationMs });
      this.reply(res, 202, { status: 'OK' });
    });
  }
}

/** Starts a local Runtime API on 127.0.0.1 (random port). */
export function startRuntimeApi(options: RuntimeApiOptions = {}): Promise<RuntimeApiServer> {
  return RuntimeApiServer.start(options);
}
