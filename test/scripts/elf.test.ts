// The ELF header reader: on real binaries of this machine (checked against readelf), on synthetic files of every
// class and byte order, and on files that are truncated or lie. It must never throw or read outside its buffer.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findingMessage } from '../../src/render/messages.js';
import { compareVersions, readElf, type ElfInfo } from '../../src/scripts/elf.js';
import { nativeFindings } from '../../src/runtime/native.js';
import { runtimeView } from '../../src/runtime/judge.js';
import { shippedSnapshot } from '../../src/runtime/shipped.js';
import { probeSnapshot } from '../support/runtime.js';

const LIBC = '/usr/lib/x86_64-linux-gnu/libc.so.6';
const hasReadelf = spawnSync('readelf', ['--version']).status === 0;
const onX86 = process.arch === 'x64';
const hasGcc = spawnSync('gcc', ['--version']).status === 0;

function info(bytes: Uint8Array): ElfInfo {
  const r = readElf(bytes);
  if (!r.ok) throw new Error(r.error);
  return r.info;
}

/** What readelf says: NEEDED libraries, the interpreter, the highest GLIBC_ version needed. */
function oracle(path: string): { needed: string[]; interpreter: string | null; glibc: string | null } {
  const dyn = execFileSync('readelf', ['-dW', path], { encoding: 'utf8' });
  const needed = [...dyn.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const hdr = execFileSync('readelf', ['-lW', path], { encoding: 'utf8' });
  const interp = /Requesting program interpreter: ([^\]]+)\]/.exec(hdr)?.[1] ?? null;
  const ver = execFileSync('readelf', ['-VW', path], { encoding: 'utf8' });
  const needSection = ver.split(/Version needs section/)[1] ?? '';
  let glibc: string | null = null;
  for (const m of needSection.matchAll(/Name: GLIBC_(\d+\.\d+(?:\.\d+)?)\s/g)) if (glibc === null || compareVersions(m[1], glibc) > 0) glibc = m[1];
  return { needed, interpreter: interp, glibc };
}

