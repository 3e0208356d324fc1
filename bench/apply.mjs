// bench/apply: `migrate` of 100 jobs against the local AWS endpoint (a child process on 127.0.0.1) with 50 ms per
// call and AWS's documented control-plane rates: Lambda 15/s, EventBridge 50/s; IAM publishes no per-second rate,
// so it is given 10/s here (an assumption, said in the output). Prints:
//   - the first apply's wall time against its lower bound, the longer of
//       * the critical path: one job alone, same latency, no rate limits (measured in this run), and
//       * the calls each service received in the first apply divided by its rate;
//     target: within 1.3x of the bound;
//   - the second, no-change apply: its mutating calls (target 0) and its time.
// The work measured is the library path of `migrate --yes` (read, diff, preflight, apply), not node's start-up.
// Build first: npx tsc -p tsconfig.json && npx tsc -p tsconfig.support.json; then node bench/apply.mjs
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const REPO = join(import.meta.dirname, '..');
const JOBS = Number(process.env.BENCH_APPLY_JOBS ?? 100);
const LATENCY_MS = 50;
const RATES = { lambda: 15, events: 50, iam: 10 };
const TARGET_RATIO = 1.3;
const CONCURRENCY = Number(process.env.BENCH_APPLY_CONCURRENCY ?? 10);

async function load() {
  const dist = (p) => import(pathToFileURL(join(REPO, 'dist', p)).href);
  const support = (p) => import(pathToFileURL(join(REPO, '.build/support/test/support/aws', p)).href);
  return {
    plan: await dist('plan/plan.js'),
    translate: await dist('schedule/translate.js'),
    reader: await dist('scripts/reader.js'),
    build: await dist('package/build.js'),
    zip: await dist('package/zip.js'),
    pkgcmd: await dist('cli/commands/package.js'),
    clients: await dist('aws/clients.js'),
    desired: await dist('aws/desired.js'),
    live: await dist('aws/live.js'),
    diff: await dist('aws/diff.js'),
    preflight: await dist('aws/preflight.js'),
    apply: await dist('aws/apply.js'),
    remote: await support('remote.js'),
  };
}

function crontab(n) {
  const lines = ['CRON_TZ=Europe/Berlin', 'GREETING=hello'];
  for (let i = 0; i < n; i++) lines.push(`${i % 60} ${i % 24} * * * /opt/app/bin/hello.sh run-${i}`);
  return lines.join('\n') + '\n';
}

async function packages(m, n) {
  const plan = m.plan.buildPlan([{ file: '/var/spool/cron/crontabs/deploy', text: crontab(n), system: false }], {
    target: 'rule',
    horizon: m.translate.makeHorizon(20_500, 60),
    reader: m.reader.rootReader(join(REPO, 'fixtures/servers/app01')),
    host: 'bench01',
  });
  return m.build.buildPackages(plan, m.pkgcmd.loadTemplates(), { lockTable: 'cron2lambda-locks' }, m.zip.writeZip);
}

/** One `migrate --yes` through the library: read live, diff, preflight, apply. */
async function migrate(m, endpoint, built) {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCALTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'local-test-secret';
  const clients = m.clients.makeClients({ region: 'eu-west-1', endpointUrl: endpoint });
  try {
    const who = await m.preflight.whoAmI(clients);
    const settings = {
      host: 'bench01', region: who.region, account: who.account, partition: who.partition, lockTable: 'cron2lambda-locks',
      architecture: 'x86_64', memoryMb: 128, timeoutSeconds: 900, logRetentionDays: 14, subnetIds: [], securityGroupIds: [],
      enable: false, retryAttempts: 0, maxEventAgeSeconds: 21600,
    };
    const ctx = { clients, settings, timing: { waiterMinDelaySeconds: 0.05 }, layer: {} };
    const state = m.desired.desired(built, settings);
    const live = await m.live.readLive(ctx, state, 10);
    const d = m.diff.diff(state, live, { prune: false });
    await m.preflight.preflight(ctx, d.changes, { rulesQuota: 300, layerBytes: 0 });
    const result = await m.apply.apply(ctx, d.changes, { concurrency: CONCURRENCY });
    const failed = result.results.filter((r) => r.status !== 'done' && r.status !== 'noop');
    if (failed.length) throw new Error(`${failed.length} changes did not complete: ${failed[0].error}`);
    return d.changes.filter((c) => c.action !== 'noop').length;
  } finally {
    clients.destroy();
  }
}

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

export async function run() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const m = await load();
  const dir = mkdtempSync(join(tmpdir(), 'c2l-bench-apply-'));
  const ratesArg = Object.entries(RATES).map(([k, v]) => `${k}=${v}`).join(',');
  const aws = await m.remote.spawnLocalAws(REPO, ['--latency-ms', String(LATENCY_MS)]);
  try {
    // Critical path: one job, same latency, no rate limit.
    const one = await packages(m, 1);
    const critical = await timed(() => migrate(m, aws.endpoint, one));
    await aws.reset();

    const built = await packages(m, JOBS);
    await aws.setLatency(LATENCY_MS);
    await aws.setRates(RATES);
    const first = await timed(() => migrate(m, aws.endpoint, built));
    const calls = await aws.calls();
    const perService = {};
    for (const c of calls) if (!c.injected) perService[c.service] = (perService[c.service] ?? 0) + 1;
    const throttled = calls.filter((c) => c.injected === 'throttle').length;
    const rateBound = Math.max(...Object.entries(RATES).map(([s, r]) => ((perService[s] ?? 0) / r) * 1000));
    const bound = Math.max(critical.ms, rateBound);
    const ratio = first.ms / bound;

    await aws.resetCalls();
    const second = await timed(() => migrate(m, aws.endpoint, built));
    const mutating = (await aws.mutatingCalls()).length;

    console.log(`bench/apply: ${JOBS} jobs, ${LATENCY_MS} ms per call, rates ${ratesArg} per second (IAM: assumed, AWS documents none)`);
    console.log(`  first apply      ${(first.ms / 1000).toFixed(1)} s, ${first.value} changes, ${calls.length - throttled} calls (${Object.entries(perService).map(([s, n]) => `${s} ${n}`).join(', ')}), ${throttled} throttled`);
    console.log(`  lower bound      ${(bound / 1000).toFixed(1)} s = max(critical path ${(critical.ms / 1000).toFixed(1)} s, calls over rates ${(rateBound / 1000).toFixed(1)} s)`);
    console.log(`  ratio            ${ratio.toFixed(2)}x (target <= ${TARGET_RATIO}x)`);
    console.log(`  second apply     ${(second.ms / 1000).toFixed(1)} s, ${second.value} changes, ${mutating} mutating calls (target 0)`);
    const ok = ratio <= TARGET_RATIO && mutating === 0 && second.value === 0;
    return { ok, ratio, firstMs: first.ms, boundMs: bound, secondMs: second.ms, mutating };
  } finally {
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await run();
  if (!r.ok) process.exitCode = 1;
}
