// Test support: the real SDK v3 clients, all pointed at one local AWS endpoint with fake credentials.
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { STSClient } from '@aws-sdk/client-sts';

// The SDK warns once per process on Node < 22 (process.emitWarning 'NodeVersionSupportWarning') unless this is set
// before the first client is made.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' };

export interface ClientOptions {
  region?: string;
  /** 'standard' (default) or 'adaptive'. */
  retryMode?: 'standard' | 'adaptive';
  maxAttempts?: number;
}

export function sdkClients(endpoint: string, options: ClientOptions = {}) {
  const config = {
    endpoint,
    region: options.region ?? 'us-east-1',
    credentials: FAKE_CREDENTIALS,
    retryMode: options.retryMode ?? 'standard',
    maxAttempts: options.maxAttempts ?? 3,
  };
  return {
    sts: new STSClient(config),
    iam: new IAMClient(config),
    lambda: new LambdaClient(config),
    events: new EventBridgeClient(config),
    logs: new CloudWatchLogsClient(config),
    dynamodb: new DynamoDBClient(config),
    scheduler: new SchedulerClient(config),
  };
}

export type SdkClients = ReturnType<typeof sdkClients>;

export function destroyClients(c: SdkClients): void {
  for (const client of Object.values(c)) client.destroy();
}
