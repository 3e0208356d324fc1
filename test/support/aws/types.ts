// Test support (not product): shared types of the local AWS endpoint.

export type ServiceName = 'sts' | 'iam' | 'lambda' | 'events' | 'logs' | 'dynamodb' | 'scheduler';
export const SERVICES: readonly ServiceName[] = ['sts', 'iam', 'lambda', 'events', 'logs', 'dynamodb', 'scheduler'];

/** How a call is classified in the call log: read-only, changes state, or runs a function. */
export type CallKind = 'read' | 'mutating' | 'invoke';

/** One entry of the call log, in arrival order. */
export interface CallRecord {
  seq: number;
  service: ServiceName;
  operation: string;
  kind: CallKind;
  /** kind === 'mutating' (kept as a boolean for simple filters). */
  mutating: boolean;
  status: number;
  errorCode?: string;
  /** The resource the call names (role, function, rule, log group, table, schedule), when it names one. */
  resource?: string;
  /** When the error was injected (failNext, throttle, access denied) rather than produced by the state, or the
   * answer was dropped after the call took effect (status is then what it would have been). */
  injected?: 'failNext' | 'throttle' | 'accessDenied' | 'dropResponse';
  at: number;
}

/** An error as AWS answers it: the code (what the SDK turns into `e.name`), HTTP status and message. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Extra members of the error body (e.g. Lambda's Reason for throttling). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A parsed request, common to every protocol. */
export interface AwsRequest {
  service: ServiceName;
  region: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
}

/** What an operation hands back before the protocol renders it. */
export interface RestResult {
  status?: number;
  headers?: Record<string, string>;
  /** JSON body; or raw bytes (Lambda Invoke's payload). */
  body?: unknown;
  raw?: Buffer;
}

/** Timings that make the account behave like AWS's eventually-consistent control plane (all in ms). */
export interface Timings {
  /** Lambda State Pending after CreateFunction, then Active. */
  functionPendingMs: number;
  /** LastUpdateStatus InProgress after an update, then Successful. */
  functionUpdateMs: number;
  /** CreateFunction with a role younger than this fails: "cannot be assumed by Lambda". */
  roleAssumableAfterMs: number;
  /** DynamoDB TableStatus CREATING after CreateTable, then ACTIVE. */
  tableCreatingMs: number;
}

export const DEFAULT_TIMINGS: Timings = {
  functionPendingMs: 0,
  functionUpdateMs: 0,
  roleAssumableAfterMs: 0,
  tableCreatingMs: 0,
};

/** Account quotas the endpoint enforces (defaults are AWS's defaults). */
export interface Quotas {
  rolesPerAccount: number;
  rulesPerBus: number;
  targetsPerRule: number;
  schedulesPerAccount: number;
  scheduleGroupsPerAccount: number;
  /** Lambda code storage per region in bytes (75 GB). */
  codeStorageBytes: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  rolesPerAccount: 1000,
  rulesPerBus: 300,
  targetsPerRule: 5,
  schedulesPerAccount: 1_000_000,
  scheduleGroupsPerAccount: 500,
  codeStorageBytes: 75 * 1024 * 1024 * 1024,
};

export const ACCOUNT_ID = '123456789012';
