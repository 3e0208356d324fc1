// plan and report through the CLI (a subprocess), switching between a probe file with `sed` and one without (edited
// with sed itself), the cache of `probe`, and no snapshot at all: the verdicts follow.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { probeSnapshot, writeSnapshot } from '../support/runtime.js';

let work: string;
let root: string;
let crontab: string;
/** No cache and no AWS_REGION from the machine running the tests. */
let env: Record<string, string>;

function write(path: string, text: string, mode = 0o755): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, mode);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'c2l-readiness-'));
  root = join(work, 'root');
  write(join(root, 'opt/jobs/rotate.sh'), '#!/bin/bash\nsed -i "s/old/new/" /tmp/x.conf\n');
  write(join(root, 'opt/jobs/report.pl'), '#!/usr/bin/perl\nprint "hi\\n";\n');
  write(join(root, 'opt/jobs/plain.sh'), '#!/bin/bash\necho ok | tr a-z A-Z\n');
  crontab = join(work, 'crontab');
  writeFileSync(crontab, 'CRON_TZ=UTC\nMAILTO=""\n0 1 * * * /opt/jobs/rotate.sh\n0 2 * * * /opt/jobs/report.pl\n0 3 * * * /opt/jobs/plain.sh\n');
  env = { XDG_CACHE_HOME: join(work, 'cache'), HOME: join(work, 'home'), AWS_REGION: '', AWS_DEFAULT_REGION: '' };
});

interface PlanJson {
  jobs: Array<{ verdict: string; findings: Array<{ code: string; severity: string; message: string; detail?: { command?: string; unverified?: boolean } }> }>;
  runtime: { source: string; how: string; file: string | null; region: string | null; architecture: string; ageDays: number };
}

function plan(extra: string[], extraEnv: Record<string, string> = {}): { json: PlanJson; stderr: string; status: number | null } {
  const r = cli(['plan', crontab, '--root', root, '--from', '2026-12-01', '--json', ...extra], { ...env, ...extraEnv });
  expect(r.status, r.stderr).toBe(0);
  return { json: JSON.parse(r.stdout) as PlanJson, stderr: r.stderr, status: r.status };
}