describe.runIf(onX86 && hasReadelf)('real binaries of this machine, against readelf', () => {
  for (const path of ['/bin/ls', LIBC, '/usr/bin/bash', '/usr/bin/curl']) {
    it(`reads ${path} as readelf does`, () => {
      if (!existsSync(path)) return;
      const e = info(readFileSync(path));
      const o = oracle(path);
      expect(e.class).toBe(64);
      expect(e.endian).toBe('little');
      expect(e.machine).toBe('x86_64');
      expect(e.needed).toEqual(o.needed);
      expect(e.interpreter).toBe(o.interpreter);
      expect(e.glibcNeeded).toBe(o.glibc);
    });
  }

  it('reads /bin/ls: an executable with the x86-64 loader, needing libc.so.6', () => {
    const e = info(readFileSync('/bin/ls'));
    expect(e.type === 'shared' || e.type === 'executable').toBe(true); // PIE executables are ET_DYN
    expect(e.interpreter).toBe('/lib64/ld-linux-x86-64.so.2');
    expect(e.needed).toContain('libc.so.6');
    expect(e.versionNeeds.find((n) => n.file === 'libc.so.6')?.versions.some((v) => v.startsWith('GLIBC_2.'))).toBe(true);
  });

  it('blocks a program that needs a newer glibc than the runtime (this Debian\'s bash needs GLIBC_2.36; AL2023 has 2.34)', () => {
    const bash = readFileSync('/usr/bin/bash');
    expect(compareVersions(info(bash).glibcNeeded!, '2.34')).toBeGreaterThan(0);
    const findings = nativeFindings([{ path: '/usr/local/bin/mybash', zipPath: 'usr/local/bin/mybash', content: bash }], runtimeView(shippedSnapshot('x86_64')), 'x86_64');
    const g = findings.find((f) => f.code === 'native-glibc');
    expect(g).toMatchObject({ severity: 'blocker', detail: { glibc: info(bash).glibcNeeded, runtimeGlibc: '2.34' } });
    expect(g!.args).toMatchObject({ path: '/usr/local/bin/mybash', needed: info(bash).glibcNeeded, have: '2.34' });
    expect(findingMessage(g!)).toMatch(/needs glibc 2\.3[5-9]/);
    // the same program on a runtime probed with a newer glibc is fine as far as glibc goes
    const newer = nativeFindings([{ path: '/x', zipPath: 'x', content: bash }], runtimeView(probeSnapshot({ glibc: '2.40', add: [] })), 'x86_64');
    expect(newer.filter((f) => f.code === 'native-glibc')).toEqual([]);
  });

  it('judges /bin/ls on x86_64 by its libraries only (loader and libc present, GLIBC_2.34 at most) and blocks it on arm64', () => {
    const ls = readFileSync('/bin/ls');
    const e = info(ls);
    const input = [{ path: '/opt/bin/ls', zipPath: 'opt/bin/ls', content: ls }];
    const onX = nativeFindings(input, runtimeView(probeSnapshot()), 'x86_64');
    // Debian's ls needs libselinux.so.1, which provided.al2023 does not have: exactly that library is reported
    const extra = e.needed.filter((l) => l !== 'libc.so.6');
    expect(onX.map((f) => [f.code, f.detail?.library])).toEqual(extra.map((l) => ['native-library', l]));
    if (compareVersions(e.glibcNeeded!, '2.34') <= 0) expect(onX.some((f) => f.code === 'native-glibc')).toBe(false);
    const onArm = nativeFindings(input, runtimeView(probeSnapshot({ architecture: 'arm64' })), 'arm64');
    expect(onArm).toHaveLength(1);
    expect(onArm[0]).toMatchObject({ code: 'native-arch', severity: 'blocker', detail: { machine: 'x86_64' } });
    expect(onArm[0].args).toMatchObject({ machine: 'x86_64', architecture: 'arm64', expected: 'aarch64' });
    expect(findingMessage(onArm[0])).toContain('arm64');
  });

  it.runIf(hasGcc)('reports a needed library missing from a probe as a blocker, from the shipped list as an unverified warning, and not at all when bundled under lib/', () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2l-elf-'));
    writeFileSync(join(dir, 'main.c'), '#include <zlib.h>\n#include <stdio.h>\nint main(void){puts(zlibVersion());return 0;}\n');
    const cc = spawnSync('gcc', ['-o', join(dir, 'prog'), join(dir, 'main.c'), '-lz'], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const prog = readFileSync(join(dir, 'prog'));
    expect(info(prog).needed).toEqual(['libz.so.1', 'libc.so.6']);
    const input = [{ path: '/opt/app/prog', zipPath: 'opt/app/prog', content: prog }];
    const probe = probeSnapshot();
    const withoutZ = { ...probe, libraries: probe.libraries.filter((l) => l !== 'libz.so.1') };
    expect(nativeFindings(input, runtimeView(withoutZ), 'x86_64')).toEqual([
      expect.objectContaining({ code: 'native-library', severity: 'blocker', detail: { library: 'libz.so.1', unverified: false } }),
    ]);
    const shipped = shippedSnapshot('x86_64');
    const shippedWithoutZ = { ...shipped, libraries: shipped.libraries.filter((l) => l !== 'libz.so.1') };
    expect(nativeFindings(input, runtimeView(shippedWithoutZ), 'x86_64')).toEqual([
      expect.objectContaining({ code: 'native-library', severity: 'warning', detail: { library: 'libz.so.1', unverified: true } }),
    ]);
    const bundled = [...input, { path: '/usr/lib/libz.so.1', zipPath: 'lib/libz.so.1', content: new Uint8Array([1]) }];
    expect(nativeFindings(bundled, runtimeView(withoutZ), 'x86_64')).toEqual([]);
    // bundled at its server path it is not on Lambda's LD_LIBRARY_PATH, so it does not count
    const atServerPath = [...input, { path: '/usr/lib/libz.so.1', zipPath: 'usr/lib/libz.so.1', content: new Uint8Array([1]) }];
    expect(nativeFindings(atServerPath, runtimeView(withoutZ), 'x86_64')).toHaveLength(1);
  });

  it.runIf(hasGcc)('reads a static program: no interpreter, no libraries, no findings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2l-elf-'));
    writeFileSync(join(dir, 'main.c'), 'int main(void){return 0;}\n');
    expect(spawnSync('gcc', ['-static', '-o', join(dir, 'st'), join(dir, 'main.c')]).status).toBe(0);
    const st = readFileSync(join(dir, 'st'));
    const e = info(st);
    expect(e).toMatchObject({ interpreter: null, needed: [], glibcNeeded: null, machine: 'x86_64' });
    expect(nativeFindings([{ path: '/opt/st', zipPath: 'opt/st', content: st }], runtimeView(shippedSnapshot('x86_64')), 'x86_64')).toEqual([]);
  });
});

