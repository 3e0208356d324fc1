// Test support: the account the local AWS endpoint keeps, and its JSON snapshot for assertions.
import { ACCOUNT_ID, DEFAULT_QUOTAS, DEFAULT_TIMINGS, type Quotas, type Timings } from './types.js';

export interface Role {
  name: string;
  id: string;
  arn: string;
  path: string;
  createdAt: number;
  /** The trust policy as given (decoded JSON text); answers URL-encode it as IAM does. */
  assumeRolePolicy: string;
  description?: string;
  maxSessionDuration: number;
  tags: Map<string, string>;
  inlinePolicies: Map<string, string>;
  attachedPolicies: Map<string, string>;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: { Service: string } | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface EventInvokeConfig {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: { OnSuccess?: { Destination?: string }; OnFailure?: { Destination?: string } };
  LastModified: number;
}

export interface LambdaFunction {
  name: string;
  arn: string;
  /** The configuration fields as the SDK sends them (Role, Runtime, Handler, MemorySize, Environment, ...). */
  config: Record<string, unknown>;
  zip: Buffer;
  codeSha256: string;
  codeSize: number;
  createdAt: number;
  lastModified: number;
  revisionId: string;
  /** Pending until this instant (ms), then Active. */
  pendingUntil: number;
  /** LastUpdateStatus InProgress until this instant, then Successful; 0 when never updated. */
  updatingUntil: number;
  tags: Map<string, string>;
  policy: PolicyStatement[];
  eventInvokeConfig?: EventInvokeConfig;
}

export interface LayerVersion {
  layerName: string;
  version: number;
  arn: string;
  layerArn: string;
  zip: Buffer;
  codeSha256: string;
  codeSize: number;
  description?: string;
  compatibleRuntimes?: string[];
  compatibleArchitectures?: string[];
  licenseInfo?: string;
  createdAt: number;
}

export interface RuleTarget {
  Id: string;
  Arn: string;
  [k: string]: unknown;
}

export interface Rule {
  name: string;
  arn: string;
  eventBus: string;
  scheduleExpression?: string;
  eventPattern?: string;
  state: string;
  description?: string;
  roleArn?: string;
  targets: RuleTarget[];
  tags: Map<string, string>;
}

export interface LogGroup {
  name: string;
  createdAt: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: string;
  tags: Map<string, string>;
}

export interface Table {
  name: string;
  arn: string;
  id: string;
  createdAt: number;
  activeAt: number;
  keySchema: unknown[];
  attributeDefinitions: unknown[];
  billingMode: string;
  ttl?: { attributeName: string; enabled: boolean };
  tags: Map<string, string>;
}

export interface ScheduleGroup {
  name: string;
  arn: string;
  createdAt: number;
  modifiedAt: number;
  tags: Map<string, string>;
}

export interface Schedule {
  group: string;
  name: string;
  arn: string;
  /** The schedule's fields as the SDK sends them (ScheduleExpression, Target, State, ...). */
  config: Record<string, unknown>;
  createdAt: number;
  modifiedAt: number;
}

/** Everything one local account holds. Keys are resource names (roles case-insensitively, as IAM does). */
export class Account {
  readonly accountId = ACCOUNT_ID;
  timings: Timings = { ...DEFAULT_TIMINGS };
  quotas: Quotas = { ...DEFAULT_QUOTAS };
  /** What reset() returns timings and quotas to (the server's start options). */
  baseTimings: Timings = { ...DEFAULT_TIMINGS };
  baseQuotas: Quotas = { ...DEFAULT_QUOTAS };
  /** Milliseconds added to the wall clock: lets a test age resources without waiting. */
  clockOffsetMs = 0;

