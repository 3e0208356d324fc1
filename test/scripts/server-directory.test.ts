// A server directory the job works in or names, whose contents stay on the server (server-directory). Before, `cd
// /var/www/uploads && tar czf /tmp/u.tgz .` was judged ready: the cd is rewritten to the zip's copy of the directory,
// which holds nothing of the server's, so on Lambda the job archived an empty directory and succeeded. A directory
// given as an argument (`sync.sh /var/www/uploads`) was not judged at all, and is not on Lambda.
import { describe, expect, test } from 'vitest';
import { bundleJob } from '../../src/scripts/bundle.js';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryReader, rootReader } from '../../src/scripts/reader.js';
import { buildPlan } from '../../src/plan/plan.js';
import { findingMessage } from '../../src/render/messages.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';
import { makeHorizon } from '../../src/schedule/translate.js';

const files: Record<string, string> = {
  '/opt/app/bin/run.sh': '#!/bin/bash\necho run\n',
  '/opt/app/bin/sync.sh': '#!/bin/bash\nset -e\ncd "$1"\nrsync -a ./ backup:/uploads/\n',
  '/opt/app/bin/own-data.sh': '#!/bin/bash\ncd "$(dirname "$0")/../data"\ntar czf /tmp/d.tgz .\n',
  '/opt/app/data/orders.csv': 'id\n',
  '/opt/app/data/old.csv': 'id\n',
  '/var/www/uploads/a.jpg': 'a',
  '/var/www/uploads/b.jpg': 'b',
  '/var/www/uploads/c.jpg': 'c',
  '/var/www/uploads/d.jpg': 'd',
  '/var/log/app/x.log': 'log',
};
const server = memoryReader(files);
const input = (command: string) => ({ command, shell: '/bin/bash', environment: {}, home: '/home/ghost', file: '/etc/crontab', line: 7 });
const found = (command: string, reader = server) =>
  bundleJob(input(command), reader).findings.filter((f) => f.code === 'server-directory').map((f) => [f.severity, f.file, f.line, f.args]);

describe('a server directory whose contents the zip does not hold', () => {
  test('a cd into it is a warning that names the directory and what the server holds there', () => {
    expect(found('cd /var/www/uploads && tar czf /tmp/u.tgz .')).toEqual([
      ['warning', '/etc/crontab', 7, { kind: 'cd', program: 'cd', reference: '/var/www/uploads', path: '/var/www/uploads', entries: 4, sample: ['a.jpg', 'b.jpg', 'c.jpg'] }],
    ]);
  });

  test('so is a cd made from the script\'s own directory into a data directory, on the script\'s line', () => {
    expect(found('/opt/app/bin/own-data.sh')).toEqual([
      ['warning', '/opt/app/bin/own-data.sh', 2, expect.objectContaining({ kind: 'cd', path: '/opt/app/data', entries: 2 })],
    ]);
  });

  test('a directory given to a program as an argument is a warning too (it is not on Lambda at all)', () => {
    expect(found('/opt/app/bin/sync.sh /var/www/uploads')).toEqual([
      ['warning', '/etc/crontab', 7, { kind: 'argument', program: 'sync.sh', reference: '/var/www/uploads', path: '/var/www/uploads', entries: 4, sample: ['a.jpg', 'b.jpg', 'c.jpg'] }],
    ]);
    expect(found('tar czf /tmp/u.tgz -C /var/www/uploads/ .').map((f) => (f[3] as { path: string }).path)).toEqual(['/var/www/uploads']);
  });

  test.each([
    ['the job\'s own scripts are there', 'cd /opt/app/bin && ./run.sh'],
    ['the job\'s own scripts are there (its own directory)', 'cd "$(dirname /opt/app/bin/run.sh)" && /opt/app/bin/run.sh'],
    ['the file it reads is bundled', 'cd /opt/app/data && wc -l /opt/app/data/orders.csv'],
    ['the server\'s running state (never bundled)', 'find /var/log/app -mtime +7 -delete'],
    ['a directory Lambda has', 'cd /opt && ls /etc'],
    ['a directory the job makes', 'mkdir -p /var/www/uploads'],
    ['text it prints or tests', 'echo /var/www/uploads; [ -d /var/www/uploads ] && logger /var/www/uploads'],
    ['a file, not a directory', 'cat /opt/app/data/orders.csv'],
  ])('none when %s', (_why, command) => {
    expect(found(command)).toEqual([]);
  });

  test('none for a directory that is empty on the server too', () => {
    const root = mkdtempSync(join(tmpdir(), 'c2l-empty-'));
    try {
      mkdirSync(join(root, 'srv/empty'), { recursive: true });
      expect(found('cd /srv/empty && ls', rootReader(root))).toEqual([]);
      mkdirSync(join(root, 'srv/empty/sub'));
      expect(found('cd /srv/empty && ls', rootReader(root)).map((f) => f[3])).toEqual([expect.objectContaining({ entries: 1, sample: ['sub'] })]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('a name that holds a credential is never one of the names shown', () => {
    const f = found('cd /srv/tokens && ls', memoryReader({ '/srv/tokens/ghp_0123456789abcdefghijABCDEFGHIJ0123456789': 'x', '/srv/tokens/README': 'x' }));
    expect(f.map((x) => x[3])).toEqual([expect.objectContaining({ entries: 2, sample: ['README'] })]);
  });

  test('a directory too large to list counts as holding something', () => {
    const big: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) big[`/srv/spool/f${i}`] = '';
    const f = found('cd /srv/spool && ls', memoryReader(big));
    expect(f.map((x) => x[3])).toEqual([expect.objectContaining({ path: '/srv/spool', entries: null, sample: [] })]);
  });

  test('the job needs attention, and the sentence says the job works with nothing and succeeds', () => {
    const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 30);
    const plan = buildPlan(
      [{ file: '/etc/crontab', text: 'CRON_TZ=UTC\n0 3 * * * root cd /var/www/uploads && tar czf /tmp/u.tgz . && aws s3 cp /tmp/u.tgz s3://b/\n0 4 * * * root /opt/app/bin/sync.sh /var/www/uploads\n', system: true }],
      { target: 'rule', horizon, reader: server },
    );
    expect(plan.jobs.map((j) => [j.status, j.verdict, j.findings.some((f) => f.code === 'server-directory')])).toEqual([
      ['migrate', 'needs-attention', true],
      ['migrate', 'needs-attention', true],
    ]);
    const [cd, arg] = plan.jobs.map((j) => findingMessage(j.findings.find((f) => f.code === 'server-directory')!));
    expect(cd).toContain('the job works in /var/www/uploads, where the server\'s copy holds 4 entries (a.jpg, b.jpg, c.jpg, ...)');
    expect(cd).toContain('it does with nothing, and succeeds');
    expect(arg).toContain('sync.sh is given /var/www/uploads, a directory where the server\'s copy holds 4 entries');
    expect(arg).toContain('on Lambda the directory is not there');
  });
});
