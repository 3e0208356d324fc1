// The probe function's bootstrap, from its zip, run by bash against the local Runtime API: its answer validates
// against the snapshot schema and tells the truth about this machine.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extractZipToDir, startBootstrap, type BootstrapProcess } from '../../src/local/runner.js';
import { startRuntimeApi, type RuntimeApiServer } from '../../src/local/runtime-api.js';
import { buildProbeZip } from '../../src/runtime/probe-zip.js';
import { parseProbeReport, snapshotFromReport, snapshotSchemas, type ProbeReport } from '../../src/runtime/snapshot.js';
import { readZip } from '../../src/package/zip.js';

const running: Array<{ api: RuntimeApiServer; boot: BootstrapProcess }> = [];
afterEach(async () => {
  for (const { api, boot } of running.splice(0)) {
    boot.kill();
    await boot.exited;
    await api.close();
  }
});

async function probe(path?: string): Promise<{ report: ProbeReport; raw: unknown; stderr: string[] }> {
  const taskDir = mkdtempSync(join(tmpdir(), 'c2l-probe-task-'));
  await extractZipToDir(await buildProbeZip(), taskDir);
  const api = await startRuntimeApi({ functionName: 'c2l-probe' });
  const stderr: string[] = [];
  const boot = startBootstrap({ taskDir, runtimeApi: api.address, functionName: 'c2l-probe', ...(path ? { path } : {}), onStderr: (l) => stderr.push(l) });
  running.push({ api, boot });
  const result = await api.enqueue({});
  expect(result.kind, stderr.join('\n')).toBe('response');
  const raw = (result as { json: unknown }).json;
  const parsed = parseProbeReport(raw);
  if (!parsed.ok) throw new Error(`the probe's answer does not validate: ${parsed.error}`);
  return { report: parsed.value, raw, stderr };
}

const sh = (cmd: string): string => execFileSync('bash', ['-c', cmd], { encoding: 'utf8' }).trim();

describe('probe bootstrap', () => {
  it('is one executable file in a zip that is the same bytes every time', async () => {
    const a = await buildProbeZip();
    expect((await buildProbeZip()).equals(a)).toBe(true);
    expect(readZip(a).map((e) => [e.path, e.mode])).toEqual([['bootstrap', 0o755]]);
  });

  it("answers one invocation with this machine's commands, versions, glibc, libraries and image", async () => {
    const { report } = await probe();
    expect(report.probeFormat).toBe(1);
    expect(report.commands).toEqual([...new Set(report.commands)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    for (const c of ['bash', 'ls', 'curl', 'sed']) expect(report.commands).toContain(c);
    expect(report.builtins).toEqual(expect.arrayContaining(['cd', 'echo', 'if', 'printf']));
    expect(report.bash.version).toBe(sh('echo $BASH_VERSION'));
    expect(report.curl.version).toBe(/^curl (\S+)/.exec(sh('curl --version'))![1]);
    expect(report.curl.awsSigv4).toBe(sh('curl --help all').includes('--aws-sigv4'));
    expect(report.machine).toBe(sh('uname -m'));
    expect(report.glibc.version).toBe(/(\d+\.\d+)/.exec(sh('getconf GNU_LIBC_VERSION'))![1]);
    expect(report.libraries).toContain('libc.so.6');
    expect(report.zoneinfo).toBe(true);
    const osId = /^ID=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))![1].replace(/"/g, '');
    expect(report.image.osRelease.id).toBe(osId);
    expect(report.image.executionEnv).toBe('AWS_Lambda_provided.al2023'); // as runner.ts sets it
    // and the file `probe` writes from it validates against the same schema as the shipped list
    const snap = snapshotFromReport(report, { region: 'eu-west-1', architecture: 'x86_64', takenAt: new Date('2026-11-30T05:00:00Z'), runtimeVersionArn: null });
    expect(snapshotSchemas().RuntimeSnapshotSchema.safeParse(JSON.parse(JSON.stringify(snap))).success).toBe(true);
  });

  it('still answers on a minimal image without getconf or ldd: glibc from libc.so.6 itself', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'c2l-minimal-bin-'));
    for (const c of ['curl', 'mktemp', 'rm', 'uname', 'sort']) symlinkSync(sh(`command -v ${c}`), join(bin, c));
    const { report } = await probe(bin);
    expect(report.commands).toEqual(expect.arrayContaining(['curl', 'mktemp', 'rm', 'sort', 'uname']));
    expect(report.commands).not.toContain('getconf');
    expect(report.commands).not.toContain('ldd');
    expect(report.glibc.source).toMatch(/libc\.so\.6$/);
    expect(report.glibc.version).toBe(/(\d+\.\d+)/.exec(sh('getconf GNU_LIBC_VERSION'))![1]);
    expect(report.pathDirs[0]).toBe(bin);
  });

  it('writes valid JSON for program names with quotes, backslashes, tabs and control characters', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'c2l-odd-bin-'));
    for (const c of ['curl', 'mktemp', 'rm', 'uname', 'sort']) symlinkSync(sh(`command -v ${c}`), join(bin, c));
    const odd = ['we"ird', 'back\\slash', 'tab\there', 'bell\u0007x', 'ünï'];
    for (const name of [...odd, 'line\nbreak']) {
      writeFileSync(join(bin, name), '#!/bin/sh\n');
      chmodSync(join(bin, name), 0o755);
    }
    mkdirSync(join(bin, 'a-directory'));
    writeFileSync(join(bin, 'not-executable'), '');
    const { report } = await probe(bin);
    for (const name of ['we"ird', 'back\\slash', 'tab\there', 'bellx', 'ünï']) expect(report.commands).toContain(name);
    expect(report.commands.some((c) => c.includes('\n'))).toBe(false);
    expect(report.commands).not.toContain('a-directory');
    expect(report.commands).not.toContain('not-executable');
  });
});
