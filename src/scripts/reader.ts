// File access for the script analysis: the only imperative part. Paths are absolute *server*
// paths; a reader maps them onto a copy of the server's filesystem (--root) or an in-memory tree.
import { closeSync, lstatSync, opendirSync, openSync, readSync, readlinkSync, type Stats } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

export interface FileStat {
  kind: 'file' | 'dir';
  mode: number;
  size: number;
}

export interface FileReader {
  /**
   * Content of the file at an absolute server path; null when missing, unreadable or not a regular file. With
   * maxBytes, at most maxBytes + 1 bytes are read (so a caller sees that the file is larger without holding it).
   */
  readFile(absPath: string, maxBytes?: number): Uint8Array | null;
  stat(absPath: string): FileStat | null;
  /** The server path the symlinks of absPath lead to (never outside the root); absPath itself when there are none. */
  resolve?(absPath: string): string | null;
  /**
   * The names in the directory at an absolute server path (as a glob would see them), or null when it is not a
   * directory of the copy or holds more than MAX_LISTED names. Optional: without it no glob is expanded.
   */
  list?(absDir: string): string[] | null;
}

/** More names than this in one directory are not listed (a glob over it stays unexpanded). */
export const MAX_LISTED = 4096;

const encoder = new TextEncoder();

/**
 * In-memory tree for tests: keys are absolute server paths, values the contents (UTF-8).
 * Directories exist implicitly as the parents of files. A key ending in `/` declares an empty directory.
 * Files get mode 0o755 when their text starts with `#!`, else 0o644.
 */
export function memoryReader(files: Record<string, string | Uint8Array>): FileReader {
  const data = new Map<string, Uint8Array>();
  const dirs = new Set<string>(['/']);
  for (const [rawPath, content] of Object.entries(files)) {
    const isDir = rawPath.endsWith('/');
    const p = posix.normalize(rawPath.startsWith('/') ? rawPath : `/${rawPath}`).replace(/\/+$/, '') || '/';
    if (!isDir) data.set(p, typeof content === 'string' ? encoder.encode(content) : content);
    let d = isDir ? p : posix.dirname(p);
    while (!dirs.has(d)) {
      dirs.add(d);
      d = posix.dirname(d);
    }
  }
  const norm = (p: string): string => posix.normalize(p).replace(/(.)\/+$/, '$1');
  return {
    readFile(absPath, maxBytes) {
      const f = data.get(norm(absPath)) ?? null;
      return f !== null && maxBytes !== undefined && f.length > maxBytes + 1 ? f.subarray(0, maxBytes + 1) : f;
    },
    stat(absPath) {
      const p = norm(absPath);
      const f = data.get(p);
      if (f) {
        const exec = f.length >= 2 && f[0] === 0x23 && f[1] === 0x21;
        return { kind: 'file', mode: exec ? 0o755 : 0o644, size: f.length };
      }
      if (dirs.has(p)) return { kind: 'dir', mode: 0o755, size: 0 };
      return null;
    },
    list(absDir) {
      const d = norm(absDir);
      if (!dirs.has(d)) return null;
      const prefix = d === '/' ? '/' : `${d}/`;
      const names = new Set<string>();
      for (const p of [...data.keys(), ...dirs]) if (p.startsWith(prefix) && p.length > prefix.length && !p.slice(prefix.length).includes('/')) names.add(p.slice(prefix.length));
      return names.size > MAX_LISTED ? null : [...names].sort();
    },
  };
}

const MAX_LINKS = 40;

/**
 * Resolve an absolute server path to a host path inside rootDir, following symlinks *as the server
 * would* (absolute link targets are taken relative to the root, `..` never climbs above the root).
 * Returns null when a component is missing or the chain loops.
 */
