// Precision and recall of the findings over the fixture server tree fixtures/servers/app01.
// Every expected finding is written next to the line it belongs to, as `# expect: code code`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { rootReader } from '../../src/scripts/reader.js';

const ROOT = join(import.meta.dirname, '../../fixtures/servers/app01');
const reader = rootReader(ROOT);
const CHECKS = '/opt/app/checks';

/** The codes a fixture file expects, as "file:line:code" keys. */
function expectedIn(serverPath: string): string[] {
  const text = readFileSync(join(ROOT, serverPath), 'utf8');
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /# expect: ([a-z -]+)$/.exec(line);
    if (m) for (const code of m[1].trim().split(/\s+/)) out.push(`${serverPath}:${i + 1}:${code}`);
  });
  return out;
}

function job(command: string, environment: Record<string, string> = {}) {
  return analyzeJob({ command, shell: '/bin/bash', environment, home: '/home/deploy', file: '/var/spool/cron/crontabs/deploy', line: 7 }, reader);
}

const checkFiles = readdirSync(join(ROOT, CHECKS.slice(1))).filter((f) => f.endsWith('.sh')).sort();

describe('fixture checks: exact codes and lines', () => {
  const all = { tp: 0, fp: 0, fn: 0 };
  const misses: string[] = [];
  for (const f of checkFiles) {
    test(f, () => {
      const path = `${CHECKS}/${f}`;
      const a = job(path);
      const found = a.findings.filter((x) => x.file === path).map((x) => `${x.file}:${x.line}:${x.code}`);
      const expected = expectedIn(path);
      const fs = new Set(found);
      const es = new Set(expected);
      for (const k of fs) if (es.has(k)) all.tp++; else { all.fp++; misses.push(`unexpected ${k}`); }
      for (const k of es) if (!fs.has(k)) { all.fn++; misses.push(`missed ${k}`); }
      expect([...fs].sort()).toEqual([...es].sort());
    });
  }
  test('precision and recall over the fixture set', () => {
    // plus every script the crontab-style jobs reach (bin/, lib/, the home directory)
    const CRONTAB = '/var/spool/cron/crontabs/deploy';
    const jobs: Array<{ analysis: ReturnType<typeof job>; crontab: string[] }> = [
      { analysis: job('/opt/app/bin/backup.sh --full >> /var/log/backup.log 2>&1'), crontab: ['output-redirect'] },
      { analysis: job('report.sh', { PATH: '/opt/app/bin:/usr/bin:/bin' }), crontab: [] },
      { analysis: job('jobs/cleanup.sh'), crontab: [] },
      { analysis: job('flock -n /var/lock/report.lock /opt/app/bin/report.sh'), crontab: ['flock'] },
      { analysis: job('/opt/app/bin/nope.sh && mysql -h db.internal -e "select 1"'), crontab: ['missing-file', 'missing-command', 'network'] },
    ];
    const found = new Set<string>();
    const expected = new Set<string>();
    jobs.forEach(({ analysis: a, crontab }, i) => {
      for (const f of a.bundle.files) for (const k of expectedIn(f.path)) expected.add(k);
      for (const code of crontab) expected.add(`job${i}|${CRONTAB}:7:${code}`);
      for (const x of a.findings) found.add(x.file === CRONTAB ? `job${i}|${x.file}:${x.line}:${x.code}` : `${x.file}:${x.line}:${x.code}`);
    });
    for (const k of found) if (expected.has(k)) all.tp++; else { all.fp++; misses.push(`unexpected ${k}`); }
    for (const k of expected) if (!found.has(k)) { all.fn++; misses.push(`missed ${k}`); }
    const precision = all.tp / (all.tp + all.fp);
    const recall = all.tp / (all.tp + all.fn);
    console.log(`fixture findings: tp=${all.tp} fp=${all.fp} fn=${all.fn} precision=${precision.toFixed(3)} recall=${recall.toFixed(3)}`);
    if (misses.length) console.log(misses.join('\n'));
    expect(precision).toBe(1);
    expect(recall).toBe(1);
  });
});
