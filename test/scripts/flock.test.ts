// flock on the server → the job-level overlap lock (issue 13): parsing flock's options, which calls the bundle drops
// or rewrites, which it keeps (and reports as missing), and the job's overlap policy.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findingMessage } from '../../src/render/messages.js';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { bundleJob } from '../../src/scripts/bundle.js';
import { applyOverride, overlapEnvironment, overlapFromFlocks, parseFlock, type FlockUse } from '../../src/scripts/flock.js';
import { memoryReader } from '../../src/scripts/reader.js';
import { buildPlan } from '../../src/plan/plan.js';
import { makeHorizon } from '../../src/schedule/translate.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';
import type { OverlapOverride } from '../../src/scripts/flock.js';
import { parseOverlap } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const input = (command: string, keepFlockLocks?: string[]) => ({ command, shell: '/bin/bash', environment: {}, home: '/root', ...(keepFlockLocks ? { keepFlockLocks } : {}) });
const SYNC = '#!/bin/bash\necho "sync $*"\n';
const reader = (scripts: Record<string, string> = {}) => memoryReader({ '/opt/batch/sync.sh': SYNC, ...scripts });
const split = (s: string) => s.split(' ');

describe('parseFlock reads flock(1) as util-linux does', () => {
  test.each([
    ['flock -n /var/lock/x cmd a', { nonblock: true, waitSeconds: null, target: '/var/lock/x', commandIndex: 3, fd: null }],
    ['flock --nonblock /var/lock/x cmd', { nonblock: true, target: '/var/lock/x', commandIndex: 3 }],
    ['flock --nb /var/lock/x cmd', { nonblock: true }],
    ['flock -w 0 /var/lock/x cmd', { nonblock: false, waitSeconds: 0, commandIndex: 4 }],
    ['flock --timeout 0 /var/lock/x cmd', { waitSeconds: 0, commandIndex: 4 }],
    ['flock --wait=30 /var/lock/x cmd', { waitSeconds: 30, commandIndex: 3 }],
    ['flock -w2.5 /var/lock/x cmd', { waitSeconds: 2.5, commandIndex: 3 }],
    ['flock -xn -E 3 /var/lock/x cmd', { nonblock: true, conflictExitCode: 3, commandIndex: 5 }],
    ['flock -nw 5 /var/lock/x cmd', { nonblock: true, waitSeconds: 5, commandIndex: 4 }],
    ['flock -s /var/lock/x cmd', { shared: true }],
    ['flock -n 9', { nonblock: true, fd: 9, commandIndex: null, dashCIndex: null }],
    ['flock -u 9', { unlock: true, fd: 9 }],
    ['flock -n /var/lock/x -c run', { target: '/var/lock/x', dashCIndex: 3, commandIndex: null }],
    ['flock -- /var/lock/x cmd', { target: '/var/lock/x', commandIndex: 3 }],
  ])('%s', (line, expected) => {
    expect(parseFlock(split(line))).toMatchObject(expected);
  });

  test.each([
    ['an unknown option', 'flock -q /var/lock/x cmd'],
    ['a wait that is not a number', 'flock -w soon /var/lock/x cmd'],
    ['-c before the lock file', 'flock -c run /var/lock/x'],
    ['no lock at all', 'flock -n'],
    ['a lock file and nothing to run that is no descriptor', 'flock -n /var/lock/x'],
  ])('null for %s', (_, line) => {
    expect(parseFlock(split(line))).toBeNull();
  });

  test('null when the lock file or an option is only known at run time', () => {
    expect(parseFlock(['flock', '-n', null, 'cmd'])).toBeNull();
    expect(parseFlock(['flock', null, '/var/lock/x', 'cmd'])).toBeNull();
  });
});

