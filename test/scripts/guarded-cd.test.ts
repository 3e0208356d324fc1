// A cd into a directory the server copy lacks, written so that the job carries on without it (`[ -d X ] && cd X`,
// `if [ -d X ]; then cd X; fi`, `cd X || true`): the job runs on Lambda as it runs on a server without the
// directory. Before, each was a blocker that made the job an error and kept it out of the package.
import { describe, expect, test } from 'vitest';
import { bundleJob } from '../../src/scripts/bundle.js';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { memoryReader } from '../../src/scripts/reader.js';

const server = memoryReader({
  '/opt/app/bin/run.sh': '#!/bin/bash\necho run\n',
  '/opt/app/data/keep': 'x\n',
  '/opt/app/bin/guarded.sh': ['#!/bin/bash', 'if [ -d /srv/incoming ]; then', '  cd /srv/incoming', '  ls', 'fi', '/opt/app/bin/run.sh', ''].join('\n'),
});
const input = (command: string) => ({ command, shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/etc/crontab', line: 3 });
const cdFindings = (command: string) => {
  const r = bundleJob(input(command), server);
  return { error: r.error, found: r.findings.filter((f) => f.code === 'missing-directory').map((f) => [f.severity, f.args]) };
};

describe('a cd the script is written to do without', () => {
  test.each([
    '[ -d /srv/incoming ] && cd /srv/incoming; ls',
    'test -d /srv/incoming && cd /srv/incoming && ls',
    '[[ -e /srv/incoming/ ]] && cd /srv/incoming; ls',
    '[ -d /srv/incoming -a -w /srv/incoming ] && { cd /srv/incoming; ls; }',
    'D=/srv/incoming; [ -d "$D" ] && cd "$D"; ls',
    'if [ -d /srv/incoming ]; then cd /srv/incoming; fi; ls',
    'if test -d /srv; then :; elif [ -d /srv/incoming ]; then cd /srv/incoming; fi',
    'cd /srv/incoming 2>/dev/null || true; ls',
    'cd /srv/incoming || :',
    'cd /srv/incoming || cd /tmp; ls',
    'cd /srv/incoming || echo "no incoming, staying here"',
    'cd /srv/incoming || { logger -t app "no incoming"; true; }',
  ])('%s: a warning, and the job is packaged', (command) => {
    expect(cdFindings(command)).toEqual({
      error: false,
      found: [['warning', { kind: 'not-under-root', reference: expect.any(String) as unknown, path: '/srv/incoming', guarded: true }]],
    });
  });

  test.each([
    'cd /srv/incoming; ls',
    'cd /srv/incoming && ls',
    'cd /srv/incoming || exit 1',
    'cd /srv/incoming || { echo "no incoming" >&2; exit 1; }',
    'cd /srv/incoming || die "no incoming"',
    '[ -d /srv/other ] && cd /srv/incoming',
    '[ ! -d /srv/incoming ] && cd /srv/incoming',
    '! [ -d /srv/incoming ] && cd /srv/incoming',
    '[ -d /srv/incoming -o -d /srv/x ] && cd /srv/incoming',
    '[ -d /srv/incoming ] || cd /srv/incoming',
    '[ -f /srv/incoming ] && cd /srv/incoming',
    'if [ -d /srv/incoming ]; then :; else cd /srv/incoming; fi',
    'if [ -d /srv/incoming ]; then :; fi; cd /srv/incoming',
    '[ -d /srv/incoming ] && ls; cd /srv/incoming',
    // the outer cd's handled failure is its own, not that of a cd in its word
    'cd "$(cd /srv/incoming; echo /tmp)" || true',
  ])('%s: still a blocker that makes the job an error', (command) => {
    const r = cdFindings(command);
    expect(r.error).toBe(true);
    expect(r.found.map(([severity]) => severity)).toEqual(['blocker']);
  });

  test('in a script: the job is needs-attention, not blocked, and its findings say why', () => {
    const a = analyzeJob(input('/opt/app/bin/guarded.sh'), server);
    expect(a.error).toBe(false);
    expect(a.verdict).toBe('needs-attention');
    expect(a.findings.map((f) => [f.code, f.severity, f.file, f.line])).toEqual([['missing-directory', 'warning', '/opt/app/bin/guarded.sh', 3]]);
  });

  test('a guarded cd into a directory the copy has is no missing-directory, and is rewritten to the copy as any cd is', () => {
    const r = bundleJob(input('[ -d /opt/app/data ] && cd /opt/app/data && cat keep'), server);
    // `keep`, read from there, is bundled: the copy of the directory holds what the job reads
    expect(r.findings).toEqual([]);
    expect(r.files.map((f) => [f.path, f.reason])).toEqual([['/opt/app/data/keep', 'input']]);
    expect(r.command).toBe('[ -d /opt/app/data ] && cd "$LAMBDA_TASK_ROOT"/opt/app/data && cat keep');
  });
});
