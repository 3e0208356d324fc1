// The machine's name used for what a job does (hostname). Before, nothing was said: on Lambda `hostname` is the name
// of whichever sandbox a run gets, so `aws s3 cp x "s3://backups/$(hostname)/"` wrote under a new prefix on every run
// and `[ "$(hostname)" = db01 ] || exit 0` made the job do nothing, both judged ready and both succeeding.
import { describe, expect, test } from 'vitest';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { memoryReader } from '../../src/scripts/reader.js';
import { findingMessage } from '../../src/render/messages.js';

const SCRIPT = [
  '#!/bin/bash',
  'set -e',
  'HOST=$(hostname -s)',
  'DEST="s3://backups/$HOST/db.gz"',
  'echo "starting on $(hostname)"',
  'logger "job on $HOSTNAME"',
  '[ "$(hostname)" = db01 ] || exit 0',
  'aws s3 cp /tmp/db.gz "$DEST"',
  'curl -fsS "https://hc.example.com/ping?host=`uname -n`"',
  'printf "%s\\n" "$HOST"',
  'test "$HOSTNAME" != standby',
  'cp /tmp/x "/srv/out/$(cat /etc/hostname).csv"',
  '',
].join('\n');
const reader = memoryReader({ '/opt/app/bin/b.sh': SCRIPT });
const hostFindings = (command: string) =>
  analyzeJob({ command, shell: '/bin/bash', environment: {}, home: '/home/x', file: '/etc/crontab', line: 2 }, reader).findings.filter((f) => f.code === 'hostname');

describe("the machine's name", () => {
  test('used in a test, a path or an argument is a warning on its line, directly or through a variable set from it', () => {
    const found = hostFindings('/opt/app/bin/b.sh');
    expect(found.map((f) => [f.severity, f.line, f.args])).toEqual([
      ['warning', 7, { program: '[', reference: '$(hostname)' }],
      ['warning', 8, { program: 'aws', reference: '$DEST', variable: 'DEST' }],
      ['warning', 9, { program: 'curl', reference: '`uname -n`' }],
      ['warning', 11, { program: 'test', reference: '$HOSTNAME' }],
      ['warning', 12, { program: 'cp', reference: '$(cat /etc/hostname)' }],
    ]);
    expect(findingMessage(found[0])).toContain('a test is given the machine\'s name ($(hostname)): on Lambda it is the name of the sandbox a run happens to get');
    expect(findingMessage(found[1])).toContain('aws is given the machine\'s name ($DEST, set from it)');
  });

  test('in a [[ ]] test or a case subject too', () => {
    expect(hostFindings('[[ $(hostname -s) == db01 ]] || exit 0').map((f) => f.args)).toEqual([{ program: '[[', reference: '$(hostname -s)' }]);
    const c = hostFindings('case "$HOSTNAME" in db01) /bin/true;; *) exit 0;; esac');
    expect(c.map((f) => f.args)).toEqual([{ program: 'case', reference: '$HOSTNAME' }]);
    expect(findingMessage(c[0])).toContain('a case statement is given the machine\'s name ($HOSTNAME)');
  });

  test('a long quoted text of unclosed `$(hostname` is read in one pass (it took about 50 s a word before)', () => {
    const big = memoryReader({ '/opt/app/bin/big.sh': `#!/bin/bash\ngrep -c '${'$(hostname '.repeat(80_000)}' /tmp/x\naws s3 cp /tmp/x "s3://b/$(hostname)/"\n` });
    const f = analyzeJob({ command: '/opt/app/bin/big.sh', shell: '/bin/bash', environment: {}, home: '/home/x' }, big).findings.filter((x) => x.code === 'hostname');
    expect(f.map((x) => [x.line, x.args])).toEqual([[3, { program: 'aws', reference: '$(hostname)' }]]);
  }, 10_000);

  test('$HOSTNAME given by the crontab, or set by the job, is that value on Lambda too (bash sets it only when unset)', () => {
    const job = (command: string, environment: Record<string, string> = {}) =>
      analyzeJob({ command, shell: '/bin/bash', environment, home: '/home/x' }, reader).findings.filter((f) => f.code === 'hostname');
    expect(job('aws s3 cp /tmp/x "s3://b/$HOSTNAME/"', { HOSTNAME: 'app01' })).toEqual([]);
    expect(job('HOSTNAME=app01; aws s3 cp /tmp/x "s3://b/$HOSTNAME/"')).toEqual([]);
    // the program still says the sandbox's name
    expect(job('aws s3 cp /tmp/x "s3://b/$(hostname)/"', { HOSTNAME: 'app01' }).map((f) => f.args)).toEqual([{ program: 'aws', reference: '$(hostname)' }]);
    expect(job('HOSTNAME=$(hostname -f); aws s3 cp /tmp/x "s3://b/$HOSTNAME/"').map((f) => f.args)).toEqual([{ program: 'aws', reference: '$HOSTNAME' }]);
  });

  test('only printed (echo, printf, logger), or a name merely like it, is no finding', () => {
    for (const command of ['echo "$(hostname) alive"', 'logger -t job "$HOSTNAME done"', 'printf "%s\\n" "$(uname -n)"', 'echo $HOSTNAME_PREFIX; ls "$HOSTNAME_PREFIX"', 'uname -a', 'H=$(hostname); echo "$H"']) {
      expect(hostFindings(command), command).toEqual([]);
    }
  });
});