describe('the crontab command: flock is dropped, the command it ran stays', () => {
  test('flock -n FILE cmd args', () => {
    const r = bundleJob(input('flock -n /var/lock/sync.lock /opt/batch/sync.sh args'), reader());
    expect(r.command).toBe('"$LAMBDA_TASK_ROOT"/opt/batch/sync.sh args');
    expect(r.trace.flocks).toEqual([{ file: 'crontab', line: 1, crontab: true, lock: '/var/lock/sync.lock', mode: 'nonblock', waitSeconds: 0, unlock: false, replaced: true }]);
  });

  test('flock -n FILE -c CMD becomes bash -c CMD', () => {
    const r = bundleJob(input("flock -n /var/lock/sync.lock -c '/opt/batch/sync.sh args'"), reader());
    expect(r.command).toBe(`bash -c '"$LAMBDA_TASK_ROOT"/opt/batch/sync.sh args'`);
    expect(r.trace.flocks[0]).toMatchObject({ replaced: true, mode: 'nonblock' });
  });

  test.each([
    ['flock --nonblock /var/lock/s /opt/batch/sync.sh', 'nonblock', 0],
    ['flock -w 0 /var/lock/s /opt/batch/sync.sh', 'nonblock', 0],
    ['flock --timeout 0 /var/lock/s /opt/batch/sync.sh', 'nonblock', 0],
    ['flock -w 30 /var/lock/s /opt/batch/sync.sh', 'wait', 30],
    ['flock --wait 30 /var/lock/s /opt/batch/sync.sh', 'wait', 30],
    ['flock /var/lock/s /opt/batch/sync.sh', 'block', null],
    ['/usr/bin/flock -x /var/lock/s /opt/batch/sync.sh', 'block', null],
  ])('%s', (line, mode, wait) => {
    const r = bundleJob(input(`${line} >> /var/log/sync.log 2>&1`), reader());
    expect(r.command).toBe('"$LAMBDA_TASK_ROOT"/opt/batch/sync.sh >> /var/log/sync.log 2>&1');
    expect(r.trace.flocks).toMatchObject([{ mode, waitSeconds: wait, replaced: true }]);
  });

  test('( flock -n 9 || exit 1; cmd ) 9>FILE on the crontab line: no finding about the lock file', () => {
    const a = analyzeJob(input('( flock -n 9 || exit 1; /opt/batch/sync.sh ) 9>/var/lock/sub.lock'), reader());
    expect(a.command).toBe('( : || exit 1; "$LAMBDA_TASK_ROOT"/opt/batch/sync.sh ) 9>/dev/null');
    expect(a.findings.map((f) => [f.code, f.file, f.line])).toEqual([['flock', 'crontab', 1]]);
  });

  test('inside a subshell, after cd, and under a wrapper', () => {
    expect(bundleJob(input('cd /opt/batch && (flock -n /var/lock/s ./sync.sh)'), reader()).command).toBe('cd "$LAMBDA_TASK_ROOT"/opt/batch && (./sync.sh)');
    expect(bundleJob(input('timeout 600 flock -n /var/lock/s /opt/batch/sync.sh'), reader()).command).toBe('timeout 600 "$LAMBDA_TASK_ROOT"/opt/batch/sync.sh');
  });
});

describe('scripts: flock on a descriptor becomes a command that succeeds', () => {
  test('exec 9>/var/lock/x; flock -n 9 || exit 1: the lock file is /dev/null, flock is `:`, unlock too', () => {
    const script = '#!/bin/bash\nexec 9>/var/lock/x.lock\nflock -n 9 || exit 1\necho work\nflock -u 9\n';
    const a = analyzeJob(input('/opt/batch/job.sh'), reader({ '/opt/batch/job.sh': script }));
    expect(text(a.bundle.files[0].content)).toBe('#!/bin/bash\nexec 9>/dev/null\n: || exit 1\necho work\n:\n');
    expect(a.findings.map((f) => [f.code, f.severity, f.line])).toEqual([
      ['flock', 'warning', 3],
      ['flock', 'warning', 5],
    ]);
    expect(a.findings[0].detail).toMatchObject({ lock: '/var/lock/x.lock', replaced: true });
  });

  test('( flock -n 9 || exit 1; ... ) 9>file, and if ! flock -w 10 9; then ...', () => {
    const script = [
      '#!/bin/bash',
      '( flock -n 9 || exit 1; echo one ) 9>/var/lock/a.lock',
      'exec 8>>"/tmp/b.lock"',
      'if ! flock -w 10 8; then echo busy; exit 0; fi',
      '',
    ].join('\n');
    const a = analyzeJob(input('/opt/batch/job.sh'), reader({ '/opt/batch/job.sh': script }));
    // a lock file under /tmp can be created on Lambda: it stays
    expect(text(a.bundle.files[0].content)).toBe(['#!/bin/bash', '( : || exit 1; echo one ) 9>/dev/null', 'exec 8>>"/tmp/b.lock"', 'if ! :; then echo busy; exit 0; fi', ''].join('\n'));
    expect(a.bundle.trace.flocks.map((f) => [f.lock, f.mode, f.waitSeconds, f.replaced])).toEqual([
      ['/var/lock/a.lock', 'nonblock', 0, true],
      ['/tmp/b.lock', 'wait', 10, true],
    ]);
    expect(a.findings.filter((f) => f.code !== 'flock')).toEqual([]);
  });

  test('a lock variable set to a literal, and flock FILE cmd in a script', () => {
    const script = '#!/bin/bash\nLOCK=/var/run/job.lock\nexec 7>"$LOCK"\nflock -n 7 || exit 0\nflock -n /var/lock/inner /opt/batch/sync.sh\n';
    const a = analyzeJob(input('/opt/batch/job.sh'), reader({ '/opt/batch/job.sh': script }));
    expect(text(a.bundle.files[0].content)).toBe('#!/bin/bash\nLOCK=/var/run/job.lock\nexec 7>/dev/null\n: || exit 0\n"$LAMBDA_TASK_ROOT"/opt/batch/sync.sh\n');
    expect(a.findings.map((f) => f.code)).toEqual(['flock', 'flock']);
  });
});

