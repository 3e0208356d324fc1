// Crontab arguments → the plan's inputs: files, `-` (standard input) and directories read as cron reads them.
// Imperative shell: all reads go through Io, each failure becomes data on that file so the others still plan.
import { isAbsolute, join, relative, resolve } from 'node:path';
import { resolveUnderRoot } from '../scripts/reader.js';
import type { CronFlavour, CrontabInput } from '../plan/plan.js';
import type { Reason } from '../model/reasons.js';
import { UsageError } from '../errors.js';
import { isSystem } from './options.js';
import type { Io, ReadResult } from './io.js';

/**
 * Largest crontab read: 1 MiB. cronie caps one command at 131072 characters (MAX_COMMAND) and Debian at 998; a
 * real crontab is a few KiB, and 1 MiB is ~10,000 lines of 100 characters, which plans in a few seconds. Anything
 * larger (or /dev/zero) is refused on that file without reading more than limit+1 bytes.
 */
export const MAX_CRONTAB_BYTES = 1 << 20;

/** How standard input is named in the plan. */
export const STDIN_NAME = '(stdin)';

export type { CronFlavour } from '../plan/plan.js';

/**
 * Which cron ran the crontabs of a server copy: Debian's (Debian, Ubuntu: `etc/debian_version`) or cronie (RHEL,
 * Fedora, ... and a Debian-family copy that runs cronie). Debian's `cron` package conflicts with `cronie`, so dpkg's
 * record of cronie (var/lib/dpkg/info/cronie.list) says which one; without it, cronie's daemon /usr/sbin/crond in a
 * copy that has no Debian /usr/sbin/cron (a `crond` link to Debian's `cron` is Debian's). Judged inside the root, as
 * etc/hostname and etc/timezone are: a link in a server copy names the server's file.
 */
export function cronFlavour(root: string, io: Pick<Io, 'isFile'>): CronFlavour {
  const has = (path: string) => {
    const host = resolveUnderRoot(root, path);
    return host !== null && io.isFile(host);
  };
  if (!has('/etc/debian_version')) return 'cronie';
  if (has('/var/lib/dpkg/info/cronie.list')) return 'cronie';
  if (has('/usr/sbin/crond') && !has('/usr/sbin/cron')) return 'cronie';
  return 'debian';
}

/**
 * Whether cron reads a file of this name in a crontab directory (/etc/cron.d, the spool). Returns why not, or null.
 * cronie database.c not_a_crontab(): skips names starting with "." or "#", ending with "~", ".rpmsave",
 * ".rpmorig" or ".rpmnew". Debian's cron(8): names in /etc/cron.d must follow run-parts rules, only
 * A-Z a-z 0-9 _ - (so no dots at all). We also skip ".dpkg-*" and ".swp" leftovers on both, which no admin means.
 */
export function skipReason(name: string, flavour: CronFlavour): string | null {
  if (name.startsWith('.')) return 'its name starts with "." (cron skips hidden files)';
  if (name.startsWith('#')) return 'its name starts with "#" (cronie skips editor leftovers)';
  if (name.endsWith('~')) return 'its name ends with "~" (cron skips backup files)';
  const suffix = /\.(rpmsave|rpmorig|rpmnew|dpkg-[A-Za-z]+|swp)$/.exec(name);
  if (suffix) return `its name ends with ".${suffix[1]}" (a package-manager or editor leftover cron does not read)`;
  if (flavour === 'debian' && !/^[A-Za-z0-9_-]+$/.test(name)) {
    return "Debian's cron reads only names made of A-Z a-z 0-9 _ - (run-parts rules), and the server copy is Debian (etc/debian_version)";
  }
  return null;
}

function decode(result: ReadResult): { text: string | null; error?: string } {
  if ('error' in result) return { text: null, error: result.error };
  // Bytes that are not UTF-8 become U+FFFD here; the lines holding them are shown, not run. A byte-order mark is
  // kept: cron reads it as the start of the first line (a "bad minute"), so that line never ran.
  return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(result.bytes) };
}

