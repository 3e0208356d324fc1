import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { bundleJob } from '../../src/scripts/bundle.js';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { memoryReader, rootReader } from '../../src/scripts/reader.js';

const ROOT = join(import.meta.dirname, '../../fixtures/servers/app01');
const reader = rootReader(ROOT);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const input = (command: string, environment: Record<string, string> = {}) => ({ command, shell: '/bin/bash', environment, home: '/home/deploy' });

describe('bundleJob on fixtures/servers/app01', () => {
  test('backup.sh: three ways to source the library, scripts it runs, modes, reasons', () => {
    const r = bundleJob(input('/opt/app/bin/backup.sh --full >> /var/log/backup.log 2>&1'), reader);
    expect(r.files.map((f) => [f.path, f.zipPath, f.mode.toString(8), f.reason])).toEqual([
      ['/opt/app/bin/backup.sh', 'opt/app/bin/backup.sh', '755', 'command'],
      ['/opt/app/bin/notify.sh', 'opt/app/bin/notify.sh', '755', 'exec'],
      ['/opt/app/bin/rotate.sh', 'opt/app/bin/rotate.sh', '755', 'exec'],
      ['/opt/app/lib/common.sh', 'opt/app/lib/common.sh', '644', 'source'],
      ['/opt/app/lib/config.sh', 'opt/app/lib/config.sh', '644', 'source'],
      ['/opt/app/lib/log.sh', 'opt/app/lib/log.sh', '644', 'source'],
    ]);
    expect(r.command).toBe('"$LAMBDA_TASK_ROOT"/opt/app/bin/backup.sh --full >> /var/log/backup.log 2>&1');
    const backup = text(r.files[0].content);
    // only the absolute source is rewritten; $(dirname "$0") and ${BASH_SOURCE%/*} forms stay
    expect(backup).toBe(
      [
        '#!/bin/bash',
        '# Nightly backup: the three ways of finding the library next to the script.',
        'set -euo pipefail',
        '. "$(dirname "$0")/../lib/common.sh"',
        'source "$LAMBDA_TASK_ROOT"/opt/app/lib/config.sh',
        '. "${BASH_SOURCE%/*}/../lib/log.sh"',
        'HERE="$(cd "$(dirname "$0")" && pwd)"',
        '',
        'log "starting backup of $APP_NAME"',
        '"$(dirname "${BASH_SOURCE[0]}")/rotate.sh" /tmp/backups',
        '"$HERE/notify.sh" done',
        '',
      ].join('\n'),
    );
    // untouched files are byte-identical
    expect(text(r.files[3].content)).toBe(text(reader.readFile('/opt/app/lib/common.sh')!));
    expect(r.findings).toEqual([]);
    expect(r.error).toBe(false);
  });

  test('program found through the crontab PATH; a source through a variable set to a literal', () => {
    const r = bundleJob(input('report.sh', { PATH: '/opt/app/bin:/usr/bin:/bin' }), reader);
    expect(r.files.map((f) => [f.path, f.mode.toString(8), f.reason])).toEqual([
      ['/opt/app/bin/report.sh', '755', 'command'],
      ['/opt/app/lib/helpers.sh', '644', 'source'],
    ]);
    expect(r.command).toBe('"$LAMBDA_TASK_ROOT"/opt/app/bin/report.sh');
    expect(text(r.files[0].content)).toContain('\nLIB=/opt/app/lib\n. "$LAMBDA_TASK_ROOT"$LIB/helpers.sh\n');
  });

  test('cron default PATH does not find it; system binaries are never bundled', () => {
    const r = bundleJob(input('report.sh; mysql -e "select 1"; /usr/bin/mysql -e "select 2"'), reader);
    expect(r.files).toEqual([]);
    expect(r.command).toBe('report.sh; mysql -e "select 1"; /usr/bin/mysql -e "select 2"');
  });

  test('relative to HOME, where cron starts', () => {
    const r = bundleJob(input('jobs/cleanup.sh'), reader);
    expect(r.files.map((f) => f.path)).toEqual(['/home/deploy/jobs/cleanup.sh']);
    expect(r.command).toBe('"$LAMBDA_TASK_ROOT"/home/deploy/jobs/cleanup.sh');
  });

  test('cd DIR && relative path: the cd is rewritten', () => {
    const r = bundleJob(input('cd /opt/app && bin/backup.sh; cd /opt/app/bin; ./rotate.sh /tmp/x'), reader);
    expect(r.command).toBe('cd "$LAMBDA_TASK_ROOT"/opt/app && bin/backup.sh; cd "$LAMBDA_TASK_ROOT"/opt/app/bin; ./rotate.sh /tmp/x');
    expect(r.files.map((f) => f.path)).toContain('/opt/app/bin/backup.sh');
  });

  test('a cd into a server directory is rewritten with no bundled path through it; one Lambda has is kept', () => {
    const r = bundleJob(input('cd /opt/app/lib && ls; cd ~/jobs; cd; cd jobs && ls; cd /opt && cd app; cd "$HOME/jobs"; cd /tmp; cd -; cd /'), reader);
    expect(r.command).toBe(
      'cd "$LAMBDA_TASK_ROOT"/opt/app/lib && ls; cd "$LAMBDA_TASK_ROOT"/home/deploy/jobs; cd; cd "$LAMBDA_TASK_ROOT"/home/deploy/jobs && ls; ' +
        'cd "$LAMBDA_TASK_ROOT"/opt && cd app; cd "$LAMBDA_TASK_ROOT"/home/deploy/jobs; cd /tmp; cd -; cd /',
    );
    expect(r.dirs).toEqual(['/home/deploy/jobs', '/opt', '/opt/app', '/opt/app/lib']);
    // The copies are empty on Lambda: nothing of these directories is bundled, so `ls` lists nothing there
    // (server-directory, a warning; test/scripts/server-directory.test.ts).
    expect(r.findings.map((f) => [f.code, f.severity, f.args])).toEqual([
      ['server-directory', 'warning', expect.objectContaining({ path: '/opt/app/lib', kind: 'cd' })],
      ['server-directory', 'warning', expect.objectContaining({ path: '/home/deploy/jobs', kind: 'cd' })],
      ['server-directory', 'warning', expect.objectContaining({ path: '/opt/app', kind: 'cd' })],
    ]);
  });

  test('cd ~ and cd "$HOME" go where a bare cd goes (on Lambda, HOME is /tmp when the home directory is not there)', () => {
    const r = bundleJob({ ...input('cd ~ && ls; cd "$HOME"; cd ${HOME}/; cd; ls'), home: '/home/ghost' }, reader);
    expect(r.command).toBe('cd ~ && ls; cd "$HOME"; cd ${HOME}/; cd; ls');
    expect(r.findings).toEqual([]);
  });

  test('a variable made from HOME goes where cd "$HOME" goes (D=$HOME; cd "$D"); the same directory written out is the server\'s', () => {
    const command = 'D=$HOME; cd "$D" && ls; E=~; cd $E; F="${HOME}"; cd "$F/"; ls';
    const r = bundleJob({ ...input(command), home: '/home/ghost' }, reader);
    expect(r.command).toBe(command);
    expect(r.findings).toEqual([]);
    const literal = bundleJob({ ...input('cd /home/ghost && ls'), home: '/home/ghost' }, reader);
    expect(literal.findings.map((f) => [f.code, f.args])).toEqual([['missing-directory', expect.objectContaining({ path: '/home/ghost' })]]);
  });

  test('interpreters: bash x.sh, sh -c, /bin/bash -c is just a shell', () => {
    const r = bundleJob(input("bash /opt/app/checks/clean.sh && /bin/bash -c '/opt/app/bin/rotate.sh /tmp/x'"), reader);
    expect(r.files.map((f) => [f.path, f.reason])).toEqual([
      ['/opt/app/bin/rotate.sh', 'command'],
      ['/opt/app/checks/clean.sh', 'command'],
    ]);
    expect(r.command).toBe(`bash "$LAMBDA_TASK_ROOT"/opt/app/checks/clean.sh && /bin/bash -c '"$LAMBDA_TASK_ROOT"/opt/app/bin/rotate.sh /tmp/x'`);
  });

  test('flock wrapper is removed from the crontab command (the DynamoDB lock replaces it)', () => {
    const r = bundleJob(input('flock -n /var/lock/r.lock /opt/app/bin/report.sh 2>&1'), reader);
    expect(r.command).toBe('"$LAMBDA_TASK_ROOT"/opt/app/bin/report.sh 2>&1');
    const c = bundleJob(input("flock -w 10 /var/lock/r.lock -c '/opt/app/bin/rotate.sh /tmp'"), reader);
    expect(c.command).toBe(`bash -c '"$LAMBDA_TASK_ROOT"/opt/app/bin/rotate.sh /tmp'`);
  });

  test('missing files: a finding naming the referencing file and line; the rest still bundles', () => {
    const r = bundleJob({ ...input('/opt/app/bin/nope.sh; /opt/app/checks/missing-file.sh'), file: '/etc/crontab', line: 12 }, reader);
    expect(r.error).toBe(true);
    expect(r.findings.map((f) => [f.code, f.severity, f.file, f.line, f.detail?.path])).toEqual([
      ['missing-file', 'blocker', '/etc/crontab', 12, '/opt/app/bin/nope.sh'],
      ['missing-file', 'blocker', '/opt/app/checks/missing-file.sh', 2, '/opt/app/lib/does-not-exist.sh'],
      ['missing-file', 'blocker', '/opt/app/checks/missing-file.sh', 3, '/opt/app/bin/gone.sh'],
    ]);
    expect(r.files.map((f) => f.path)).toEqual(['/opt/app/checks/missing-file.sh', '/opt/app/lib/common.sh']);
  });

  test('deterministic', () => {
    const a = bundleJob(input('/opt/app/bin/backup.sh'), reader);
    const b = bundleJob(input('/opt/app/bin/backup.sh'), reader);
    expect(b).toEqual(a);
  });
});

