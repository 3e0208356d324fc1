// A credential compiled into a program the job runs (a server's own binary with an AWS key or a private key in its
// strings). Before, a file with a NUL in its first 8 KiB was not scanned at all: the program went into the zip with
// the credential in it, and the job was judged as if it held none.
import { describe, expect, test } from 'vitest';
import { bundleJob } from '../../src/scripts/bundle.js';
import { memoryReader } from '../../src/scripts/reader.js';
import { isProgram, readForBundle } from '../../src/scripts/policy.js';
import { credentialInProgram } from '../../src/scripts/tokens.js';
import { findingMessage } from '../../src/render/messages.js';

const ELF = '\u007fELF\u0002\u0001\u0001\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000';
const AWS_KEY = 'AKIAZ7PLANTEDQ4KEY5X';
const PEM = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n';
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('a program with a credential in its bytes', () => {
  test('is refused as a credential file, saying which format, never the value', () => {
    for (const [content, held] of [[`${ELF}\u0000key\u0000${AWS_KEY}\u0000`, 'AWS access key id'], [`${ELF}${PEM}\u0000`, 'private key (PEM)']] as const) {
      const r = readForBundle(memoryReader({ '/opt/app/bin/tool': content }), '/opt/app/bin/tool');
      expect(r).toEqual({ refusal: { code: 'credential-file', args: { path: '/opt/app/bin/tool', held } } });
    }
  });

  test('the job is an error, with a blocker naming the program, and nothing of it is bundled', () => {
    const reader = memoryReader({ '/opt/app/bin/tool': `${ELF}\u0000${AWS_KEY}\u0000`, '/opt/app/bin/run.sh': '#!/bin/bash\n/opt/app/bin/tool --sync\n' });
    const r = bundleJob({ command: '/opt/app/bin/run.sh', shell: '/bin/bash', environment: {}, home: '/home/x', file: '/etc/crontab', line: 4 }, reader);
    expect(r.error).toBe(true);
    expect(r.files.map((f) => f.path)).toEqual(['/opt/app/bin/run.sh']);
    const f = r.findings.filter((x) => x.code === 'credential-file');
    expect(f.map((x) => [x.severity, x.file, x.line, x.args])).toEqual([['blocker', '/opt/app/bin/run.sh', 2, { path: '/opt/app/bin/tool', held: 'AWS access key id' }]]);
    const message = findingMessage(f[0]);
    expect(message).toContain('/opt/app/bin/tool is a program with a credential in its bytes (an AWS access key id)');
    expect(message).not.toContain(AWS_KEY);
  });

  test('a program without one, and the text a program prints about credentials, are bundled as before', () => {
    // format strings and help text of the kind a program holds: not credentials
    const help = `${ELF}\u0000usage: tool --user user:password ftp://user:password@host/\u0000Authorization: Bearer %s\u0000Basic realm="%s"\u0000SK0123456789abcdef0123456789abcdef\u0000`;
    expect(credentialInProgram(help)).toBeNull();
    const r = readForBundle(memoryReader({ '/opt/app/bin/tool': help }), '/opt/app/bin/tool');
    expect('content' in r).toBe(true);
  });

  test('a script of another language with a NUL byte in it (#! line) is scanned as text, so its credential is found', () => {
    // it is not refused as a program (isProgram): before, it was not scanned either, and went into the zip as it was
    const reader = memoryReader({ '/opt/app/bin/tool.py': `#!/usr/bin/python3\nSEP = "\u0000"\nKEY = "${AWS_KEY}"\n` });
    const r = bundleJob({ command: 'python3 /opt/app/bin/tool.py', shell: '/bin/bash', environment: {}, home: '/home/x' }, reader);
    expect(r.files.map((f) => f.path)).toEqual(['/opt/app/bin/tool.py']);
    expect(r.trace.secrets.map((x) => [x.file, x.label, x.value])).toEqual([['/opt/app/bin/tool.py', 'AWS access key id', AWS_KEY]]);
  });

  test('text is not a program: a script or a config with a credential is scanned and redacted in the copy instead', () => {
    expect(isProgram(bytes(`#!/bin/bash\necho x\u0000\nKEY=${AWS_KEY}\n`))).toBe(false);
    expect(isProgram(bytes(`aws_access_key_id = ${AWS_KEY}\n`))).toBe(false);
    expect(isProgram(bytes(`${ELF}${AWS_KEY}`))).toBe(true);
    const reader = memoryReader({ '/opt/app/etc/app.conf': `aws_access_key_id = ${AWS_KEY}\n` });
    const r = bundleJob({ command: 'cat /opt/app/etc/app.conf', shell: '/bin/bash', environment: {}, home: '/home/x' }, reader);
    expect(r.error).toBe(false);
    expect(r.files.map((f) => f.path)).toEqual(['/opt/app/etc/app.conf']);
    // found (the secret finding and the copy's [REDACTED] are made from the trace)
    expect(r.trace.secrets.map((x) => [x.file, x.label, x.value])).toEqual([['/opt/app/etc/app.conf', 'AWS access key id', AWS_KEY]]);
  });
});