/** flavour: the cron of the copy at root (cronFlavour), whose rules say which names in a directory cron reads. */
export function readCrontabInputs(args: string[], options: { system?: boolean; root: string; flavour: CronFlavour }, io: Io): CrontabInput[] {
  if (args.filter((a) => a === '-').length > 1) throw new UsageError('"-" (standard input) can be given only once');
  const flavour = options.flavour;
  const inputs: CrontabInput[] = [];
  // The same crontab read twice (`tab ./tab`, a directory and a file in it) would plan each of its jobs twice, with
  // two ids: migrated, every job would run twice. cron reads each file once.
  const given = new Map<string, string>();
  const once = (file: string) => {
    const first = given.get(resolve(file));
    if (first !== undefined) throw new UsageError(`the crontab ${file} is given twice${first === file ? '' : ` (also as ${first})`}, directly or in a directory given: give each crontab once`);
    given.set(resolve(file), file);
  };
  for (const arg of args) {
    if (arg === '-') {
      const read = decode(io.readStdin(MAX_CRONTAB_BYTES));
      inputs.push({ file: STDIN_NAME, system: options.system === true, ...read, ...(read.error ? { error: `cannot read standard input: ${read.error}` } : {}) });
      continue;
    }
    // A link in the server copy given by name (a shell glob such as etc/cron.d/*, or etc/cron.d itself) is resolved
    // there, as in a directory: its absolute target is a server path, not this machine's file or directory.
    const argLink = io.readLink(arg);
    let hostArg = arg;
    const host = argLink === null ? undefined : inCopy(arg, options.root);
    if (host === null) {
      once(arg);
      inputs.push({ file: arg, system: isSystem(arg, options.system), text: null, error: missingTarget(arg, argLink!) });
      continue;
    }
    if (host !== undefined) hostArg = host;
    if (io.isDirectory(hostArg)) {
      const names = io.listDirectory(hostArg);
      if (names === null) {
        inputs.push({ file: arg, system: isSystem(arg, options.system), text: null, error: `cannot list the directory ${arg}` });
        continue;
      }
      for (const name of [...names].sort()) {
        const file = join(arg, name);
        const hostFile = join(hostArg, name);
        // cron reads every regular file (following links); it never descends into directories. A link is judged
        // where it points in the server copy (readLinked), never by what its target is on this machine.
        const link = io.readLink(hostFile);
        if (link === null && io.isDirectory(hostFile)) continue;
        const skipped = skipReason(name, flavour);
        if (skipped) {
          const note: Reason = { code: 'skipped-by-name', args: { why: skipped }, file };
          inputs.push({ file, system: isSystem(file, options.system), text: '', notes: [note] });
          continue;
        }
        if (name.includes('\uFFFD') && !io.isFile(hostFile)) {
          // readdir decoded a name that is not UTF-8 with U+FFFD: no file has the name it gives, so opening it would
          // say "no such file" of a file that is there (and that cron reads).
          const error = `cannot read ${file}: its name is not UTF-8 (shown with \uFFFD), so it cannot be opened by the name listed; rename it to plan it`;
          inputs.push({ file, system: isSystem(file, options.system), text: null, error });
          continue;
        }
        once(file);
        if (link !== null) {
          const linked = readLinked(file, link, options, io);
          if (linked !== null) inputs.push(linked);
          continue;
        }
        inputs.push(readOne(file, options.system, io, hostFile));
      }
      continue;
    }
    once(arg);
    inputs.push(readOne(arg, options.system, io, hostArg));
  }
  return inputs;
}

function readOne(file: string, system: boolean | undefined, io: Io, hostPath = file): CrontabInput {
  const read = decode(io.readCapped(hostPath, MAX_CRONTAB_BYTES));
  return { file, system: isSystem(file, system), ...read, ...(read.error ? { error: `cannot read ${file}: ${read.error}` } : {}) };
}

/**
 * cron follows a symlink in /etc/cron.d on the server. In a server copy, `/etc/shadow` as a target would be this
 * machine's file: the link is resolved inside --root as the server would resolve it, and not followed at all when
 * the directory is not inside --root (its lines could otherwise end up in the plan as rejected lines).
 */
function readLinked(file: string, link: string, options: { system?: boolean; root: string }, io: Io): CrontabInput | null {
  const system = isSystem(file, options.system);
  const host = inCopy(file, options.root);
  if (host === undefined) {
    const note: Reason = { code: 'link-not-followed', args: { link, root: options.root }, file };
    return { file, system, text: '', notes: [note] };
  }
  if (host === null) return { file, system, text: null, error: missingTarget(file, link) };
  // A link to a directory: cron reads only regular files and never descends into directories (null: not a crontab).
  if (io.isDirectory(host)) return null;
  return readOne(file, options.system, io, host);
}

/**
 * Where a link at FILE leads in the server copy, resolved as the server would (absolute targets inside the root):
 * its path on this machine; null when it leads nowhere in the copy; undefined when FILE is not inside --root.
 */
function inCopy(file: string, root: string): string | null | undefined {
  const inside = relative(root, file);
  if (inside.startsWith('..') || isAbsolute(inside)) return undefined;
  return resolveUnderRoot(root, `/${inside}`);
}

function missingTarget(file: string, link: string): string {
  return `cannot read ${file}: a symbolic link to ${link}, which does not exist in the server copy`;
}