describe('bundleJob on an in-memory tree', () => {
  test('$(cd "$(dirname "$0")" && pwd), ~/ paths, UTF-8 text kept byte-identical', () => {
    const r = bundleJob(
      input('~/bin/run.sh'),
      memoryReader({
        '/home/deploy/bin/run.sh': '#!/bin/bash\n# café ☕\nD=$(cd "$(dirname "$0")" && pwd)\n. "$D/lib.sh"\n. /home/deploy/bin/abs.sh # é\nsource ~/bin/tilde.sh\n',
        '/home/deploy/bin/lib.sh': 'x=1\n',
        '/home/deploy/bin/abs.sh': 'y=1\n',
        '/home/deploy/bin/tilde.sh': 'z=1\n',
      }),
    );
    expect(r.command).toBe('"$LAMBDA_TASK_ROOT"/home/deploy/bin/run.sh');
    expect(r.files.map((f) => f.path)).toEqual(['/home/deploy/bin/abs.sh', '/home/deploy/bin/lib.sh', '/home/deploy/bin/run.sh', '/home/deploy/bin/tilde.sh']);
    expect(text(r.files[2].content)).toBe(
      '#!/bin/bash\n# café ☕\nD=$(cd "$(dirname "$0")" && pwd)\n. "$D/lib.sh"\n. "$LAMBDA_TASK_ROOT"/home/deploy/bin/abs.sh # é\nsource "$LAMBDA_TASK_ROOT"/home/deploy/bin/tilde.sh\n',
    );
  });

  test('a bundled path made from HOME names the copy by its server path (HOME is /tmp on Lambda); words that only use HOME keep it', () => {
    const tree = memoryReader({
      '/home/deploy/bin/run.sh':
        '#!/bin/bash\n. "$HOME/.profile"\nsource ${HOME}/lib/a.sh\n. $HOME/lib/b.sh\nLIB="$HOME/lib"\n. "$LIB/c.sh"\n. "$(dirname "$HOME/lib/x")/d.sh"\n' +
        'mkdir -p ~/.cache; echo x > "$HOME/.cache/x"; cd ~ && ls\nHOME=/opt/app\n. "$HOME/e.sh"\n',
      '/home/deploy/.profile': 'p=1\n',
      '/home/deploy/lib/a.sh': 'a=1\n',
      '/home/deploy/lib/b.sh': 'b=1\n',
      '/home/deploy/lib/c.sh': 'c=1\n',
      '/home/deploy/lib/d.sh': 'd=1\n',
      '/opt/app/e.sh': 'e=1\n',
      "/srv/it's/x.sh": '#!/bin/bash\n',
    });
    const r = bundleJob(input('"$HOME"/bin/run.sh; $HOME/bin/run.sh; bash "${HOME}/bin/run.sh"; ~/bin/run.sh'), tree);
    expect(r.command).toBe(
      '"$LAMBDA_TASK_ROOT"/home/deploy/bin/run.sh; "$LAMBDA_TASK_ROOT"/home/deploy/bin/run.sh; bash "$LAMBDA_TASK_ROOT"/home/deploy/bin/run.sh; "$LAMBDA_TASK_ROOT"/home/deploy/bin/run.sh',
    );
    const run = r.files.find((f) => f.path === '/home/deploy/bin/run.sh');
    expect(text(run?.content ?? new Uint8Array())).toBe(
      '#!/bin/bash\n. "$LAMBDA_TASK_ROOT"/home/deploy/.profile\nsource "$LAMBDA_TASK_ROOT"/home/deploy/lib/a.sh\n. "$LAMBDA_TASK_ROOT"/home/deploy/lib/b.sh\n' +
        'LIB="$HOME/lib"\n. "$LAMBDA_TASK_ROOT"/home/deploy/lib/c.sh\n. "$LAMBDA_TASK_ROOT"/home/deploy/lib/d.sh\n' +
        // run-time uses of HOME stay; a HOME the script sets itself is the same on Lambda
        'mkdir -p ~/.cache; echo x > "$HOME/.cache/x"; cd ~ && ls\nHOME=/opt/app\n. "$LAMBDA_TASK_ROOT""$HOME/e.sh"\n',
    );
    expect(r.findings.filter((f) => f.severity === 'blocker')).toEqual([]);
    // the crontab's HOME is the job's HOME too; a server path that needs quoting is quoted
    const c = bundleJob(input('"$HOME"/x.sh', { HOME: "/srv/it's" }), tree);
    expect(c.command).toBe(`"$LAMBDA_TASK_ROOT"'/srv/it'\\''s/x.sh'`);
  });

  test('a bundled path made from the working directory ($PWD, $(pwd)) names the copy by its server path', () => {
    const tree = memoryReader({
      '/home/deploy/bin/run.sh': '#!/bin/bash\ncd "$(dirname "$0")"\nD=$(pwd)\n. "$D/lib.sh"\n. "$PWD"/lib.sh\necho "$PWD" > /tmp/where\n',
      '/home/deploy/bin/lib.sh': 'x=1\n',
      '/opt/app/run.sh': '#!/bin/bash\n',
    });
    const r = bundleJob(input('cd /opt/app && $PWD/run.sh; "$(pwd)"/run.sh; cd; $(pwd)/bin/run.sh'), tree);
    expect(r.command).toBe('cd "$LAMBDA_TASK_ROOT"/opt/app && "$LAMBDA_TASK_ROOT"/opt/app/run.sh; "$LAMBDA_TASK_ROOT"/opt/app/run.sh; cd; "$LAMBDA_TASK_ROOT"/home/deploy/bin/run.sh');
    const run = r.files.find((f) => f.path === '/home/deploy/bin/run.sh');
    expect(text(run?.content ?? new Uint8Array())).toBe(
      '#!/bin/bash\ncd "$(dirname "$0")"\nD=$(pwd)\n. "$LAMBDA_TASK_ROOT"/home/deploy/bin/lib.sh\n. "$LAMBDA_TASK_ROOT"/home/deploy/bin/lib.sh\necho "$PWD" > /tmp/where\n',
    );
  });

  test('pushd DIR changes directory as cd does, and popd goes back: relative paths between them are read in DIR', () => {
    const r = bundleJob(
      input('/opt/run.sh'),
      memoryReader({
        '/opt/run.sh': '#!/bin/bash\npushd /opt/a >/dev/null\n. ./y.sh\npopd >/dev/null\n. ./y.sh\n',
        '/opt/a/y.sh': 'echo a\n',
        '/home/deploy/y.sh': 'echo home\n',
      }),
    );
    expect(r.files.map((f) => f.path)).toEqual(['/home/deploy/y.sh', '/opt/a/y.sh', '/opt/run.sh']);
    expect(text(r.files[2].content)).toBe('#!/bin/bash\npushd "$LAMBDA_TASK_ROOT"/opt/a >/dev/null\n. ./y.sh\npopd >/dev/null\n. "$LAMBDA_TASK_ROOT"/home/deploy/./y.sh\n');
    expect(r.findings).toEqual([]);
  });

  test('builtin source FILE and command . FILE source the file as source does', () => {
    const tree = memoryReader({ '/opt/lib.sh': 'x=1\n' });
    for (const command of ['builtin source /opt/lib.sh', 'builtin . /opt/lib.sh', 'command . /opt/lib.sh']) {
      const r = bundleJob(input(command), tree);
      expect(r.files.map((f) => [f.path, f.reason]), command).toEqual([['/opt/lib.sh', 'source']]);
      expect(r.command, command).toContain('"$LAMBDA_TASK_ROOT"/opt/lib.sh');
    }
  });

  test('a secret literal in a script is replaced by an environment reference', () => {
    const a = analyzeJob(
      input('/opt/x.sh'),
      memoryReader({ '/opt/x.sh': '#!/bin/bash\nDB_PASSWORD=hunter2xyz\nmysqldump -h db -uroot -p"s3cr3tpw" shop > /tmp/x\n' }),
    );
    expect(text(a.bundle.files[0].content)).toBe(
      '#!/bin/bash\nDB_PASSWORD="${DB_PASSWORD:?set DB_PASSWORD from SSM Parameter Store or Secrets Manager}"\n' +
        'mysqldump -h db -uroot -p"${CRON2LAMBDA_SECRET_1:?set CRON2LAMBDA_SECRET_1 from SSM Parameter Store or Secrets Manager}" shop > /tmp/x\n',
    );
    expect(a.secrets).toEqual(['hunter2xyz', 's3cr3tpw']);
    expect(a.findings.filter((f) => f.code === 'secret').map((f) => [f.line, f.detail?.envVar])).toEqual([
      [2, 'DB_PASSWORD'],
      [3, 'CRON2LAMBDA_SECRET_1'],
    ]);
  });

  test('an interpreter option that takes an argument (-W x, -I dir, -r lib, -c php.ini) is not the script; the script after it is bundled', () => {
    const tree = memoryReader({
      '/opt/app/job.py': 'print(1)\n',
      '/opt/app/job.js': 'console.log(1)\n',
      '/opt/app/job.pl': 'print 1;\n',
      '/opt/app/job.rb': 'puts 1\n',
      '/opt/app/job.php': '<?php echo 1;\n',
      '/opt/lib/': '',
      '/etc/php.ini': '',
    });
    const cases: Array<[string, string]> = [
      ['python3 -W ignore /opt/app/job.py', '/opt/app/job.py'],
      ['python3 -X importtime /opt/app/job.py', '/opt/app/job.py'],
      ['node -r dotenv/config /opt/app/job.js', '/opt/app/job.js'],
      ['node --require dotenv/config /opt/app/job.js', '/opt/app/job.js'],
      ['perl -I /opt/lib /opt/app/job.pl', '/opt/app/job.pl'],
      ['ruby -r json /opt/app/job.rb', '/opt/app/job.rb'],
      ['php -c /etc/php.ini /opt/app/job.php', '/opt/app/job.php'],
      ['php -d memory_limit=1G /opt/app/job.php', '/opt/app/job.php'],
    ];
    for (const [command, script] of cases) {
      const r = bundleJob(input(command), tree);
      expect(r.files.map((f) => f.path), command).toEqual([script]);
      expect(r.findings.map((f) => f.code), command).toEqual([]);
    }
    // inline code takes no script after it
    for (const command of ['python3 -c "print(1)"', 'node -e "1"', 'perl -e 1', 'ruby -e 1', 'php -r "echo 1;"', 'python3 -m http.server']) {
      expect(bundleJob(input(command), tree).files, command).toEqual([]);
    }
  });
});
