// Test support: what each service module of the local AWS endpoint provides to the router.
import type { QueryParams, Route } from './protocol.js';
import type { Account } from './state.js';
import type { AwsRequest, RestResult } from './types.js';

/** Input parsed from JSON as the SDK sent it. Test support reads it field by field, as the service would. */
export type Wire = any;

export interface Ctx {
  account: Account;
  region: string;
  req: AwsRequest;
  /** Runs a function's bootstrap for Invoke (set by the server). */
  invoke?: (zip: Buffer, request: InvokeRequest) => Promise<InvokeAnswer>;
}

export interface InvokeRequest {
  functionName: string;
  functionArn: string;
  region: string;
  payload: Buffer;
  environment: Record<string, string>;
  timeoutMs: number;
  handler?: string;
}

export interface InvokeAnswer {
  /** The function's answer (or error document). */
  payload: Buffer;
  /** Set when the function failed: 'Unhandled' (as Lambda's X-Amz-Function-Error). */
  functionError?: string;
  /** The tail of the function's output (X-Amz-Log-Result when LogType is Tail). */
  log: string;
}

type Maybe<T> = T | Promise<T>;

export interface QueryService {
  protocol: 'query';
  ops: Record<string, (p: QueryParams, ctx: Ctx) => Maybe<Record<string, unknown> | undefined>>;
}

export interface JsonService {
  protocol: 'json';
  /** awsJson 1.0 or 1.1 (the Content-Type of answers). */
  version: '1.0' | '1.1';
  targetPrefix: string;
  /** Error __type prefix (DynamoDB sends 'com.amazonaws.dynamodb.v20120810#'). */
  errorPrefix?: string;
  ops: Record<string, (input: Wire, ctx: Ctx) => Maybe<unknown>>;
}

export interface RestInput {
  labels: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Wire;
  raw: Buffer;
}

export interface RestService {
  protocol: 'rest-json';
  routes: Route[];
  ops: Record<string, (input: RestInput, ctx: Ctx) => Maybe<RestResult>>;
}

export type ServiceModule = QueryService | JsonService | RestService;

/** Tags given as [{Key, Value}] (IAM, EventBridge, DynamoDB) into the map kept in state. */
export function tagMap(tags: readonly { Key?: string; Value?: string }[] | undefined, into = new Map<string, string>()): Map<string, string> {
  for (const t of tags ?? []) if (t.Key !== undefined) into.set(t.Key, t.Value ?? '');
  return into;
}

export function tagList(tags: Map<string, string>): { Key: string; Value: string }[] {
  return [...tags].map(([Key, Value]) => ({ Key, Value }));
}

/** An opaque paging token over a sorted list: the index of the next item. */
export function page<T>(items: readonly T[], token: string | undefined, limit: number): { items: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) || 0 : 0;
  const slice = items.slice(start, start + limit);
  const nextIndex = start + slice.length;
  return { items: slice, next: nextIndex < items.length ? Buffer.from(String(nextIndex)).toString('base64url') : undefined };
}

export function randomId(prefix: string, length = 17): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let s = prefix;
  for (let i = 0; i < length; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}
