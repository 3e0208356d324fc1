// bench/plan: 10,000 crontab lines of a realistic mix, read, translated and proven over the default two-year
// horizon, in three scenarios, each in its own `node` child so that its peak memory (max RSS is per process) is its
// own:
//   (a) no scripts: the crontabs alone, no --root (the plan's floor);
//   (b) own scripts: every line runs a five-line bash script of its own under a --root on disk, read through the
//       same root reader the CLI uses, so every script is read, parsed, followed and judged (issue 11: at most 5 s
//       and 1 GiB, and the ratio b/a);
//   (c) shared scripts: the same number of lines naming only 200 scripts (issue 11: each file read and parsed once
//       per run, whatever number of jobs use it; the reads are counted by wrapping the reader, the parses by the
//       shell front end's own counter).
// Two baselines, measured in the same run (in child a): the same lines through cron-parser (the floor: reading a
// schedule and nothing more), and proving a sample of the lines by stepping minute by minute, scaled to the whole set.
//
// Build first (npx tsc -b tsconfig.json tsconfig.support.json, as `npm run bench` does), then: node bench/plan.mjs
//   BENCH_PLAN_LINES   lines per scenario (default 10,000; other sizes are labelled scaled, time target scaled linearly)
//   BENCH_PLAN_SHARED  distinct scripts in scenario c (default 200)
// The script tree is written to a temporary directory before any timing and removed afterwards.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CronExpressionParser } from 'cron-parser';
import { buildPlan } from '../dist/plan/plan.js';
import { parallelProver } from '../dist/cli/parallel-proofs.js';
import { rootReader } from '../dist/scripts/reader.js';
import { daysFromCivil } from '../dist/schedule/calendar.js';
import { makeHorizon } from '../dist/schedule/translate.js';
import { mulberry32 } from '../.build/support/test/support/random.js';

const TARGET_SECONDS = 5;
const TARGET_BYTES = 1024 ** 3;
/** The size the targets are stated for. */
const FULL_LINES = 10_000;
const MiB = 1024 * 1024;

/** Deterministic PRNG (the tests' mulberry32, built by `npm run bench`), so every run plans the same lines. */
const rng = mulberry32;

const ZONES = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'Asia/Kolkata', 'UTC',
  'America/Los_Angeles', 'Australia/Sydney', 'Asia/Singapore', 'America/Sao_Paulo', 'Pacific/Honolulu', 'Australia/Eucla'];
const COMMON = ['0 * * * *', '*/5 * * * *', '*/15 * * * *', '0 0 * * *', '30 2 * * *', '0 3 * * 1', '@daily', '@hourly',
  '0 0 1 * *', '*/10 * * * *', '0 6 * * 1-5', '@weekly', '15 4 * * 0', '0 12 * * *', '*/30 * * * *'];

const LINES_PER_SERVER = 100;

/** Server path of script number k: the k-th line of the fleet names it when every line has its own script. */
export function scriptPath(k) {
  return `/opt/app/bin/job-${Math.floor(k / LINES_PER_SERVER)}-${k % LINES_PER_SERVER}.sh`;
}

/**
 * Crontabs of ~100 lines each (one per server), each with its own CRON_TZ, mixing common and specific lines. Line n
 * of the fleet runs script n, or script n % scripts when `scripts` is given (lines sharing that many scripts); the
 * lines themselves (schedules, flags) do not depend on it.
 */
export function makeCrontabs(lines, seed = 42, { scripts } = {}) {
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
    for (let i = 0; i < LINES_PER_SERVER && n < lines; i++, n++) {
      const sched = r() < 0.4 ? pick(COMMON) : specific();
      out.push(`${sched} ${scriptPath(scripts ? n % scripts : n)} --flag ${int(1000)} >> /var/log/job.log 2>&1`);
    }
    files.push({ file: `/bench/server-${server}/crontab`, text: out.join('\n') + '\n', system: false });
    server++;
  }
  return files;
}

/** Files every job may reach besides its own script: two sourced libraries and a helper next to the scripts. */
export const SHARED_FILES = {
  '/opt/app/lib/common.sh': '# Sourced by the jobs: shared settings and a logger.\nAPP_NAME=shop\numask 027\nlog() { echo "$(date -u +%FT%TZ) $APP_NAME: $*"; }\n',
  '/opt/app/lib/log.sh': '# Sourced by the jobs: a logger that also tags the host.\nlog() {\n  echo "$(date -u +%FT%TZ) $(hostname) $*"\n}\n',
  '/opt/app/bin/notify.sh': '#!/bin/bash\n# Tell the ops channel a job finished.\ncurl -fsS -X POST https://hooks.example.com/ops -d "text=$1 finished" > /dev/null\n',
};

