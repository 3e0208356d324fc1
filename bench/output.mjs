// Output throughput of the bootstrap's stderr copier (templates/bootstrap: c2l_stderr_copy) against `cat` in the
// same run. All read a pipe and write into a pipe drained by another cat, as Lambda's log pipe would be.
// The copier is what bootstrap runs on Lambda: the zip's c2l-copy for this machine (src/package/copier.ts: 128 KiB
// reads, the tail kept in memory). Its fallback, coreutils tee with tail (used where c2l-copy does not start), is
// timed beside it, and `tee` alone, the floor of any copier built on tee, which reads 8 KB (BUFSIZ) at a time where
// cat reads up to 128 KB.
// Cases: 20 MB of stderr in 100-byte lines (the target: issue 9 asks for the copier within 2x of cat for 20 MB; a
// run lasts ~100 ms, which load moves a lot, hence many alternating runs and the median), the same lines at 10x the
// volume, and a single 7 MB line.
// Each case runs its variants alternately, so that load coming and going falls on all alike, and reports the
// median, min and max wall time of each and the ratio of the medians; the CPU time (user + sys of every process in
// the pipeline, which load barely moves) is reported beside it as a check on the wall figure.
// Build first (npx tsc -p tsconfig.json), then: node bench/output.mjs. Environment: BENCH_OUTPUT_RUNS (default 11),
// BENCH_OUTPUT_MB (default 200).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BOOTSTRAP = fileURLToPath(new URL('../templates/bootstrap', import.meta.url));
const MB = 1024 * 1024;

/**
 * The copier's function text and its tail size, taken from the shipped bootstrap (not a copy of it), with
 * C2L_COPIER set as bootstrap sets it: the program's path, or empty for the tee fallback.
 */
function copierSource(program) {
  const text = readFileSync(BOOTSTRAP, 'utf8');
  const fn = /^c2l_stderr_copy\(\) \{\n[^]*?^\}\n/m.exec(text);
  const bytes = /^readonly C2L_TAIL_BYTES=(\d+)$/m.exec(text);
  if (!fn || !bytes) throw new Error('c2l_stderr_copy or C2L_TAIL_BYTES not found in templates/bootstrap');
  return `C2L_TAIL_BYTES=${bytes[1]}\nC2L_COPIER='${program}'\n${fn[0]}`;
}

/** This machine's c2l-copy, as packageJob puts it in every zip, written to DIR. */
async function writeCopier(dir) {
  const { copierElf } = await import('../dist/package/copier.js');
  const hosttype = { x64: 'x86_64', arm64: 'aarch64' }[arch()];
  if (!hosttype) throw new Error(`no c2l-copy for ${arch()}`);
  const path = join(dir, `c2l-copy-${hosttype}`);
  writeFileSync(path, copierElf(hosttype), { mode: 0o755 });
  return path;
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];

