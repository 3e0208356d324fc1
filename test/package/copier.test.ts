// c2l-copy (src/package/copier.ts): the bytes are the assembled source, the programs copy exactly and keep the tail.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COPIER_ARCHES, copierElf, type CopierArch } from '../../src/package/copier.js';
import { templatePath } from '../../src/package/handler.js';
import { cleanupDirs, tempDir } from '../support/lambda.js';

afterAll(() => cleanupDirs());

const TAIL = 65536;

function onPath(cmd: string): boolean {
  return spawnSync('bash', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const hostArch = execFileSync('bash', ['-c', 'printf %s "$HOSTTYPE"'], { encoding: 'utf8' }) as CopierArch;
/** How to run ARCH's program here: natively, under qemu user emulation, or not at all. */
function runnerFor(arch: CopierArch): string[] | null {
  if (arch === hostArch) return [];
  if (arch === 'aarch64' && onPath('qemu-aarch64')) return ['qemu-aarch64'];
  return null;
}
const ASSEMBLER: Record<CopierArch, { as: string; objcopy: string }> = {
  x86_64: { as: hostArch === 'x86_64' ? 'as' : 'x86_64-linux-gnu-as', objcopy: hostArch === 'x86_64' ? 'objcopy' : 'x86_64-linux-gnu-objcopy' },
  aarch64: { as: hostArch === 'aarch64' ? 'as' : 'aarch64-linux-gnu-as', objcopy: hostArch === 'aarch64' ? 'objcopy' : 'aarch64-linux-gnu-objcopy' },
};

/** Runs the copier on INPUT (written in CHUNKS with pauses when given); returns fd 2 and fd 3 and the exit. */
async function copy(arch: CopierArch, input: Buffer, chunks = 1): Promise<{ out: Buffer; tail: Buffer; code: number | null }> {
  const dir = tempDir('c2l-copier-');
  const program = join(dir, 'c2l-copy');
  writeFileSync(program, copierElf(arch), { mode: 0o755 });
  const tailFile = join(dir, 'tail');
  const runner = runnerFor(arch)!;
  // bash gives the program its descriptor 3 (the tail file), as bootstrap does
  const child = spawn('bash', ['-c', `exec ${runner.join(' ')} "$0" 3>"$1"`, program, tailFile], { stdio: ['pipe', 'ignore', 'pipe'] });
  const out: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => out.push(b));
  const size = Math.ceil(input.length / chunks);
  for (let i = 0; i < input.length; i += size) {
    if (!child.stdin.write(input.subarray(i, i + size))) await new Promise((r) => child.stdin.once('drain', r));
    if (chunks > 1) await new Promise((r) => setTimeout(r, 2));
  }
  child.stdin.end();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { out: Buffer.concat(out), tail: readFileSync(tailFile), code };
}

describe('c2l-copy', () => {
  for (const arch of COPIER_ARCHES) {
    const as = ASSEMBLER[arch];
    it.skipIf(!onPath(as.as) || !onPath(as.objcopy))(`${arch}: its code is templates/copier/${arch}.S assembled`, () => {
      const dir = tempDir('c2l-copier-as-');
      execFileSync(as.as, ['-o', join(dir, 'o'), templatePath(`copier/${arch}.S`)]);
      execFileSync(as.objcopy, ['-O', 'binary', '-j', '.text', join(dir, 'o'), join(dir, 'text')]);
      const elf = copierElf(arch);
      const text = readFileSync(join(dir, 'text'));
      expect(text.length).toBeGreaterThan(100);
      expect(elf.subarray(elf.length - text.length).equals(text)).toBe(true);
    });

    it(`${arch}: is a static ELF executable whose entry is its first instruction and no segment both writable and executable`, () => {
      const elf = copierElf(arch);
      expect(elf.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      expect(elf.readUInt16LE(16)).toBe(2); // ET_EXEC
      expect(elf.readUInt16LE(18)).toBe(arch === 'x86_64' ? 62 : 183);
      const phnum = elf.readUInt16LE(56);
      const entry = Number(elf.readBigUInt64LE(24));
      expect(entry).toBe(0x400000 + 64 + 56 * phnum);
      for (let i = 0; i < phnum; i++) {
        const flags = elf.readUInt32LE(64 + i * 56 + 4);
        expect(flags & 3).not.toBe(3); // W and X together
        expect(elf.readUInt32LE(64 + i * 56)).not.toBe(3); // no PT_INTERP: nothing to load
      }
      expect(copierElf(arch).equals(elf)).toBe(true);
      expect(elf.length).toBeLessThan(1024);
    });

    describe.skipIf(runnerFor(arch) === null)(`${arch}: run${arch === hostArch ? '' : ' under qemu'}`, () => {
      it('copies 5 MB to descriptor 2 byte for byte and writes the last 64 KiB to descriptor 3', async () => {
        // 5 MB + an odd remainder: the buffer is compacted several times, the tail crosses a compaction
        const input = randomBytes(5 * 1024 * 1024 + 12345);
        const r = await copy(arch, input);
        expect(r.code).toBe(0);
        expect(r.out.equals(input)).toBe(true);
        expect(r.tail.equals(input.subarray(input.length - TAIL))).toBe(true);
      });

      it('keeps everything as the tail when the input is shorter than 64 KiB, and nothing for no input', async () => {
        const small = Buffer.from('one\ntwo\nthree\n');
        const r = await copy(arch, small);
        expect([r.code, r.out.toString(), r.tail.toString()]).toEqual([0, 'one\ntwo\nthree\n', 'one\ntwo\nthree\n']);
        const none = await copy(arch, Buffer.alloc(0));
        expect([none.code, none.out.length, none.tail.length]).toEqual([0, 0, 0]);
      });

      it('copies input that arrives in small pieces (short reads) in order', async () => {
        const input = Buffer.from(Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join(''));
        const r = await copy(arch, input, 300);
        expect(r.out.equals(input)).toBe(true);
        expect(r.tail.equals(input.subarray(Math.max(0, input.length - TAIL)))).toBe(true);
      });

      it('goes on reading and keeps the tail when descriptor 2 is closed', () => {
        const dir = tempDir('c2l-copier-');
        const program = join(dir, 'c2l-copy');
        writeFileSync(program, copierElf(arch), { mode: 0o755 });
        const input = randomBytes(300_000);
        const r = spawnSync('bash', ['-c', `${runnerFor(arch)!.join(' ')} "$0" 3>"$1" 2>&-; echo "exit $?"`, program, join(dir, 'tail')], { input });
        expect(r.stdout.toString()).toBe('exit 0\n');
        expect(readFileSync(join(dir, 'tail')).equals(input.subarray(input.length - TAIL))).toBe(true);
      });
    });
  }

  it('keeps as many bytes as bootstrap reads back (C2L_TAIL_BYTES)', () => {
    expect(readFileSync(templatePath('bootstrap'), 'utf8')).toMatch(new RegExp(`^readonly C2L_TAIL_BYTES=${TAIL}$`, 'm'));
  });
});
