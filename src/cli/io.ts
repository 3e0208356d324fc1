// The CLI's edges: streams, files, clock, environment. Commands get them passed in, so they can be swapped in tests.
import { readFileSync, statSync } from 'node:fs';

export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  now(): Date;
  readText(path: string): string;
  isDirectory(path: string): boolean;
}

export const processIo: Io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  now: () => new Date(),
  readText: (path) => readFileSync(path, 'utf8'),
  isDirectory: (path) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
};

/** Read a crontab, turning a failure into data so the other files are still planned. */
export function readCrontabFile(io: Io, path: string): { text: string | null; error?: string } {
  try {
    return { text: io.readText(path) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    return { text: null, error: `cannot read ${path}: ${why}` };
  }
}
