// bench/plan: 10,000 crontab lines of a realistic mix, read, translated and proven over the default two-year
// horizon. Prints lines per second and peak memory, and two baselines measured in the same run:
//   - parse only: the same lines through cron-parser (the floor: reading a schedule and nothing more);
//   - minute walk: proving a sample of the same lines by stepping minute by minute (the obvious way to prove),
//     scaled to the whole set.
// Build first (npx tsc -p tsconfig.json), then: node bench/plan.mjs   (BENCH_PLAN_LINES to change the size)
import { pathToFileURL } from 'node:url';
import { CronExpressionParser } from 'cron-parser';
import { buildPlan } from '../dist/plan/plan.js';
import { daysFromCivil } from '../dist/schedule/calendar.js';
import { makeHorizon } from '../dist/schedule/translate.js';

const TARGET_SECONDS = 5;
const TARGET_BYTES = 1024 ** 3;

/** Deterministic PRNG (mulberry32), so every run plans the same lines. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZONES = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'UTC',
  'America/Los_Angeles', 'Australia/Sydney', 'Asia/Singapore', 'America/Sao_Paulo', 'Pacific/Honolulu', 'Australia/Eucla'];
const COMMON = ['0 * * * *', '*/5 * * * *', '*/15 * * * *', '0 0 * * *', '30 2 * * *', '0 3 * * 1', '@daily', '@hourly',
  '0 0 1 * *', '*/10 * * * *', '0 6 * * 1-5', '@weekly', '15 4 * * 0', '0 12 * * *', '*/30 * * * *'];

/** Crontabs of ~100 lines each (one per server), each with its own CRON_TZ, mixing common and specific lines. */
export function makeCrontabs(lines, seed = 42) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (n) => Math.floor(r() * n);
  const specific = () => {
    const m = int(60);
    const h = int(24);
    switch (int(8)) {
      case 0: return `${m} ${h} * * *`;
      case 1: return `${m} ${h} * * ${int(7)}`;
      case 2: return `${m} ${h} ${1 + int(28)} * *`;
      case 3: return `${m} */${2 + int(5)} * * *`;
      case 4: return `${m} ${h} * * ${1 + int(2)}-${4 + int(2)}`;
      case 5: return `${m} ${h} 1,15 * *`;
      case 6: return `${m} ${h} ${1 + int(28)} ${1 + int(12)} *`;
      default: return `${m},${(m + 30) % 60} ${h}-${Math.min(23, h + 1 + int(8))} * * *`;
    }
  };
  const files = [];
  let n = 0;
  let server = 0;
  while (n < lines) {
    const out = [`# server ${server}`, `CRON_TZ=${ZONES[server % ZONES.length]}`, 'MAILTO=""'];
    for (let i = 0; i < 100 && n < lines; i++, n++) {
      const sched = r() < 0.4 ? pick(COMMON) : specific();
      out.push(`${sched} /opt/app/bin/job-${server}-${i}.sh --flag ${int(1000)} >> /var/log/job.log 2>&1`);
    }
    files.push({ file: `/bench/server-${server}/crontab`, text: out.join('\n') + '\n', system: false });
    server++;
  }
  return files;
}

/** Minute-by-minute proof of one line in its zone against UTC (the naive baseline). */
function minuteWalk(spec, zone, fromMin, toMin) {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' });
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  let fires = 0;
  for (let u = fromMin; u < toMin; u++) {
    const p = Object.fromEntries(fmt.formatToParts(new Date(u * 60000)).map((x) => [x.type, x.value]));
    const dow = days.indexOf(p.weekday);
    if (spec.minutes.includes(+p.minute) && spec.hours.includes(+p.hour) && spec.months.includes(+p.month)) {
      const d = spec.doms.includes(+p.day);
      const w = spec.dows.includes(dow);
      if (spec.domStar || spec.dowStar ? d && w : d || w) fires++;
    }
  }
  return fires;
}

export async function run({ lines = Number(process.env.BENCH_PLAN_LINES ?? 10_000), log = console.log } = {}) {
  const inputs = makeCrontabs(lines);
  const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 730);

  // Baseline 1: parse only, with cron-parser.
  let t = performance.now();
  let parsed = 0;
  for (const f of inputs) {
    for (const line of f.text.split('\n')) {
      const m = /^(@\w+|\S+ \S+ \S+ \S+ \S+) /.exec(line);
      if (!m) continue;
      try { CronExpressionParser.parse(m[1] === '@daily' ? '0 0 * * *' : m[1] === '@hourly' ? '0 * * * *' : m[1] === '@weekly' ? '0 0 * * 0' : m[1]); parsed++; } catch { /* counted as unparsed */ }
    }
  }
  const parseMs = performance.now() - t;

  // The real thing: read, translate, prove.
  global.gc?.();
  t = performance.now();
  const plan = buildPlan(inputs, { target: 'rule', horizon });
  const planMs = performance.now() - t;
  const peak = process.resourceUsage().maxRSS * 1024;

  // Baseline 2: minute-by-minute proof of a sample of distinct lines, scaled to all lines.
  const sample = plan.jobs.filter((j) => j.schedule).slice(0, 10);
  t = performance.now();
  const fromMin = horizon.fromDay * 1440;
  for (const j of sample) {
    const fields = j.schedule.cron.split(' ');
    const { parseCronFields } = await import('../dist/schedule/model.js');
    minuteWalk(parseCronFields(fields).spec, j.schedule.timezone, fromMin, fromMin + 7 * 1440);
  }
  const walkMsPerLine = ((performance.now() - t) / sample.length) * ((horizon.toDay - horizon.fromDay) / 7);
  const walkMs = walkMsPerLine * plan.jobs.length;

  const s = plan.summary;
  const seconds = planMs / 1000;
  log(`bench/plan: ${plan.jobs.length} lines in ${inputs.length} crontabs, ${horizon.toDay - horizon.fromDay} days proven per line`);
  log(`  plan (read + translate + prove): ${planMs.toFixed(0)} ms = ${Math.round(plan.jobs.length / seconds)} lines/s; ${s.exact} exact, ${s.inexact} inexact, ${s.error} error`);
  log(`  peak memory (max RSS of this process): ${(peak / 1024 / 1024).toFixed(0)} MiB`);
  log(`  baseline parse only (cron-parser, ${parsed} lines): ${parseMs.toFixed(0)} ms → plan costs ${(planMs / parseMs).toFixed(1)}x a bare parse`);
  log(`  baseline minute walk (sampled ${sample.length} lines, scaled): ~${(walkMs / 1000).toFixed(0)} s → the proof is ${(walkMs / planMs).toFixed(0)}x faster than walking minutes`);
  const ok = seconds <= TARGET_SECONDS && peak <= TARGET_BYTES;
  log(`  target: ≤ ${TARGET_SECONDS} s and ≤ 1 GiB peak → ${ok ? 'met' : 'NOT met'}`);
  return { lines: plan.jobs.length, planMs, linesPerSecond: plan.jobs.length / seconds, peakBytes: peak, parseMs, walkMs, ok };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await run();
  process.exitCode = r.ok ? 0 : 1;
}