describe('readiness follows the runtime snapshot', () => {
  it('with a probe that has sed: ready; after `sed` removes sed from the file: blocked, naming the probe', () => {
    const file = writeSnapshot(probeSnapshot({ add: ['sed'], region: 'eu-west-1' }));
    const withSed = plan(['--probe-file', file]);
    expect(withSed.json.jobs[0].verdict).toBe('ready');
    expect(withSed.json.runtime).toMatchObject({ source: 'probe', how: 'probe-file', file, region: 'eu-west-1', architecture: 'x86_64' });

    execFileSync('sed', ['-i', '/^    "sed",$/d', file]);
    const withoutSed = plan(['--probe-file', file]);
    expect(withoutSed.json.jobs[0].verdict).toBe('blocked');
    const f = withoutSed.json.jobs[0].findings.find((x) => x.code === 'missing-command')!;
    expect(f).toMatchObject({ severity: 'blocker', detail: { command: 'sed', unverified: false } });
    expect(f.message).toContain('probe of eu-west-1 x86_64 on 2026-11-20');
    // the other jobs did not move
    expect(withoutSed.json.jobs[2].verdict).toBe('ready');
  });

  it('without any snapshot: sed is an unverified warning (needs-attention, not blocked) with the hint to probe', () => {
    const { json } = plan([]);
    expect(json.runtime).toMatchObject({ source: 'shipped', how: 'shipped', file: null });
    expect(json.jobs[0].verdict).toBe('needs-attention');
    const f = json.jobs[0].findings.find((x) => x.code === 'missing-command')!;
    expect(f).toMatchObject({ severity: 'warning', detail: { command: 'sed', unverified: true } });
    expect(f.message).toContain('cron2lambda probe');
    const text = cli(['plan', crontab, '--root', root, '--from', '2026-12-01'], env);
    expect(text.stdout).toContain("runtime: judged against cron2lambda's shipped list");
    expect(cli(['plan', crontab, '--root', root, '--from', '2026-12-01', '--fail-on', 'blocked'], env).status).toBe(0);
  });

  it('judges a script for another interpreter by whether the runtime has it', () => {
    const shipped = plan([]).json.jobs[1].findings.find((f) => f.code === 'missing-command')!;
    expect(shipped).toMatchObject({ severity: 'warning', detail: { command: 'perl' } });
    expect(shipped.message).toContain("the interpreter perl (from the script's #! line)");
    expect(plan(['--probe-file', writeSnapshot(probeSnapshot())]).json.jobs[1].verdict).toBe('blocked');
    expect(plan(['--probe-file', writeSnapshot(probeSnapshot({ add: ['perl'] }))]).json.jobs[1].verdict).toBe('ready');
  });

  it('uses the cached probe for --region/--arch (or AWS_REGION), and says how old it is', () => {
    const cacheDir = join(work, 'cache', 'cron2lambda');
    mkdirSync(cacheDir, { recursive: true });
    const takenAt = new Date(Date.now() - 3 * 86_400_000 - 60_000).toISOString();
    copyFileSync(writeSnapshot(probeSnapshot({ add: ['sed'], region: 'eu-central-1', takenAt })), join(cacheDir, 'runtime-eu-central-1-x86_64.json'));
    const byFlag = plan(['--region', 'eu-central-1']);
    expect(byFlag.json.runtime).toMatchObject({ source: 'probe', how: 'cache', region: 'eu-central-1', ageDays: 3 });
    expect(byFlag.json.jobs[0].verdict).toBe('ready');
    expect(plan([], { AWS_REGION: 'eu-central-1' }).json.runtime.how).toBe('cache');
    // no cache for arm64 in that region: the shipped list
    expect(plan(['--region', 'eu-central-1', '--arch', 'arm64']).json.runtime).toMatchObject({ how: 'shipped', architecture: 'arm64' });
    const text = cli(['plan', crontab, '--root', root, '--from', '2026-12-01', '--region', 'eu-central-1'], env).stdout;
    expect(text).toContain('runtime: judged against the probe of provided.al2023 in eu-central-1 (x86_64)');
    expect(text).toContain('3 days old');
  });

  it('ignores a broken cache entry with a note, and rejects a broken --probe-file naming the field', () => {
    const cacheDir = join(work, 'cache', 'cron2lambda');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, 'runtime-ap-south-1-x86_64.json'), '{"formatVersion": 1}');
    const broken = plan(['--region', 'ap-south-1']);
    expect(broken.json.runtime.how).toBe('shipped');
    expect(broken.stderr).toMatch(/ignoring the cached runtime snapshot: .*runtime-ap-south-1-x86_64\.json/);

    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...probeSnapshot(), architecture: 'sparc' }));
    const r = cli(['plan', crontab, '--root', root, '--probe-file', bad], env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${bad} is not a cron2lambda runtime snapshot: architecture`);
    const missing = cli(['plan', crontab, '--root', root, '--probe-file', join(work, 'nope.json')], env);
    expect(missing.status).toBe(64);
    expect(missing.stderr).toContain('does not exist');
    const arch = cli(['plan', crontab, '--root', root, '--probe-file', writeSnapshot(probeSnapshot()), '--arch', 'arm64'], env);
    expect(arch.status).toBe(64);
    expect(arch.stderr).toContain('describes x86_64, but --arch is arm64');
    expect(cli(['plan', crontab, '--root', root, '--region', '../../etc'], env).status).toBe(64);
  });

  it.runIf(process.arch === 'x64')('judges a bundled native program: its libraries against the runtime, its architecture against --arch', () => {
    const sysRoot = join(work, 'sysroot');
    mkdirSync(join(sysRoot, 'usr/lib/sysstat'), { recursive: true });
    copyFileSync('/bin/ls', join(sysRoot, 'usr/lib/sysstat/sadc')); // Debian's ls needs libselinux.so.1
    chmodSync(join(sysRoot, 'usr/lib/sysstat/sadc'), 0o755);
    const tab = join(work, 'sysstat.crontab');
    writeFileSync(tab, 'CRON_TZ=UTC\nMAILTO=""\n*/10 * * * * /usr/lib/sysstat/sadc 1 1 /tmp/sa\n');
    const run = (extra: string[]) => {
      const r = cli(['plan', tab, '--root', sysRoot, '--from', '2026-12-01', '--json', ...extra], env);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as PlanJson).jobs[0];
    };
    const shipped = run([]);
    expect(shipped.verdict).toBe('needs-attention');
    expect(shipped.findings.filter((f) => f.code.startsWith('native-')).map((f) => [f.code, f.severity])).toEqual([['native-library', 'warning']]);
    expect(shipped.findings.find((f) => f.code === 'native-library')!.message).toContain('libselinux.so.1');
    const probed = run(['--probe-file', writeSnapshot(probeSnapshot())]);
    expect(probed.verdict).toBe('blocked');
    expect(probed.findings.find((f) => f.code === 'native-library')).toMatchObject({ severity: 'blocker' });
    const arm = run(['--arch', 'arm64']);
    expect(arm.verdict).toBe('blocked');
    expect(arm.findings.filter((f) => f.code.startsWith('native-')).map((f) => f.code)).toEqual(['native-arch']);
  });

  it('report says which runtime it judged against, in Markdown and JSON', () => {
    const file = writeSnapshot(probeSnapshot({ add: ['sed'] }));
    const md = cli(['report', crontab, '--root', root, '--from', '2026-12-01', '--probe-file', file], env);
    expect(md.stdout).toContain('Runtime: judged against the probe of provided.al2023 in eu-west-1 (x86_64) taken 2026-11-20');
    const json = JSON.parse(cli(['report', crontab, '--root', root, '--from', '2026-12-01', '--format', 'json'], env).stdout);
    expect(json.runtime).toMatchObject({ source: 'shipped' });
  });
});
