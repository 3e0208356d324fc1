// The CLI's edges: streams, files, clock, environment. Commands get them passed in, so they can be swapped in tests.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, statSync } from 'node:fs';

/** What reading a file gave: its bytes, or one line saying why not. */
export type ReadResult = { bytes: Uint8Array } | { error: string };

export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  now(): Date;
  /** At most `limit` bytes of a regular file (an error when it holds more, or is not a regular file). */
  readCapped(path: string, limit: number): ReadResult;
  /** At most `limit` bytes of standard input (an error when more arrive). */
  readStdin(limit: number): ReadResult;
  isDirectory(path: string): boolean;
  isFile(path: string): boolean;
  /** Names in a directory, or null when it cannot be listed. */
  listDirectory(path: string): string[] | null;
  /** The target of a symbolic link, or null when the path is not one. */
  readLink(path: string): string | null;
}

function describeErrno(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'ENXIO':
      return 'is a socket or a FIFO without a writer';
    default:
      return err.code ?? err.message;
  }
}

function kindOf(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Read from fd until EOF or until more than `limit` bytes came: never more than limit+1 bytes are held. */
function readUpTo(fd: number, limit: number): { bytes: Uint8Array; over: boolean } {
  const buf = Buffer.alloc(limit + 1);
  let n = 0;
  while (n <= limit) {
    let got: number;
    try {
      got = readSync(fd, buf, n, limit + 1 - n, null);
    } catch (e) {
      // A non-blocking stdin (a terminal or a pipe another process set O_NONBLOCK on) has no data yet.
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(sleeper, 0, 0, 20);
        continue;
      }
      throw e;
    }
    if (got === 0) break;
    n += got;
  }
  return { bytes: buf.subarray(0, Math.min(n, limit)), over: n > limit };
}

const tooBig = (limit: number) => `larger than ${limit >= 1 << 20 ? `${limit / (1 << 20)} MiB` : `${limit} bytes`} (reading stopped there): not read as a crontab`;

export const processIo: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => new Date(),
  readCapped: (path, limit) => {
    let fd: number;
    try {
      // O_NONBLOCK: opening a FIFO must not wait for a writer (cronie opens crontabs the same way).
      fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      return { error: describeErrno(e) };
    }
    try {
      const st = fstatSync(fd);
      // cronie refuses anything but a regular file ("NOT REGULAR"); /dev/zero or a FIFO would never end.
      if (!st.isFile()) return { error: `is ${kindOf(st)}, not a regular file` };
      if (st.size > limit) return { error: tooBig(limit) };
      const { bytes, over } = readUpTo(fd, limit);
      return over ? { error: tooBig(limit) } : { bytes };
    } catch (e) {
      return { error: describeErrno(e) };
    } finally {
      closeSync(fd);
    }
  },
  readStdin: (limit) => {
    try {
      const { bytes, over } = readUpTo(0, limit);
      return over ? { error: tooBig(limit) } : { bytes };
    } catch (e) {
      return { error: describeErrno(e) };
    }
  },
  isDirectory: (path) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  isFile: (path) => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  listDirectory: (path) => {
    try {
      return readdirSync(path);
    } catch {
      return null;
    }
  },
  readLink: (path) => {
    try {
      return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : null;
    } catch {
      return null;
    }
  },
};
