// A second fixture server (fixtures/servers/db02), written and labelled separately from the analyser's own
// fixtures, as an independent check of precision and recall: every expected finding is listed here, by hand.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { rootReader } from '../../src/scripts/reader.js';
import { runtimeView } from '../../src/runtime/judge.js';
import { probeSnapshot } from '../support/runtime.js';

const reader = rootReader(join(import.meta.dirname, '../../fixtures/servers/db02'));

const EXPECTED: Record<string, string[]> = {
  'vacuum.sh': ['4 sudo', '4 local-service', '4 missing-command', '5 service-control'],
  'export.sh': ['4 secret', '4 network', '4 missing-command', '5 missing-command', '6 aws-cli', '7 remote-host', '7 network', '7 missing-command'],
  'cache.sh': ['4 network', '4 write-outside-tmp', '6 local-service', '6 missing-command'],
  'rotate.sh': ['3 missing-directory', '4 write-outside-tmp', '5 write-outside-tmp'],
  'watch.sh': ['3 long-running', '4 local-service', '6 long-running', '8 mail', '8 missing-command'],
  'safe.sh': [],
  'sync.sh': ['4 flock', '5 missing-command', '5 remote-host', '5 network'],
};

describe('independent fixture set (db02)', () => {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`finds exactly the expected codes and lines in ${file}`, () => {
      const a = analyzeJob({ command: `/opt/ops/${file}`, shell: '/bin/bash', environment: {}, home: '/root', file: 'crontab', line: 1 }, reader);
      const found = a.findings.filter((f) => f.file === `/opt/ops/${file}`).map((f) => `${f.line} ${f.code}`);
      const fs = new Set(found);
      const es = new Set(expected);
      for (const k of fs) (es.has(k) ? tp++ : fp++);
      for (const k of es) if (!fs.has(k)) fn++;
      expect([...fs].sort()).toEqual([...es].sort());
      // Judged against the shipped list, a missing command is unverified: a warning, not a blocker.
      expect(a.verdict).toBe(expected.length === 0 ? 'ready' : expected.some((e) => /sudo|local-service|service-control|missing-directory/.test(e)) ? 'blocked' : 'needs-attention');
      const probed = analyzeJob({ command: `/opt/ops/${file}`, shell: '/bin/bash', environment: {}, home: '/root', file: 'crontab', line: 1 }, reader, { runtime: runtimeView(probeSnapshot()) });
      expect(probed.verdict).toBe(expected.length === 0 ? 'ready' : expected.some((e) => /sudo|local-service|missing-command|service-control|missing-directory/.test(e)) ? 'blocked' : 'needs-attention');
    });
  }
  it('lists the IAM action of an upload whose key expands a variable', () => {
    const a = analyzeJob({ command: '/opt/ops/export.sh', shell: '/bin/bash', environment: {}, home: '/root' }, reader);
    expect(a.findings.find((f) => f.code === 'aws-cli')?.detail?.permissions).toEqual(['s3:PutObject']);
  });
  it('reports precision and recall', () => {
    const precision = tp / (tp + fp);
    const recall = tp / (tp + fn);
    console.log(`db02 findings: tp=${tp} fp=${fp} fn=${fn} precision=${precision.toFixed(3)} recall=${recall.toFixed(3)}`);
    expect(tp).toBe(28);
  });
});
