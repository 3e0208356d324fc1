// A pure reader of what the dynamic loader needs from an ELF file: class and byte order, machine, type, the program
// interpreter (PT_INTERP), the needed libraries (DT_NEEDED) and the symbol versions needed from them
// (DT_VERNEED, the .gnu.version_r data). It follows the program headers, as the loader does, not the section
// headers (which a stripped file may lack).
//
// The input is hostile until proven otherwise (a file from a server copy, possibly truncated or crafted): every read
// is bounds-checked, every count and chain is capped, and a file that lies yields { ok: false, error }, never an
// exception or a read outside the buffer.

export type ElfClass = 32 | 64;
export type ElfEndian = 'little' | 'big';
export type ElfType = 'relocatable' | 'executable' | 'shared' | 'core' | 'other';

export interface ElfVersionNeed {
  /** The library the versions are needed from (vn_file), e.g. libc.so.6. */
  file: string;
  /** Version names, e.g. GLIBC_2.34, GLIBC_2.2.5. */
  versions: string[];
}

export interface ElfInfo {
  class: ElfClass;
  endian: ElfEndian;
  type: ElfType;
  /** e_machine. */
  machineCode: number;
  /** A name for e_machine: x86_64, aarch64, i386, arm, ... or `machine-<n>`. */
  machine: string;
  /** PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2; null for a static program or a library without one. */
  interpreter: string | null;
  /** DT_NEEDED entries in file order. */
  needed: string[];
  versionNeeds: ElfVersionNeed[];
  /** Highest GLIBC_x.y[.z] version needed from any library, e.g. "2.34"; null when none. */
  glibcNeeded: string | null;
}

export type ElfResult = { ok: true; info: ElfInfo } | { ok: false; error: string };

const MACHINES: Record<number, string> = {
  2: 'sparc',
  3: 'i386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390',
  40: 'arm',
  43: 'sparcv9',
  62: 'x86_64',
  183: 'aarch64',
  243: 'riscv',
  258: 'loongarch',
};

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;

/** Caps on what a real file has, so that a crafted count cannot make us loop for long. */
const MAX_PHDRS = 4096;
const MAX_DYN = 65536;
const MAX_VERNEED = 4096;
const MAX_STRING = 4096;

class ElfError extends Error {}

/** True when the bytes start with the ELF magic (\x7fELF). */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

class Reader {
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly little: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get size(): number {
    return this.bytes.length;
  }

  private check(off: number, len: number, what: string): void {
    if (!Number.isSafeInteger(off) || off < 0 || off + len > this.bytes.length) {
      throw new ElfError(`${what} at offset ${off} lies past the end of the file (${this.bytes.length} bytes)`);
    }
  }

  u16(off: number, what: string): number {
    this.check(off, 2, what);
    return this.view.getUint16(off, this.little);
  }

  u32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.view.getUint32(off, this.little);
  }

  /** A 64-bit field as a number; values past 2^53 are lies in any file we could hold in memory. */
  u64(off: number, what: string): number {
    this.check(off, 8, what);
    const v = this.view.getBigUint64(off, this.little);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfError(`${what} at offset ${off} is impossibly large (${v})`);
    return Number(v);
  }

  word(off: number, cls: ElfClass, what: string): number {
    return cls === 64 ? this.u64(off, what) : this.u32(off, what);
  }

  /** A NUL-terminated string starting at off, not past limit. */
  cstring(off: number, limit: number, what: string): string {
    const end = Math.min(limit, this.bytes.length, off + MAX_STRING);
    this.check(off, 1, what);
    let i = off;
    while (i < end && this.bytes[i] !== 0) i++;
    if (i >= end) throw new ElfError(`${what} at offset ${off} is not terminated within its table`);
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(off, i));
  }
}

