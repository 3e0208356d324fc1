// What a job can run on AWS Lambda's provided.al2023 runtime without bundling anything: the list shipped with
// cron2lambda, used when no probe of the user's account is at hand (`cron2lambda probe` measures the real runtime;
// src/runtime/shipped.ts turns this list into a snapshot of the same format).
//
// Sources (checked 2026-11-30, SHIPPED_LIST_CHECKED):
// - AWS Compute Blog, "Introducing the Amazon Linux 2023 runtime for AWS Lambda": provided.al2023 is based on the
//   Amazon Linux 2023 *minimal* container image.
// - Amazon Linux 2023 User Guide, "Package changes for curl and libcurl": curl-minimal/libcurl-minimal are the
//   default in AL2023 containers; "Improved toolchain": glibc 2.34.
// - /work/shared/reference/facts.md ("Lambda custom runtime"): bash, coreutils, gawk, grep, curl-minimal 8.x with
//   --aws-sigv4, glibc 2.34; absent: findutils (find, xargs), yum; assume no jq, tar, gzip, zip/unzip; sed unknown.
// So: bash, coreutils (coreutils-single), grep, gawk and curl-minimal (plus glibc and ca-certificates). No findutils
// (find, xargs), no yum/dnf, no util-linux extras (flock, ionice, ...), and we assume no jq, sed, tar, gzip, zip,
// unzip, openssh, rsync, mysql/psql clients, python or perl. If AWS adds a package to the image, add its commands
// here, and change SHIPPED_LIST_CHECKED.
//
// Which parts are certain and which are assumed (src/runtime/judge.ts acts on this):
// - CERTAIN_COMMANDS: bash and its builtins, GNU coreutils and curl. A bash custom runtime cannot lack them: the
//   cron2lambda bootstrap itself runs on bash and needs curl, mktemp and rm, and coreutils-single is part of every
//   AL2023 container image. A job using them depends on nothing the tool does not already depend on.
// - Everything else in this file is assumed: grep and gawk are believed present, every other program is believed
//   absent. Without a probe, a program believed absent is reported as an *unverified* missing command (a
//   warning that says to run `cron2lambda probe`), never as a blocker.

/** The day the list below was last checked against its sources (the shipped snapshot's takenAt). */
export const SHIPPED_LIST_CHECKED = '2026-11-30';

/** glibc of Amazon Linux 2023 (AL2023 User Guide, core toolchain: glibc 2.34). */
export const SHIPPED_GLIBC = '2.34';

/** bash itself. */
export const SHELLS = ['bash', 'sh'] as const;

/** GNU coreutils 9.x (every program coreutils-single provides). */
export const COREUTILS = [
  '[', 'arch', 'b2sum', 'base32', 'base64', 'basename', 'basenc', 'cat', 'chcon', 'chgrp', 'chmod', 'chown',
  'chroot', 'cksum', 'comm', 'cp', 'csplit', 'cut', 'date', 'dd', 'df', 'dir', 'dircolors', 'dirname', 'du',
  'echo', 'env', 'expand', 'expr', 'factor', 'false', 'fmt', 'fold', 'groups', 'head', 'hostid', 'id',
  'install', 'join', 'link', 'ln', 'logname', 'ls', 'md5sum', 'mkdir', 'mkfifo', 'mknod', 'mktemp', 'mv',
  'nice', 'nl', 'nohup', 'nproc', 'numfmt', 'od', 'paste', 'pathchk', 'pinky', 'pr', 'printenv', 'printf',
  'ptx', 'pwd', 'readlink', 'realpath', 'rm', 'rmdir', 'runcon', 'seq', 'sha1sum', 'sha224sum', 'sha256sum',
  'sha384sum', 'sha512sum', 'shred', 'shuf', 'sleep', 'sort', 'split', 'stat', 'stdbuf', 'stty', 'sum',
  'sync', 'tac', 'tail', 'tee', 'test', 'timeout', 'touch', 'tr', 'true', 'truncate', 'tsort', 'tty',
  'uname', 'unexpand', 'uniq', 'unlink', 'users', 'vdir', 'wc', 'who', 'whoami', 'yes',
] as const;

