// Output throughput of the bootstrap's stderr copier (templates/bootstrap: c2l_stderr_copy, tee + tail -c) against
// `cat` in the same run: 20 MB of stderr in 100-byte lines, and a single 7 MB line. Both read a pipe and write into a
// pipe drained by another cat, as Lambda's log pipe would be. Target: the copier within 2x of cat for 20 MB.
// Build not needed: node bench/output.mjs. Environment: BENCH_OUTPUT_RUNS (default 3; the median is reported).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BOOTSTRAP = fileURLToPath(new URL('../templates/bootstrap', import.meta.url));

/** The copier's function text and its tail size, taken from the shipped bootstrap (not a copy of it). */
function copierSource() {
  const text = readFileSync(BOOTSTRAP, 'utf8');
  const fn = /^c2l_stderr_copy\(\) \{\n[^]*?^\}\n/m.exec(text);
  const bytes = /^readonly C2L_TAIL_BYTES=(\d+)$/m.exec(text);
  if (!fn || !bytes) throw new Error('c2l_stderr_copy or C2L_TAIL_BYTES not found in templates/bootstrap');
  return `C2L_TAIL_BYTES=${bytes[1]}\n${fn[0]}`;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seconds for SCRIPT (bash, stdin /dev/null), measured inside bash with EPOCHREALTIME. */
function timeBash(script, args) {
  const r = spawnSync('bash', ['-c', `t0=$EPOCHREALTIME\n${script}\nt1=$EPOCHREALTIME\necho "s $t0 $t1"`, 'bench', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`bash exited ${r.status}: ${r.stderr}`);
  const [, t0, t1] = /s (\S+) (\S+)/.exec(r.stdout) ?? [];
  return Number(t1.replace(',', '.')) - Number(t0.replace(',', '.'));
}

export async function run({ runs = Number(process.env.BENCH_OUTPUT_RUNS ?? 3), log = console.log } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'c2l-bench-output-'));
  try {
    const lines = join(dir, 'lines');
    const single = join(dir, 'single');
    const line = `${'x'.repeat(99)}\n`;
    writeFileSync(lines, line.repeat((20 * 1024 * 1024) / 100));
    writeFileSync(single, `${'y'.repeat(7 * 1024 * 1024)}\n`);
    const copier = copierSource();
    // The copier writes the job's stderr to its stderr and "done" to its stdout; cat writes to its stdout.
    const viaCopier = `${copier}\n{ cat "$1" | c2l_stderr_copy "$2" >/dev/null; } 2>&1 | cat >/dev/null\n[[ -s $2 ]] || exit 9`;
    const viaCat = `{ cat "$1" | cat; } | cat >/dev/null`;
    const result = { runs, cases: {}, ok: true };
    log(`stderr throughput: the bootstrap's copier (tee + tail -c) vs cat, median of ${runs} runs`);
    for (const [label, file] of [['20 MB in 100-byte lines', lines], ['one 7 MB line', single]]) {
      const copierS = [];
      const catS = [];
      for (let i = 0; i < runs; i++) {
        catS.push(timeBash(viaCat, [file]));
        copierS.push(timeBash(viaCopier, [file, join(dir, 'tail')]));
      }
      const c = median(copierS);
      const k = median(catS);
      result.cases[label] = { copierS: c, catS: k, ratio: c / k };
      log(`  ${label.padEnd(24)} copier ${(c * 1000).toFixed(0)} ms   cat ${(k * 1000).toFixed(0)} ms   ratio ${(c / k).toFixed(2)}x`);
    }
    const target = result.cases['20 MB in 100-byte lines'].ratio;
    result.ok = target <= 2;
    log(`  target: copier within 2x of cat for 20 MB: ${result.ok ? 'met' : 'NOT met'} (${target.toFixed(2)}x)`);
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