/** Seconds of wall time and of CPU time (children's user + sys, from `times`) for SCRIPT, run by bash. */
function timeBash(script, args) {
  const r = spawnSync('bash', ['-c', `t0=$EPOCHREALTIME\n${script}\nt1=$EPOCHREALTIME\necho "s $t0 $t1"\ntimes`, 'bench', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`bash exited ${r.status}: ${r.stderr}`);
  const [, t0, t1] = /s (\S+) (\S+)/.exec(r.stdout) ?? [];
  // `times` prints the shell's own user/sys on one line, then its children's: "0m1.234s 0m0.567s".
  const kids = /^(\d+)m([\d.,]+)s (\d+)m([\d.,]+)s$/m.exec(r.stdout.trimEnd().split('\n').at(-1) ?? '');
  if (!t0 || !t1 || !kids) throw new Error(`unexpected timing output: ${r.stdout}`);
  const num = (s) => Number(s.replace(',', '.'));
  return {
    wall: num(t1) - num(t0),
    cpu: Number(kids[1]) * 60 + num(kids[2]) + Number(kids[3]) * 60 + num(kids[4]),
  };
}

const ms = (s) => `${(s * 1000).toFixed(0)}`;

export async function run({
  runs = Number(process.env.BENCH_OUTPUT_RUNS ?? 11),
  bigMb = Number(process.env.BENCH_OUTPUT_MB ?? 200),
  log = console.log,
} = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'c2l-bench-output-'));
  try {
    const line = `${'x'.repeat(99)}\n`;
    const files = {
      big: join(dir, 'big'),
      small: join(dir, 'small'),
      single: join(dir, 'single'),
    };
    writeFileSync(files.small, line.repeat((20 * MB) / 100));
    writeFileSync(files.big, line.repeat(Math.round((bigMb * MB) / 100)));
    writeFileSync(files.single, `${'y'.repeat(7 * MB)}\n`);
    const program = await writeCopier(dir);
    // The copier writes the job's stderr to its stderr and "done" to its stdout; cat writes to its stdout.
    const through = (source) => `${source}\n{ cat "$1" | c2l_stderr_copy "$2" >/dev/null; } 2>&1 | cat >/dev/null\n[[ -s $2 ]] || exit 9`;
    const viaCopier = through(copierSource(program));
    const viaFallback = through(copierSource(''));
    const viaCat = `{ cat "$1" | cat; } | cat >/dev/null`;
    const viaTee = `{ cat "$1" | tee /dev/null; } | cat >/dev/null`;
    const bigLabel = `${bigMb} MB in 100-byte lines`;
    const cases = [
      [bigLabel, files.big],
      ...(bigMb === 20 ? [] : [['20 MB in 100-byte lines', files.small]]),
      ['one 7 MB line', files.single],
    ];
    const result = { runs, cases: {}, ok: true };
    log(`stderr throughput: the bootstrap's copier (c2l-copy) and its fallback (tee + tail) vs cat, ${runs} runs each, alternating; wall ms median [min-max]`);
    const stats = (ts) => {
      const wall = sorted(ts.map((t) => t.wall));
      return { median: median(wall), min: wall[0], max: wall.at(-1), cpu: median(ts.map((t) => t.cpu)) };
    };
    const show = (s) => `${ms(s.median)} [${ms(s.min)}-${ms(s.max)}]`;
    for (const [label, file] of cases) {
      const withTee = file === files.big;
      const copierT = [];
      const fallbackT = [];
      const catT = [];
      const teeT = [];
      for (let i = 0; i < runs; i++) {
        // which goes first rotates too, so none always follows another's page-cache and scheduler state
        const round = [
          () => catT.push(timeBash(viaCat, [file])),
          () => copierT.push(timeBash(viaCopier, [file, join(dir, 'tail')])),
          () => fallbackT.push(timeBash(viaFallback, [file, join(dir, 'tail')])),
        ];
        if (withTee) round.push(() => teeT.push(timeBash(viaTee, [file])));
        for (let j = 0; j < round.length; j++) round[(i + j) % round.length]();
      }
      const c = stats(copierT);
      const f = stats(fallbackT);
      const k = stats(catT);
      const ratio = c.median / k.median;
      const cpuRatio = c.cpu / k.cpu;
      result.cases[label] = { copierS: c.median, catS: k.median, copier: c, cat: k, ratio, cpuRatio, fallback: { ...f, ratio: f.median / k.median, cpuRatio: f.cpu / k.cpu } };
      log(
        `  ${label.padEnd(24)} copier ${show(c)}   cat ${show(k)}   ratio ${ratio.toFixed(2)}x` +
          `   (cpu ${ms(c.cpu)} vs ${ms(k.cpu)} ms, ${cpuRatio.toFixed(2)}x)`,
      );
      log(
        `  ${''.padEnd(24)} fallback (tee + tail) ${show(f)}   ratio ${(f.median / k.median).toFixed(2)}x   (cpu ${ms(f.cpu)} ms, ${(f.cpu / k.cpu).toFixed(2)}x)`,
      );
      if (withTee) {
        const t = stats(teeT);
        result.cases[label].tee = { ...t, ratio: t.median / k.median, cpuRatio: t.cpu / k.cpu };
        log(
          `  ${''.padEnd(24)} tee alone ${show(t)} (no tail: the floor of a tee copier)   ratio ${(t.median / k.median).toFixed(2)}x` +
            `   (cpu ${ms(t.cpu)} ms, ${(t.cpu / k.cpu).toFixed(2)}x)`,
        );
      }
    }
    // The target is the issue's: 20 MB, for what bootstrap runs on Lambda (c2l-copy). The fallback's ratios are
    // reported beside it: tee's 8 KB reads, which no coreutils-only copier avoids (see the header).
    const small = result.cases['20 MB in 100-byte lines'] ?? result.cases[bigLabel];
    const target = small.ratio;
    result.ok = target <= 2;
    log(
      `  target: copier within 2x of cat for 20 MB (issue 9): ${result.ok ? 'met' : 'NOT met'} (${target.toFixed(2)}x, median of ${runs} alternating runs; ` +
        `fallback ${small.fallback.ratio.toFixed(2)}x); ${bigMb} MB: ${result.cases[bigLabel].ratio.toFixed(2)}x (fallback ${result.cases[bigLabel].fallback.ratio.toFixed(2)}x, tee alone ${result.cases[bigLabel].tee.ratio.toFixed(2)}x)`,
    );
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
