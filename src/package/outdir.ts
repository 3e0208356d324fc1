// The --out directory of `package`: checked, locked against a second run, written atomically, and cleaned of
// exactly the zips its own previous manifest lists. The imperative edge of packaging; ownership.ts is its logic.
import {
  closeSync, constants, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, realpathSync,
  renameSync, rmSync, unlinkSync, writeFileSync, type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { isOwnZipName, parseLock, readPreviousManifest, type LockRecord, type OutNote } from './ownership.js';
import type { OutBlocker } from '../model/reasons.js';
import { FILE_TYPE_TEXT, packageProblemText } from '../render/problems.js';

export const MANIFEST_NAME = 'manifest.json';
export const LOCK_NAME = '.cron2lambda.lock';
const TEMP_PREFIX = '.c2l-tmp-';
/** Rounds of trying to take the --out lock before saying another run keeps taking it. */
const MAX_LOCK_ROUNDS = 50;
/** A manifest for 10,000 jobs is a few MB; anything far larger is not one of ours. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

// Opened for writing only when new (O_EXCL) and never through a link (O_NOFOLLOW): a link planted at the temporary
// name cannot redirect the write. The final name is reached by rename, which replaces a link instead of following it.
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The real path of `path`, resolving the part that exists (the rest may be created later). */
function realish(path: string): string {
  const abs = resolve(path);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return abs;
      tail.push(basename(head));
      head = parent;
    }
  }
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

// The machine's own top-level directories: a tool that writes and removes files must not be pointed at them.
const SYSTEM_DIRS = ['/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/usr', '/var', '/tmp'];
const NEVER_UNDER = ['/proc', '/sys', '/dev'];

export interface OutDirContext {
  /** --root as given (undefined: the default /). */
  root?: string;
  /** The crontab files being read. */
  crontabs: string[];
  /** The user's home directory. */
  home?: string;
}

/**
 * Refuses an --out that is dangerous or unusable, as a usage error with one line: `/`, a top-level system
 * directory or anything under /proc, /sys or /dev, the home directory itself, --root itself, a directory holding
 * one of the crontabs (an /etc/cron.d would read manifest.json as a crontab), a world-writable directory (another
 * user could plant files there), a file, and a symbolic link (written through, a link could send the zips anywhere;
 * give the directory it points to). Returns the absolute path.
 */
