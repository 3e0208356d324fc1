// The AWS SDK packages, loaded with require(). They are CommonJS bundles of several hundred kilobytes each; imported
// from an ES module, Node 20 reads each one three times (to detect its module format, to list its named exports, to
// compile it), which cost `migrate` and `probe` about half a second of CPU at every start. Types still come from the
// packages (`import type`); only the values are taken from here.
//
// The CLI runs from dist/bundle/, where src/build/bundle.ts puts all of these packages in one CommonJS file,
// aws-sdk.cjs, with a V8 code cache (code-cache.ts): one file to find and read instead of some forty, and little to
// compile. One file for all: the packages share @smithy and @aws-sdk/core, whose classes must be the same for all.
// From src/ and dist/ (tests, benchmarks) the packages are required from node_modules.
import { createRequire } from 'node:module';
import { bundledCopy } from '../code-cache.js';

// Each export below is typed by its package's declarations (T, from the annotation).
function loader(): <T>(id: string) => T {
  // In the bundle: an object by package name (aws-sdk.cjs, built by src/build/bundle.ts).
  const packages = bundledCopy('aws-sdk') as Record<string, unknown> | null;
  if (packages === null) return createRequire(import.meta.url);
  return (id) => {
    if (!(id in packages)) throw new Error(`${id} is not in the bundled SDK: it holds the @aws-sdk dependencies of package.json`);
    return packages[id] as never;
  };
}

const load = loader();

export const logsSdk: typeof import('@aws-sdk/client-cloudwatch-logs') = load('@aws-sdk/client-cloudwatch-logs');
export const dynamodbSdk: typeof import('@aws-sdk/client-dynamodb') = load('@aws-sdk/client-dynamodb');
export const eventsSdk: typeof import('@aws-sdk/client-eventbridge') = load('@aws-sdk/client-eventbridge');
export const iamSdk: typeof import('@aws-sdk/client-iam') = load('@aws-sdk/client-iam');
export const lambdaSdk: typeof import('@aws-sdk/client-lambda') = load('@aws-sdk/client-lambda');
export const schedulerSdk: typeof import('@aws-sdk/client-scheduler') = load('@aws-sdk/client-scheduler');
export const stsSdk: typeof import('@aws-sdk/client-sts') = load('@aws-sdk/client-sts');
export const credentialsSdk: typeof import('@aws-sdk/credential-provider-node') = load('@aws-sdk/credential-provider-node');
