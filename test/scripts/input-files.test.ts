// Files a job reads on its standard input (`mysql shop < /opt/app/sql/report.sql`, `while read ...; done < LIST`):
// on Lambda the server's files exist only as the zip's copy. Before, they were neither bundled nor reported, so a job
// judged ready failed on every run (the redirection fails and the command does not run) or read nothing.
import { describe, expect, test } from 'vitest';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { bundleJob } from '../../src/scripts/bundle.js';
import { memoryReader } from '../../src/scripts/reader.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const input = (command: string) => ({ command, shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/var/spool/cron/crontabs/deploy', line: 4 });
const server = memoryReader({
  '/opt/app/bin/load.sh': [
    '#!/bin/bash',
    'mysql -h db.example.com shop < /opt/app/sql/report.sql',
    'while read -r host; do echo "$host"; done < "$(dirname "$0")/../etc/hosts.list"',
    'sort < /tmp/made-by-the-job',
    'cat < /dev/null',
    'wc -l < /etc/hosts',
    'grep x < "$LIST"',
    '',
  ].join('\n'),
  // read, not run: nothing in it is followed
  '/opt/app/sql/report.sql': 'select 1;\n-- /opt/app/bin/not-run.sh\n',
  '/opt/app/etc/hosts.list': 'db1\ndb2\n',
  '/opt/app/bin/not-run.sh': '#!/bin/bash\necho no\n',
  '/etc/app/targets': 'a\n',
  '/home/deploy/list.txt': 'l\n',
  '/opt/app/etc/app.conf': 'db_password=Zq7xLm2Vt9Rk4Wp8\n',
});

describe('files read through < are bundled as data', () => {
  test('in a script: bundled as input files (not run, not followed), the absolute reference rewritten', () => {
    const r = bundleJob(input('/opt/app/bin/load.sh'), server);
    expect(r.files.map((f) => [f.path, f.reason, f.mode.toString(8)])).toEqual([
      ['/opt/app/bin/load.sh', 'command', '755'],
      ['/opt/app/etc/hosts.list', 'input', '644'],
      ['/opt/app/sql/report.sql', 'input', '644'],
    ]);
    expect(text(r.files[0].content).split('\n').slice(1, 4)).toEqual([
      'mysql -h db.example.com shop < "$LAMBDA_TASK_ROOT"/opt/app/sql/report.sql',
      // $(dirname "$0") is the copy's directory on Lambda already
      'while read -r host; do echo "$host"; done < "$(dirname "$0")/../etc/hosts.list"',
      'sort < /tmp/made-by-the-job',
    ]);
    expect(text(r.files[2].content)).toBe('select 1;\n-- /opt/app/bin/not-run.sh\n');
    expect(r.findings).toEqual([]);
    expect(r.error).toBe(false);
  });

  test('on the crontab line, relative to HOME where cron starts, and under /etc when the copy has it', () => {
    const r = bundleJob(input('sort < list.txt; cut -c1 < /etc/app/targets'), server);
    expect(r.files.map((f) => [f.path, f.reason])).toEqual([
      ['/etc/app/targets', 'input'],
      ['/home/deploy/list.txt', 'input'],
    ]);
    expect(r.command).toBe('sort < "$LAMBDA_TASK_ROOT"/home/deploy/list.txt; cut -c1 < "$LAMBDA_TASK_ROOT"/etc/app/targets');
  });

  test('one missing from the copy is a missing input file that makes the job an error; /etc, /tmp, /dev and run-time paths are left alone', () => {
    const a = analyzeJob(input('psql < /opt/app/sql/gone.sql; wc -l < /etc/hosts; cat < /tmp/x < /dev/null; sort < "$F"'), server);
    expect(a.findings.filter((f) => f.code === 'missing-file').map((f) => [f.args, f.line])).toEqual([
      [{ kind: 'not-under-root', role: 'input file', reference: '/opt/app/sql/gone.sql', path: '/opt/app/sql/gone.sql' }, 4],
    ]);
    expect(a.error).toBe(true);
    expect(a.bundle.files).toEqual([]);
  });

  test('an input file is scanned for credentials and redacted in its copy; a credential store is refused', () => {
    const a = analyzeJob(input('app-config-check < /opt/app/etc/app.conf'), server);
    expect(a.findings.filter((f) => f.code === 'secret').map((f) => f.file)).toEqual(['/opt/app/etc/app.conf']);
    expect(text(a.bundle.files[0].content)).not.toContain('Zq7xLm2Vt9Rk4Wp8');
    const shadow = analyzeJob(input('cut -d: -f1 < /etc/shadow'), memoryReader({ '/etc/shadow': 'root:*:1::::::\n' }));
    expect(shadow.findings.map((f) => f.code)).toContain('credential-file');
    expect(shadow.error).toBe(true);
  });
});
