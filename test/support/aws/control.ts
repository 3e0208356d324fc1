// Test support: the control channel of the local AWS endpoint, HTTP paths under /__local/ on the same port, so a
// test or benchmark in another process can read the call log and state and set faults (see remote.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalAws } from './server.js';

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/** GET  /__local/calls            the call log (JSON array of CallRecord)
 *  DELETE /__local/calls          empties the call log
 *  GET  /__local/state            the account snapshot
 *  POST /__local/reset            empties the account, the call log and every fault
 *  POST /__local/fail-next        FailSpec          POST /__local/deny      DenySpec
 *  POST /__local/throttle         ThrottleSpec      POST /__local/rates     RateSpec
 *  POST /__local/latency          {"ms": n} or {"lambda": n, ...}
 *  POST /__local/timings          Partial<Timings>  POST /__local/quotas    Partial<Quotas>
 *  POST /__local/clear-faults     POST /__local/advance-clock {"ms": n}
 *  POST /__local/invoke-environment {"NAME": "value"} laid over every invoked function's environment
 *  GET  /__local/lambda/code/NAME the function's zip (GetFunction's Code.Location)
 *  GET  /__local/lambda/layer/NAME/VERSION the layer version's zip */
export function handleControl(aws: LocalAws, req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const path = (req.url ?? '/').split('?')[0].slice('/__local'.length);
  const method = req.method ?? 'GET';
  let input: Record<string, unknown> = {};
  try {
    if (body.length) input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    send(res, 400, { error: 'body is not JSON' });
    return;
  }
  const code = /^\/lambda\/code\/([^/]+)$/.exec(path);
  if (code && method === 'GET') {
    const fn = aws.account.functions.get(decodeURIComponent(code[1]));
    if (!fn) return send(res, 404, { error: 'no such function' });
    res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': String(fn.zip.length) });
    res.end(fn.zip);
    return;
  }
  const layer = /^\/lambda\/layer\/([^/]+)\/(\d+)$/.exec(path);
  if (layer && method === 'GET') {
    const v = aws.account.layers.get(decodeURIComponent(layer[1]))?.find((x) => x.version === Number(layer[2]));
    if (!v) return send(res, 404, { error: 'no such layer version' });
    res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': String(v.zip.length) });
    res.end(v.zip);
    return;
  }
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET /calls':
      return send(res, 200, aws.calls);
    case 'DELETE /calls':
      aws.resetCalls();
      return send(res, 200, {});
    case 'GET /state':
      return send(res, 200, aws.state());
    case 'POST /reset':
      aws.reset();
      return send(res, 200, {});
    case 'POST /fail-next':
      aws.failNext(input as never);
      return send(res, 200, {});
    case 'POST /deny':
      aws.denyAccess(input as never);
      return send(res, 200, {});
    case 'POST /throttle':
      aws.setThrottle(input as never);
      return send(res, 200, {});
    case 'POST /rates':
      aws.setRates(input as never);
      return send(res, 200, {});
    case 'POST /latency':
      aws.setLatency(typeof input.ms === 'number' ? input.ms : (input as never));
      return send(res, 200, {});
    case 'POST /timings':
      aws.setTimings(input as never);
      return send(res, 200, {});
    case 'POST /quotas':
      aws.setQuotas(input as never);
      return send(res, 200, {});
    case 'POST /invoke-environment':
      aws.setInvokeEnvironment(input as Record<string, string>);
      return send(res, 200, {});
    case 'POST /clear-faults':
      aws.clearFaults();
      return send(res, 200, {});
    case 'POST /advance-clock':
      aws.advanceClock(Number(input.ms ?? 0));
      return send(res, 200, {});
    default:
      return send(res, 404, { error: `no control route ${route}` });
  }
}
