// A file of /tmp read before the job writes it: state carried from one run to the next (run-state). Before, nothing
// was said: on Lambda /tmp belongs to a sandbox a later run may or may not get, so a marker or a lock is there on some
// runs only, and a lock left by a run that was killed at its timeout stops every later run in that sandbox.
import { describe, expect, test } from 'vitest';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { memoryReader } from '../../src/scripts/reader.js';
import { findingMessage } from '../../src/render/messages.js';

const reader = memoryReader({
  '/opt/app/bin/report.sh': [
    '#!/bin/bash',
    '[ -f /tmp/report.lock ] && exit 0',
    'touch /tmp/report.lock',
    'LAST=$(cat /tmp/report.last)',
    'read -r id < /tmp/report.id',
    'psql -c "select 1" > /tmp/report.csv',
    'gzip /tmp/report.csv',
    'date +%s > /tmp/report.last',
    'echo 7 > /tmp/report.id',
    'rm -f /tmp/report.lock',
    '',
  ].join('\n'),
});
const found = (command: string) =>
  analyzeJob({ command, shell: '/bin/bash', environment: {}, home: '/home/x', file: '/etc/crontab', line: 2 }, reader).findings.filter((f) => f.code === 'run-state');

describe('a file of /tmp carried from one run to the next', () => {
  test('a test or a read on a line before the one that writes it is a warning there, once per file', () => {
    const f = found('/opt/app/bin/report.sh');
    expect(f.map((x) => [x.severity, x.file, x.line, x.args])).toEqual([
      ['warning', '/opt/app/bin/report.sh', 2, { path: '/tmp/report.lock', writtenAt: 3 }],
      ['warning', '/opt/app/bin/report.sh', 4, { path: '/tmp/report.last', writtenAt: 8 }],
      ['warning', '/opt/app/bin/report.sh', 5, { path: '/tmp/report.id', writtenAt: 9 }],
    ]);
    expect(findingMessage(f[0])).toContain('the job looks for /tmp/report.lock before it writes it (line 3)');
    expect(findingMessage(f[0])).toContain('one left by a run that was killed stops every later run in that sandbox');
  });

  test('a file written through >& FILE counts as written (the write redirections are the ones write-outside-tmp reads)', () => {
    expect(found('[ -f /tmp/a.pid ] && exit 0\necho $$ >& /tmp/a.pid').map((f) => [f.line, f.args])).toEqual([[2, { path: '/tmp/a.pid', writtenAt: 3 }]]);
  });

  test('a [[ ]] test too', () => {
    expect(found('[[ -e /tmp/alert.sent ]] && exit 0\nmail -s x ops < /dev/null; touch /tmp/alert.sent').map((f) => [f.line, f.args])).toEqual([[2, { path: '/tmp/alert.sent', writtenAt: 3 }]]);
  });

  test('a directory of /tmp made as a lock (mkdir without -p)', () => {
    const f = found('mkdir /tmp/sync.lock 2>/dev/null || exit 0\n/bin/true; rmdir /tmp/sync.lock');
    expect(f.map((x) => [x.line, x.args])).toEqual([[2, { path: '/tmp/sync.lock', writtenAt: 2, lock: true }]]);
    expect(findingMessage(f[0])).toContain('the job makes /tmp/sync.lock as a lock (mkdir fails when it is there)');
    expect(found('mkdir -p /tmp/work && cd /tmp/work')).toEqual([]);
  });

  test.each([
    ['a file the run writes first, then reads', 'psql -c x > /tmp/a.csv; gzip /tmp/a.csv'],
    ['a working directory made when missing', '[ -d /tmp/work ] || mkdir -p /tmp/work; echo x > /tmp/work/f'],
    ['a leftover cleared before it is written', '[ -f /tmp/out.csv ] && rm -f /tmp/out.csv\npsql -c x > /tmp/out.csv'],
    ['a file of its own process ($$)', '[ -f /tmp/job.$$ ] || echo $$ > /tmp/job.$$'],
    ['a file it reads and never writes', 'cat /tmp/given.txt'],
  ])('none for %s', (_why, command) => {
    expect(found(command)).toEqual([]);
  });
});