// ---------------------------------------------------------------- synthetic files

interface Synth {
  cls: 32 | 64;
  little: boolean;
  machine: number;
  needed: string[];
  interp: string | null;
  versions: Array<{ file: string; names: string[] }>;
}

/** Offsets of the fields a test may corrupt. */
interface Layout {
  bytes: Uint8Array;
  phoff: number;
  dynOff: number;
  verneedOff: number;
}

/** A small, valid ELF file: one PT_LOAD over everything, PT_INTERP, PT_DYNAMIC with DT_NEEDED and DT_VERNEED. */
function synth(s: Synth): Layout {
  const w64 = s.cls === 64;
  const ehsize = w64 ? 64 : 52;
  const phentsize = w64 ? 56 : 32;
  const dynent = w64 ? 16 : 8;
  const base = 0x10000;
  const strs: string[] = [''];
  const strOff = new Map<string, number>();
  let strLen = 1;
  const addStr = (x: string): number => {
    if (!strOff.has(x)) {
      strOff.set(x, strLen);
      strs.push(x);
      strLen += Buffer.byteLength(x) + 1;
    }
    return strOff.get(x)!;
  };
  s.needed.forEach(addStr);
  s.versions.forEach((v) => {
    addStr(v.file);
    v.names.forEach(addStr);
  });
  const nph = s.interp ? 3 : 2;
  const phoff = ehsize;
  let at = phoff + nph * phentsize;
  const interpOff = at;
  if (s.interp) at += Buffer.byteLength(s.interp) + 1;
  at = (at + 7) & ~7;
  const strtabOff = at;
  at += strLen;
  at = (at + 7) & ~7;
  const verneedOff = at;
  const verneedSize = s.versions.reduce((n, v) => n + 16 + 16 * v.names.length, 0);
  at += verneedSize;
  at = (at + 7) & ~7;
  const dynOff = at;
  const dyn: Array<[number, number]> = [
    ...s.needed.map((n): [number, number] => [1, strOff.get(n)!]),
    [5, base + strtabOff],
    [10, strLen],
    ...(s.versions.length ? ([[0x6ffffffe, base + verneedOff], [0x6fffffff, s.versions.length]] as Array<[number, number]>) : []),
    [0, 0],
  ];
  at += dyn.length * dynent;
  const size = at;
  const buf = Buffer.alloc(size);
  const u16 = (o: number, v: number) => (s.little ? buf.writeUInt16LE(v, o) : buf.writeUInt16BE(v, o));
  const u32 = (o: number, v: number) => (s.little ? buf.writeUInt32LE(v >>> 0, o) : buf.writeUInt32BE(v >>> 0, o));
  const word = (o: number, v: number) => (w64 ? (s.little ? buf.writeBigUInt64LE(BigInt(v), o) : buf.writeBigUInt64BE(BigInt(v), o)) : u32(o, v));
  buf.set([0x7f, 0x45, 0x4c, 0x46, w64 ? 2 : 1, s.little ? 1 : 2, 1], 0);
  u16(16, 3);
  u16(18, s.machine);
  u32(20, 1);
  if (w64) {
    word(32, phoff);
    u16(54, phentsize);
    u16(56, nph);
  } else {
    u32(28, phoff);
    u16(42, phentsize);
    u16(44, nph);
  }
  const ph = (i: number, type: number, off: number, filesz: number) => {
    const p = phoff + i * phentsize;
    u32(p, type);
    if (w64) {
      word(p + 8, off);
      word(p + 16, base + off);
      word(p + 32, filesz);
    } else {
      u32(p + 4, off);
      u32(p + 8, base + off);
      u32(p + 16, filesz);
    }
  };
  ph(0, 1, 0, size);
  ph(1, 2, dynOff, dyn.length * dynent);
  if (s.interp) {
    ph(2, 3, interpOff, Buffer.byteLength(s.interp) + 1);
    buf.write(s.interp, interpOff);
  }
  strs.forEach((x) => x && buf.write(x, strtabOff + strOff.get(x)!));
  let v = verneedOff;
  s.versions.forEach((vn, i) => {
    const size1 = 16 + 16 * vn.names.length;
    u16(v, 1);
    u16(v + 2, vn.names.length);
    u32(v + 4, strOff.get(vn.file)!);
    u32(v + 8, 16);
    u32(v + 12, i === s.versions.length - 1 ? 0 : size1);
    vn.names.forEach((n, j) => {
      const a = v + 16 + 16 * j;
      u32(a + 8, strOff.get(n)!);
      u32(a + 12, j === vn.names.length - 1 ? 0 : 16);
    });
    v += size1;
  });
  dyn.forEach(([tag, val], i) => {
    word(dynOff + i * dynent, tag);
    word(dynOff + i * dynent + dynent / 2, val);
  });
  return { bytes: new Uint8Array(buf), phoff, dynOff, verneedOff };
}