/**
 * Five-line bash scripts, one per k < count, as cron jobs on a fleet are written: a shebang, strict mode, the
 * script's own directory from $(dirname "$0"), then either a shared library sourced through it or a dump piped into
 * gzip, and a last line that uploads, notifies or logs with a redirection. Deterministic (seeded).
 */
export function makeScripts(count, seed = 7) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const int = (n) => Math.floor(r() * n);
  const scripts = [];
  for (let k = 0; k < count; k++) {
    const shebang = pick(['#!/bin/bash', '#!/usr/bin/env bash']);
    const strict = pick(['set -euo pipefail', 'set -euo pipefail', 'set -eu', 'set -o errexit -o nounset -o pipefail']);
    const dir = pick(['DIR="$(cd "$(dirname "$0")" && pwd)"', 'DIR=$(dirname "$0")', 'DIR="$(dirname "$(readlink -f "$0")")"']);
    const out = `/tmp/job-${k}.gz`;
    let body;
    let last;
    if (r() < 0.5) {
      // A library sourced through the script's own directory, then something that uses it or a sibling script.
      body = pick([`. "$DIR/../lib/common.sh"`, `source "$DIR/../lib/log.sh"`]);
      last = pick([
        `log "job ${k} done" >> /var/log/app/jobs.log 2>&1`,
        `"$DIR/notify.sh" job-${k} >> /var/log/app/jobs.log 2>&1`,
        `curl -fsS -X POST https://hooks.example.com/jobs/${k} -d status=ok > /dev/null 2>> /var/log/app/job-${k}.log`,
      ]);
    } else {
      body = pick([
        `pg_dump -Fc shop_${int(7)} | gzip > ${out}`,
        `mysqldump --single-transaction app_${int(5)} | gzip -9 > ${out}`,
        `tar czf ${out} -C /var/www/uploads . 2> /dev/null`,
      ]);
      last = pick([
        `aws s3 cp ${out} "s3://backups-${int(3)}/$(hostname)/job-${k}.gz" --only-show-errors >> /var/log/app/jobs.log 2>&1`,
        `curl -fsS -T ${out} https://files.example.com/upload/job-${k}.gz >> "$DIR/../log/job-${k}.log" 2>&1`,
      ]);
    }
    scripts.push({ path: scriptPath(k), text: [shebang, strict, dir, body, last].join('\n') + '\n' });
  }
  return scripts;
}

/** Writes the shared files and `count` scripts under a new temporary root; the caller removes it. */
function writeServerTree(count) {
  const root = mkdtempSync(join(tmpdir(), 'c2l-bench-plan-'));
  const write = (path, text) => {
    const host = join(root, path);
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, text);
    if (text.startsWith('#!')) chmodSync(host, 0o755);
  };
  for (const [path, text] of Object.entries(SHARED_FILES)) write(path, text);
  for (const s of makeScripts(count)) write(s.path, s.text);
  return root;
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

const horizonOfRun = () => makeHorizon(daysFromCivil(2026, 12, 1), 730);

/** A reader that counts readFile calls per path (non-null results only; misses are counted apart). */
function countingReader(inner) {
  const reads = new Map();
  let misses = 0;
  const reader = {
    readFile(absPath, maxBytes) {
      const r = inner.readFile(absPath, maxBytes);
      if (r === null) misses++;
      else reads.set(absPath, (reads.get(absPath) ?? 0) + 1);
      return r;
    },
    stat: (absPath) => inner.stat(absPath),
    ...(inner.resolve ? { resolve: (absPath) => inner.resolve(absPath) } : {}),
  };
  const summary = () => {
    let total = 0;
    let max = 0;
    let maxPath = null;
    let repeated = 0;
    for (const [p, n] of reads) {
      total += n;
      if (n > 1) repeated++;
      if (n > max) [max, maxPath] = [n, p];
    }
    return { paths: reads.size, calls: total, misses, maxPerPath: max, maxPath, pathsReadMoreThanOnce: repeated };
  };
  return { reader, summary };
}

