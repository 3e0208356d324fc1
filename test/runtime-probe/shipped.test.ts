// The shipped list and the probe's format stay in step: the list is a snapshot object validated by the schema the
// probe's file is read with, and the old per-name test (isAvailableOnAl2023) agrees with it name for name.
import { describe, expect, it } from 'vitest';
import { findingMessage } from '../../src/render/messages.js';
import { BASH_BUILTINS, CERTAIN_COMMANDS, COREUTILS, OTHER_PACKAGES, SHIPPED_LIST_CHECKED, isAvailableOnAl2023 } from '../../src/scripts/al2023.js';
import { missingCommandFinding, runtimeView } from '../../src/runtime/judge.js';
import { shippedSnapshot } from '../../src/runtime/shipped.js';
import { ARCHITECTURES, parseSnapshot, snapshotFromReport, snapshotSchemas } from '../../src/runtime/snapshot.js';
import { probeSnapshot } from '../support/runtime.js';

describe('the shipped list as a runtime snapshot', () => {
  for (const arch of ARCHITECTURES) {
    it(`is a valid snapshot for ${arch} that survives a trip through a file`, () => {
      const s = shippedSnapshot(arch);
      const back = parseSnapshot(JSON.stringify(s, null, 2));
      expect(back).toEqual({ ok: true, value: s });
      expect(s).toMatchObject({ source: 'shipped', region: null, architecture: arch, takenAt: `${SHIPPED_LIST_CHECKED}T00:00:00Z`, glibc: { version: '2.34' } });
      expect(s.machine).toBe(arch === 'arm64' ? 'aarch64' : 'x86_64');
      expect(s.libraries).toContain(arch === 'arm64' ? 'ld-linux-aarch64.so.1' : 'ld-linux-x86-64.so.2');
    });
  }

  it('has the same fields as a snapshot made from a probe answer', () => {
    const shipped = shippedSnapshot('x86_64');
    const { formatVersion: _f, source: _s, runtime: _r, region: _g, architecture: _a, takenAt: _t, runtimeVersionArn: _v, ...fields } = shipped;
    const report = snapshotSchemas().ProbeReportSchema.parse({ probeFormat: 1, ...fields });
    const fromProbe = snapshotFromReport(report, { region: 'us-east-1', architecture: 'x86_64', takenAt: new Date(), runtimeVersionArn: null });
    expect(Object.keys(fromProbe).sort()).toEqual(Object.keys(shipped).sort());
    expect(snapshotSchemas().RuntimeSnapshotSchema.safeParse(fromProbe).success).toBe(true);
  });

  it('agrees with isAvailableOnAl2023 for every name it knows, and holds every certain command', () => {
    const view = runtimeView(shippedSnapshot('x86_64'));
    for (const name of [...COREUTILS, ...OTHER_PACKAGES, ...BASH_BUILTINS, 'sed', 'jq', 'find', 'perl', 'python3']) {
      expect(view.hasCommand(name), name).toBe(isAvailableOnAl2023(name));
    }
    for (const c of CERTAIN_COMMANDS) expect(shippedSnapshot('arm64').commands).toContain(c);
  });

  it('rejects a file that is not a snapshot, naming the field', () => {
    const s = shippedSnapshot('x86_64');
    expect(parseSnapshot('{')).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) });
    expect(parseSnapshot(JSON.stringify({ ...s, formatVersion: 2 }))).toMatchObject({ ok: false, error: expect.stringContaining('formatVersion') });
    expect(parseSnapshot(JSON.stringify({ ...s, commands: ['ok', '../../etc/passwd'] }))).toMatchObject({ ok: false, error: expect.stringContaining('commands.1') });
    expect(parseSnapshot(JSON.stringify({ ...s, region: '../../x' }))).toMatchObject({ ok: false, error: expect.stringContaining('region') });
    expect(parseSnapshot(JSON.stringify({ ...s, glibc: { version: 'two', source: null } }))).toMatchObject({ ok: false, error: expect.stringContaining('glibc.version') });
  });
});

describe('certain and assumed commands', () => {
  it('never reports a certain command missing without a probe, and trusts a probe that lacks it', () => {
    expect(missingCommandFinding('mktemp', 'f', 1)).toBeNull();
    const noMktemp = runtimeView(probeSnapshot({ remove: ['mktemp'] }));
    expect(missingCommandFinding('mktemp', 'f', 1, noMktemp)).toMatchObject({ code: 'missing-command', severity: 'blocker', detail: { command: 'mktemp', unverified: false } });
  });

  it('reports a program the shipped list lacks as an unverified warning with the hint to probe', () => {
    const f = missingCommandFinding('sed', '/opt/x.sh', 3);
    expect(f).toMatchObject({ code: 'missing-command', severity: 'warning', file: '/opt/x.sh', line: 3, detail: { command: 'sed', unverified: true } });
    expect(f!.args).toMatchObject({ program: 'sed', interpreter: false, runtime: { probe: false, day: SHIPPED_LIST_CHECKED } });
    expect(findingMessage(f!)).toContain('cron2lambda probe');
    expect(findingMessage(f!)).toContain(`shipped list of ${SHIPPED_LIST_CHECKED}`);
  });

  it('names the probe it judged against in a verified finding', () => {
    const f = missingCommandFinding('sed', '/opt/x.sh', 3, runtimeView(probeSnapshot({ region: 'ap-south-1' })));
    expect(f!.args).toMatchObject({ program: 'sed', runtime: { probe: true, region: 'ap-south-1', architecture: 'x86_64', day: '2026-11-20' } });
    expect(findingMessage(f!)).toContain('probe of ap-south-1 x86_64 on 2026-11-20');
    expect(missingCommandFinding('sed', '/opt/x.sh', 3, runtimeView(probeSnapshot({ add: ['sed'] })))).toBeNull();
  });
});