/** grep, gawk, curl-minimal. */
export const OTHER_PACKAGES = ['grep', 'egrep', 'fgrep', 'gawk', 'awk', 'curl'] as const;

/** Present on any provided.al2023 (see the top of this file): never reported missing without a probe. */
export const CERTAIN_COMMANDS = [...SHELLS, ...COREUTILS, 'curl'] as const;

/**
 * Shared libraries believed present, kept conservative: glibc's own libraries, and what bash (libtinfo) and
 * curl-minimal (libcurl, OpenSSL, zlib) cannot run without. `%LD%` is the architecture's dynamic loader.
 */
export const SHIPPED_LIBRARIES = [
  '%LD%', 'libc.so.6', 'libm.so.6', 'libmvec.so.1', 'libpthread.so.0', 'libdl.so.2', 'librt.so.1', 'libresolv.so.2',
  'libutil.so.1', 'libanl.so.1', 'libnss_files.so.2', 'libnss_dns.so.2', 'libthread_db.so.1',
  'libtinfo.so.6', 'libcurl.so.4', 'libssl.so.3', 'libcrypto.so.3', 'libz.so.1',
] as const;

/** The dynamic loader's file name per ELF machine. */
export const DYNAMIC_LOADER: Record<'x86_64' | 'aarch64', string> = {
  x86_64: 'ld-linux-x86-64.so.2',
  aarch64: 'ld-linux-aarch64.so.1',
};

/** bash builtins and reserved words: never a separate program. */
export const BASH_BUILTINS = [
  '.', ':', 'source', 'alias', 'bg', 'bind', 'break', 'builtin', 'caller', 'cd', 'command', 'compgen',
  'complete', 'compopt', 'continue', 'declare', 'dirs', 'disown', 'echo', 'enable', 'eval', 'exec', 'exit',
  'export', 'false', 'fc', 'fg', 'getopts', 'hash', 'help', 'history', 'jobs', 'kill', 'let', 'local',
  'logout', 'mapfile', 'popd', 'printf', 'pushd', 'pwd', 'read', 'readarray', 'readonly', 'return', 'set',
  'shift', 'shopt', 'suspend', 'test', '[', '[[', ']]', 'times', 'trap', 'true', 'type', 'typeset', 'ulimit',
  'umask', 'unalias', 'unset', 'wait', 'if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'select',
  'while', 'until', 'do', 'done', 'in', 'function', 'time', '{', '}', '!', 'coproc',
] as const;

const AVAILABLE = new Set<string>([...SHELLS, ...COREUTILS, ...OTHER_PACKAGES, ...BASH_BUILTINS]);
const BUILTINS = new Set<string>(BASH_BUILTINS);

/** True when `name` (a bare program name) runs on provided.al2023 as is. */
export function isAvailableOnAl2023(name: string): boolean {
  return AVAILABLE.has(name);
}

export function isBashBuiltin(name: string): boolean {
  return BUILTINS.has(name);
}

/** Directories whose programs are the operating system's: never bundled. */
export const SYSTEM_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'] as const;

export function isSystemPath(absPath: string): boolean {
  return SYSTEM_DIRS.some((d) => absPath.startsWith(`${d}/`)) || absPath.startsWith('/etc/init.d/') || absPath.startsWith('/etc/rc.d/');
}

/**
 * Directories a `cd` finds on every Lambda as on the server, so the cd is kept as written: the root, /tmp (the one
 * writable place, where a job makes its own directories), the system program directories and their parents, /etc
 * and /opt (where layers go). Any other server directory exists on Lambda only as the zip's copy in the task root.
 */
const LAMBDA_DIRS = new Set<string>(['/', '/usr', '/etc', '/opt', '/var', '/dev', '/proc', '/sys', '/tmp', ...SYSTEM_DIRS]);

export function isLambdaDir(absPath: string): boolean {
  return LAMBDA_DIRS.has(absPath) || absPath.startsWith('/tmp/');
}

/** cron's default PATH when the crontab sets none. */
export const CRON_DEFAULT_PATH = '/usr/bin:/bin';
