// Files a job reads on its standard input (`mysql shop < /opt/app/sql/report.sql`, `while read ...; done < LIST`) or
// names as an argument of a program known to read it (`cat LIST`, `psql -f FILE`, `--config FILE`): on Lambda the
// server's files exist only as the zip's copy. Before, they were neither bundled nor reported, so a job
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
  '/etc/passwd': 'deploy:x:1000:1000::/home/deploy:/bin/bash\n',
  '/etc/hosts': '10.0.0.5 db.internal\n',
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

  test('on the crontab line, relative to HOME where cron starts, and under /etc when the copy has it (not the system\'s own files)', () => {
    const r = bundleJob(input('sort < list.txt; cut -c1 < /etc/app/targets; cut -d: -f1 < /etc/passwd; head -n 1 /etc/hosts'), server);
    expect(r.files.map((f) => [f.path, f.reason])).toEqual([
      ['/etc/app/targets', 'input'],
      ['/home/deploy/list.txt', 'input'],
    ]);
    expect(r.command).toBe('sort < "$LAMBDA_TASK_ROOT"/home/deploy/list.txt; cut -c1 < "$LAMBDA_TASK_ROOT"/etc/app/targets; cut -d: -f1 < /etc/passwd; head -n 1 /etc/hosts');
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

describe('files named as arguments a program is known to read are bundled as data', () => {
  const reads = [
    'cat /opt/app/etc/hosts.list | sort',
    'head -n 3 /opt/app/etc/hosts.list',
    'grep -c db /opt/app/etc/hosts.list /tmp/x',
    'cp /opt/app/sql/report.sql /opt/app/etc/hosts.list /tmp/',
    'psql -h db.example.com -f /opt/app/sql/report.sql',
    '/usr/bin/tool --config /opt/app/etc/tool.yml --defaults-extra-file=/opt/app/etc/my.cnf',
  ].join('\n');
  const kept = [
    // printed, a pattern, written, a directory or a number: not files read
    'echo /opt/app/etc/hosts.list',
    'grep /opt/app/etc/hosts.list',
    'grep -e /opt/app/etc/hosts.list /tmp/x',
    'cp /tmp/x /opt/app/etc/hosts.list',
    'cp -t /opt/app/etc /tmp/x',
    'sort -o /opt/app/etc/hosts.list /tmp/x',
    'tail -n +8 /tmp/x',
    'rm -f /opt/app/etc/hosts.list',
  ].join('\n');
  const reader = memoryReader({
    '/opt/app/bin/reads.sh': `#!/bin/bash\n${reads}\n`,
    '/opt/app/bin/kept.sh': `#!/bin/bash\n${kept}\n`,
    '/opt/app/sql/report.sql': 'select 1;\n',
    '/opt/app/etc/hosts.list': 'db1\n',
    '/opt/app/etc/tool.yml': 'level: 1\n',
    '/opt/app/etc/my.cnf': '[client]\nuser=report\n',
  });

  test('bundled and rewritten to the copy', () => {
    const r = bundleJob(input('/opt/app/bin/reads.sh'), reader);
    expect(r.files.filter((f) => f.reason === 'input').map((f) => f.path)).toEqual([
      '/opt/app/etc/hosts.list',
      '/opt/app/etc/my.cnf',
      '/opt/app/etc/tool.yml',
      '/opt/app/sql/report.sql',
    ]);
    expect(text(r.files.find((f) => f.path === '/opt/app/bin/reads.sh')!.content).split('\n').slice(1, 7)).toEqual([
      'cat "$LAMBDA_TASK_ROOT"/opt/app/etc/hosts.list | sort',
      'head -n 3 "$LAMBDA_TASK_ROOT"/opt/app/etc/hosts.list',
      'grep -c db "$LAMBDA_TASK_ROOT"/opt/app/etc/hosts.list /tmp/x',
      'cp "$LAMBDA_TASK_ROOT"/opt/app/sql/report.sql "$LAMBDA_TASK_ROOT"/opt/app/etc/hosts.list /tmp/',
      'psql -h db.example.com -f "$LAMBDA_TASK_ROOT"/opt/app/sql/report.sql',
      '/usr/bin/tool --config "$LAMBDA_TASK_ROOT"/opt/app/etc/tool.yml --defaults-extra-file="$LAMBDA_TASK_ROOT"/opt/app/etc/my.cnf',
    ]);
    expect(r.findings.filter((f) => f.code === 'missing-file')).toEqual([]);
  });

  test('other arguments stay as written: printed, patterns, written, directories, numbers', () => {
    const r = bundleJob(input('/opt/app/bin/kept.sh'), reader);
    expect(r.files.map((f) => f.path)).toEqual(['/opt/app/bin/kept.sh']);
    expect(text(r.files[0].content)).toBe(`#!/bin/bash\n${kept}\n`);
  });

  test('one missing from the copy is a missing input file, unless the job may have made it (written earlier, or under its HOME)', () => {
    const at = (command: string) => analyzeJob(input(command), reader).findings.filter((f) => f.code === 'missing-file').map((f) => f.args);
    expect(at('cat /opt/app/etc/gone.list')).toEqual([{ kind: 'not-under-root', role: 'input file', reference: '/opt/app/etc/gone.list', path: '/opt/app/etc/gone.list' }]);
    expect(at('date > /opt/app/run/stamp; cat /opt/app/run/stamp')).toEqual([]);
    expect(at('cp /tmp/a /opt/app/run/copy; wc -l /opt/app/run/copy')).toEqual([]);
    expect(at('echo x > ~/made; cat ~/made "$HOME/other"')).toEqual([]);
    expect(at('cat /etc/os-release /var/log/syslog')).toEqual([]);
  });
});

describe("a bundled program's own operands that are files in the copy", () => {
  const reader = memoryReader({
    '/opt/app/bin/import.sh': '#!/bin/bash\nwhile read -r l; do echo "$l"; done < "$1"\n',
    '/opt/app/data/orders.csv': 'id\n1\n',
    '/opt/app/data/archive/.keep': '',
  });

  test('are bundled and rewritten on the line that runs it; a directory, a path the copy lacks and a system program\'s operand are not', () => {
    const r = bundleJob(input('/opt/app/bin/import.sh /opt/app/data/orders.csv /opt/app/data/archive /opt/app/out/new.csv; /bin/ls /opt/app/data/orders.csv'), reader);
    expect(r.files.map((f) => [f.path, f.reason])).toEqual([
      ['/opt/app/bin/import.sh', 'command'],
      ['/opt/app/data/orders.csv', 'input'],
    ]);
    expect(r.command).toBe('"$LAMBDA_TASK_ROOT"/opt/app/bin/import.sh "$LAMBDA_TASK_ROOT"/opt/app/data/orders.csv /opt/app/data/archive /opt/app/out/new.csv; /bin/ls /opt/app/data/orders.csv');
    // the directory is not bundled, and is not on Lambda: a warning (server-directory), not a missing file
    expect(r.findings.map((f) => [f.code, f.severity, f.args])).toEqual([['server-directory', 'warning', expect.objectContaining({ path: '/opt/app/data/archive', kind: 'argument' })]]);
  });
});

describe('a file named by a relative word, read from a directory the zip holds a copy of', () => {
  // `cd "$(dirname "$0")" && cat hosts.list`: on Lambda the cd lands in the zip's copy of the script's directory, so
  // the word names the copy there, if the copy has the file. Before, it was not bundled (only absolute words were
  // read as paths): the job read nothing on Lambda, or failed.
  const relative = memoryReader({
    '/opt/app/bin/job.sh': '#!/bin/bash\ncd "$(dirname "$0")"\nwhile read -r h; do echo "$h"; done < hosts.list\ncat hosts.list ../etc/app.conf\nsort -k 2 ranks.txt\nhead -n 3 missing.txt\n',
    '/opt/app/bin/hosts.list': 'db1\n',
    '/opt/app/bin/ranks.txt': 'a 2\n',
    '/opt/app/etc/app.conf': 'x=1\n',
    '/opt/app/etc/2': 'a file named as sort -k takes a value',
    '/home/deploy/list.txt': 'l\n',
  });

  test('is bundled and the word kept; a word that names no file of the copy (an option\'s value, a file the job makes) is left alone', () => {
    const r = bundleJob(input('/opt/app/bin/job.sh'), relative);
    expect(r.files.map((f) => [f.path, f.reason])).toEqual([
      ['/opt/app/bin/hosts.list', 'input'],
      ['/opt/app/bin/job.sh', 'command'],
      ['/opt/app/bin/ranks.txt', 'input'],
      ['/opt/app/etc/app.conf', 'input'],
    ]);
    expect(text(r.files.find((f) => f.path === '/opt/app/bin/job.sh')!.content)).toContain('cat hosts.list ../etc/app.conf\n');
    expect(r.findings).toEqual([]);
  });

  test('from a directory that is not the zip\'s copy on Lambda (where the job starts, or an unknown one), it is not read as a path', () => {
    for (const command of ['cat list.txt', 'cd "$X" && cat hosts.list', 'cd /tmp && cat hosts.list']) {
      const r = bundleJob(input(command), relative);
      expect(r.files, command).toEqual([]);
      expect(r.findings, command).toEqual([]);
    }
  });
});