const SAMPLE: Synth = {
  cls: 64,
  little: true,
  machine: 183,
  needed: ['libfoo.so.1', 'libc.so.6'],
  interp: '/lib/ld-linux-aarch64.so.1',
  versions: [{ file: 'libc.so.6', names: ['GLIBC_2.17', 'GLIBC_2.38', 'GLIBC_2.4'] }],
};

describe('synthetic ELF files of each class and byte order', () => {
  for (const [cls, little] of [[64, true], [64, false], [32, true], [32, false]] as const) {
    it(`reads a ${cls}-bit ${little ? 'little' : 'big'}-endian file`, () => {
      const e = info(synth({ ...SAMPLE, cls, little }).bytes);
      expect(e).toMatchObject({ class: cls, endian: little ? 'little' : 'big', machine: 'aarch64', interpreter: '/lib/ld-linux-aarch64.so.1', needed: ['libfoo.so.1', 'libc.so.6'], glibcNeeded: '2.38' });
    });
  }

  it('compares versions numerically, not as text', () => {
    expect(compareVersions('2.4', '2.38')).toBe(-1);
    expect(compareVersions('2.2.5', '2.2')).toBe(1);
    expect(compareVersions('2.34', '2.34.0')).toBe(0);
  });

  it('judges an aarch64 program: fine on arm64 apart from what the runtime lacks, blocked on x86_64', () => {
    const content = synth(SAMPLE).bytes;
    const files = [{ path: '/opt/bin/tool', zipPath: 'opt/bin/tool', content }];
    const arm = nativeFindings(files, runtimeView(probeSnapshot({ architecture: 'arm64' })), 'arm64');
    expect(arm.map((f) => [f.code, f.severity, f.detail?.library ?? f.detail?.glibc])).toEqual([
      ['native-library', 'blocker', 'libfoo.so.1'],
      ['native-glibc', 'blocker', '2.38'],
    ]);
    const x86 = nativeFindings(files, runtimeView(probeSnapshot()), 'x86_64');
    expect(x86).toEqual([expect.objectContaining({ code: 'native-arch', severity: 'blocker', detail: { machine: 'aarch64' } })]);
    expect(x86[0].args).toMatchObject({ machine: 'aarch64', architecture: 'x86_64' });
    expect(findingMessage(x86[0])).toContain('--arch arm64');
  });

  it('blocks a 32-bit program even when its machine family matches', () => {
    const e = synth({ ...SAMPLE, cls: 32, machine: 62 }).bytes; // x32 ABI: EM_X86_64 in a 32-bit file
    const f = nativeFindings([{ path: '/opt/x32', zipPath: 'opt/x32', content: e }], runtimeView(probeSnapshot()), 'x86_64');
    expect(f.map((x) => x.code)).toEqual(['native-arch']);
  });
});

