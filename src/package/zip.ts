// Deterministic zip writer (over archiver) and a minimal reader (central directory + node:zlib).
import type { Archiver, ArchiverOptions } from 'archiver';
import { inflateRawSync } from 'node:zlib';
import type { PackageProblem } from '../model/reasons.js';
import { requireDependency } from '../code-cache.js';

// archiver 7 is CommonJS (a factory function); @types/archiver 8 describes archiver 8's class exports, so the
// factory is loaded with require and typed here by hand. Loaded at the first zip written: commands that write none
// (plan, report, most of migrate) do not pay its loading time (~0.2 s of CPU) at start.
type ArchiverFactory = (format: 'zip', options?: ArchiverOptions) => Archiver;
let factory: ArchiverFactory | null = null;
function archiver(format: 'zip', options?: ArchiverOptions): Archiver {
  factory ??= requireDependency<ArchiverFactory>('archiver');
  return factory(format, options);
}

export interface ZipEntryInput {
  /** Relative path inside the zip, '/'-separated, no leading '/', no '.' or '..' segments. */
  path: string;
  content: Uint8Array | string;
  /** Unix permission bits, e.g. 0o755 for bootstrap and scripts, 0o644 otherwise. */
  mode: number;
  /** A directory entry (`path/`, no content): a directory the job needs that holds no file of the zip. */
  directory?: boolean;
}

export interface ZipEntry {
  path: string;
  /** Unix permission bits (mode & 0o7777); null when the entry was not made on unix. */
  mode: number | null;
  isDirectory: boolean;
  content: Buffer;
  method: number;
  crc32: number;
  compressedSize: number;
}

/** Every entry carries this timestamp, so builds do not depend on the clock or the time zone. */
export const ZIP_FIXED_DATE = new Date('1980-01-01T00:00:00Z');

/** Lambda: a zip uploaded directly is at most 50 MB; function + layers unzipped at most 250 MB. */
export const LAMBDA_MAX_ZIPPED_BYTES = 50 * 1024 * 1024;
export const LAMBDA_MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

export type LambdaLimitProblem = Extract<PackageProblem, { code: 'zip-too-large' | 'unzipped-too-large' }>;

/** Problems with a package's size against Lambda's limits; empty when it fits. */
export function checkLambdaLimits(zipBytes: number, unzippedBytes: number): LambdaLimitProblem[] {
  const problems: LambdaLimitProblem[] = [];
  if (zipBytes > LAMBDA_MAX_ZIPPED_BYTES) problems.push({ code: 'zip-too-large', args: { bytes: zipBytes, limit: LAMBDA_MAX_ZIPPED_BYTES } });
  if (unzippedBytes > LAMBDA_MAX_UNZIPPED_BYTES) {
    problems.push({ code: 'unzipped-too-large', args: { bytes: unzippedBytes, limit: LAMBDA_MAX_UNZIPPED_BYTES } });
  }
  return problems;
}

export class ZipInputError extends Error {
  override name = 'ZipInputError';
}

function checkPath(path: string): void {
  if (
    path === '' ||
    path.startsWith('/') ||
    path.endsWith('/') ||
    path.includes('\\') ||
    path.includes('\0') ||
    path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')
  ) {
    throw new ZipInputError(`bad zip entry path ${JSON.stringify(path)}`);
  }
}

/** Sum of the entries' content sizes, i.e. the unzipped size. */
export function unzippedSize(entries: readonly { content: Uint8Array | string }[]): number {
  return entries.reduce((sum, e) => sum + (typeof e.content === 'string' ? Buffer.byteLength(e.content) : e.content.byteLength), 0);
}

/**
 * A zip of the entries: sorted by path, fixed timestamp, unix modes as given, directory entries only where asked.
 * The same entries (in any order) give byte-identical output.
 */
export async function writeZip(entries: readonly ZipEntryInput[]): Promise<Buffer> {
  const seen = new Set<string>();
  for (const entry of entries) {
    checkPath(entry.path);
    if (seen.has(entry.path)) throw new ZipInputError(`duplicate zip entry ${entry.path}`);
    seen.add(entry.path);
    if (!Number.isInteger(entry.mode) || entry.mode < 0 || entry.mode > 0o7777) {
      throw new ZipInputError(`bad mode ${entry.mode} for ${entry.path}`);
    }
  }
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const archive = archiver('zip', { zlib: { level: 9 }, forceLocalTime: false });
  const chunks: Buffer[] = [];
  const finished = new Promise<void>((resolve, reject) => {
    archive.on('data', (chunk: Buffer) => chunks.push(chunk));
    archive.on('end', () => resolve());
    archive.on('error', reject);
    archive.on('warning', reject);
  });
  for (const entry of sorted) {
    const content = typeof entry.content === 'string' ? Buffer.from(entry.content, 'utf8') : Buffer.from(entry.content);
    archive.append(content, { name: entry.directory ? `${entry.path}/` : entry.path, date: ZIP_FIXED_DATE, mode: entry.mode });
  }
  await archive.finalize();
  await finished;
  return Buffer.concat(chunks);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

/** Reads a zip (no zip64, no encryption; stored or deflated entries) through its central directory. */
export function readZip(buf: Buffer): ZipEntry[] {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end of central directory record: not a zip');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  let p = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff || p + cdSize > eocd) throw new ZipFormatError('zip64 or corrupt central directory');

  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new ZipFormatError(`bad central directory entry ${n}`);
    const madeBy = buf.readUInt16LE(p + 4);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    const local = buf.readUInt32LE(p + 42);
    const path = buf.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;

    if (flags & 1) throw new ZipFormatError(`${path}: encrypted entries are not supported`);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new ZipFormatError(`${path}: bad local header`);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + compressedSize);
    let content: Buffer;
    if (method === 0) content = Buffer.from(raw);
    else if (method === 8) content = inflateRawSync(raw);
    else throw new ZipFormatError(`${path}: compression method ${method} is not supported`);
    if (content.length !== size) throw new ZipFormatError(`${path}: size ${content.length}, expected ${size}`);
    if (crc32(content) !== crc) throw new ZipFormatError(`${path}: CRC mismatch`);

    const unix = madeBy >> 8 === 3;
    const isDirectory = path.endsWith('/') || (unix && ((external >>> 16) & 0o170000) === 0o040000);
    entries.push({
      path,
      mode: unix ? (external >>> 16) & 0o7777 : null,
      isDirectory,
      content,
      method,
      crc32: crc,
      compressedSize,
    });
  }
  return entries;
}
