// Test support: the HTTP front of the local AWS endpoint. Tells the service from the SigV4 credential scope
// (signatures are not checked), finds the operation by protocol, applies faults, runs the operation, answers in
// the service's wire format and records the call.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dynamodb } from './dynamodb.js';
import { events } from './events.js';
import type { Faults } from './faults.js';
import { iam, sts } from './iam.js';
import { lambda } from './lambda-extra.js';
import { logs } from './logs.js';
import { compileRoutes, matchRoute, newRequestId, QueryParams, queryErrorXml, queryResponseXml, sendJson, sendXml } from './protocol.js';
import { scheduler } from './scheduler.js';
import type { Ctx, InvokeAnswer, InvokeRequest, ServiceModule, Wire } from './service.js';
import type { Account } from './state.js';
import { AwsError, SERVICES, type AwsRequest, type CallKind, type CallRecord, type RestResult, type ServiceName } from './types.js';

export const MODULES: Record<ServiceName, ServiceModule> = { sts, iam, lambda, events, logs, dynamodb, scheduler };

const compiled = new Map<ServiceName, ReturnType<typeof compileRoutes>>();
for (const s of SERVICES) {
  const m = MODULES[s];
  if (m.protocol === 'rest-json') compiled.set(s, compileRoutes(m.routes));
}

/** Read-only operations are Get*, List*, Describe*; Invoke runs code and is counted apart; the rest mutate. */
export function classify(operation: string): CallKind {
  if (operation === 'Invoke') return 'invoke';
  return /^(Get|List|Describe)/.test(operation) ? 'read' : 'mutating';
}

/** `Credential=AKID/20240101/us-east-1/lambda/aws4_request` → service and region. */
export function credentialScope(authorization: string | undefined): { service: string; region: string } | undefined {
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return m ? { region: m[1], service: m[2] } : undefined;
}

export interface RouterDeps {
  account: Account;
  faults: Faults;
  calls: CallRecord[];
  invoke: (zip: Buffer, req: InvokeRequest) => Promise<InvokeAnswer>;
  defaultRegion: string;
}

interface Resolved {
  operation: string;
  run: (ctx: Ctx) => Promise<RestResult | Record<string, unknown> | undefined>;
  resource?: string;
}

function resourceOf(input: Wire): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  for (const k of ['RoleName', 'FunctionName', 'LayerName', 'Rule', 'Name', 'logGroupName', 'TableName', 'ResourceARN', 'ResourceArn', 'resourceArn', 'Resource', 'logGroupNamePrefix', 'NamePrefix', 'PathPrefix']) {
    if (typeof input[k] === 'string') return input[k];
  }
  return undefined;
}

function resolve(req: AwsRequest): Resolved {
  const mod = MODULES[req.service];
  if (mod.protocol === 'query') {
    const p = QueryParams.parse(req.body.toString('utf8'));
    const operation = p.get('Action') ?? '';
    const op = mod.ops[operation];
    if (!op) throw Object.assign(new AwsError('InvalidAction', `Could not find operation ${operation} for version ${p.get('Version')}`, 400), { operation });
    return { operation, run: async (ctx) => op(p, ctx), resource: p.get('RoleName') ?? p.get('PathPrefix') };
  }
  if (mod.protocol === 'json') {
    const target = req.headers['x-amz-target'] ?? '';
    const [prefix, operation = ''] = target.split('.');
    const op = prefix === mod.targetPrefix ? mod.ops[operation] : undefined;
    if (!op) throw Object.assign(new AwsError('UnknownOperationException', `Unknown operation ${target}`, 400), { operation });
    let input: Wire;
    try {
      input = req.body.length ? JSON.parse(req.body.toString('utf8')) : {};
    } catch {
      throw Object.assign(new AwsError('SerializationException', 'Start of structure or map found where not expected.', 400), { operation });
    }
    return { operation, run: async (ctx) => (await op(input, ctx)) as Record<string, unknown>, resource: resourceOf(input) };
  }
  const route = matchRoute(compiled.get(req.service)!, req.method, req.path);
  if (!route) throw Object.assign(new AwsError('UnknownOperationException', `No operation for ${req.method} ${req.path}`, 404), { operation: 'Unknown' });
  const op = mod.ops[route.operation];
  let body: Wire = {};
  const isJson = route.operation !== 'Invoke' && req.body.length > 0;
  if (isJson) {
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch {
      throw Object.assign(new AwsError('InvalidRequestContentException', 'Could not parse request body into json', 400), { operation: route.operation });
    }
  }
  const input = { labels: route.labels, query: req.query, headers: req.headers, body, raw: req.body };
  const group = route.labels.Name && (body.GroupName ?? req.query.get('groupName'));
  const resource = resourceOf(route.labels) ?? resourceOf(body);
  return { operation: route.operation, run: async (ctx) => op(input, ctx), resource: group ? `${group}/${resource}` : resource };
}

