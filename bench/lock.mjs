// Lock overhead per invocation: templates/lock.sh's functions in bash against dynalite on 127.0.0.1, and (when
// the AWS CLI is installed) the original recipe's `aws dynamodb update-item` lock in the same run.
// Also prints the zip size of a typical job. Build first (npx tsc -p tsconfig.json), then: node bench/lock.mjs
// Environment: BENCH_LOCK_N (iterations, default 50), BENCH_LOCK_AWS_N (AWS CLI iterations, default 10).
import { spawn, spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { startLocalDynamoDb } from '../dist/local/dynamodb.js';
import { findBash, startBootstrap } from '../dist/local/runner.js';
import { startRuntimeApi } from '../dist/local/runtime-api.js';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readTemplate, renderHandler, templatePath } from '../dist/package/handler.js';
import { unzippedSize, writeZip } from '../dist/package/zip.js';

const WARMUP = 3;

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return {
    n: sorted.length,
    mean: sorted.reduce((s, x) => s + x, 0) / sorted.length,
    p50: at(0.5),
    p95: at(0.95),
  };
}

const fmt = (s) => `mean ${s.mean.toFixed(1)} ms  p50 ${s.p50.toFixed(1)} ms  p95 ${s.p95.toFixed(1)} ms  (n=${s.n})`;

/**
 * Runs SCRIPT in bash (stdin /dev/null: Debian's bash sources ~/.bashrc when stdin is a socket) and returns the
 * per-iteration durations in ms, read from lines "ms <t0> <t1>" (EPOCHREALTIME values) on stdout.
 */
