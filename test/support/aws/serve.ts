// Test support: the local AWS endpoint as a process of its own, for bench/apply and CLI subprocess tests.
// Build with `npm run build:support`, then: node .build/support/test/support/aws/serve.js [options]
// The first line on stdout is the endpoint URL; drive it from another process through /__local/ (remote.ts).
//
//   --port N                   port on 127.0.0.1 (default: a free one)
//   --region R                 region for unsigned requests (default us-east-1)
//   --latency-ms N             added to every call
//   --rates lambda=15,lambda:GetFunction=100,iam=10   token-bucket rate limits (requests per second) per service
//                              or per service:Operation
//   --documented-rates         AWS's documented control-plane rates (DOCUMENTED_RATES: Lambda, EventBridge)
//   --throttle P [--seed N]    throttle a share P (0-1) of calls at random, reproducibly
//   --function-pending-ms N  --function-update-ms N  --role-assumable-after-ms N  --table-creating-ms N
//   --rules-per-bus N  --roles-per-account N
//   --watch-stdin              exit when stdin closes (the parent went away)
// The same options can be given as JSON (LocalAwsOptions) in the environment variable LOCAL_AWS_OPTIONS.
import { pathToFileURL } from 'node:url';
import { DOCUMENTED_RATES, type RateSpec } from './faults.js';
import { startLocalAws, type LocalAwsOptions } from './server.js';
import { SERVICES, type ServiceName } from './types.js';

export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LocalAwsOptions & { watchStdin: boolean } {
  const options: LocalAwsOptions & { watchStdin: boolean } = { ...(env.LOCAL_AWS_OPTIONS ? (JSON.parse(env.LOCAL_AWS_OPTIONS) as LocalAwsOptions) : {}), watchStdin: false };
  const num = (i: number) => {
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v)) throw new Error(`${argv[i]} needs a number`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--port': options.port = num(i++); break;
      case '--region': options.region = argv[++i]; break;
      case '--latency-ms': options.latencyMs = num(i++); break;
      case '--documented-rates': options.rates = { ...options.rates, ...DOCUMENTED_RATES }; break;
      case '--rates': {
        const rates: RateSpec = { ...options.rates };
        for (const pair of (argv[++i] ?? '').split(',')) {
          const [key, v] = pair.split('=');
          if (!(SERVICES as readonly string[]).includes(key.split(':')[0]) || !Number.isFinite(Number(v))) throw new Error(`bad --rates entry ${pair}`);
          rates[key as ServiceName] = Number(v);
        }
        options.rates = rates;
        break;
      }
      case '--throttle': options.throttle = { ...options.throttle, probability: num(i++) }; break;
      case '--seed': options.throttle = { probability: options.throttle?.probability ?? 0, ...options.throttle, seed: num(i++) }; break;
      case '--function-pending-ms': options.timings = { ...options.timings, functionPendingMs: num(i++) }; break;
      case '--function-update-ms': options.timings = { ...options.timings, functionUpdateMs: num(i++) }; break;
      case '--role-assumable-after-ms': options.timings = { ...options.timings, roleAssumableAfterMs: num(i++) }; break;
      case '--table-creating-ms': options.timings = { ...options.timings, tableCreatingMs: num(i++) }; break;
      case '--rules-per-bus': options.quotas = { ...options.quotas, rulesPerBus: num(i++) }; break;
      case '--roles-per-account': options.quotas = { ...options.quotas, rolesPerAccount: num(i++) }; break;
      case '--watch-stdin': options.watchStdin = true; break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let options: ReturnType<typeof parseServeArgs>;
  try {
    options = parseServeArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`serve: ${(e as Error).message}\n`);
    process.exit(64);
  }
  const aws = await startLocalAws(options);
  process.stdout.write(`${aws.endpoint}\n`);
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    void aws.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (options.watchStdin) {
    process.stdin.on('end', stop).on('close', stop).resume();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
