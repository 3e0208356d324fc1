// Code the analysis cannot read: a `-c` or `eval` string built from variables, a program named by a variable whose
// value is only known when the job runs. What it runs is not bundled, so the job is not `ready`: an `unresolved`
// finding says so. A variable program whose value the analysis knows is still followed and bundled.
import { describe, expect, test } from 'vitest';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { memoryReader } from '../../src/scripts/reader.js';

const server = memoryReader({
  '/home/deploy/x.sh': '#!/bin/bash\necho x\n',
  '/opt/x.sh': '#!/bin/bash\necho opt\n',
});
const analyse = (command: string) =>
  analyzeJob({ command, shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/etc/crontab', line: 3 }, server);
const unresolved = (command: string) =>
  analyse(command)
    .findings.filter((f) => f.code === 'unresolved')
    .map((f) => (f.code === 'unresolved' ? `${f.line} ${f.args.role}: ${f.args.reference}` : ''));

describe('code the analysis cannot read is a finding, not ready', () => {
  test.each([
    ['sh -c "$HOME/x.sh"', ['3 shell code: $HOME']],
    ['D=/opt; bash -c "$D/x.sh"', ['3 shell code: $D']],
    ['eval "\\$HOME/x.sh"', ['3 shell code: ']],
    ['eval "$CMD"', ['3 shell code: $CMD']],
    ['for f in $HOME/x.sh; do $f; done', ['3 the program: $f']],
    ['for f in $HOME/x.sh; do "$f"; done', ['3 the program: "$f"']],
  ])('%s', (command, expected) => {
    const a = analyse(command);
    expect(unresolved(command)).toEqual(expected);
    expect(a.verdict).toBe('needs-attention');
  });

  test('the finding names the expansions a string is built from, never its text (a credential in it is not detected)', () => {
    expect(unresolved('sh -c "mysql --password=PlantedPw123 -h $H ${P:-PlantedDefault} $(cat /x) $H"; eval echo $X')).toEqual([
      '3 shell code: $H $P $(...)',
      '3 shell code: $X',
    ]);
  });

  test('no false alarm: literal strings, known variable programs, builtins and PATH commands named literally', () => {
    for (const command of [
      "bash -c '/opt/x.sh'",
      'sh -c "date; echo hi"',
      "eval 'echo hi'",
      'X=/opt/x.sh; $X',
      'P=~/x.sh; "$P" --now',
      '"$HOME"/x.sh',
      'date; echo "$HOME" $RANDOM; test -d /tmp && printf "%s\\n" "$PATH"',
    ]) {
      const a = analyse(command);
      expect(a.findings, command).toEqual([]);
      expect(a.verdict, command).toBe('ready');
    }
    // the known program is still followed and bundled
    expect(analyse('X=/opt/x.sh; $X').bundle.files.map((f) => f.path)).toEqual(['/opt/x.sh']);
  });
});