describe('flock calls that stay as written, and are reported as missing on Lambda', () => {
  const kept = (command: string, scripts: Record<string, string> = {}, keep?: string[]) => {
    const a = analyzeJob(input(command, keep), reader(scripts));
    return { a, flocks: a.bundle.trace.flocks, missing: a.findings.filter((f) => f.code === 'missing-command' && f.detail?.command === 'flock').map((f) => f.line) };
  };

  test('a shared lock (-s)', () => {
    const { a, flocks, missing } = kept('flock -s /var/lock/db.lock /opt/batch/sync.sh');
    expect(a.command).toBe('flock -s /var/lock/db.lock "$LAMBDA_TASK_ROOT"/opt/batch/sync.sh');
    expect(flocks).toMatchObject([{ replaced: false, kept: 'shared' }]);
    expect(missing).toEqual([1]);
  });

  test('a lock file only known at run time', () => {
    const { a, flocks, missing } = kept('flock -n "/var/lock/$(hostname).lock" /opt/batch/sync.sh');
    expect(a.command).toBe('flock -n "/var/lock/$(hostname).lock" "$LAMBDA_TASK_ROOT"/opt/batch/sync.sh');
    expect(flocks).toMatchObject([{ replaced: false, kept: 'dynamic' }]);
    expect(missing).toEqual([1]);
  });

  test('-E 0: the script goes on when the lock is busy', () => {
    const { flocks, missing } = kept('flock -n -E 0 /var/lock/x /opt/batch/sync.sh');
    expect(flocks).toMatchObject([{ replaced: false, kept: 'conflict-exit-zero' }]);
    expect(missing).toEqual([1]);
    expect(overlapFromFlocks(flocks).policy).toBe('allow');
  });

  test('a descriptor not opened in the script, or opened on two different files', () => {
    const s1 = '#!/bin/bash\nflock -n 9 || exit 1\n';
    const s2 = '#!/bin/bash\nexec 9>/var/lock/a\nexec 9>/var/lock/b\nflock -n 9 || exit 1\n';
    const s3 = '#!/bin/bash\nexec 9>"/var/lock/$1"\nflock -n 9 || exit 1\n';
    for (const s of [s1, s2, s3]) {
      const { a, flocks, missing } = kept('/opt/batch/job.sh', { '/opt/batch/job.sh': s });
      expect(text(a.bundle.files[0].content)).toBe(s);
      expect(flocks).toMatchObject([{ replaced: false, kept: 'descriptor-unknown' }]);
      expect(missing).toEqual([s.split('\n').findIndex((l) => l.startsWith('flock')) + 1]);
    }
  });

  test('a lock file other jobs lock too (the plan passes it in), with its unlock', () => {
    const s = '#!/bin/bash\nexec 9>/var/lock/shared\nflock -n 9 || exit 1\nflock -u 9\n';
    const { a, flocks, missing } = kept('/opt/batch/job.sh', { '/opt/batch/job.sh': s }, ['/var/lock/shared']);
    expect(text(a.bundle.files[0].content)).toBe(s);
    expect(flocks.map((f) => f.kept)).toEqual(['shared-with-other-jobs', 'shared-with-other-jobs']);
    expect(missing).toEqual([3, 4]);
  });

  test('an unlock of a lock that was not replaced', () => {
    const s = '#!/bin/bash\nexec 9>/var/lock/x\nflock -s 9\nflock -u 9\n';
    const { flocks } = kept('/opt/batch/job.sh', { '/opt/batch/job.sh': s });
    expect(flocks.map((f) => [f.line, f.kept])).toEqual([[3, 'shared'], [4, 'unlock']]);
  });
});