/** Finds the service when a request is not signed (curl without --aws-sigv4, a hand-made test request). */
function guessService(req: IncomingMessage, path: string, body: Buffer): string | undefined {
  const target = String(req.headers['x-amz-target'] ?? '');
  if (target.startsWith('AWSEvents.')) return 'events';
  if (target.startsWith('Logs_20140328.')) return 'logs';
  if (target.startsWith('DynamoDB_20120810.')) return 'dynamodb';
  if (/^\/20\d\d-\d\d-\d\d\//.test(path)) return 'lambda';
  if (/^\/(schedules|schedule-groups|tags)\b/.test(path)) return 'scheduler';
  const text = body.toString('utf8');
  if (/(^|&)Action=/.test(text)) return /(^|&)Version=2011-06-15(&|$)/.test(text) ? 'sts' : 'iam';
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function handleAws(deps: RouterDeps, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const rawPath = (req.url ?? '/').split('?')[0];
  const scope = credentialScope(req.headers.authorization);
  const serviceName = scope?.service ?? guessService(req, rawPath, body);
  const requestId = newRequestId();
  if (!serviceName || !(SERVICES as readonly string[]).includes(serviceName)) {
    sendJson(res, 400, { message: `local AWS endpoint: unknown service ${serviceName ?? '(no SigV4 credential scope)'}` }, { 'x-amzn-RequestId': requestId, 'x-amzn-errortype': 'UnknownServiceException' });
    return;
  }
  const service = serviceName as ServiceName;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  const awsReq: AwsRequest = { service, region: scope?.region ?? deps.defaultRegion, method: req.method ?? 'GET', path: rawPath, query: url.searchParams, headers, body };
  const record: CallRecord = { seq: 0, service, operation: 'Unknown', kind: 'read', mutating: false, status: 0, at: Date.now() };
  let result: RestResult | Record<string, unknown> | undefined;
  let error: AwsError | undefined;
  try {
    const resolved = resolve(awsReq);
    record.operation = resolved.operation;
    record.kind = classify(resolved.operation);
    record.mutating = record.kind === 'mutating';
    record.resource = resolved.resource;
    const latency = deps.faults.latencyFor(service);
    if (latency > 0) await sleep(latency);
    const injected = deps.faults.check(service, resolved.operation, record.kind, awsReq.region, deps.account.accountId);
    if (injected) record.injected = injected.injected;
    if (injected && 'error' in injected) throw injected.error;
    result = await resolved.run({ account: deps.account, region: awsReq.region, req: awsReq, invoke: deps.invoke });
  } catch (e) {
    if (e instanceof AwsError) {
      error = e;
      const op = (e as AwsError & { operation?: string }).operation;
      if (op) record.operation = op;
    } else {
      process.stderr.write(`local AWS endpoint: ${service} ${record.operation} failed: ${(e as Error).stack ?? String(e)}\n`);
      error = new AwsError(service === 'lambda' ? 'ServiceException' : service === 'iam' || service === 'sts' ? 'ServiceFailure' : 'InternalFailure', String((e as Error).message ?? e), 500);
    }
  }
  record.status = error ? error.status : ((result as RestResult | undefined)?.status ?? 200);
  if (error) record.errorCode = error.code;
  record.seq = deps.calls.length + 1;
  deps.calls.push(record);
  if (record.injected === 'dropResponse') {
    // The work is done; the answer never arrives.
    res.socket?.destroy();
    return;
  }
  render(res, MODULES[service], service, record.operation, requestId, result, error);
}

function render(res: ServerResponse, mod: ServiceModule, service: ServiceName, operation: string, requestId: string, result: unknown, error: AwsError | undefined): void {
  if (mod.protocol === 'query') {
    if (error) sendXml(res, error.status, queryErrorXml(service, error, requestId), requestId);
    else sendXml(res, 200, queryResponseXml(service, operation, result as Record<string, unknown> | undefined, requestId), requestId);
    return;
  }
  if (mod.protocol === 'json') {
    const contentType = `application/x-amz-json-${mod.version}`;
    if (error) {
      sendJson(res, error.status, { __type: `${mod.errorPrefix ?? ''}${error.code}`, message: error.message, ...error.extra }, { 'x-amzn-RequestId': requestId, 'x-amzn-errortype': error.code }, contentType);
    } else {
      sendJson(res, 200, result ?? {}, { 'x-amzn-RequestId': requestId }, contentType);
    }
    return;
  }
  if (error) {
    const extraHeaders: Record<string, string> = { 'x-amzn-RequestId': requestId, 'x-amzn-errortype': error.code };
    if (error.status === 429) extraHeaders['Retry-After'] = '1';
    sendJson(res, error.status, { Type: error.status >= 500 ? 'Service' : 'User', Message: error.message, message: error.message, ...error.extra }, extraHeaders);
    return;
  }
  const r = (result ?? {}) as RestResult;
  const status = r.status ?? 200;
  if (r.raw) {
    res.writeHead(status, { 'Content-Length': String(r.raw.length), 'x-amzn-RequestId': requestId, ...r.headers });
    res.end(r.raw);
    return;
  }
  if (status === 204 || r.body === undefined) {
    res.writeHead(status, { 'x-amzn-RequestId': requestId, ...r.headers });
    res.end();
    return;
  }
  sendJson(res, status, r.body, { 'x-amzn-RequestId': requestId, ...r.headers });
}
