// Bundling policy, token formats and redaction as pure functions (the CLI tests are in test/e2e).
import { describe, expect, it } from 'vitest';
import { analyzeJob, memoryReader, type FileReader } from '../../src/scripts/index.js';
import { MAX_BUNDLE_BYTES, refuseBundling } from '../../src/scripts/policy.js';
import { redact, redactBytes, redactDeep } from '../../src/scripts/redact.js';
import { secretFromAssignment, secretsInText } from '../../src/scripts/secrets.js';
import { tokensIn } from '../../src/scripts/tokens.js';

const job = (command: string) => ({ command, shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/c', line: 1 });

describe('what may be bundled', () => {
  it('an unreadable script is a blocker that makes the job an error, not an empty bundle', () => {
    const base = memoryReader({ '/opt/run.sh': '#!/bin/bash\necho hi\n' });
    const reader: FileReader = { stat: (p) => base.stat(p), readFile: () => null };
    const a = analyzeJob(job('/opt/run.sh'), reader);
    expect(a.findings.map((f) => f.code)).toEqual(['unreadable']);
    expect(a.verdict).toBe('blocked');
    expect(a.error).toBe(true);
    expect(a.bundle.files).toEqual([]);
  });

  it('the files of one job together stay under the bundle limit', () => {
    const big = new Uint8Array(20 * 1024 * 1024);
    const reader = memoryReader({ '/opt/run.sh': '#!/bin/bash\n/opt/bin/a\n/opt/bin/b\n/opt/bin/c\n', '/opt/bin/a': big, '/opt/bin/b': big, '/opt/bin/c': big });
    const a = analyzeJob(job('/opt/run.sh'), reader);
    expect(a.findings.filter((f) => f.code === 'too-large').map((f) => f.detail?.path)).toEqual(['/opt/bin/c']);
    expect(a.bundle.files.reduce((n, f) => n + f.content.length, 0)).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
    expect(a.error).toBe(true);
  });

  it('refuses kernel filesystems, credential files and names a zip cannot hold; allows ordinary files', () => {
    for (const p of ['/proc/self/environ', '/sys/kernel/x', '/dev/zero']) expect(refuseBundling(p)?.code, p).toBe('forbidden-path');
    for (const p of ['/etc/shadow', '/root/.pgpass', '/home/u/.netrc', '/home/u/.aws/credentials', '/home/u/.ssh/id_rsa', '/etc/ssl/private/site.key', '/home/u/.docker/config.json', '/home/u/.git-credentials']) {
      expect(refuseBundling(p)?.code, p).toBe('credential-file');
    }
    expect(refuseBundling('/opt/app/env.sh', '/proc/self/environ')?.code).toBe('forbidden-path');
    for (const p of ['/opt/x.sh/', '/opt/x\\y.sh', '/opt/a\u001bb.sh']) expect(refuseBundling(p)?.code, p).toBe('bad-path');
    for (const p of ['/opt/app/run.sh', '/home/u/.ssh/id_rsa.pub', '/opt/app/.env', '/opt/keys/rotate.sh', '/opt/app/devices.sh']) expect(refuseBundling(p), p).toBeNull();
  });
});

describe('credential formats and names', () => {
  it('finds well-known formats and credential-like names, not look-alikes', () => {
    const kinds = (t: string) => tokensIn(t).map((m) => m.label);
    expect(kinds('x ghp_0123456789abcdefghijABCDEFGHIJ012345 y')).toEqual(['GitHub token']);
    expect(kinds('sk_live_0123456789abcdefABCDEF')).toEqual(['Stripe key']);
    expect(kinds('xoxb-123456789012-abcdefghijkl')).toEqual(['Slack token']);
    expect(kinds('glpat-abcdefghij0123456789')).toEqual(['GitLab token']);
    expect(kinds('AIzaSyA0123456789abcdefghijklmnopqrstuv')).toEqual(['Google API key']);
    expect(kinds('https://0123456789abcdef0123456789abcdef@o123.ingest.sentry.io/1')).toEqual(['key in a URL']);
    expect(kinds('redis://:pw0rd@cache:6379')).toEqual(['password in a URL']);
    expect(kinds('-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----')).toEqual(['private key (PEM)']);
    expect(kinds('-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----')).toEqual([]);
    expect(kinds('https://example.com/path git@github.com:x/y.git sha 0123456789abcdef0123456789abcdef01234567')).toEqual([]);
    expect(kinds('# Basic housekeeping; rsync://backup-operator-01@nas/x ssh://deploy@host')).toEqual([]);
    expect(kinds('curl -H "Authorization: Basic ZGVwbG95OnB3MQ=="')).toEqual(['Authorization header', 'HTTP credential']);
    expect(secretFromAssignment('PASSPHRASE', 'horse battery')).not.toBeNull();
    expect(secretFromAssignment('PRIVATE_KEY_B64', 'LS0tLS1CRUdJTi')).not.toBeNull();
    expect(secretFromAssignment('GITHUB_PAT', 'a8Fk2Lq9Zx7Rt3Vb6Nm1')).not.toBeNull();
    expect(secretFromAssignment('SESSION_TIMEOUT', '30')).toBeNull();
    expect(secretFromAssignment('SORT_KEY', 'modified')).toBeNull();
    expect(secretFromAssignment('AUTHOR', 'Jane Doe')).toBeNull();
    expect(secretsInText('db:\n  password: "s3cr3t-yaml"\n  user: app\n').map((m) => m.value)).toEqual(['s3cr3t-yaml']);
  });
});

describe('redaction', () => {
  it('redacts a short value only where it stands as a value', () => {
    const s = ['cron'];
    expect(redact('cron(0 3 * * ? *)', s)).toBe('cron(0 3 * * ? *)');
    expect(redact('/etc/cron.d/jobs crontab c2l-cron-1a2b', s)).toBe('/etc/cron.d/jobs crontab c2l-cron-1a2b');
    expect(redact('mysql -pcron --password=cron -u app:cron@h "cron" cron', s)).toBe('mysql -p[REDACTED] --password=[REDACTED] -u app:[REDACTED]@h "[REDACTED]" [REDACTED]');
    expect(redactDeep({ cron: 'cron', expression: 'cron(0 3 * * ? *)' }, s)).toEqual({ cron: '[REDACTED]', expression: 'cron(0 3 * * ? *)' });
  });

  it("redacts a short value in a crontab line's % text, where % separates lines as a newline does", () => {
    const s = ['pa55word'];
    expect(redact('openssl enc -d -pass stdin -in /tmp/b.enc%pa55word%', s)).toBe('openssl enc -d -pass stdin -in /tmp/b.enc%[REDACTED]%');
    expect(redact('login.sh%user%pa55word', s)).toBe('login.sh%user%[REDACTED]');
    expect(redact('cmd \\%pa55word', s)).toBe('cmd \\%[REDACTED]');
    // still only as a value: not inside a word
    expect(redact('date +%Y-pa55words', s)).toBe('date +%Y-pa55words');
  });

  it('redacts long values anywhere, and bytes without decoding them', () => {
    expect(redact('xHunter2-long-secret-valuex', ['Hunter2-long-secret-value'])).toBe('x[REDACTED]x');
    const bytes = Uint8Array.from([0xe9, 0x20, ...Buffer.from('pw=abcd1234 '), 0xff, 0xfe]);
    const out = redactBytes(bytes, ['abcd1234']);
    expect(Buffer.from(out)).toEqual(Buffer.concat([Buffer.from([0xe9, 0x20]), Buffer.from('pw=[REDACTED] '), Buffer.from([0xff, 0xfe])]));
    expect(redactBytes(bytes, ['nothing-here'])).toBe(bytes);
  });
});

describe('files that are not UTF-8', () => {
  it('a Latin-1 script gets its references rewritten and keeps every other byte', () => {
    const head = Buffer.concat([Buffer.from('#!/bin/bash\n# r'), Buffer.from([0xe9]), Buffer.from('sum'), Buffer.from([0xe9, 0xff]), Buffer.from('\n. ')]);
    const tail = Buffer.concat([Buffer.from('/opt/lib.sh\necho "caf'), Buffer.from([0xe9]), Buffer.from('"\n')]);
    const reader = memoryReader({ '/opt/run.sh': new Uint8Array(Buffer.concat([head, tail])), '/opt/lib.sh': 'echo lib\n' });
    const a = analyzeJob(job('/opt/run.sh'), reader);
    const run = a.bundle.files.find((f) => f.path === '/opt/run.sh')!;
    expect(Buffer.from(run.content)).toEqual(Buffer.concat([head, Buffer.from('"$LAMBDA_TASK_ROOT"'), tail]));
    expect(a.bundle.files.map((f) => f.path)).toEqual(['/opt/lib.sh', '/opt/run.sh']);
  });
});
