// Test support: the wire formats of the local AWS endpoint. awsQuery (IAM, STS: form-encoded request, XML answer),
// awsJson 1.0/1.1 (DynamoDB; EventBridge, CloudWatch Logs: X-Amz-Target + JSON), restJson1 (Lambda, Scheduler:
// routes by method and path). Shapes follow the SDK's own (de)serializers in @aws-sdk/core/protocols.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AwsError, type ServiceName } from './types.js';

// ---------- awsQuery ----------

/** Form parameters of an awsQuery request, with helpers for the `X.member.N.Y` list encoding. */
export class QueryParams {
  constructor(private readonly map: Map<string, string>) {}

  static parse(body: string): QueryParams {
    const map = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(body)) map.set(k, v);
    return new QueryParams(map);
  }

  get(name: string): string | undefined {
    return this.map.get(name);
  }

  /** A required parameter: missing → ValidationError as IAM answers it. */
  req(name: string): string {
    const v = this.map.get(name);
    if (v === undefined || v === '') {
      throw new AwsError('ValidationError', `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`, 400);
    }
    return v;
  }

  int(name: string): number | undefined {
    const v = this.map.get(name);
    return v === undefined ? undefined : Number(v);
  }

  /** Structures of a list: `Tags.member.1.Key` → [{Key: ...}]. */
  structs(prefix: string): QueryParams[] {
    const byIndex = new Map<number, Map<string, string>>();
    const head = `${prefix}.member.`;
    for (const [k, v] of this.map) {
      if (!k.startsWith(head)) continue;
      const rest = k.slice(head.length);
      const dot = rest.indexOf('.');
      if (dot < 0) continue;
      const i = Number(rest.slice(0, dot));
      if (!byIndex.has(i)) byIndex.set(i, new Map());
      byIndex.get(i)!.set(rest.slice(dot + 1), v);
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => new QueryParams(m));
  }

  /** Strings of a list: `TagKeys.member.1` → ['a', ...]. */
  strings(prefix: string): string[] {
    const out: [number, string][] = [];
    const head = `${prefix}.member.`;
    for (const [k, v] of this.map) {
      if (k.startsWith(head) && /^\d+$/.test(k.slice(head.length))) out.push([Number(k.slice(head.length)), v]);
    }
    return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  }
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** A map in awsQuery XML: `<entry><key/><value/></entry>` (IAM's SummaryMap). */
export class XmlMap {
  constructor(readonly entries: readonly (readonly [string, unknown])[]) {}
}

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** One element: arrays become `<member>` lists, Dates ISO 8601, objects nested elements; undefined is left out. */
export function xmlElement(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (Array.isArray(value)) return `<${name}>${value.map((v) => xmlElement('member', v)).join('')}</${name}>`;
  if (value instanceof XmlMap) {
    const entries = value.entries.map(([k, v]) => `<entry>${xmlElement('key', k)}${xmlElement('value', v)}</entry>`);
    return `<${name}>${entries.join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) => xmlElement(k, v)).join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(value))}</${name}>`;
}

const XMLNS: Partial<Record<ServiceName, string>> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

export function queryResponseXml(service: ServiceName, action: string, result: Record<string, unknown> | undefined, requestId: string): string {
  const body = result === undefined ? '' : xmlElement(`${action}Result`, result);
  return `<${action}Response xmlns="${XMLNS[service]}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function queryErrorXml(service: ServiceName, err: AwsError, requestId: string): string {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${XMLNS[service]}"><Error><Type>${type}</Type><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

// ---------- restJson1 routing ----------

export interface Route {
  method: string;
  /** e.g. '/2015-03-31/functions/{FunctionName}/configuration' */
  pattern: string;
  operation: string;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  labels: string[];
}

export function compileRoutes(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((r) => {
    const labels: string[] = [];
    const source = r.pattern.replace(/\{(\w+)\}/g, (_m, l: string) => {
      labels.push(l);
      return '([^/]+)';
    });
    return { ...r, regex: new RegExp(`^${source}/?$`), labels };
  });
}

/** The route for METHOD PATH (raw, still percent-encoded) and its decoded labels. */
export function matchRoute(routes: readonly CompiledRoute[], method: string, rawPath: string): { operation: string; labels: Record<string, string> } | undefined {
  for (const r of routes) {
    if (r.method !== method) continue;
    const m = r.regex.exec(rawPath);
    if (!m) continue;
    const labels: Record<string, string> = {};
    r.labels.forEach((l, i) => (labels[l] = decodeURIComponent(m[i + 1])));
    return { operation: r.operation, labels };
  }
  return undefined;
}

// ---------- answers ----------

export function newRequestId(): string {
  return randomUUID();
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>, contentType = 'application/json'): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

export function sendXml(res: ServerResponse, status: number, xml: string, requestId: string): void {
  res.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': String(Buffer.byteLength(xml)), 'x-amzn-RequestId': requestId });
  res.end(xml);
}
