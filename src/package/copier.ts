// c2l-copy: the block copier bootstrap puts between the job's stderr and its own (issue 9: within 2x of cat).
// coreutils tee reads 8 KiB at a time and needs a second process (tail) to keep the last lines for the error message,
// which made stderr 3x as costly as cat. This program reads 128 KiB at a time, writes each block to descriptor 2,
// keeps the last 64 KiB in memory and writes them to descriptor 3 at end of input: one process, one copy.
//
// It is a static Linux executable with no libc (read, write and exit system calls only), one per architecture
// Lambda offers, made here from fixed machine code so that every machine packages the same bytes without a
// compiler. The code is templates/copier/<arch>.S assembled with GNU as (test/package/copier.test.ts checks the bytes
// against the source wherever that assembler is installed, and runs the programs). bootstrap runs the one for
// $HOSTTYPE after checking it starts, and falls back to tee and tail when it does not.

export type CopierArch = 'x86_64' | 'aarch64';

/** Zip path of the copier for ARCH (bash's $HOSTTYPE on Lambda: x86_64 or aarch64). */
export function copierPath(arch: CopierArch): string {
  return `c2l-copy-${arch}`;
}

export const COPIER_ARCHES: readonly CopierArch[] = ['x86_64', 'aarch64'];

/** The .text of templates/copier/<arch>.S (objcopy -O binary -j .text). */
const TEXT: Record<CopierArch, string> = {
  x86_64:
    '41bc000060004531ed4981fd00000e0076184b8db42c0000ffff4c89e7b900000100f3a441bd0000010031c031ff4b8d342cba000002' +
    '000f054883f8fc74eb4885c07e344f8d342c4989c74901c54d85ff74b6b801000000bf020000004c89f64c89fa0f054883f8fc74e3' +
    '4885c07e994901c64929c7ebd64d89e64d89ef4981fd00000100760e4f8db42c0000ffff41bf000001004d85ff7425b801000000bf' +
    '030000004c89f64c89fa0f054883f8fc74e34885c07e084901c64929c7ebd6b83c00000031ff0f05',
  aarch64:
    '130ca0d2140080d2c901a0d29f0209eb690100542900a0d28a0209cb6a020a8beb0313aaec0309aa4d8540f86d8500f88c2100f1a1ff' +
    'ff54f40309aa000080d26102148b4200a0d2e80780d2010000d41f1000b140ffff541f0000f12d0200547502148bf60300aa9402008b' +
    'f6fcffb4400080d2e10315aae20316aa080880d2010000d41f1000b120ffff541f0000f1cdfbff54b502008bd60200cbf4ffff17f503' +
    '13aaf60314aa2900a0d29f0209eb89000054950209cb7502158bf60309aab60100b4600080d2e10315aae20316aa080880d2010000d4' +
    '1f1000b120ffff541f0000f18d000054b502008bd60200cbf4ffff17000080d2a80b80d2010000d4',
};

/** ELF e_machine of each architecture. */
const MACHINE: Record<CopierArch, number> = { x86_64: 62, aarch64: 183 };

// Layout the code assumes: the program at 0x400000 (ELF header, program headers, then the code), and its 1 MiB
// buffer at 0x600000 (a segment with no bytes in the file, which the loader fills with zeros). Both addresses are
// aligned to 64 KiB, the largest page size an arm64 kernel may use.
const TEXT_ADDR = 0x400000;
const BUFFER_ADDR = 0x600000;
const BUFFER_BYTES = 0x100000;
const ALIGN = 0x10000;
const EHDR = 64;
const PHDR = 56;
const PHNUM = 3;
const PT_LOAD = 1;
const PT_GNU_STACK = 0x6474e551;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;

/** The copier for ARCH as a static ELF64 executable (little-endian). Deterministic. */
export function copierElf(arch: CopierArch): Buffer {
  const code = Buffer.from(TEXT[arch], 'hex');
  const headers = EHDR + PHDR * PHNUM;
  const out = Buffer.alloc(headers + code.length);
  // ELF header: 64-bit, little-endian, version 1, System V ABI; an executable (not position-independent).
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  out.writeUInt16LE(2, 16); // e_type ET_EXEC
  out.writeUInt16LE(MACHINE[arch], 18);
  out.writeUInt32LE(1, 20); // e_version
  out.writeBigUInt64LE(BigInt(TEXT_ADDR + headers), 24); // e_entry: the first instruction
  out.writeBigUInt64LE(BigInt(EHDR), 32); // e_phoff
  out.writeBigUInt64LE(0n, 40); // e_shoff: no section headers
  out.writeUInt32LE(0, 48); // e_flags
  out.writeUInt16LE(EHDR, 52);
  out.writeUInt16LE(PHDR, 54);
  out.writeUInt16LE(PHNUM, 56);
  out.writeUInt16LE(0, 58); // e_shentsize
  out.writeUInt16LE(0, 60); // e_shnum
  out.writeUInt16LE(0, 62); // e_shstrndx
  const phdr = (i: number, type: number, flags: number, offset: number, vaddr: number, filesz: number, memsz: number): void => {
    const at = EHDR + i * PHDR;
    out.writeUInt32LE(type, at);
    out.writeUInt32LE(flags, at + 4);
    out.writeBigUInt64LE(BigInt(offset), at + 8);
    out.writeBigUInt64LE(BigInt(vaddr), at + 16); // p_vaddr
    out.writeBigUInt64LE(BigInt(vaddr), at + 24); // p_paddr
    out.writeBigUInt64LE(BigInt(filesz), at + 32);
    out.writeBigUInt64LE(BigInt(memsz), at + 40);
    out.writeBigUInt64LE(BigInt(type === PT_LOAD ? ALIGN : 16), at + 48);
  };
  // The file itself, read and executed; the buffer, read and written, never executed; a stack that is not executable.
  phdr(0, PT_LOAD, PF_R | PF_X, 0, TEXT_ADDR, out.length, out.length);
  phdr(1, PT_LOAD, PF_R | PF_W, 0, BUFFER_ADDR, 0, BUFFER_BYTES);
  phdr(2, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
  code.copy(out, headers);
  return out;
}
