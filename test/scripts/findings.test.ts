import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findingMessage, verdictReasonText } from '../../src/render/messages.js';
import { analyzeJob } from '../../src/scripts/analyze.js';
import {
  awsPermissions,
  collectSecrets,
  dropOutputRedirects,
  findSecretInVariable,
  findSecrets,
  mailtoFinding,
  redact,
  verdict,
} from '../../src/scripts/findings.js';
import { memoryReader, rootReader } from '../../src/scripts/reader.js';
import { secretsInText } from '../../src/scripts/secrets.js';

const ROOT = join(import.meta.dirname, '../../fixtures/servers/app01');
const PLANTED = ['Sup3rS3cretPw', 'tok_4f9a8b7c6d', 'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'pa55word', 'hunter2x'];

describe('secrets', () => {
  test('findSecrets on crontab lines: positives, with lines, and no value in messages', () => {
    const text = [
      '0 2 * * * mysqldump -uroot -phunter2x shop > /tmp/s.sql',
      '5 2 * * * mysql --password=Sup3rS3cretPw -e "select 1"',
      '10 2 * * * curl -u admin:pa55word https://api.example.com/',
      '15 2 * * * AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY aws s3 ls',
    ].join('\n');
    const hits = findSecrets(text, '/etc/crontab', 3);
    expect(hits.map((h) => [h.finding.code, h.finding.line, h.value])).toEqual([
      ['secret', 3, 'hunter2x'],
      ['secret', 4, 'Sup3rS3cretPw'],
      ['secret', 5, 'pa55word'],
      ['secret', 6, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ]);
    for (const h of hits) {
      expect(h.finding.severity).toBe('warning');
      expect(findingMessage(h.finding)).toMatch(/SSM Parameter Store/);
      for (const p of PLANTED) expect(JSON.stringify(h.finding)).not.toContain(p);
      for (const p of PLANTED) expect(findingMessage(h.finding)).not.toContain(p);
    }
  });

  test('an assignment given as an argument (env, make, docker -e, a form field) is found, rewritten in the bundled command and redacted', () => {
    const lines = [
      ['env DB_PASSWORD=Ov3rEnvPw1 /usr/bin/true', 'env DB_PASSWORD="${CRON2LAMBDA_SECRET_1:?set CRON2LAMBDA_SECRET_1 from SSM Parameter Store or Secrets Manager}" /usr/bin/true'],
      ['make -C /opt/app deploy API_TOKEN=Ov3rMakeTk2', 'make -C /opt/app deploy API_TOKEN="${CRON2LAMBDA_SECRET_1:?set CRON2LAMBDA_SECRET_1 from SSM Parameter Store or Secrets Manager}"'],
      ['docker run --rm -e DB_PASSWORD=Ov3rDockPw3 img', 'docker run --rm -e DB_PASSWORD="${CRON2LAMBDA_SECRET_1:?set CRON2LAMBDA_SECRET_1 from SSM Parameter Store or Secrets Manager}" img'],
      ['curl -d user=ops -d password=Ov3rFormPw4 https://api.example.com/login', 'curl -d user=ops -d password="${CRON2LAMBDA_SECRET_1:?set CRON2LAMBDA_SECRET_1 from SSM Parameter Store or Secrets Manager}" https://api.example.com/login'],
    ];
    for (const [command, rewritten] of lines) {
      const hits = findSecrets(`0 2 * * * ${command}`, '/etc/crontab', 3);
      expect(hits.map((h) => [h.finding.code, h.finding.line]), command).toEqual([['secret', 3]]);
      const a = analyzeJob({ command, shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/etc/crontab', line: 3 }, memoryReader({}));
      expect(a.findings.filter((f) => f.code === 'secret').map((f) => f.line), command).toEqual([3]);
      expect(a.bundle.command, command).toBe(rewritten);
    }
    // not an assignment to judge: a value with a blank (code or text), an option, a path, or a value from elsewhere
    for (const command of ["sh -c 'PGPASSWORD=x psql'", 'make TOKEN="$TOKEN"', 'find / -name PASSWORD=x', 'env SORT_KEY=name sort']) {
      expect(findSecrets(`0 2 * * * ${command}`, '/etc/crontab', 3), command).toEqual([]);
    }
  });

  test('findSecrets negatives', () => {
    const neg = [
      'echo "enter password"',
      'PASSWORD="$DB_PASSWORD" ./run.sh',
      'mysql -p"$PASS" shop',
      'mysql -p shop',
      'ssh -p 2222 host uptime',
      'mkdir -p /tmp/x',
      'SSH_KEY=/home/u/.ssh/id_rsa rsync -a x y',
      'sha1sum f | grep da39a3ee5e6b4b0d3255bfef95601890afd80709',
      'curl https://$USER:$PASS@example.com/',
    ];
    for (const line of neg) expect(findSecrets(line, 'crontab'), line).toEqual([]);
  });

  test('crontab variables', () => {
    expect(findSecretInVariable('DB_PASSWORD', 'Sup3rS3cretPw', '/etc/crontab', 2)?.finding).toMatchObject({ code: 'secret', file: '/etc/crontab', line: 2 });
    expect(findSecretInVariable('DB_PASSWORD', '$OTHER', 'c', 1)).toBeNull();
    expect(findSecretInVariable('MAILTO', 'ops@example.com', 'c', 1)).toBeNull();
    expect(findSecretInVariable('PATH', '/usr/bin:/bin', 'c', 1)).toBeNull();
    expect(findSecretInVariable('BACKUP_URL', 'https://u:pa55word@h/x', 'c', 1)?.value).toBe('pa55word');
  });

  test('redact and collectSecrets', () => {
    const s = collectSecrets('abc', [{ secrets: ['abcdef'] }], null);
    expect(s).toEqual(['abcdef', 'abc']);
    expect(redact('x abcdef abc y', s)).toBe('x [REDACTED] [REDACTED] y');
  });

  test('the planted secrets never appear in any finding, message, rewritten command or bundled file', () => {
    const a = analyzeJob(
      {
        command: '/opt/app/checks/secret.sh -pSup3rS3cretPw >> /var/log/s.log',
        shell: '/bin/bash',
        environment: { DB_PASSWORD: 'Sup3rS3cretPw' },
        home: '/home/deploy',
      },
      rootReader(ROOT),
    );
    expect(a.secrets).toEqual(expect.arrayContaining(PLANTED));
    const out = JSON.stringify({ findings: a.findings, command: a.command, bcmd: a.bundle.command, reasons: a.reasons, dropped: a.dropped, trace: a.bundle.trace }) +
      a.bundle.files.map((f) => new TextDecoder().decode(f.content)).join('\n');
    for (const p of PLANTED) expect(out).not.toContain(p);
    expect(a.findings.filter((f) => f.code === 'secret').map((f) => f.line)).toEqual([3, 4, 5, 6, 7, 8]);
  });
});

describe('dropOutputRedirects', () => {
  test('drops top-level file redirections, keeps fd dups, /dev/null and files the command reuses', () => {
    expect(dropOutputRedirects('/opt/x.sh --full >> /var/log/x.log 2>&1')).toEqual({ command: '/opt/x.sh --full 2>&1', dropped: ['>> /var/log/x.log'] });
    expect(dropOutputRedirects('a > /dev/null 2>&1')).toEqual({ command: 'a > /dev/null 2>&1', dropped: [] });
    expect(dropOutputRedirects('cd /x && ./r.sh &>/tmp/r.log; b 2>>/var/log/e.log')).toEqual({ command: 'cd /x && ./r.sh; b', dropped: ['&>/tmp/r.log', '2>>/var/log/e.log'] });
    expect(dropOutputRedirects('a > /tmp/out && gzip /tmp/out').dropped).toEqual([]);
    expect(dropOutputRedirects('(a > /var/log/inner.log)').dropped).toEqual([]);
  });
});

describe('other rules', () => {
  test('mailto', () => {
    expect(mailtoFinding('ops@example.com', '/etc/crontab', 1)).toMatchObject({ code: 'mailto', severity: 'warning', line: 1 });
    expect(mailtoFinding('', '/etc/crontab', 1)).toBeNull();
    expect(mailtoFinding('""', '/etc/crontab', 1)).toBeNull();
  });

  test('aws permissions', () => {
    expect(awsPermissions(['aws', 's3', 'cp', '/tmp/x', 's3://b/x'])).toEqual(['s3:PutObject']);
    expect(awsPermissions(['aws', 's3', 'sync', 's3://b/p', '/tmp/p', '--delete'])).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket']);
    expect(awsPermissions(['aws', '--region', 'eu-west-1', 'dynamodb', 'put-item', '--table-name', 't'])).toEqual(['dynamodb:PutItem']);
    expect(awsPermissions(['aws', 's3api', 'list-objects-v2', '--bucket', 'b'])).toEqual(['s3:ListBucket']);
    expect(awsPermissions(['aws', 'sqs', 'send-message'])).toEqual(['sqs:SendMessage']);
  });

  test('verdict', () => {
    const f = (severity: 'info' | 'warning' | 'blocker') => ({ code: 'network' as const, severity, args: { hosts: ['m'] }, file: 'f', line: 1 });
    expect(verdict([]).verdict).toBe('ready');
    expect(verdict([f('info')]).verdict).toBe('ready');
    const v = verdict([f('info'), f('warning')]);
    expect(v).toEqual({ verdict: 'needs-attention', reasons: [{ finding: f('warning') }] });
    expect(v.reasons.map(verdictReasonText)).toEqual(['warning network at f:1: talks to m']);
    expect(verdict([f('warning'), f('blocker')]).verdict).toBe('blocked');
  });

  test('analyzeJob: sorted, deduplicated, command ready for Lambda', () => {
    const a = analyzeJob(
      { command: 'cd /srv && ./job.sh >> /var/log/job.log 2>&1', shell: '/bin/sh', environment: {}, home: '/root', file: '/etc/cron.d/job', line: 4 },
      memoryReader({ '/srv/job.sh': '#!/bin/sh\nfor i in 1 2; do\n  curl -fsS https://x.example.com/$i\ndone\necho ok > /tmp/ok\n' }),
    );
    expect(a.command).toBe('cd "$LAMBDA_TASK_ROOT"/srv && ./job.sh 2>&1');
    expect(a.findings.map((f) => [f.file, f.line, f.code])).toEqual([
      ['/etc/cron.d/job', 4, 'output-redirect'],
      ['/srv/job.sh', 3, 'network'],
    ]);
    expect(a.verdict).toBe('ready');
  });
});

describe('rootReader', () => {
  test('follows symlinks inside the root and never escapes it', () => {
    const root = mkdtempSync(join(tmpdir(), 'c2l-root-'));
    mkdirSync(join(root, 'opt/app'), { recursive: true });
    writeFileSync(join(root, 'opt/app/real.sh'), '#!/bin/sh\n');
    symlinkSync('/opt/app/real.sh', join(root, 'opt/app/abs-link.sh'));
    symlinkSync('../../../../../../etc/passwd', join(root, 'opt/app/escape'));
    symlinkSync('/etc/hostname', join(root, 'opt/app/abs-escape'));
    const r = rootReader(root);
    expect(new TextDecoder().decode(r.readFile('/opt/app/abs-link.sh')!)).toBe('#!/bin/sh\n');
    expect(r.readFile('/opt/app/escape')).toBeNull();
    expect(r.readFile('/opt/app/abs-escape')).toBeNull();
    expect(r.readFile('/../../etc/passwd')).toBeNull();
    expect(r.stat('/opt/app')).toMatchObject({ kind: 'dir' });
    expect(r.stat('/opt/app/nope')).toBeNull();
  });
});

describe('aws-cli permissions with expanded arguments', () => {
  test('reads `aws s3 cp "$out" s3://bucket/` as an upload (PutObject), not a download', async () => {
    const { awsPermissions } = await import('../../src/scripts/findings.js');
    expect(awsPermissions(['aws', 's3', 'cp', null, 's3://billing-archive/', '--only-show-errors'])).toEqual(['s3:PutObject']);
    expect(awsPermissions(['aws', 's3', 'cp', 's3://b/k', null])).toEqual(['s3:GetObject']);
  });
});

describe('writes under the job HOME', () => {
  // cron starts the job in its HOME; on Lambda function.sh sets HOME, and the directory the job starts in, to /tmp
  // (the home directory is not there): such a write works there, only what it keeps is gone by the next run
  test('a script keeping state in HOME or where cron starts it: the finding names the path on Lambda (/tmp/...), the sentence says the write works but does not last', () => {
    const script =
      '#!/bin/bash\nmkdir -p ~/.cache\necho x > ~/.cache/x\ndate > "$HOME/last-run"\necho y >> out.log\ntouch ${HOME}/stamp\n' +
      'cd /opt/app && echo z > "$PWD/state"\n';
    const a = analyzeJob(
      { command: '/home/app/bin/job.sh', shell: '/bin/bash', environment: {}, home: '/home/app', file: '/var/spool/cron/crontabs/app', line: 2 },
      memoryReader({ '/home/app/bin/job.sh': script, '/opt/app/run.sh': '' }),
    );
    const writes = a.findings.filter((f) => f.code === 'write-outside-tmp');
    expect(writes.map((f) => [f.line, f.args])).toEqual([
      [2, { path: '/home/app/.cache', program: 'mkdir', lambdaPath: '/tmp/.cache' }],
      [3, { path: '/home/app/.cache/x', op: '>', lambdaPath: '/tmp/.cache/x' }],
      [4, { path: '/home/app/last-run', op: '>', lambdaPath: '/tmp/last-run' }],
      [5, { path: '/home/app/out.log', op: '>>', lambdaPath: '/tmp/out.log' }],
      [6, { path: '/home/app/stamp', program: 'touch', lambdaPath: '/tmp/stamp' }],
      // after a cd into a bundled directory the job is in the read-only task root: that write fails on Lambda
      [7, { path: '/opt/app/state', op: '>' }],
    ]);
    const texts = writes.map((f) => findingMessage(f));
    expect(texts[1]).toBe(
      "writes /home/app/.cache/x (redirection >) in the job's HOME: on Lambda HOME, where the job starts, is /tmp, so it writes /tmp/.cache/x, which works but is gone by the next run; keep what a later run needs in S3, DynamoDB or SSM Parameter Store, and send output to CloudWatch Logs",
    );
    for (const t of texts.slice(0, 5)) expect(t).not.toContain('only /tmp is writable');
    expect(texts[5]).toContain('on Lambda only /tmp is writable');
    // state kept in HOME does not survive: still a warning
    expect(writes.every((f) => f.severity === 'warning')).toBe(true);
    expect(a.verdict).toBe('needs-attention');
  });

  test('a HOME the script sets itself, or one Lambda has too, is not moved to /tmp', () => {
    const a = analyzeJob(
      { command: '/srv/job.sh', shell: '/bin/bash', environment: {}, home: '/home/app', file: '/etc/crontab', line: 1 },
      memoryReader({ '/srv/job.sh': '#!/bin/bash\nHOME=/srv/data\necho x > "$HOME/state"\n' }),
    );
    expect(a.findings.filter((f) => f.code === 'write-outside-tmp').map((f) => [f.line, f.args])).toEqual([[3, { path: '/srv/data/state', op: '>' }]]);
    const b = analyzeJob(
      { command: '/srv/job.sh', shell: '/bin/bash', environment: {}, home: '/var', file: '/etc/crontab', line: 1 },
      memoryReader({ '/srv/job.sh': '#!/bin/bash\necho x > ~/state\necho y > rel\n' }),
    );
    expect(b.findings.filter((f) => f.code === 'write-outside-tmp').map((f) => [f.line, f.args])).toEqual([
      [2, { path: '/var/state', op: '>' }],
      [3, { path: '/var/rel', op: '>' }],
    ]);
  });
});

describe('credentials in command lines written as text', () => {
  test('--password=... and mysql -p... in a heredoc no shell reads here, and in a Python script, are found and redacted from the bundled copy', () => {
    const server = memoryReader({
      '/opt/app/bin/dump.sh': [
        '#!/bin/bash',
        'cat > /tmp/args <<EOF',
        '--host=db.internal --password=Hd0cPassw0rd9',
        'EOF',
        'cat <<EOF | logger',
        'running mysqldump -uroot -pHd0cMysql7x shop',
        'EOF',
        '/opt/app/bin/dump.py',
        '',
      ].join('\n'),
      '/opt/app/bin/dump.py': '#!/usr/bin/python3\nimport subprocess\nsubprocess.run(["mysqldump", "-uroot", "-pPyMysqlPw8", "shop"])\nsubprocess.run(["tool", "--api-key=PyApiKey77x"])\n',
    });
    const a = analyzeJob({ command: '/opt/app/bin/dump.sh', shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/etc/crontab', line: 3 }, server);
    expect(a.findings.filter((f) => f.code === 'secret').map((f) => [f.file, f.line])).toEqual([
      ['/opt/app/bin/dump.py', 3],
      ['/opt/app/bin/dump.py', 4],
      ['/opt/app/bin/dump.sh', 3],
      ['/opt/app/bin/dump.sh', 6],
    ]);
    const all = a.bundle.files.map((f) => new TextDecoder().decode(f.content)).join('\n');
    for (const v of ['Hd0cPassw0rd9', 'Hd0cMysql7x', 'PyMysqlPw8', 'PyApiKey77x']) expect(all).not.toContain(v);
    expect(all).toContain('--password=[REDACTED]');
    // not credentials: an option naming no secret, a -p that is no mysql password, a value from elsewhere
    expect(secretsInText('--port=5432 --pass-through=yes\nmkdir -p /tmp/x\nmysql -p"$PW" db\n--password="$DB_PW"\n')).toEqual([]);
  });
});

describe('credentials in a for loop word list', () => {
  test('an assignment, a URL password or a key among the words is found and rewritten as in a command', () => {
    const server = memoryReader({ '/opt/app/bin/env.sh': '#!/bin/bash\nfor kv in DB_PASSWORD=F0rLoopPw77 "https://u:F0rUrlPw88@h/x" plain; do export "$kv"; done\n' });
    const a = analyzeJob({ command: '/opt/app/bin/env.sh', shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/etc/crontab', line: 3 }, server);
    expect(a.findings.filter((f) => f.code === 'secret').map((f) => [f.file, f.line])).toEqual([['/opt/app/bin/env.sh', 2], ['/opt/app/bin/env.sh', 2]]);
    const text = new TextDecoder().decode(a.bundle.files[0].content);
    expect(text).not.toContain('F0rLoopPw77');
    expect(text).not.toContain('F0rUrlPw88');
    expect(text).toContain('for kv in DB_PASSWORD="${CRON2LAMBDA_SECRET_1:?');
    expect(text).toContain(' plain; do export "$kv"; done');
  });
});
