// The `background` readiness finding: work started in the background does not survive on Lambda.
import { describe, expect, test } from 'vitest';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { backgroundFindings, isShellText } from '../../src/scripts/findings.js';
import { memoryReader } from '../../src/scripts/reader.js';

const codes = (text: string) => backgroundFindings([{ file: '/srv/x.sh', text }]).map((f) => [f.code, f.severity, f.line]);

describe('backgroundFindings', () => {
  test('finds `&`, nohup, disown and setsid, one finding per line, as warnings', () => {
    const script = ['#!/bin/bash', 'sync_files &', 'nohup /opt/app/bin/worker > /tmp/w.log 2>&1', 'long_task & disown', '/usr/bin/setsid daemon', '(inner &)', 'echo done'].join('\n');
    expect(codes(script)).toEqual([
      ['background', 'warning', 2],
      ['background', 'warning', 3],
      ['background', 'warning', 4],
      ['background', 'warning', 5],
      ['background', 'warning', 6],
    ]);
  });

  test('ignores &&, >&2, &>, a quoted "&" and words that only mention nohup', () => {
    expect(codes('a && b\necho err >&2\nrun &> /tmp/log\necho "a & b" \'nohup\'\ngrep nohup /etc/x\nwait\n')).toEqual([]);
  });

  test('takes `&` in a script that calls wait as waited for, but not nohup', () => {
    expect(codes('a &\nb &\nnohup c\nwait\n')).toEqual([['background', 'warning', 3]]);
  });

  test('counts crontab lines from their place in the crontab', () => {
    const f = backgroundFindings([{ file: '/etc/crontab', text: '/opt/x.sh &', lineBase: 11 }]);
    expect(f.map((x) => [x.file, x.line])).toEqual([['/etc/crontab', 12]]);
  });

  test('isShellText: shell shebangs, no shebang, sourced files; not python, not binary', () => {
    expect(isShellText('#!/bin/sh\nx &\n')).toBe(true);
    expect(isShellText('#!/usr/bin/env bash\n')).toBe(true);
    expect(isShellText('x=1 &\n')).toBe(true);
    expect(isShellText('#!/usr/bin/python3\na = b & c\n')).toBe(false);
    expect(isShellText('#!/usr/bin/python3\n', true)).toBe(true);
    expect(isShellText(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0]))).toBe(false);
  });
});

describe('analyzeJob', () => {
  test('reports background work in the crontab command and in a bundled script, not in a python helper', () => {
    const a = analyzeJob(
      { command: '/srv/job.sh & /srv/helper.py', shell: '/bin/sh', environment: {}, home: null, file: '/etc/crontab', line: 7 },
      memoryReader({
        '/srv/job.sh': '#!/bin/sh\nnohup /srv/helper.py &\necho started\n',
        '/srv/helper.py': '#!/usr/bin/python3\nprint(1 & 2)\n',
      }),
    );
    const bg = a.findings.filter((f) => f.code === 'background').map((f) => [f.file, f.line]);
    expect(bg).toEqual([
      ['/etc/crontab', 7],
      ['/srv/job.sh', 2],
    ]);
    expect(a.verdict).not.toBe('ready');
  });
});