function timeInBash(script, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(findBash(), ['-c', script, 'bench', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bash exited ${code}: ${err.trim() || out.trim()}`));
      const samples = out
        .split('\n')
        .filter((l) => l.startsWith('ms '))
        .map((l) => {
          const [, t0, t1] = l.split(' ');
          return (Number(t1.replace(',', '.')) - Number(t0.replace(',', '.'))) * 1000;
        });
      resolve(samples.slice(WARMUP));
    });
  });
}

function awsCli() {
  const which = spawnSync(findBash(), ['-c', 'command -v aws'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (which.status !== 0) return null;
  let path = which.stdout.trim();
  if (path.includes('/shims/')) {
    // A pyenv shim is a script that starts pyenv before the CLI (~0.35 s here): time the CLI itself, not the shim.
    const real = spawnSync('pyenv', ['which', 'aws'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (real.status === 0 && real.stdout.trim()) path = real.stdout.trim();
  }
  const version = spawnSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  if (version.status !== 0) return { path, version: null, problem: (version.stderr || version.stdout || '').trim().split('\n')[0] };
  return { path, version: (version.stdout || version.stderr).trim().split(/\s+/)[0] };
}

async function typicalZip() {
  const script = '#!/bin/sh\n# nightly report\nset -eu\ncd /var/lib/app\ncurl -fsS -A "report/1.0" https://example.com/api/report >/tmp/report.json\necho "report done"\n';
  const functionSh = renderHandler({
    jobId: 'app01-report-0a1b2c',
    command: '$LAMBDA_TASK_ROOT/opt/app/bin/report.sh >> /tmp/report.log 2>&1',
    stdin: null,
    shell: '/bin/sh',
    environment: { MAILTO: 'ops@example.com', PATH: '/usr/bin:/bin', HOME: '/home/app' },
    home: '/home/app',
  });
  const entries = [
    { path: 'bootstrap', content: readTemplate('bootstrap'), mode: 0o755 },
    { path: 'lock.sh', content: readTemplate('lock.sh'), mode: 0o644 },
    { path: 'function.sh', content: functionSh, mode: 0o644 },
    { path: 'opt/app/bin/report.sh', content: script, mode: 0o755 },
  ];
  const zip = await writeZip(entries);
  return { zipBytes: zip.length, unzippedBytes: unzippedSize(entries), files: entries.map((e) => e.path) };
}

/**
 * Whole invocations through the real bootstrap (Runtime API and dynalite on 127.0.0.1) of a job that runs `true`,
 * with three lock.sh variants: no lock at all (the floor), ours, and the recipe's AWS CLI lock. The overhead of a
 * lock is its mean invocation time minus the floor's.
 */
async function invocationOverhead(db, aws, n, awsN) {
  const real = readTemplate('lock.sh');
  const noop = 'c2l_lock_acquire() { return 0; }\nc2l_lock_done() { return 0; }\nc2l_lock_release() { return 0; }\nc2l_lock_heartbeat() { :; }\n';
  // ours without its background heartbeat: the difference to "ours" is what the heartbeat costs a job shorter than
  // one renewal period (it starts, waits, and ends with the job without renewing).
  const noHeartbeat = 'c2l_lock_heartbeat() { :; }\n';
  // The recipe (facts: UpdateItem SET #ttl = if_not_exists(#ttl, :ttl) with ReturnValues ALL_OLD; held when
  // attributes come back), called the way the recipe does: the AWS CLI, once per run, nothing on failure.
  const recipe = `c2l_lock_acquire() {
  local res
  res=$("$C2L_AWS" dynamodb update-item --endpoint-url "$CRON2LAMBDA_DYNAMODB_ENDPOINT" --table-name "$CRON2LAMBDA_LOCK_TABLE" \\
    --key "{\\"key\\": {\\"S\\": \\"$1\\"}}" --expression-attribute-names '{"#ttl": "ttl"}' \\
    --expression-attribute-values "{\\":ttl\\": {\\"N\\": \\"$4\\"}}" \\
    --update-expression 'SET #ttl = if_not_exists(#ttl, :ttl)' --return-values ALL_OLD) || { C2L_LOCK_ERROR=aws; return 2; }
  [[ -z $res ]] && return 0 || return 1
}
c2l_lock_done() { return 0; }
c2l_lock_release() { return 0; }
c2l_lock_heartbeat() { :; }
`;
  const variants = [
    ['no lock (floor)', real + '\n' + noop, n],
    ['ours: curl --aws-sigv4', real, n],
    ['ours without the heartbeat', real + '\n' + noHeartbeat, n],
  ];
  if (aws) variants.push(['recipe: aws dynamodb update-item', real + '\n' + recipe, awsN]);
  const out = {};
  for (const [label, lock, count] of variants) {
    const dir = mkdtempSync(join(tmpdir(), 'c2l-bench-'));
    try {
      writeFileSync(join(dir, 'bootstrap'), readTemplate('bootstrap'));
      chmodSync(join(dir, 'bootstrap'), 0o755);
      writeFileSync(join(dir, 'lock.sh'), lock);
      writeFileSync(join(dir, 'function.sh'), renderHandler({ jobId: 'bench', command: 'true', stdin: null, shell: '/bin/sh', environment: {}, home: null }));
      const api = await startRuntimeApi({ functionName: 'bench' });
      const proc = startBootstrap({
        taskDir: dir,
        runtimeApi: api.address,
        functionName: 'bench',
        path: aws ? `${dirname(aws.path)}:/usr/local/bin:/usr/bin:/bin` : undefined,
        environment: {
          CRON2LAMBDA_LOCK_TABLE: db.tableName,
          CRON2LAMBDA_JOB: `bench-${Object.keys(out).length}`,
          CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint,
          HOME: process.env.HOME ?? '/tmp',
          ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_EC2_METADATA_DISABLED: 'true',
          ...(aws ? { C2L_AWS: aws.path } : {}),
          TMPDIR: dir,
        },
      });
      const samples = [];
      try {
        for (let i = 0; i < count + WARMUP; i++) {
          const minute = String(i % 60).padStart(2, '0');
          const hour = String(Math.floor(i / 60) % 24).padStart(2, '0');
          const t0 = performance.now();
          const r = await api.enqueue({ time: `2027-01-04T${hour}:${minute}:00Z` }, { timeoutMs: 60_000 });
          await Promise.race([api.waitUntilPolling(), proc.exited]);
          if (r.kind !== 'response' || JSON.parse(r.body).skipped !== false) throw new Error(`${label}: ${r.kind} ${r.body ?? ''}`);
          if (i >= WARMUP) samples.push(performance.now() - t0);
        }
      } finally {
        proc.kill();
        await proc.exited;
        await api.close();
      }
      out[label] = stats(samples);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}

/** Runs the benchmark, prints its figures with LOG, and returns them. */
export async function run({
  iterations = Number(process.env.BENCH_LOCK_N ?? 50),
  awsIterations = Number(process.env.BENCH_LOCK_AWS_N ?? 10),
  log = console.log,
} = {}) {
  const db = await startLocalDynamoDb({ tableName: 'bench-locks' });
  const result = { iterations, ours: {}, baseline: null, baselineSkipped: null, ratio: null, zip: null };
  try {
    const env = {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCHFAKE',
      AWS_SECRET_ACCESS_KEY: 'bench/fake/secret',
      AWS_SESSION_TOKEN: 'bench-fake-token',
      CRON2LAMBDA_LOCK_TABLE: db.tableName,
      CRON2LAMBDA_DYNAMODB_ENDPOINT: db.endpoint,
    };
    const n = String(iterations + WARMUP);
    const loop = (finish) => `
      source "${templatePath('lock.sh')}"
      deadline=$(( $(c2l_now_ms) + 900000 ))
      for ((i = 0; i < $1; i++)); do
        key="bench-job#$2-$i"
        t0=$EPOCHREALTIME
        c2l_lock_acquire "$key" "req-$i" "$deadline" 1800000000 || { echo "acquire: $? $C2L_LOCK_ERROR" >&2; exit 1; }
        ${finish} "$key" "req-$i" || { echo "${finish}: $C2L_LOCK_ERROR" >&2; exit 1; }
        t1=$EPOCHREALTIME
        echo "ms $t0 $t1"
      done`;
    result.ours.release = stats(await timeInBash(loop('c2l_lock_release'), [n, 'release'], env));
    result.ours.done = stats(await timeInBash(loop('c2l_lock_done'), [n, 'done'], env));
    log(`lock overhead per invocation: bash + curl --aws-sigv4 (templates/lock.sh) -> dynalite on 127.0.0.1`);
    log(`  acquire + release (failed run):     ${fmt(result.ours.release)}`);
    log(`  acquire + done    (successful run): ${fmt(result.ours.done)}`);

    // BENCH_LOCK_AWS_N=0 leaves the AWS CLI out (a baseline of no runs has no figures)
    const aws = awsIterations > 0 ? awsCli() : null;
    if (awsIterations <= 0) {
      result.baselineSkipped = 'BENCH_LOCK_AWS_N is 0';
    } else if (!aws) {
      result.baselineSkipped = 'the AWS CLI (aws) is not on PATH';
    } else if (!aws.version) {
      result.baselineSkipped = `${aws.path} does not run: ${aws.problem}`;
    } else {
      const awsEnv = {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_'))),
        AWS_ACCESS_KEY_ID: 'AKIDBENCHFAKE',
        AWS_SECRET_ACCESS_KEY: 'bench/fake/secret',
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_PAGER: '',
        C2L_AWS: aws.path,
      };
      const awsLoop = `
        for ((i = 0; i < $1; i++)); do
          t0=$EPOCHREALTIME
          "$C2L_AWS" dynamodb update-item --endpoint-url "$2" --cli-connect-timeout 3 \\
            --table-name "$3" \\
            --key "{\\"key\\": {\\"S\\": \\"recipe-$i\\"}}" \\
            --expression-attribute-names '{"#ttl": "ttl"}' \\
            --expression-attribute-values '{":ttl": {"N": "1800000000"}}' \\
            --update-expression 'SET #ttl = if_not_exists(#ttl, :ttl)' \\
            --return-values ALL_OLD >/dev/null || exit 1
          t1=$EPOCHREALTIME
          echo "ms $t0 $t1"
        done`;
      result.baseline = {
        cli: aws.version,
        ...stats(await timeInBash(awsLoop, [String(awsIterations + WARMUP), db.endpoint, db.tableName], awsEnv)),
      };
      result.ratio = result.baseline.mean / result.ours.release.mean;
      log(`original recipe's lock: aws dynamodb update-item (${aws.version}, ${aws.path}) -> same dynalite`);
      log(`  one update-item per invocation:     ${fmt(result.baseline)}`);
      log(`  ratio recipe / ours (mean, vs acquire + release): ${result.ratio.toFixed(1)}x`);
    }
    if (result.baselineSkipped) log(`original recipe's lock: baseline skipped: ${result.baselineSkipped}${awsIterations > 0 ? ' (not installed by this benchmark)' : ''}`);

    const inv = await invocationOverhead(db, aws?.version ? aws : null, iterations, awsIterations);
    const floor = inv['no lock (floor)'].mean;
    log('whole invocations through bootstrap (job: true), mean time per invocation and the lock\'s share of it:');
    for (const [label, st] of Object.entries(inv)) {
      log(`  ${label.padEnd(36)} ${fmt(st)}${label.startsWith('no lock') ? '' : `  → overhead ${(st.mean - floor).toFixed(1)} ms`}`);
    }
    const oursOverhead = inv['ours: curl --aws-sigv4'].mean - floor;
    const heartbeatMs = inv['ours: curl --aws-sigv4'].mean - inv['ours without the heartbeat'].mean;
    result.invocation = { floorMs: floor, oursOverheadMs: oursOverhead, heartbeatMs, recipeOverheadMs: null, ratio: null };
    log(`  the heartbeat's cost for a job shorter than one renewal period: ${heartbeatMs.toFixed(1)} ms per invocation (ours minus ours without it; noise is about ±${(inv['ours: curl --aws-sigv4'].p95 - inv['ours: curl --aws-sigv4'].p50).toFixed(1)} ms)`);
    if (inv['recipe: aws dynamodb update-item']) {
      const recipeOverhead = inv['recipe: aws dynamodb update-item'].mean - floor;
      result.invocation.recipeOverheadMs = recipeOverhead;
      result.invocation.ratio = recipeOverhead / oursOverhead;
      log(`  ratio of lock overheads per invocation, recipe / ours: ${result.invocation.ratio.toFixed(1)}x (target ≥ 30x)`);
    }

    result.zip = await typicalZip();
    log(
      `typical job zip: ${result.zip.zipBytes} bytes zipped, ${result.zip.unzippedBytes} bytes unzipped (${result.zip.files.join(', ')})`,
    );
    return result;
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