export function resolveUnderRoot(rootDir: string, absPath: string, links_?: LinkCache): string | null {
  const look = links_ ?? new Map<string, LinkInfo>();
  const pending = posix.normalize(`/${absPath}`).split('/').filter((c) => c !== '');
  const done: string[] = [];
  // join(rootDir, ...done), kept as the walk goes instead of joined again for every component (a fleet's scripts
  // are resolved by the thousand); components are plain names here ('.', '..' and '' never reach it).
  const root = join(rootDir);
  const under = (parts: readonly string[]): string =>
    parts.length === 0 ? root : root === '.' ? parts.join('/') : root.endsWith('/') ? root + parts.join('/') : `${root}/${parts.join('/')}`;
  let current = root;
  let links = 0;
  while (pending.length > 0) {
    const comp = pending.shift() as string;
    if (comp === '.') continue;
    if (comp === '..') {
      done.pop();
      current = under(done);
      continue;
    }
    const host = done.length === 0 ? under([comp]) : `${current}/${comp}`;
    const info = linkInfoOf(look, host);
    if (info === null) return null;
    if (info.link !== null) {
      if (++links > MAX_LINKS) return null;
      const target = info.link;
      const parts = target.split('/').filter((c) => c !== '');
      if (target.startsWith('/')) {
        done.length = 0;
        current = root;
      }
      pending.unshift(...parts);
      continue;
    }
    done.push(comp);
    current = host;
  }
  return current;
}

/**
 * What lstat says of one path component: missing (null), a symlink and its target, or something else (with what lstat
 * said of it, so a resolved file's own lstat is not asked again).
 */
type LinkInfo = { link: string; st?: undefined } | { link: null; st: Stats } | null;
type LinkCache = Map<string, LinkInfo>;

/** linkInfo, remembered in LOOK for the reader's life (the copy is a snapshot). */
function linkInfoOf(look: LinkCache, host: string): LinkInfo {
  let info = look.get(host);
  if (info === undefined) {
    info = linkInfo(host);
    look.set(host, info);
  }
  return info;
}

function linkInfo(host: string): LinkInfo {
  try {
    // A missing component is common (PATH lookups): answered without the cost of an exception.
    const st = lstatSync(host, { throwIfNoEntry: false });
    if (st === undefined) return null;
    return st.isSymbolicLink() ? { link: readlinkSync(host) } : { link: null, st };
  } catch {
    return null;
  }
}

/**
 * A reader over a copy of the server's filesystem at rootDir (node:fs, symlinks resolved inside the root). The copy is
 * taken as a snapshot: what lstat says of each path component is remembered for the reader's life (one run), so a
 * fleet of scripts in /opt/app/bin costs one lstat of /opt, not one per script.
 */