describe('the job overlap policy from its flock calls', () => {
  const use = (over: Partial<FlockUse>): FlockUse => ({ file: 'f', line: 1, crontab: false, lock: '/l', mode: 'nonblock', waitSeconds: 0, unlock: false, replaced: true, ...over });

  test('no flock: allow, the default', () => {
    expect(overlapFromFlocks([])).toEqual({ policy: 'allow', waitSeconds: 0, source: 'default' });
  });
  test('non-blocking: forbid, skip at once; the crontab line names the source', () => {
    expect(overlapFromFlocks([use({ crontab: true })])).toEqual({ policy: 'forbid', waitSeconds: 0, source: 'flock-command' });
    expect(overlapFromFlocks([use({})])).toEqual({ policy: 'forbid', waitSeconds: 0, source: 'flock-script' });
  });
  test('-w N waits N (rounded up); a blocking flock waits until the function timeout; the shortest wins', () => {
    expect(overlapFromFlocks([use({ mode: 'wait', waitSeconds: 2.5 })]).waitSeconds).toBe(3);
    expect(overlapFromFlocks([use({ mode: 'block', waitSeconds: null })])).toMatchObject({ policy: 'forbid', waitSeconds: 900 });
    expect(overlapFromFlocks([use({ mode: 'block', waitSeconds: null })], 300).waitSeconds).toBe(300);
    expect(overlapFromFlocks([use({ mode: 'wait', waitSeconds: 3600 })]).waitSeconds).toBe(900);
    expect(overlapFromFlocks([use({ mode: 'block', waitSeconds: null }), use({ mode: 'wait', waitSeconds: 20 })]).waitSeconds).toBe(20);
  });
  test('shared locks and unlocks do not make a job forbid; a kept exclusive lock does', () => {
    expect(overlapFromFlocks([use({ replaced: false, kept: 'shared' }), use({ unlock: true })]).policy).toBe('allow');
    expect(overlapFromFlocks([use({ replaced: false, kept: 'shared-with-other-jobs' })]).policy).toBe('forbid');
  });
  test('--overlap wins; forbid without a wait keeps the flock wait', () => {
    const planned = overlapFromFlocks([use({ mode: 'wait', waitSeconds: 30, crontab: true })]);
    expect(applyOverride(planned, { policy: 'allow' })).toEqual({ policy: 'allow', waitSeconds: 0, source: 'option' });
    expect(applyOverride(planned, { policy: 'forbid' })).toEqual({ policy: 'forbid', waitSeconds: 30, source: 'option' });
    expect(applyOverride(overlapFromFlocks([]), { policy: 'forbid' })).toEqual({ policy: 'forbid', waitSeconds: 0, source: 'option' });
    expect(applyOverride(planned, { policy: 'forbid', waitSeconds: 5 }).waitSeconds).toBe(5);
    expect(applyOverride(planned, undefined)).toBe(planned);
  });
  test('the function environment: only forbid sets the runtime variables', () => {
    expect(overlapEnvironment({ policy: 'forbid', waitSeconds: 30, source: 'flock-command' })).toEqual({ CRON2LAMBDA_OVERLAP: 'forbid', CRON2LAMBDA_OVERLAP_WAIT: '30' });
    expect(overlapEnvironment({ policy: 'allow', waitSeconds: 0, source: 'option' })).toEqual({});
  });
});