export function checkOutDir(out: string, ctx: OutDirContext): string {
  const abs = resolve(out);
  const real = realish(abs);
  const shown = JSON.stringify(out);
  const is = (p: string) => abs === resolve(p) || real === realish(p);
  if (is('/')) throw new UsageError(`--out ${shown} is the root directory; give a directory of its own, such as ./c2l-out`);
  for (const d of SYSTEM_DIRS) if (is(d)) throw new UsageError(`--out ${shown} is the system directory ${d}; give a directory of its own, such as ./c2l-out`);
  for (const d of NEVER_UNDER) if (within(abs, d) || within(real, d)) throw new UsageError(`--out ${shown} is under ${d}, which is not a place for files`);
  if (ctx.home && is(ctx.home)) throw new UsageError(`--out ${shown} is your home directory; give a directory of its own, such as ~/c2l-out`);
  if (ctx.root !== undefined && is(ctx.root)) throw new UsageError(`--out ${shown} is the --root directory (the server's files); give a directory of its own`);
  for (const c of ctx.crontabs) {
    if (c === '-') continue;
    if (is(resolve(c)) || is(dirname(resolve(c)))) throw new UsageError(`--out ${shown} holds the crontab ${c}; cron would read what is written there (give another directory)`);
  }
  const st = lstatOrNull(abs);
  if (st?.isSymbolicLink()) {
    let target = '?';
    try {
      target = realpathSync(abs);
    } catch {
      /* a dangling link: say so with '?' */
    }
    throw new UsageError(`--out ${shown} is a symbolic link to ${target}; cron2lambda writes only into a real directory (give ${target} itself)`);
  }
  if (st && !st.isDirectory()) throw new UsageError(`--out ${shown} is ${st.isFile() ? 'a file' : 'not a directory'}; give a directory (it is created when missing)`);
  if (st && (st.mode & 0o002) !== 0) throw new UsageError(`--out ${shown} is writable by every user; give a directory only you can write`);
  return abs;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

function fsyncDir(dir: string): void {
  // Makes the renames durable. Not every platform lets a directory be opened for fsync; then the OS decides.
  try {
    const fd = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

/** A file's text, or null when it is gone (ENOENT). */
function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Writes a new file (O_EXCL, never through a link) and syncs it; EEXIST when the name is taken. */
function writeNew(path: string, content: Uint8Array | string): void {
  const fd = openSync(path, CREATE_NEW, 0o644);
  try {
    writeFileSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** What a path that is not a regular file is, as OutBlocker says it. */
function typeOf(st: Stats): 'directory' | 'symlink' | 'other' {
  return st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'other';
}

function why(st: Stats): string {
  return FILE_TYPE_TEXT[typeOf(st)];
}

/** A locked --out directory for one run. Always `close()` it (in finally). */
export class OutDir {
  readonly notes: OutNote[] = [];
  /** Zips this directory's previous run (or a dead run's lock) wrote: the only files a run may replace or remove. */
  private readonly owned = new Set<string>();
  private readonly lock: LockRecord;
  private readonly lockPath: string;
  private readonly temps = new Set<string>();
  private closed = false;

  private constructor(readonly dir: string, lock: LockRecord) {
    this.lock = lock;
    this.lockPath = join(dir, LOCK_NAME);
  }

  /** Creates the directory if needed, takes its lock, and reads what the previous run owned. */
  static open(dir: string, now: Date): OutDir {
    if (!isAbsolute(dir)) dir = resolve(dir);
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) throw new UsageError(`--out ${JSON.stringify(dir)} is ${why(st)}`);
    const lock: LockRecord = { pid: process.pid, host: hostname(), startedAt: now.toISOString(), token: randomBytes(8).toString('hex'), writing: [] };
    const out = new OutDir(dir, lock);
    const stale = out.takeLock();
    try {
      out.readOwned(stale);
    } catch (e) {
      out.close();
      throw e;
    }
    return out;
  }

  private lockText(): string {
    return JSON.stringify(this.lock) + '\n';
  }

  /** Takes the lock (tryCreate); a lock left by a dead process on this host is taken over (returned, for its zips). */
  private takeLock(): LockRecord | null {
    // Each round ends with the lock taken, a holder named, or the lock gone meanwhile (released, or taken over by
    // another run): then the next round tries again. Rounds are a few system calls; the bound only stops a livelock.
    for (let round = 0; round < MAX_LOCK_ROUNDS; round++) {
      if (this.tryCreate()) return null;
      const st = lstatOrNull(this.lockPath);
      if (st === null) continue; // released meanwhile
      if (!st.isFile()) throw new InputError(`${this.lockPath} is ${why(st)}, not a cron2lambda lock; remove it`);
      const text = readOrNull(this.lockPath);
      if (text === null) continue; // released between the lstat and the read
      const held = parseLock(text);
      if (held === null) throw new InputError(`${this.lockPath} exists but is not a cron2lambda lock; remove it if no package run is writing to ${this.dir}`);
      const who = `pid ${held.pid} on ${held.host}, started ${held.startedAt}`;
      if (held.host !== this.lock.host) {
        throw new InputError(`another cron2lambda package run (${who}) holds ${this.dir}; if it is gone, remove ${this.lockPath}`);
      }
      if (pidAlive(held.pid)) {
        throw new InputError(`another cron2lambda package run (${who}) is writing to ${this.dir}; wait for it to finish, or remove ${this.lockPath} if that process is not cron2lambda`);
      }
      // Dead holder: move its lock aside atomically; only one taker wins the rename. If what was moved is not the
      // dead run's lock (another taker already replaced it), put it back and let the loop find it alive.
      const aside = join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}-stale-lock`);
      try {
        renameSync(this.lockPath, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const moved = readFileSync(aside, 'utf8');
      if (moved !== text) {
        try {
          renameSync(aside, this.lockPath);
        } catch {
          rmSync(aside, { force: true });
        }
        continue;
      }
      rmSync(aside, { force: true });
      this.notes.push({ code: 'stale-lock', message: `took over the lock of a run that is gone (${who})` });
      this.removeTemps(held.pid);
      // Take the lock for real; if another run got it in between, the next round reports it.
      const mine = this.tryCreate();
      if (mine) return held;
    }
    throw new InputError(`could not take the lock ${this.lockPath}: another run keeps taking it`);
  }

  /**
   * Creates the lock file with our record in it: false when it exists already. The record is written to a temporary
   * file first and hard-linked to the lock's name, which fails if the name exists: the lock never exists without its
   * record. (Created empty and then written, a run starting at the same moment read it between the two, found no
   * record, and called the live lock foreign.) On a filesystem without hard links, the lock is created in place.
   */
  private tryCreate(): boolean {
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}-lock`);
    writeNew(temp, this.lockText());
    try {
      linkSync(temp, this.lockPath);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return this.createInPlace();
      throw e;
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /** O_EXCL create, then the record: where hard links are not supported. */
  private createInPlace(): boolean {
    try {
      writeNew(this.lockPath, this.lockText());
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  }

  /** Temporary files a dead run left (its pid in the name). */
  private removeTemps(pid: number): void {
    const prefix = `${TEMP_PREFIX}${pid}-`;
    for (const name of readdirSync(this.dir)) {
      if (!name.startsWith(prefix)) continue;
      const st = lstatOrNull(join(this.dir, name));
      if (st?.isFile()) {
        unlinkSync(join(this.dir, name));
        this.notes.push({ code: 'stale-temp-removed', message: `removed ${name}, left by that run` });
      }
    }
  }

  private readOwned(stale: LockRecord | null): void {
    const path = join(this.dir, MANIFEST_NAME);
    const st = lstatOrNull(path);
    let text: string | null = null;
    if (st !== null) {
      if (!st.isFile()) throw new InputError(`${path} is ${why(st)}; cron2lambda writes manifest.json only as a file of its own (remove it or choose another --out)`);
      if (st.size > MAX_MANIFEST_BYTES) throw new InputError(`${path} is ${st.size} bytes, too large for a cron2lambda manifest; cron2lambda will not replace it (choose another --out)`);
      const fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      try {
        text = readFileSync(fd, 'utf8');
      } finally {
        closeSync(fd);
      }
    }
    const previous = readPreviousManifest(text);
    if (previous.kind === 'foreign') {
      throw new InputError(`${path} exists but is not a cron2lambda manifest (${previous.why}); cron2lambda will not replace it (remove it or choose another --out)`);
    }
    if (previous.kind === 'ours') {
      for (const z of previous.zips) this.owned.add(z);
      for (const z of previous.ignored) {
        this.notes.push({ code: 'kept-listed', message: `the previous manifest lists ${JSON.stringify(z)}, which is not a zip name in ${this.dir}: left alone` });
      }
    }
    for (const z of stale?.writing ?? []) this.owned.add(z);
  }

  /** Why `name` cannot be written (something not ours is there), or null. */
  blocker(name: string): OutBlocker | null {
    const path = join(this.dir, name);
    if (!isOwnZipName(name) && name !== MANIFEST_NAME) return { path: name, dir: this.dir, taken: 'foreign-name' };
    const st = lstatOrNull(path);
    if (st === null) return null;
    if (!st.isFile()) return { path, dir: this.dir, taken: 'not-a-file', type: typeOf(st) };
    if (name !== MANIFEST_NAME && !this.owned.has(name)) return { path, dir: this.dir, taken: 'not-listed' };
    return null;
  }

  /** Records the zips about to be written in the lock, so a run that dies midway leaves them owned. */
  announce(names: string[]): void {
    this.lock.writing = names;
    // A new file renamed over the lock, not the lock rewritten in place: truncated and then written, it was empty for
    // a moment, and a run starting then read no record and called the live lock foreign.
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}-lock`);
    try {
      writeNew(temp, this.lockText());
      renameSync(temp, this.lockPath);
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /** Writes `name` atomically: a new temporary file in the directory, fsync, rename over the name. */
  write(name: string, bytes: Uint8Array | string): void {
    const blocked = this.blocker(name);
    if (blocked) throw new InputError(packageProblemText({ code: 'out-path-taken', args: blocked }));
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}-${name}`);
    this.temps.add(temp);
    writeNew(temp, bytes);
    renameSync(temp, join(this.dir, name));
    this.temps.delete(temp);
    if (isOwnZipName(name)) this.owned.add(name);
  }

  /** Removes the zips the previous run owned that this run did not write, with a note for each. */
  removeStale(keep: ReadonlySet<string>): void {
    for (const name of [...this.owned].sort()) {
      if (keep.has(name) || !isOwnZipName(name)) continue;
      const path = join(this.dir, name);
      const st = lstatOrNull(path);
      if (st === null) continue;
      if (!st.isFile()) {
        this.notes.push({ code: 'kept-listed', message: `${name} is listed by the previous manifest but is ${why(st)} now: left alone` });
        continue;
      }
      unlinkSync(path);
      this.notes.push({ code: 'removed-zip', message: `removed ${name}: the previous run in this directory wrote it, and its job is not packaged now` });
    }
  }

  /** Syncs the directory, removes leftover temporary files and releases the lock (if it is still ours). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.temps) rmSync(t, { force: true });
    fsyncDir(this.dir);
    try {
      const held = parseLock(readFileSync(this.lockPath, 'utf8'));
      if (held?.token === this.lock.token) unlinkSync(this.lockPath);
    } catch {
      /* already gone */
    }
  }
}