export function rootReader(rootDir: string): FileReader {
  const links: LinkCache = new Map();
  // The same snapshot rule for whole paths: a job's script is resolved, statted and read, one walk of its components.
  const hosts = new Map<string, string | null>();
  const hostOf = (absPath: string): string | null => {
    let host = hosts.get(absPath);
    if (host === undefined) {
      host = inDirectory(absPath) ?? resolveUnderRoot(rootDir, absPath, links);
      hosts.set(absPath, host);
    }
    return host;
  };
  const root = join(rootDir);
  /**
   * A plain path (no `.`, `..` or empty component) from its directory's host path, which is resolved once for all its
   * files: only the last component is looked at, as the walk of the whole path would find it. Undefined where that
   * walk must decide (a symlink to follow, the root's own files).
   */
  const inDirectory = (absPath: string): string | null | undefined => {
    const slash = absPath.lastIndexOf('/');
    const name = absPath.slice(slash + 1);
    if (slash <= 0 || name === '' || name === '.' || name === '..' || !absPath.startsWith('/') || /\/\.{0,2}\//.test(absPath)) return undefined;
    const dir = hostOf(absPath.slice(0, slash));
    if (dir === null) return null;
    if (dir === root || dir.endsWith('/')) return undefined;
    const host = `${dir}/${name}`;
    const info = linkInfoOf(links, host);
    if (info === null) return null;
    return info.link === null ? host : undefined;
  };
  const lstatOf = (host: string): Stats | null => {
    // A resolved path's last component was lstatted while resolving it; only the root itself was not.
    const known = links.get(host);
    if (known) return known.st ?? null;
    try {
      return lstatSync(host, { throwIfNoEntry: false }) ?? null;
    } catch {
      return null;
    }
  };
  return {
    readFile(absPath, maxBytes) {
      const host = hostOf(absPath);
      if (host === null) return null;
      const st = lstatOf(host);
      if (st === null || !st.isFile()) return null;
      try {
        return readBounded(host, maxBytes === undefined ? st.size : Math.min(st.size, maxBytes + 1), maxBytes);
      } catch {
        return null;
      }
    },
    resolve(absPath) {
      const host = hostOf(absPath);
      if (host === null) return null;
      const rel = relative(rootDir, host);
      return `/${rel.split(sep).join('/')}`;
    },
    stat(absPath) {
      const host = hostOf(absPath);
      if (host === null) return null;
      const st = lstatOf(host);
      if (st === null) return null;
      if (st.isFile()) return { kind: 'file', mode: st.mode & 0o7777, size: st.size };
      if (st.isDirectory()) return { kind: 'dir', mode: st.mode & 0o7777, size: 0 };
      return null;
    },
    list(absDir) {
      const host = hostOf(absDir);
      if (host === null || !lstatOf(host)?.isDirectory()) return null;
      try {
        const names: string[] = [];
        // a directory read entry by entry, so that a huge one is given up on without holding all its names
        const dir = opendirSync(host);
        try {
          for (let e = dir.readSync(); e !== null; e = dir.readSync()) {
            if (names.length >= MAX_LISTED) return null;
            names.push(e.name);
          }
        } finally {
          dir.closeSync();
        }
        return names.sort();
      } catch {
        return null;
      }
    },
  };
}

/**
 * Read a file without trusting its size: files in /proc report 0 and a file can grow while it is read. Reads until
 * EOF (or a read that ends exactly at the size lstat gave), or until maxBytes + 1 bytes when a bound is given.
 */
function readBounded(host: string, sizeHint: number, maxBytes: number | undefined): Uint8Array {
  const fd = openSync(host, 'r');
  try {
    const cap = maxBytes === undefined ? Infinity : maxBytes + 1;
    let buf = Buffer.alloc(Math.max(1, Math.min(sizeHint + 1, cap)));
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        if (buf.length >= cap) break;
        const bigger = Buffer.alloc(Math.min(buf.length * 2, cap));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
      // Exactly the size lstat gave, one byte short of the room asked for: the end, as readFileSync takes it (no read
      // to hear it again). A file that reports 0 (/proc) or grew is read on until a read returns nothing.
      if (sizeHint > 0 && len === sizeHint && len < buf.length) break;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, len);
  } finally {
    closeSync(fd);
  }
}

/**
 * The reader a run uses: every path is read, statted and resolved at most once, whatever number of jobs use it (a
 * library sourced by 200 scripts is read once). Results are shared, so callers must not modify the bytes.
 */
export function onceReader(reader: FileReader): FileReader {
  const reads = new Map<string, Uint8Array | null>();
  const resolve = reader.resolve?.bind(reader);
  const list = reader.list?.bind(reader);
  return {
    readFile(absPath, maxBytes) {
      // a whole file answers every bound; a read cut at a bound answers only that bound
      const whole = reads.get(absPath);
      if (whole !== undefined) return whole !== null && maxBytes !== undefined && whole.length > maxBytes + 1 ? whole.subarray(0, maxBytes + 1) : whole;
      const key = `${absPath}\u0000${maxBytes ?? ''}`;
      const hit = reads.get(key);
      if (hit !== undefined) return hit;
      const content = reader.readFile(absPath, maxBytes);
      // complete when unbounded or under the bound: then it is the whole file
      if (content === null || maxBytes === undefined || content.length <= maxBytes) reads.set(absPath, content);
      else reads.set(key, content);
      return content;
    },
    stat: once(reader.stat.bind(reader)),
    ...(resolve ? { resolve: once(resolve) } : {}),
    ...(list ? { list: once(list) } : {}),
  };
}

/** `fn` asked at most once per path. */
function once<T>(fn: (path: string) => T): (path: string) => T {
  const known = new Map<string, T>();
  return (path) => {
    if (known.has(path)) return known.get(path) as T;
    const value = fn(path);
    known.set(path, value);
    return value;
  };
}
