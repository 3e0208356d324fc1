// A fault-injecting HTTP proxy on 127.0.0.1 in front of a local DynamoDB (dynalite): it classifies each lock call
// (acquire, renew, done, release, read) and, when the test's plan says so, answers or breaks it the ways DynamoDB and
// networks do: throttling, 5xx, an answer later than curl waits, a connection dropped after the request went through.
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The lock call a request is, read from its operation and body (see templates/lock.sh). */
export type LockCall = 'acquire' | 'renew' | 'done' | 'release' | 'read' | 'other';

export type Fault =
  /** 400 ThrottlingException, not forwarded. */
  | 'throttle'
  /** 400 ProvisionedThroughputExceededException, not forwarded. */
  | 'provisioned'
  /** 503 ServiceUnavailable, not forwarded. */
  | '5xx'
  /** Forwarded (so it happens), then answered 500 InternalServerError. */
  | '5xx-applied'
  /** Held for `delayMs` (longer than curl's --max-time), then forwarded: it lands after the client gave up. */
  | 'delay'
  /** Forwarded, then the connection is dropped without an answer. */
  | 'drop';

export const FAULTS: readonly Fault[] = ['throttle', 'provisioned', '5xx', '5xx-applied', 'delay', 'drop'];

export interface SeenCall {
  index: number;
  call: LockCall;
  /** How many calls of this kind came before (0 for the first). */
  nth: number;
  operation: string;
  fault: Fault | undefined;
  /** HTTP status given to the client; 0 when the connection was dropped or the client had gone. */
  status: number;
}

export type FaultPlan = (call: { index: number; call: LockCall; nth: number; operation: string }) => Fault | undefined;

export function classify(operation: string, body: string): LockCall {
  switch (operation) {
    case 'PutItem':
      return 'acquire';
    case 'GetItem':
      return 'read';
    case 'DeleteItem':
      return 'release';
    case 'UpdateItem':
      return body.includes('":done"') ? 'done' : body.includes('":running"') ? 'renew' : 'other';
    default:
      return 'other';
  }
}

function dynamoError(type: string, message: string): string {
  return JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
}

export class FaultProxy {
  readonly seen: SeenCall[] = [];
  plan: FaultPlan = () => undefined;
  /** How long 'delay' holds a request; set it above the client's --max-time. */
  delayMs = 1500;
  private readonly counts = new Map<LockCall, number>();
  private readonly pending = new Set<Promise<void>>();
  private listeners: ((c: SeenCall) => void)[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  static async start(targetEndpoint: string): Promise<FaultProxy> {
    let proxy!: FaultProxy;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const done = proxy.handle(req.headers, Buffer.concat(chunks), res);
        proxy.pending.add(done);
        void done.finally(() => proxy.pending.delete(done));
      });
    });
    server.keepAliveTimeout = 0;
    proxy = new FaultProxy(server, new URL(targetEndpoint));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  /** For CRON2LAMBDA_DYNAMODB_ENDPOINT. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Calls `fn` for every call once it has been answered (or dropped). */
  onCall(fn: (c: SeenCall) => void): void {
    this.listeners.push(fn);
  }

  /** Calls of one kind that were answered 200. */
  succeeded(call: LockCall): number {
    return this.seen.filter((c) => c.call === call && c.status === 200).length;
  }

  /** Resolves when every request held or forwarded so far has landed (delayed ones included). */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.settle();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(headers: IncomingHttpHeaders, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const out = request(
        { host: this.target.hostname, port: this.target.port, path: '/', method: 'POST', headers: { ...headers, host: this.target.host } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  private async handle(headers: IncomingHttpHeaders, body: Buffer, res: import('node:http').ServerResponse): Promise<void> {
    const operation = String(headers['x-amz-target'] ?? '').replace(/^.*\./, '');
    const call = classify(operation, body.toString('utf8'));
    const nth = this.counts.get(call) ?? 0;
    this.counts.set(call, nth + 1);
    const index = this.seen.length;
    const fault = this.plan({ index, call, nth, operation });
    const record: SeenCall = { index, call, nth, operation, fault, status: 0 };
    this.seen.push(record);
    const answer = (status: number, text: string | Buffer, type = 'application/x-amz-json-1.0') => {
      if (res.destroyed) return;
      res.writeHead(status, { 'Content-Type': type });
      res.end(text);
      record.status = status;
    };
    try {
      switch (fault) {
        case 'throttle':
          answer(400, dynamoError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.'));
          break;
        case 'provisioned':
          answer(400, dynamoError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.'));
          break;
        case '5xx':
          answer(503, dynamoError('ServiceUnavailable', 'injected'));
          break;
        case '5xx-applied':
          await this.forward(headers, body);
          answer(500, dynamoError('InternalServerError', 'injected after the write'));
          break;
        case 'delay':
          await new Promise((r) => setTimeout(r, this.delayMs));
          await this.forward(headers, body);
          answer(200, '{}'); // the client has given up by now
          break;
        case 'drop':
          await this.forward(headers, body);
          res.socket?.destroy();
          break;
        default: {
          const r = await this.forward(headers, body);
          answer(r.status, r.body, String(r.headers['content-type'] ?? 'application/x-amz-json-1.0'));
        }
      }
    } catch {
      res.socket?.destroy();
    }
    for (const fn of this.listeners) fn(record);
  }
}

export function startFaultProxy(targetEndpoint: string): Promise<FaultProxy> {
  return FaultProxy.start(targetEndpoint);
}