  readonly roles = new Map<string, Role>();
  readonly functions = new Map<string, LambdaFunction>();
  readonly layers = new Map<string, LayerVersion[]>();
  /** Last version number published per layer name: Lambda never reuses one, even after a delete. */
  readonly layerVersionCounter = new Map<string, number>();
  readonly rules = new Map<string, Rule>();
  readonly logGroups = new Map<string, LogGroup>();
  readonly tables = new Map<string, Table>();
  readonly scheduleGroups = new Map<string, ScheduleGroup>();
  /** Key: `${group}/${name}`. */
  readonly schedules = new Map<string, Schedule>();

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  reset(): void {
    this.timings = { ...this.baseTimings };
    this.quotas = { ...this.baseQuotas };
    this.clockOffsetMs = 0;
    for (const m of [this.roles, this.functions, this.layers, this.layerVersionCounter, this.rules, this.logGroups, this.tables, this.scheduleGroups, this.schedules]) {
      (m as Map<string, unknown>).clear();
    }
  }
}

const tagsObject = (m: Map<string, string>) => Object.fromEntries(m);

/** A plain JSON copy of the account (zips as sha256 and size), for test assertions and /__local/state. */
export function snapshot(a: Account): AccountSnapshot {
  const now = a.now();
  return {
    accountId: a.accountId,
    roles: [...a.roles.values()].map((r) => ({
      name: r.name,
      arn: r.arn,
      path: r.path,
      assumeRolePolicy: JSON.parse(r.assumeRolePolicy) as unknown,
      tags: tagsObject(r.tags),
      inlinePolicies: Object.fromEntries([...r.inlinePolicies].map(([k, v]) => [k, JSON.parse(v) as unknown])),
      attachedPolicies: [...r.attachedPolicies.keys()],
    })),
    functions: [...a.functions.values()].map((f) => ({
      name: f.name,
      arn: f.arn,
      config: f.config,
      codeSha256: f.codeSha256,
      codeSize: f.codeSize,
      state: now < f.pendingUntil ? 'Pending' : 'Active',
      lastUpdateStatus: now < f.updatingUntil ? 'InProgress' : 'Successful',
      tags: tagsObject(f.tags),
      policy: f.policy,
      eventInvokeConfig: f.eventInvokeConfig,
    })),
    layers: [...a.layers.values()].flat().map((l) => ({ name: l.layerName, version: l.version, arn: l.arn, codeSha256: l.codeSha256, codeSize: l.codeSize, description: l.description })),
    rules: [...a.rules.values()].map((r) => ({
      name: r.name,
      arn: r.arn,
      scheduleExpression: r.scheduleExpression,
      eventPattern: r.eventPattern,
      state: r.state,
      description: r.description,
      targets: r.targets,
      tags: tagsObject(r.tags),
    })),
    logGroups: [...a.logGroups.values()].map((g) => ({ name: g.name, retentionInDays: g.retentionInDays, tags: tagsObject(g.tags) })),
    tables: [...a.tables.values()].map((t) => ({
      name: t.name,
      arn: t.arn,
      status: now < t.activeAt ? 'CREATING' : 'ACTIVE',
      keySchema: t.keySchema,
      billingMode: t.billingMode,
      ttl: t.ttl,
      tags: tagsObject(t.tags),
    })),
    scheduleGroups: [...a.scheduleGroups.values()].map((g) => ({ name: g.name, arn: g.arn, tags: tagsObject(g.tags) })),
    schedules: [...a.schedules.values()].map((s) => ({ group: s.group, name: s.name, arn: s.arn, config: s.config })),
  };
}

export interface AccountSnapshot {
  accountId: string;
  roles: { name: string; arn: string; path: string; assumeRolePolicy: unknown; tags: Record<string, string>; inlinePolicies: Record<string, unknown>; attachedPolicies: string[] }[];
  functions: {
    name: string;
    arn: string;
    config: Record<string, unknown>;
    codeSha256: string;
    codeSize: number;
    state: 'Pending' | 'Active';
    lastUpdateStatus: 'InProgress' | 'Successful';
    tags: Record<string, string>;
    policy: PolicyStatement[];
    eventInvokeConfig?: EventInvokeConfig;
  }[];
  layers: { name: string; version: number; arn: string; codeSha256: string; codeSize: number; description?: string }[];
  rules: { name: string; arn: string; scheduleExpression?: string; eventPattern?: string; state: string; description?: string; targets: RuleTarget[]; tags: Record<string, string> }[];
  logGroups: { name: string; retentionInDays?: number; tags: Record<string, string> }[];
  tables: { name: string; arn: string; status: 'CREATING' | 'ACTIVE'; keySchema: unknown[]; billingMode: string; ttl?: { attributeName: string; enabled: boolean }; tags: Record<string, string> }[];
  scheduleGroups: { name: string; arn: string; tags: Record<string, string> }[];
  schedules: { group: string; name: string; arn: string; config: Record<string, unknown> }[];
}