test('the rewritten script runs in bash without flock on PATH', () => {
  const script = '#!/bin/bash\nset -e\nexec 9>/var/lock/c2l-test-never/x.lock\nflock -n 9 || exit 1\necho "ran $1"\nflock -u 9\n';
  const a = analyzeJob(input('/opt/batch/job.sh'), reader({ '/opt/batch/job.sh': script }));
  const dir = mkdtempSync(join(tmpdir(), 'c2l-flock-'));
  try {
    const file = join(dir, 'job.sh');
    writeFileSync(file, a.bundle.files[0].content);
    // no flock on this PATH, and the lock's directory does not exist: the original would fail twice over
    const r = spawnSync('/bin/bash', [file, 'ok'], { env: { PATH: '/nonexistent' }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ran ok\n');
    expect(r.status).toBe(0);
    const orig = join(dir, 'orig.sh');
    writeFileSync(orig, script);
    expect(spawnSync('/bin/bash', [orig, 'ok'], { env: { PATH: '/nonexistent' }, encoding: 'utf8' }).status).not.toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('the plan: jobs that lock the same file keep their flock', () => {
  const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 60);
  const plan = (crontab: string, scripts: Record<string, string> = {}, overlap?: Record<string, OverlapOverride>) =>
    buildPlan([{ file: '/etc/crontab', text: crontab, system: true }], { target: 'rule', timezone: 'UTC', horizon, reader: reader(scripts), ...(overlap ? { overlap } : {}) });

  test('two jobs on one lock file: both keep flock (missing on Lambda); a job with its own lock file is rewritten', () => {
    const p = plan(
      [
        '0 * * * * root flock -n /var/lock/db.lock /opt/batch/sync.sh a',
        '30 * * * * root flock -w 60 /var/lock/db.lock /opt/batch/sync.sh b',
        '15 * * * * root flock -n /var/lock/own.lock /opt/batch/sync.sh c',
        '45 * * * * root /opt/batch/sync.sh d',
      ].join('\n') + '\n',
    );
    const [a, b, c, d] = p.jobs;
    for (const j of [a, b]) {
      expect(j.bundle!.command).toMatch(/^flock /);
      expect(j.findings.filter((f) => f.code === 'flock').map((f) => f.detail?.kept)).toEqual(['shared-with-other-jobs']);
      // Judged against the shipped list (no probe), a missing flock is an unverified warning, not a blocker.
      const missing = j.findings.find((f) => f.code === 'missing-command' && f.args.program === 'flock');
      expect(missing && findingMessage(missing)).toContain('flock');
      expect(missing?.severity).toBe('warning');
      expect(missing?.detail?.unverified).toBe(true);
      expect(j.verdict).toBe('needs-attention');
    }
    // still no overlap of a job with itself, as on the server
    expect(a.overlap).toEqual({ policy: 'forbid', waitSeconds: 0, source: 'flock-command' });
    expect(b.overlap).toEqual({ policy: 'forbid', waitSeconds: 60, source: 'flock-command' });
    expect(c.bundle!.command).toBe('"$LAMBDA_TASK_ROOT"/opt/batch/sync.sh c');
    expect(c.verdict).toBe('needs-attention');
    expect(c.findings.find((f) => f.code === 'flock')?.detail).toEqual({ lock: '/var/lock/own.lock', replaced: true, overlap: c.overlap });
    expect(d.overlap).toEqual({ policy: 'allow', waitSeconds: 0, source: 'default' });
  });

  test('--overlap by job id; jobs that are not migrated have no policy', () => {
    const text = '15 * * * * root flock -n /var/lock/own.lock /opt/batch/sync.sh c\n@reboot root /opt/batch/sync.sh\n';
    const id = plan(text).jobs[0].id;
    const p = plan(text, {}, { [id]: { policy: 'allow' } });
    expect(p.jobs[0].overlap).toEqual({ policy: 'allow', waitSeconds: 0, source: 'option' });
    expect(p.jobs[0].findings.find((f) => f.code === 'flock')?.detail?.overlap).toEqual(p.jobs[0].overlap);
    expect(p.jobs[1].status).toBe('skip');
    expect(p.jobs[1].overlap).toBeUndefined();
  });
});

describe('--overlap values', () => {
  test('JOB=allow, JOB=forbid, JOB=forbid:SECONDS, repeatable', () => {
    expect(parseOverlap(['a-1=allow', 'b.2=forbid', 'c_3=forbid:0', 'd=forbid:900'])).toEqual({
      'a-1': { policy: 'allow' },
      'b.2': { policy: 'forbid' },
      c_3: { policy: 'forbid', waitSeconds: 0 },
      d: { policy: 'forbid', waitSeconds: 900 },
    });
    expect(parseOverlap(undefined)).toEqual({});
  });
  test.each([['j=maybe'], ['j=allow:5'], ['j=forbid:901'], ['j=forbid:-1'], ['=forbid'], ['j'], ['a/b=allow']])('%s is a usage error', (v) => {
    expect(() => parseOverlap([v])).toThrow(UsageError);
  });
  test('the same job twice is a usage error', () => {
    expect(() => parseOverlap(['j=allow', 'j=forbid'])).toThrow(/given twice for job j/);
  });
});
