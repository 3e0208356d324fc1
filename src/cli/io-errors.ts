// An ordinary file-system error (a missing directory, no permission, a file where a directory should be) is bad
// input or a bad environment, never a bug: one clear line and exit 1, not a stack trace and exit 70.

const WHAT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ELOOP: 'too many symbolic links (or a symbolic link where none is followed)',
  ENAMETOOLONG: 'name too long',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EXDEV: 'crosses a file-system boundary',
  ENOTEMPTY: 'directory not empty',
  EBUSY: 'busy',
  ETXTBSY: 'busy',
  EFBIG: 'file too large',
};

const VERB: Record<string, string> = {
  open: 'open', mkdir: 'create the directory', rename: 'rename', unlink: 'remove', rmdir: 'remove', read: 'read',
  write: 'write', scandir: 'list', lstat: 'look at', stat: 'look at', realpath: 'resolve', fsync: 'sync', copyfile: 'copy',
};

/** One line for a Node file-system error, or null when `e` is not one. */
export function ioErrorText(e: unknown): string | null {
  if (!(e instanceof Error)) return null;
  const err = e as NodeJS.ErrnoException & { dest?: string };
  if (typeof err.code !== 'string' || !(err.code in WHAT) || typeof err.syscall !== 'string') return null;
  const verb = VERB[err.syscall] ?? err.syscall;
  const path = err.path !== undefined ? ` ${err.path}` : '';
  const dest = err.dest !== undefined ? ` to ${err.dest}` : '';
  return `cannot ${verb}${path}${dest}: ${WHAT[err.code]}`;
}
