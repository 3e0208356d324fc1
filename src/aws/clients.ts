// The AWS SDK clients every command that reaches AWS uses: one credential chain, one region, one endpoint and the
// same retry settings for all seven services. Nothing else in src/ constructs an SDK client.
import { credentialsSdk, dynamodbSdk, eventsSdk, iamSdk, lambdaSdk, logsSdk, schedulerSdk, stsSdk } from './sdk.js';

const { CloudWatchLogsClient } = logsSdk;
const { DynamoDBClient } = dynamodbSdk;
const { EventBridgeClient } = eventsSdk;
const { IAMClient } = iamSdk;
const { LambdaClient } = lambdaSdk;
const { SchedulerClient } = schedulerSdk;
const { STSClient } = stsSdk;
const { defaultProvider } = credentialsSdk;

/** --region, --profile, --endpoint-url and the retry budget: what every command that reaches AWS accepts. */
export interface AwsOptions {
  /** Default: the SDK's own resolution (AWS_REGION, the profile's region). */
  region?: string;
  /** A profile of ~/.aws/config and ~/.aws/credentials; default: the standard chain (AWS_PROFILE, env, SSO, ...). */
  profile?: string;
  /** One endpoint for every service (LocalStack, the tests' local endpoint). */
  endpointUrl?: string;
  /** Attempts per call, first one included (default DEFAULT_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** Requests per second per service this process sends at most (default DOCUMENTED_RATES; 0 = no limit). */
  ratesPerSecond?: Partial<Record<ServiceKey, number>>;
}

export type ServiceKey = 'lambda' | 'iam' | 'sts' | 'events' | 'logs' | 'dynamodb' | 'scheduler';

/**
 * AWS's documented control-plane rates: Lambda 15 requests per second (GetFunction 100, the rest 15), EventBridge
 * 50 (APIs other than PutEvents). Sending faster only earns throttling and the backoff after it, so each client
 * paces itself; adaptive retries handle the rest (other callers sharing the account's rate). IAM documents no rate.
 */
export const DOCUMENTED_RATES: Partial<Record<ServiceKey, number>> = { lambda: 15, events: 50 };

/** Spaces requests 1/rate apart (every attempt, retries included): a token bucket of one. */
function pacer(rate: number): () => Promise<void> {
  const gap = 1000 / rate;
  let next = 0;
  return async () => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + gap;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  };
}

/**
 * Throttling is retried by the SDK in adaptive mode (a client-side rate limiter that slows down when AWS says so).
 * Three attempts, the SDK's default, lose about one call in a hundred to sustained 20 % throttling; a fleet
 * migration makes a thousand calls, so we allow more.
 */
export const DEFAULT_MAX_ATTEMPTS = 10;

export interface AwsClients {
  lambda: import('@aws-sdk/client-lambda').LambdaClient;
  iam: import('@aws-sdk/client-iam').IAMClient;
  sts: import('@aws-sdk/client-sts').STSClient;
  events: import('@aws-sdk/client-eventbridge').EventBridgeClient;
  logs: import('@aws-sdk/client-cloudwatch-logs').CloudWatchLogsClient;
  dynamodb: import('@aws-sdk/client-dynamodb').DynamoDBClient;
  scheduler: import('@aws-sdk/client-scheduler').SchedulerClient;
  /** The region all clients use (resolved: option, environment or profile). */
  region(): Promise<string>;
  /** Close every client's connections (the CLI exits promptly afterwards). */
  destroy(): void;
}

/**
 * The SDK for JavaScript prints a NodeVersionSupportWarning on Node 20 when a client is made. The user did not cause
 * it and cannot act on it in the middle of a migration (package.json's `engines` says what we support), so it is
 * switched off for this process unless the user set the variable themselves.
 */
function quietNodeVersionWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

export function makeClients(options: AwsOptions = {}): AwsClients {
  quietNodeVersionWarning();
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, not ${maxAttempts}`);
  // One memoised chain for all seven clients: an SSO login, an assumed role or an MFA prompt happens once.
  const credentials = defaultProvider(options.profile !== undefined ? { profile: options.profile } : {});
  const config = {
    credentials,
    maxAttempts,
    retryMode: 'adaptive',
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.endpointUrl !== undefined ? { endpoint: options.endpointUrl } : {}),
  };
  const clients = {
    lambda: new LambdaClient(config),
    iam: new IAMClient(config),
    sts: new STSClient(config),
    events: new EventBridgeClient(config),
    logs: new CloudWatchLogsClient(config),
    dynamodb: new DynamoDBClient(config),
    scheduler: new SchedulerClient(config),
  };
  const rates = { ...DOCUMENTED_RATES, ...(options.ratesPerSecond ?? {}) };
  for (const [name, client] of Object.entries(clients) as [ServiceKey, (typeof clients)[keyof typeof clients]][]) {
    const rate = rates[name];
    if (!rate) continue;
    const wait = pacer(rate);
    // In the deserialize step, inside the retry loop: every attempt waits its turn.
    (client.middlewareStack as { add(m: unknown, o: unknown): void }).add(
      (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        await wait();
        return next(args);
      },
      { step: 'deserialize', name: 'cron2lambdaPacer', priority: 'low' },
    );
  }
  return {
    ...clients,
    region: () => clients.sts.config.region(),
    destroy: () => {
      for (const c of Object.values(clients)) c.destroy();
    },
  };
}