/**
 * The shell front end's parse counter. The new front end exports parseStats/resetParseStats from
 * dist/scripts/sh/parse.js; before it exists, mvdan-sh's parses are counted by wrapping syntax.NewParser (a stand-in
 * for the before figures, by name: 'command' for command lines, else the file parsed).
 */
async function parseCounter() {
  try {
    const m = await import(new URL('../dist/scripts/sh/parse.js', import.meta.url).href);
    if (typeof m.parseStats === 'function' && typeof m.resetParseStats === 'function') {
      return { source: 'dist/scripts/sh/parse.js parseStats()', reset: () => m.resetParseStats(), read: () => ({ parses: m.parseStats().parses }) };
    }
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
  try {
    const syntax = (await import('mvdan-sh')).default.syntax;
    const byName = new Map();
    const original = syntax.NewParser;
    // The parser's Parse is a non-writable property: hand out a stand-in with the one method shell.ts calls.
    syntax.NewParser = (...args) => {
      const parser = original(...args);
      return { Parse: (text, name) => (byName.set(name, (byName.get(name) ?? 0) + 1), parser.Parse(text, name)) };
    };
    return {
      source: 'mvdan-sh, counted by wrapping syntax.NewParser (stand-in: parse count unavailable from dist/scripts/sh/parse.js)',
      reset: () => byName.clear(),
      read: () => {
        let parses = 0;
        let ofFiles = 0;
        let maxPerFile = 0;
        for (const [name, n] of byName) {
          parses += n;
          if (name === 'command') continue;
          ofFiles += n;
          maxPerFile = Math.max(maxPerFile, n);
        }
        return { parses, commandParses: byName.get('command') ?? 0, fileParses: ofFiles, files: byName.size - (byName.has('command') ? 1 : 0), maxPerFile };
      },
    };
  } catch {
    return null;
  }
}

/** One scenario, in this (child) process: returns its figures. */
async function scenario(name, lines, root, shared) {
  const horizon = horizonOfRun();
  const inputs = makeCrontabs(lines, 42, name === 'c' ? { scripts: shared } : {});
  const out = { scenario: name, lines, crontabs: inputs.length };

  if (name === 'a') {
    // Baseline 1: parse only, with cron-parser (before the plan, as this bench always did).
    const t = performance.now();
    let parsed = 0;
    for (const f of inputs) {
      for (const line of f.text.split('\n')) {
        const m = /^(@\w+|\S+ \S+ \S+ \S+ \S+) /.exec(line);
        if (!m) continue;
        try { CronExpressionParser.parse(m[1] === '@daily' ? '0 0 * * *' : m[1] === '@hourly' ? '0 * * * *' : m[1] === '@weekly' ? '0 0 * * 0' : m[1]); parsed++; } catch { /* counted as unparsed */ }
      }
    }
    out.parseMs = performance.now() - t;
    out.parsedLines = parsed;
  }

  const counting = name === 'a' ? null : countingReader(rootReader(root));
  const counter = name === 'a' ? null : await parseCounter();
  counter?.reset();
  global.gc?.();
  const cpu = process.cpuUsage();
  const t = performance.now();
  // The prover the CLI uses (its proofs, and the parses of the scripts the lines name, shared with a worker thread):
  // part of what a plan costs, on both cores. Kept, to ask how many trees the worker made and the plan took.
  const cli = parallelProver();
  let pending = null;
  const prover = { start: (requests, parses) => (pending = cli.start(requests, parses)) };
  const plan = buildPlan(inputs, { target: 'rule', horizon, prover, ...(counting ? { reader: counting.reader } : {}) });
  out.planMs = performance.now() - t;
  // CPU time (user + system) beside the wall time: on a shared machine the wall time also counts other processes.
  const used = process.cpuUsage(cpu);
  out.cpuMs = (used.user + used.system) / 1000;
  out.peakBytes = process.resourceUsage().maxRSS * 1024;
  out.jobs = plan.jobs.length;
  out.summary = plan.summary;
  // Proved: every line has a verified schedule. Analysed (b, c): every line's script is among the job's files.
  out.proved = plan.jobs.filter((j) => j.schedule?.verification).length;
  if (counting) {
    out.analysed = plan.jobs.filter((j) => j.files.some((f) => /\/opt\/app\/bin\/job-\d+-\d+\.sh$/.test(f))).length;
    out.reads = counting.summary();
    // A tree the worker made that the plan did not take is a parse too (none should be: only what is analysed is named).
    const trees = pending?.trees?.stats?.() ?? { made: 0, used: 0, unused: 0 };
    out.trees = trees;
    out.parseCounter = counter ? { source: counter.source, ...counter.read() } : null;
    if (out.parseCounter) out.parseCounter.parses += trees.unused;
  }

  if (name === 'a') {
    // Baseline 2: minute-by-minute proof of a sample of distinct lines, scaled to all lines.
    const { parseCronFields } = await import('../dist/schedule/model.js');
    const sample = plan.jobs.filter((j) => j.schedule).slice(0, 10);
    const t2 = performance.now();
    const fromMin = horizon.fromDay * 1440;
    for (const j of sample) minuteWalk(parseCronFields(j.schedule.cron.split(' ')).spec, j.schedule.timezone, fromMin, fromMin + 7 * 1440);
    const walkMsPerLine = ((performance.now() - t2) / sample.length) * ((horizon.toDay - horizon.fromDay) / 7);
    out.walkMs = walkMsPerLine * plan.jobs.length;
    out.walkSample = sample.length;
  }
  return out;
}

const SELF = fileURLToPath(import.meta.url);

/** Runs one scenario in a fresh `node` child (its own max RSS) and returns its figures. */
function inChild(name, lines, root, shared) {
  const args = [...process.execArgv, SELF, '--scenario', name, '--lines', String(lines), '--shared', String(shared), ...(root ? ['--root', root] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000, maxBuffer: 64 * MiB });
  const last = (r.stdout ?? '').trim().split('\n').pop();
  if (r.status !== 0 || !last) throw new Error(`bench/plan scenario ${name}: child exited with ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}`);
  return JSON.parse(last);
}

const secs = (ms) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const mib = (b) => `${(b / MiB).toFixed(0)} MiB`;
const rate = (r) => `${Math.round(r.jobs / (r.planMs / 1000))} lines/s`;

export async function run({ lines = Number(process.env.BENCH_PLAN_LINES ?? FULL_LINES), shared = Number(process.env.BENCH_PLAN_SHARED ?? 200), log = console.log } = {}) {
  const scaled = lines !== FULL_LINES;
  // Time grows linearly with lines; a scaled run is judged against the same rate (memory keeps the full bound).
  const targetMs = TARGET_SECONDS * 1000 * (lines / FULL_LINES);
  const horizon = horizonOfRun();
  const root = writeServerTree(Math.max(lines, shared));
  let a;
  let b;
  let c;
  try {
    a = inChild('a', lines, null, shared);
    b = inChild('b', lines, root, shared);
    c = inChild('c', lines, root, shared);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  log(`bench/plan: ${lines} lines in ${a.crontabs} crontabs, ${horizon.toDay - horizon.fromDay} days proven per line; each scenario in its own node child`);
  // Start-up and JIT warm-up are a larger share of a small run, so a scaled run is slower per line than the full one.
  if (scaled) log(`  SCALED RUN: ${lines} lines, not the ${FULL_LINES} the targets are stated for; the time target is scaled linearly to ${secs(targetMs)} s`);
  const labels = ['(a) no scripts', `(b) ${lines} own scripts`, `(c) ${lines} lines sharing ${shared} scripts`];
  const width = Math.max(...labels.map((l) => l.length));
  const line = (label, r) => `  ${label.padEnd(width)}  ${secs(r.planMs).padStart(6)} s (cpu ${secs(r.cpuMs)} s) = ${rate(r)}, peak ${mib(r.peakBytes)}; ${r.summary.exact} exact, ${r.summary.inexact} inexact, ${r.summary.error} error; ${r.summary.ready} ready, ${r.summary.needsAttention} attention, ${r.summary.blocked} blocked`;
  log(line(labels[0], a));
  log(line(labels[1], b));
  log(line(labels[2], c));
  log(`  ratio b/a: ${(b.planMs / a.planMs).toFixed(1)}x the time (cpu ${(b.cpuMs / a.cpuMs).toFixed(1)}x), ${(b.peakBytes / a.peakBytes).toFixed(1)}x the peak memory; c/a: ${(c.planMs / a.planMs).toFixed(1)}x the time (cpu ${(c.cpuMs / a.cpuMs).toFixed(1)}x)`);
  // The wall time cannot fall below the CPU time spread over every core: a lower bound for any threading of the same
  // work, measured in the same run (cpu counts every thread of the child: analysis, proofs, garbage collection).
  const cores = availableParallelism();
  log(`  cpu floor: (b) used ${secs(b.cpuMs)} s of CPU; on ${cores} cores no schedule of that work ends before ${secs(b.cpuMs / cores)} s (target ${secs(targetMs)} s)`);
  for (const r of [b, c]) {
    log(`  (${r.scenario}) analysed ${r.analysed}/${r.jobs} lines with their script, proved ${r.proved}/${r.jobs}; readFile: ${r.reads.calls} calls for ${r.reads.paths} paths (${r.reads.misses} misses), at most ${r.reads.maxPerPath} for one path${r.reads.maxPath ? ` (${r.reads.maxPath})` : ''}, ${r.reads.pathsReadMoreThanOnce} paths read more than once`);
  }
  for (const r of [b, c]) {
    const p = r.parseCounter;
    if (!p) {
      log(`  (${r.scenario}) parse count unavailable`);
      continue;
    }
    const detail = p.fileParses !== undefined ? `: ${p.commandParses} of command lines, ${p.fileParses} of ${p.files} files (at most ${p.maxPerFile} for one file)` : '';
    log(`  (${r.scenario}) shell parses: ${p.parses}${detail} [${p.source}]; of them ${r.trees.used} parsed ahead on the worker thread (${r.trees.unused} not taken, counted)`);
  }
  log(`  baseline parse only (cron-parser, ${a.parsedLines} lines): ${a.parseMs.toFixed(0)} ms → the plan without scripts costs ${(a.planMs / a.parseMs).toFixed(1)}x a bare parse, with scripts ${(b.planMs / a.parseMs).toFixed(1)}x`);
  log(`  baseline minute walk (sampled ${a.walkSample} lines, scaled): ~${(a.walkMs / 1000).toFixed(0)} s → the proof is ${(a.walkMs / a.planMs).toFixed(0)}x faster than walking minutes`);

  const within = (r) => r.planMs <= targetMs && r.peakBytes <= TARGET_BYTES;
  const okA = within(a) && a.proved === a.jobs;
  const okB = within(b) && b.analysed === b.jobs && b.proved === b.jobs;
  // Each file read once and parsed once, whatever number of jobs use it; each crontab command is parsed once too.
  const filesRead = c.reads.paths;
  const parseBound = filesRead + c.jobs;
  const okC = c.parseCounter !== null && !c.parseCounter.source.startsWith('mvdan-sh') && c.parseCounter.parses <= parseBound && c.reads.maxPerPath <= 1 && c.analysed === c.jobs;
  const met = (ok) => (ok ? 'met' : 'NOT met');
  log(`  target (a): ≤ ${secs(targetMs)} s and ≤ 1 GiB peak, every line proved → ${met(okA)}`);
  log(`  target (b): ≤ ${secs(targetMs)} s and ≤ 1 GiB peak, every line analysed and proved → ${met(okB)}`);
  log(`  target (c): every file read once and parsed once (≤ ${parseBound} parses: ${filesRead} files + ${c.jobs} command lines, counted by dist/scripts/sh/parse.js) → ${met(okC)}`);
  const ok = okA && okB && okC;
  return {
    lines,
    scaled,
    planMs: a.planMs,
    cpuMs: a.cpuMs,
    linesPerSecond: a.jobs / (a.planMs / 1000),
    peakBytes: a.peakBytes,
    parseMs: a.parseMs,
    walkMs: a.walkMs,
    scripts: { planMs: b.planMs, cpuMs: b.cpuMs, linesPerSecond: b.jobs / (b.planMs / 1000), peakBytes: b.peakBytes, ratio: b.planMs / a.planMs, analysed: b.analysed, reads: b.reads, parses: b.parseCounter },
    shared: { scripts: shared, planMs: c.planMs, cpuMs: c.cpuMs, peakBytes: c.peakBytes, reads: c.reads, parses: c.parseCounter },
    ok,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (flag) => {
    const i = process.argv.indexOf(flag);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const name = arg('--scenario');
  if (name !== undefined) {
    // A child: one scenario, its figures as the last line of stdout.
    const r = await scenario(name, Number(arg('--lines')), arg('--root') ?? null, Number(arg('--shared')));
    process.stdout.write(JSON.stringify(r) + '\n');
  } else {
    const r = await run();
    process.exitCode = r.ok ? 0 : 1;
  }
}
