import { describe, expect, it } from 'vitest';
import { functionEnvironment, functionNameFor, packageJob, LAMBDA_ENVIRONMENT_LIMIT } from '../../src/package/artifact.js';
import type { Job, JobBundle } from '../../src/plan/plan.js';
import { packageProblemText } from '../../src/render/problems.js';

function job(environment: Record<string, string>, zone = 'Asia/Tokyo'): Job {
  return {
    id: 'backup-0a1b2c3d',
    source: { file: 'crontab', line: 3, text: '0 3 * * * /x.sh' },
    status: 'migrate',
    reasons: [],
    warnings: [],
    command: '/x.sh',
    stdin: null,
    environment,
    home: null,
    findings: [],
    verdict: 'ready',
    verdictReasons: [],
    files: [],
    schedule: { timezone: zone } as Job['schedule'],
  };
}

const analysis: JobBundle = {
  command: '"$LAMBDA_TASK_ROOT"/x.sh',
  dropped: [],
  files: [{ path: '/x.sh', zipPath: 'x.sh', content: new TextEncoder().encode('#!/bin/sh\necho hi\n'), mode: 0o755, reason: 'command' }],
};
const templates = { bootstrap: '#!/bin/bash\n', lock: '# lock\n', handler: 'handler() { :; }\n@@ENV_NOTES@@ @@SHELL@@ @@HOME@@ @@ENV_ARGS@@ @@COMMAND@@ @@STDIN@@ @@JOB_ID@@\n' };

describe('function names', () => {
  it('are c2l-<id>, at most 64 characters of [A-Za-z0-9-_]', () => {
    expect(functionNameFor('backup-0a1b2c3d')).toBe('c2l-backup-0a1b2c3d');
    const long = functionNameFor('x'.repeat(80));
    expect(long).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(long).toHaveLength(64);
    expect(functionNameFor('x'.repeat(80))).toBe(long);
    expect(functionNameFor('x'.repeat(81))).not.toBe(long);
  });
});

describe('the function environment', () => {
  it('carries the lock settings, the job, TZ of the schedule and the crontab variables Lambda accepts', () => {
    const { environment, left } = functionEnvironment(
      job({ SHELL: '/bin/bash', MAILTO: 'ops@x', PATH: '/usr/bin', CRON_TZ: 'Asia/Tokyo', 'MY-VAR': '1', AWS_REGION: 'x', LD_PRELOAD: '/x.so', DB_PASSWORD: '[REDACTED]' }),
      { lockTable: 'locks' },
    );
    expect(environment).toEqual({ CRON2LAMBDA_LOCK_TABLE: 'locks', CRON2LAMBDA_JOB: 'backup-0a1b2c3d', TZ: 'Asia/Tokyo', SHELL: '/bin/bash', MAILTO: 'ops@x' });
    expect(left.sort()).toEqual(['AWS_REGION', 'CRON_TZ', 'DB_PASSWORD', 'LD_PRELOAD', 'MY-VAR', 'PATH']);
  });

  it("leaves out one-letter names, which Lambda's key pattern [a-zA-Z]([a-zA-Z0-9_])+ refuses (function.sh still sets them)", () => {
    const { environment, left } = functionEnvironment(job({ X: '1', XY: '2' }), { lockTable: 'l' });
    expect(environment.X).toBeUndefined();
    expect(environment.XY).toBe('2');
    expect(left).toContain('X');
  });

  it('keeps a crontab TZ and adds none for UTC', () => {
    expect(functionEnvironment(job({ TZ: 'Europe/Paris' }), { lockTable: 'l' }).environment.TZ).toBe('Europe/Paris');
    expect(functionEnvironment(job({}, 'UTC'), { lockTable: 'l' }).environment.TZ).toBeUndefined();
  });

  it('reports an environment over Lambda\'s 4 KB limit', () => {
    const p = packageJob(job({ BIG: 'x'.repeat(LAMBDA_ENVIRONMENT_LIMIT) }), analysis, templates, { lockTable: 'l' });
    expect(p.problems.map((x) => x.code)).toEqual(['environment-too-large']);
  });
});

describe('zip entries', () => {
  it('are bootstrap 0755, lock.sh and function.sh 0644, the stderr copiers 0755, then the bundled files with their modes', () => {
    const p = packageJob(job({}), analysis, templates, { lockTable: 'l' });
    expect(p.entries.map((e) => [e.path, e.mode.toString(8)])).toEqual([
      ['bootstrap', '755'],
      ['lock.sh', '644'],
      ['function.sh', '644'],
      ['c2l-copy-x86_64', '755'],
      ['c2l-copy-aarch64', '755'],
      ['x.sh', '755'],
    ]);
    expect(p.files).toEqual(['/x.sh']);
    expect(p.layers).toEqual([]);
  });
});

describe('server files where the runtime keeps its own', () => {
  const bundled = (path: string): JobBundle => ({ ...analysis, files: [{ path, zipPath: path.slice(1), content: new TextEncoder().encode('x'), mode: 0o755, reason: 'command' }] });

  it('make a problem on the job instead of a zip with two lock.sh', () => {
    const pkg = packageJob(job({}), bundled('/lock.sh'), templates, { lockTable: 't' });
    expect(pkg.problems).toEqual([expect.objectContaining({ code: 'bundle-path-collision' })]);
    expect(packageProblemText(pkg.problems[0])).toContain("the server file /lock.sh would take the place of the runtime's own lock.sh");
  });

  it('include a server directory named like a runtime file', () => {
    const pkg = packageJob(job({}), bundled('/bootstrap/run.sh'), templates, { lockTable: 't' });
    expect(packageProblemText(pkg.problems[0])).toContain('/bootstrap/run.sh needs a directory where the runtime');
  });

  it('leave ordinary server paths alone', () => {
    expect(packageJob(job({}), bundled('/opt/lock.sh'), templates, { lockTable: 't' }).problems).toEqual([]);
  });
});
