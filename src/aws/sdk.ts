// The AWS SDK packages, loaded with require(). They are CommonJS bundles of several hundred kilobytes each; imported
// from an ES module, Node 20 reads each one three times (to detect its module format, to list its named exports, to
// compile it), which cost `migrate` and `probe` about half a second of CPU at every start. Types still come from the
// packages (`import type`); only the values are taken from here.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const logsSdk: typeof import('@aws-sdk/client-cloudwatch-logs') = load('@aws-sdk/client-cloudwatch-logs');
export const dynamodbSdk: typeof import('@aws-sdk/client-dynamodb') = load('@aws-sdk/client-dynamodb');
export const eventsSdk: typeof import('@aws-sdk/client-eventbridge') = load('@aws-sdk/client-eventbridge');
export const iamSdk: typeof import('@aws-sdk/client-iam') = load('@aws-sdk/client-iam');
export const lambdaSdk: typeof import('@aws-sdk/client-lambda') = load('@aws-sdk/client-lambda');
export const schedulerSdk: typeof import('@aws-sdk/client-scheduler') = load('@aws-sdk/client-scheduler');
export const stsSdk: typeof import('@aws-sdk/client-sts') = load('@aws-sdk/client-sts');
export const credentialsSdk: typeof import('@aws-sdk/credential-provider-node') = load('@aws-sdk/credential-provider-node');