describe('files that are truncated or lie', () => {
  const good = synth(SAMPLE);

  function corrupt(write: (b: Buffer) => void): Uint8Array {
    const b = Buffer.from(good.bytes);
    write(b);
    return new Uint8Array(b);
  }

  function expectError(bytes: Uint8Array, pattern: RegExp): void {
    const r = readElf(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(pattern);
  }

  it('reads every prefix of a real file without throwing: an error until the file is whole', () => {
    const whole = onX86 ? readFileSync('/bin/ls') : Buffer.from(good.bytes);
    const full = readElf(whole);
    expect(full.ok).toBe(true);
    const lengths = new Set<number>();
    for (let n = 0; n <= 256; n++) lengths.add(n);
    for (let n = 256; n < whole.length; n = Math.ceil(n * 1.07)) lengths.add(n);
    for (const n of lengths) {
      const r = readElf(whole.subarray(0, n));
      if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
    }
    expectError(whole.subarray(0, 3), /not an ELF file/);
    expectError(whole.subarray(0, 40), /truncated/);
  });

  it('says where a program header table past the end of the file is', () => {
    expectError(corrupt((b) => b.writeBigUInt64LE(0xfffffffffff0n, 32)), /program headers .* past the end/);
    expectError(corrupt((b) => b.writeBigUInt64LE(0xffffffffffffffffn, 32)), /impossibly large/);
  });

  it('rejects a huge program header count and a too-small entry size', () => {
    expectError(corrupt((b) => b.writeUInt16LE(0xffff, 56)), /e_phnum 65535/);
    expectError(corrupt((b) => b.writeUInt16LE(8, 54)), /e_phentsize 8/);
  });

  it('rejects a dynamic segment or interpreter that runs past the end', () => {
    // program header 1 is PT_DYNAMIC: its p_filesz
    expectError(corrupt((b) => b.writeBigUInt64LE(1n << 40n, good.phoff + 56 + 32)), /PT_DYNAMIC .* past the end/);
    expectError(corrupt((b) => b.writeBigUInt64LE(1n << 40n, good.phoff + 2 * 56 + 32)), /PT_INTERP .* past the end/);
  });

  it('rejects a string table outside every loaded segment and a name past the string table', () => {
    // dynamic entry 2 is DT_STRTAB (after two DT_NEEDED): point it at an unmapped address
    expectError(corrupt((b) => b.writeBigUInt64LE(0x7fff0000n, good.dynOff + 2 * 16 + 8)), /string table .* no loaded segment/);
    // DT_NEEDED names string 100000
    expectError(corrupt((b) => b.writeBigUInt64LE(100000n, good.dynOff + 8)), /past the end of the string table/);
  });

  it('stops at a version-needs chain that points past the end, and at a count that lies', () => {
    const farNext = corrupt((b) => {
      b.writeUInt32LE(0xfffffff0, good.verneedOff + 12); // vn_next
      b.writeBigUInt64LE(2n, good.dynOff + 5 * 16 + 8); // DT_VERNEEDNUM 2
    });
    expectError(farNext, /vn_cnt at offset \d+ lies past the end/);
    // vn_cnt 60000 with a chain that ends after three entries (vna_next 0): three versions, no error
    const bigCount = corrupt((b) => b.writeUInt16LE(60000, good.verneedOff + 2));
    expect(info(bigCount).versionNeeds[0].versions).toEqual(['GLIBC_2.17', 'GLIBC_2.38', 'GLIBC_2.4']);
  });

  it('never throws on random corruptions of the header region (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }), (edits) => {
        const b = Buffer.from(good.bytes);
        for (const [i, v] of edits) b[i] = v;
        const r = readElf(b);
        return r.ok ? Array.isArray(r.info.needed) : typeof r.error === 'string';
      }),
      { numRuns: 2000 },
    );
  });

  it('turns an unreadable bundled ELF into a native-unreadable warning, not a crash', () => {
    const bad = good.bytes.subarray(0, 100);
    const f = nativeFindings([{ path: '/usr/lib/sysstat/sadc', zipPath: 'usr/lib/sysstat/sadc', content: bad }], runtimeView(probeSnapshot()), 'x86_64');
    expect(f).toEqual([expect.objectContaining({ code: 'native-unreadable', severity: 'warning', file: '/usr/lib/sysstat/sadc' })]);
  });
});
