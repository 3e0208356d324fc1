// Heredoc bodies given to a shell and literal `eval` strings are code: followed, judged and rewritten like the lines
// around them (issue 11). A heredoc given to any other program stays data (scanned for credentials only).
import { describe, expect, test } from 'vitest';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { bundleJob } from '../../src/scripts/bundle.js';
import { memoryReader } from '../../src/scripts/reader.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const input = (command: string) => ({ command, shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/etc/crontab', line: 7 });
const server = memoryReader({
  '/opt/app/bin/run.sh': [
    '#!/bin/bash',
    'bash <<\'EOF\'',
    '/opt/app/bin/sync.sh --full',
    'sudo systemctl restart app',
    'EOF',
    'sh -s -- one two <<EOF',
    '. /opt/app/lib/env.sh',
    'EOF',
    'cat <<EOF > /tmp/notes',
    '/opt/app/bin/not-run.sh',
    'EOF',
    "eval '/opt/app/bin/report.sh --daily'",
    'eval "source /opt/app/lib/more.sh"',
    '',
  ].join('\n'),
  '/opt/app/bin/sync.sh': '#!/bin/bash\necho sync\n',
  '/opt/app/bin/report.sh': '#!/bin/bash\necho report\n',
  '/opt/app/bin/not-run.sh': '#!/bin/bash\necho no\n',
  '/opt/app/lib/env.sh': 'X=1\n',
  '/opt/app/lib/more.sh': 'Y=2\n',
});

describe('heredocs given to a shell and eval strings are analysed as code', () => {
  test('the files they run and source are bundled, and their references rewritten', () => {
    const r = bundleJob(input('/opt/app/bin/run.sh'), server);
    expect(r.files.map((f) => [f.path, f.reason])).toEqual([
      ['/opt/app/bin/report.sh', 'exec'],
      ['/opt/app/bin/run.sh', 'command'],
      ['/opt/app/bin/sync.sh', 'exec'],
      ['/opt/app/lib/env.sh', 'source'],
      ['/opt/app/lib/more.sh', 'source'],
    ]);
    const run = text(r.files.find((f) => f.path === '/opt/app/bin/run.sh')!.content);
    expect(run.split('\n')).toEqual([
      '#!/bin/bash',
      "bash <<'EOF'",
      '"$LAMBDA_TASK_ROOT"/opt/app/bin/sync.sh --full',
      'sudo systemctl restart app',
      'EOF',
      'sh -s -- one two <<EOF',
      '. "$LAMBDA_TASK_ROOT"/opt/app/lib/env.sh',
      'EOF',
      // data for cat: not code, not rewritten, not bundled
      'cat <<EOF > /tmp/notes',
      '/opt/app/bin/not-run.sh',
      'EOF',
      `eval '"$LAMBDA_TASK_ROOT"/opt/app/bin/report.sh --daily'`,
      'eval "source \\"\\$LAMBDA_TASK_ROOT\\"/opt/app/lib/more.sh"',
      '',
    ]);
    expect(r.error).toBe(false);
  });

  test('commands inside them are judged at their own lines', () => {
    const a = analyzeJob(input('/opt/app/bin/run.sh'), server);
    const at = (code: string) => a.findings.filter((f) => f.code === code).map((f) => `${f.file}:${f.line}`);
    expect(at('sudo')).toEqual(['/opt/app/bin/run.sh:4']);
    expect(at('service-control')).toEqual(['/opt/app/bin/run.sh:4']);
  });

  test('the crontab line itself: a heredoc cannot be written there, an eval can', () => {
    const r = bundleJob(input(`eval '/opt/app/bin/sync.sh'`), server);
    expect(r.files.map((f) => f.path)).toEqual(['/opt/app/bin/sync.sh']);
    expect(r.command).toBe(`eval '"$LAMBDA_TASK_ROOT"/opt/app/bin/sync.sh'`);
  });

  test('a credential in an eval string is moved to the environment like any literal', () => {
    const a = analyzeJob(input(`eval 'mysql -u app -pS3cr3tPassw0rd! -e "select 1"'`), server);
    expect(a.findings.filter((f) => f.code === 'secret').map((f) => f.line)).toEqual([7]);
    expect(a.command).not.toContain('S3cr3tPassw0rd!');
    expect(a.command).toContain('CRON2LAMBDA_SECRET_1');
  });
});
