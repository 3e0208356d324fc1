// What a job can run on AWS Lambda's provided.al2023 runtime without bundling anything.
//
// Source: provided.al2023 is built on the Amazon Linux 2023 *minimal* container image, which ships
// bash, coreutils (coreutils-single), grep, gawk and curl-minimal (plus glibc and ca-certificates).
// It has no findutils (find, xargs), no yum/dnf, no util-linux extras (flock, ionice, ...), and we
// assume no jq, sed, tar, gzip, zip, unzip, openssh, rsync, mysql/psql clients, python or perl.
// If AWS adds a package to the image, add its commands here.

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

/** cron's default PATH when the crontab sets none. */
export const CRON_DEFAULT_PATH = '/usr/bin:/bin';
