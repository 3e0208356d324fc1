// bench/secrets: a fleet whose scripts each hold a credential of their own (PGPASSWORD=... in every script). Every
// string the plan prints and every bundled file is redacted with every credential of the run, and each job is asked
// whether it holds one another job reported (plan/secrets-elsewhere.ts): work that grows with jobs x credentials when
// each text is asked for each value in turn (4,000 jobs took 35 s so, against 2 s without credentials). Prints the
// plan's time for N such jobs against the same jobs with the credential taken out (the baseline, measured in this run)
// and for N/2 jobs with credentials; targets: within 2.5x of the baseline, and twice the jobs in at most 2.5x the time.
// Each side runs in its own node child, alternating, median of 3. Build first (npm run bench does), then:
// node bench/secrets.mjs   (BENCH_SECRETS_JOBS: jobs, default 4,000)
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..');
const SELF = fileURLToPath(import.meta.url);
/** The credentials' own work (finding, rewriting, redacting them) against the same scripts without them. */
const TARGET_RATIO = 2.5;
/** Twice the jobs (and credentials) against half: linear is 2x. */
const TARGET_GROWTH = 2.5;

/** The plan of `jobs` jobs, each running a script of its own, with or without a credential in it; in this process. */
async function child(jobs, withSecrets) {
  const dist = (p) => import(pathToFileURL(join(REPO, 'dist', p)).href);
  const { buildPlan } = await dist('plan/plan.js');
  const { memoryReader } = await dist('scripts/reader.js');
  const { daysFromCivil } = await dist('schedule/calendar.js');
  const { makeHorizon } = await dist('schedule/translate.js');
  const files = {};
  const lines = ['CRON_TZ=UTC'];
  for (let i = 0; i < jobs; i++) {
    const env = withSecrets ? `PGPASSWORD=Pw${i}x9Zq7Lm ` : '';
    files[`/opt/app/bin/j${i}.sh`] = `#!/bin/bash\nset -e\n${env}psql -h db${i}.internal -c 'select 1'\necho done ${i} >> /tmp/log\ncurl -fsS https://h${i}.example.com/ping\n`;
    lines.push(`${i % 60} ${i % 24} * * * /opt/app/bin/j${i}.sh`);
  }
  const t = performance.now();
  const plan = buildPlan([{ file: '/var/spool/cron/crontabs/u', text: lines.join('\n') + '\n', system: false }], {
    target: 'rule', timezone: 'UTC', horizon: makeHorizon(daysFromCivil(2026, 12, 1), 730), reader: memoryReader(files),
  });
  const ms = performance.now() - t;
  const secretFindings = plan.jobs.reduce((n, j) => n + j.findings.filter((f) => f.code === 'secret').length, 0);
  return { ms, jobs: plan.jobs.length, secretFindings };
}

function inChild(jobs, withSecrets) {
  const r = spawnSync(process.execPath, [SELF, '--child', String(jobs), withSecrets ? '1' : '0'], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const last = r.stdout.trim().split('\n').pop();
  if (r.status !== 0 || !last) throw new Error(`bench/secrets child exited with ${r.status ?? r.signal}: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(last);
}

export async function run({ jobs = Number(process.env.BENCH_SECRETS_JOBS ?? 4000), log = console.log } = {}) {
  const half = Math.floor(jobs / 2);
  const runs = { with: [], without: [], half: [] };
  let findings = 0;
  for (let i = 0; i < 3; i++) {
    runs.without.push(inChild(jobs, false).ms);
    const w = inChild(jobs, true);
    runs.with.push(w.ms);
    findings = w.secretFindings;
    runs.half.push(inChild(half, true).ms);
  }
  const median = (a) => [...a].sort((x, y) => x - y)[1];
  const withMs = median(runs.with);
  const withoutMs = median(runs.without);
  const halfMs = median(runs.half);
  const ratio = withMs / withoutMs;
  // twice the jobs, and so twice the credentials: linear work takes about twice the time, work that asks every text
  // for every credential four times
  const growth = withMs / halfMs;
  const ok = ratio <= TARGET_RATIO && growth <= TARGET_GROWTH && findings === jobs;
  log(`bench/secrets: jobs each running a script of its own; median of 3, alternating, each in its own node child`);
  log(`  ${jobs} jobs, each script with a credential of its own   ${(withMs / 1000).toFixed(2)} s  (${findings} secret findings)`);
  log(`  baseline: the same ${jobs} scripts without it             ${(withoutMs / 1000).toFixed(2)} s  → ratio ${ratio.toFixed(2)}x (target ≤ ${TARGET_RATIO}x)`);
  log(`  ${half} jobs with credentials                             ${(halfMs / 1000).toFixed(2)} s  → twice the jobs take ${growth.toFixed(2)}x (linear 2x, quadratic 4x; target ≤ ${TARGET_GROWTH}x)`);
  log(`  target: ${ok ? 'met' : 'NOT met'}`);
  return { ok, jobs, withMs, withoutMs, halfMs, ratio, growth, findings };
}

if (process.argv[2] === '--child') {
  console.log(JSON.stringify(await child(Number(process.argv[3]), process.argv[4] === '1')));
} else if (process.argv[1] === SELF) {
  const r = await run();
  if (!r.ok) process.exitCode = 1;
}