interface Phdr {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

function typeName(t: number): ElfType {
  return t === 1 ? 'relocatable' : t === 2 ? 'executable' : t === 3 ? 'shared' : t === 4 ? 'core' : 'other';
}

/** Compare dotted versions numerically ("2.34" > "2.4"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** Read the header of an ELF file. Never throws; never reads outside `bytes`. */
export function readElf(bytes: Uint8Array): ElfResult {
  try {
    return { ok: true, info: parse(bytes) };
  } catch (e) {
    if (e instanceof ElfError) return { ok: false, error: e.message };
    // A RangeError from DataView would mean a missed bounds check: report it as a bad file rather than crash.
    return { ok: false, error: `unreadable ELF data (${(e as Error).message})` };
  }
}

function parse(bytes: Uint8Array): ElfInfo {
  if (!isElf(bytes)) throw new ElfError('not an ELF file (no \\x7fELF magic)');
  if (bytes.length < 20) throw new ElfError(`the ELF identification is truncated (${bytes.length} bytes)`);
  const clsByte = bytes[4];
  const dataByte = bytes[5];
  if (clsByte !== 1 && clsByte !== 2) throw new ElfError(`unknown ELF class ${clsByte}`);
  if (dataByte !== 1 && dataByte !== 2) throw new ElfError(`unknown ELF byte order ${dataByte}`);
  const cls: ElfClass = clsByte === 2 ? 64 : 32;
  const r = new Reader(bytes, dataByte === 1);
  const headerSize = cls === 64 ? 64 : 52;
  if (bytes.length < headerSize) throw new ElfError(`the ELF header is truncated (${bytes.length} of ${headerSize} bytes)`);

  const type = r.u16(16, 'e_type');
  const machineCode = r.u16(18, 'e_machine');
  const phoff = cls === 64 ? r.u64(32, 'e_phoff') : r.u32(28, 'e_phoff');
  const phentsize = r.u16(cls === 64 ? 54 : 42, 'e_phentsize');
  const phnum = r.u16(cls === 64 ? 56 : 44, 'e_phnum');
  const info: ElfInfo = {
    class: cls,
    endian: dataByte === 1 ? 'little' : 'big',
    type: typeName(type),
    machineCode,
    machine: MACHINES[machineCode] ?? `machine-${machineCode}`,
    interpreter: null,
    needed: [],
    versionNeeds: [],
    glibcNeeded: null,
  };
  if (phnum === 0) return info; // no program headers: a relocatable object, nothing the loader reads
  const minEnt = cls === 64 ? 56 : 32;
  if (phentsize < minEnt) throw new ElfError(`e_phentsize ${phentsize} is smaller than a program header (${minEnt})`);
  if (phnum > MAX_PHDRS) throw new ElfError(`e_phnum ${phnum} program headers is implausible`);
  if (phoff + phnum * phentsize > r.size) {
    throw new ElfError(`the program headers (offset ${phoff}, ${phnum} × ${phentsize} bytes) lie past the end of the file (${r.size} bytes)`);
  }

  const phdrs: Phdr[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    const p: Phdr =
      cls === 64
        ? { type: r.u32(at, 'p_type'), offset: r.u64(at + 8, 'p_offset'), vaddr: r.u64(at + 16, 'p_vaddr'), filesz: r.u64(at + 32, 'p_filesz') }
        : { type: r.u32(at, 'p_type'), offset: r.u32(at + 4, 'p_offset'), vaddr: r.u32(at + 8, 'p_vaddr'), filesz: r.u32(at + 16, 'p_filesz') };
    phdrs.push(p);
  }

  const interp = phdrs.find((p) => p.type === PT_INTERP);
  if (interp) {
    if (interp.offset + interp.filesz > r.size) throw new ElfError(`PT_INTERP (offset ${interp.offset}, ${interp.filesz} bytes) lies past the end of the file`);
    info.interpreter = r.cstring(interp.offset, interp.offset + interp.filesz, 'the program interpreter');
  }

  const dyn = phdrs.find((p) => p.type === PT_DYNAMIC);
  if (!dyn) return info;
  const entSize = cls === 64 ? 16 : 8;
  if (dyn.offset + dyn.filesz > r.size) throw new ElfError(`PT_DYNAMIC (offset ${dyn.offset}, ${dyn.filesz} bytes) lies past the end of the file`);
  const count = Math.min(Math.floor(dyn.filesz / entSize), MAX_DYN);
  const neededOffsets: number[] = [];
  let strtab: number | null = null;
  let strsz: number | null = null;
  let verneed: number | null = null;
  let verneednum: number | null = null;
  for (let i = 0; i < count; i++) {
    const at = dyn.offset + i * entSize;
    const tag = r.word(at, cls, 'd_tag');
    const val = r.word(at + entSize / 2, cls, 'd_val');
    if (tag === DT_NULL) break;
    if (tag === DT_NEEDED) neededOffsets.push(val);
    else if (tag === DT_STRTAB) strtab = val;
    else if (tag === DT_STRSZ) strsz = val;
    else if (tag === DT_VERNEED) verneed = val;
    else if (tag === DT_VERNEEDNUM) verneednum = val;
  }
  if (neededOffsets.length === 0 && verneed === null) return info;
  if (strtab === null) throw new ElfError('the dynamic section has DT_NEEDED entries but no string table (DT_STRTAB)');

  // DT_STRTAB and DT_VERNEED are addresses: map them to file offsets through the PT_LOAD segments.
  const toOffset = (addr: number, what: string): number => {
    for (const p of phdrs) {
      if (p.type === PT_LOAD && addr >= p.vaddr && addr < p.vaddr + p.filesz) return addr - p.vaddr + p.offset;
    }
    throw new ElfError(`${what} (address 0x${addr.toString(16)}) is in no loaded segment`);
  };
  const strOff = toOffset(strtab, 'the dynamic string table');
  const strEnd = strsz !== null ? strOff + strsz : r.size;
  if (strOff >= r.size || strEnd > r.size) throw new ElfError(`the dynamic string table (offset ${strOff}, ${strsz ?? '?'} bytes) lies past the end of the file`);
  const str = (o: number, what: string): string => {
    if (o >= strEnd - strOff) throw new ElfError(`${what} names string ${o}, past the end of the string table (${strEnd - strOff} bytes)`);
    return r.cstring(strOff + o, strEnd, what);
  };
  info.needed = neededOffsets.map((o) => str(o, 'a DT_NEEDED entry'));

  if (verneed !== null) {
    let at = toOffset(verneed, 'the version needs (DT_VERNEED)');
    const limit = Math.min(verneednum ?? MAX_VERNEED, MAX_VERNEED);
    const seen = new Set<number>();
    for (let i = 0; i < limit; i++) {
      if (seen.has(at)) throw new ElfError('the version needs chain loops');
      seen.add(at);
      const cnt = r.u16(at + 2, 'vn_cnt');
      const file = str(r.u32(at + 4, 'vn_file'), 'a version need');
      const aux = r.u32(at + 8, 'vn_aux');
      const next = r.u32(at + 12, 'vn_next');
      const versions: string[] = [];
      let a = at + aux;
      const seenAux = new Set<number>();
      for (let j = 0; j < Math.min(cnt, MAX_VERNEED); j++) {
        if (seenAux.has(a)) throw new ElfError('a version needs auxiliary chain loops');
        seenAux.add(a);
        versions.push(str(r.u32(a + 8, 'vna_name'), 'a needed version'));
        const an = r.u32(a + 12, 'vna_next');
        if (an === 0) break;
        a += an;
      }
      info.versionNeeds.push({ file, versions });
      if (next === 0) break;
      at += next;
    }
  }
  for (const n of info.versionNeeds) {
    for (const v of n.versions) {
      const m = /^GLIBC_(\d+\.\d+(?:\.\d+)?)$/.exec(v);
      if (m && (info.glibcNeeded === null || compareVersions(m[1], info.glibcNeeded) > 0)) info.glibcNeeded = m[1];
    }
  }
  return info;
}
