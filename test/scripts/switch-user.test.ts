// `su` and `runuser` in a root crontab (`su - app -c '/opt/app/bin/job.sh'`): what they run is followed like what
// sudo runs (bundled, judged at its own lines), and the switch of user is the `sudo` blocker, since Lambda runs every
// job as one user without root. Before, the job was only "su is probably not on provided.al2023" and its script was
// neither bundled nor read: a function that failed on every run, judged needs-attention.
import { describe, expect, test } from 'vitest';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { memoryReader } from '../../src/scripts/reader.js';

const input = (command: string) => ({ command, shell: '/bin/sh', environment: {}, home: '/root', file: '/etc/crontab', line: 3 });
const server = memoryReader({
  '/opt/app/bin/job.sh': '#!/bin/bash\n. /opt/app/lib/env.sh\nsystemctl restart app\n',
  '/opt/app/lib/env.sh': 'X=1\n',
});
const analyse = (command: string) => analyzeJob(input(command), server);
const at = (a: ReturnType<typeof analyse>, code: string) => a.findings.filter((f) => f.code === code).map((f) => `${f.file}:${f.line}`);

describe('su and runuser run their command as another user', () => {
  test.each([
    ["su - app -c '/opt/app/bin/job.sh --full'", 'su'],
    ['su app -c /opt/app/bin/job.sh', 'su'],
    // options after the user name (getopt permutes them), one taking a value
    ["su app -s /bin/bash -c '/opt/app/bin/job.sh'", 'su'],
    ["su -l app --command '/opt/app/bin/job.sh'", 'su'],
    // -c last in a group of short options
    ["su -lc '/opt/app/bin/job.sh' app", 'su'],
    ['runuser -u app -- /opt/app/bin/job.sh --full', 'runuser'],
    ['runuser -u app /opt/app/bin/job.sh', 'runuser'],
    ["runuser -l app -c '/opt/app/bin/job.sh'", 'runuser'],
  ])('%s: the script and what it sources are bundled and judged; the switch is a blocker, not a missing command', (command, program) => {
    const a = analyse(command);
    expect(a.bundle.files.map((f) => f.path)).toEqual(['/opt/app/bin/job.sh', '/opt/app/lib/env.sh']);
    expect(a.findings.filter((f) => f.code === 'sudo').map((f) => [f.args, f.file, f.line])).toEqual([[{ program }, '/etc/crontab', 3]]);
    expect(a.findings.filter((f) => f.code === 'missing-command').map((f) => f.args)).toEqual([]);
    // the script's own lines are judged there
    expect(at(a, 'service-control')).toEqual(['/opt/app/bin/job.sh:3']);
    expect(a.verdict).toBe('blocked');
  });

  test('a string given to su is code: the commands in it are judged, and a credential in it is found once', () => {
    const a = analyse("su - app -c 'mysql --password=SuSecret1 -h db.internal shop'");
    expect(a.findings.filter((f) => f.code === 'secret')).toHaveLength(1);
    expect(a.findings.filter((f) => f.code === 'network').map((f) => f.args)).toEqual([{ hosts: ['db.internal'] }]);
    expect(JSON.stringify(a.findings)).not.toContain('SuSecret1');
  });

  test('nothing named to follow: a login shell, a command only known at run time, a word unknown at run time', () => {
    for (const command of ['su - app', 'su - app -c "$CMD"', 'su "$USER_NAME" -c /opt/app/bin/job.sh', 'runuser -u app', 'su - app -c']) {
      const a = analyse(command);
      expect(a.bundle.files, command).toEqual([]);
      expect(a.findings.filter((f) => f.code === 'sudo').length, command).toBe(1);
      expect(a.verdict, command).toBe('blocked');
    }
    expect(at(analyse('su - app -c "$CMD"'), 'unresolved')).toEqual(['/etc/crontab:3']);
  });

  test("su's words after -- are the shell's arguments, not a command to follow", () => {
    expect(analyse('su app -- /opt/app/bin/job.sh').bundle.files).toEqual([]);
  });
});

describe('su --command=STRING in one word', () => {
  test.each(["su - app --command='/opt/app/bin/job.sh --full'", 'su app --command=/opt/app/bin/job.sh', "runuser -l app --session-command='/opt/app/bin/job.sh'"])(
    '%s: the string is code, followed as with -c',
    (command) => {
      const a = analyse(command);
      expect(a.bundle.files.map((f) => f.path)).toEqual(['/opt/app/bin/job.sh', '/opt/app/lib/env.sh']);
      expect(at(a, 'service-control')).toEqual(['/opt/app/bin/job.sh:3']);
      expect(a.findings.filter((f) => f.code === 'unresolved')).toEqual([]);
      expect(a.bundle.command).toContain('"$LAMBDA_TASK_ROOT"/opt/app/bin/job.sh');
    },
  );

  test('a credential in it is found, and rewritten in place', () => {
    const a = analyse("su - app --command='mysql --password=SuJoined9 -h db.internal shop'");
    expect(a.findings.filter((f) => f.code === 'secret')).toHaveLength(1);
    expect(a.bundle.command).not.toContain('SuJoined9');
    expect(a.bundle.command).toMatch(/^su - app --command='mysql --password=/);
  });
});
