// What bash and the programs a cron job runs do with their arguments: which shells read commands from stdin, which
// wrappers run a command (sudo, timeout, flock, ...), what a shebang names. Pure.
import { posix } from 'node:path';
import {
  literalWord,
  toText,
  type WhileClause,
  type Word,
} from '../sh/index.js';
export const SHELL_NAMES = new Set(['bash', 'sh', 'dash', 'ksh', 'zsh']);
export const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'php', 'ruby', 'node', 'nodejs']);
/**
 * Per interpreter: options after which no script path follows (code given inline, a module to run), and options that
 * take the next word as their argument (`python3 -W ignore x.py`, `node -r dotenv/config x.js`, `php -c php.ini x.php`),
 * which is then not the script. The same letter means different things to each (`-r` is code to php, a library to
 * ruby and node; `-c` is code to python, an ini file to php).
 */
const INTERPRETER_OPTS: Record<string, { inline: ReadonlySet<string>; withArg: ReadonlySet<string> }> = {
  python: { inline: new Set(['-c', '-m']), withArg: new Set(['-W', '-X', '-Q', '--check-hash-based-pycs']) },
  perl: { inline: new Set(['-e', '-E']), withArg: new Set(['-I']) },
  ruby: { inline: new Set(['-e']), withArg: new Set(['-r', '-I', '-C', '-E', '--encoding']) },
  node: { inline: new Set(['-e', '--eval', '-p', '--print']), withArg: new Set(['-r', '--require', '--import', '-C', '--conditions', '--loader', '--experimental-loader']) },
  php: { inline: new Set(['-r']), withArg: new Set(['-c', '-d', '-z']) },
};

/** The options of an interpreter by its program name (python3.11, php8.2 and nodejs included). */
export function interpreterOptions(name: string): { inline: ReadonlySet<string>; withArg: ReadonlySet<string> } {
  const family = /^python[0-9.]*$/.test(name) ? 'python' : /^php[0-9.]*$/.test(name) ? 'php' : name === 'nodejs' ? 'node' : name;
  return INTERPRETER_OPTS[family] ?? { inline: new Set(), withArg: new Set() };
}

export function isUnboundedWhile(cmd: WhileClause): boolean {
  if (cmd.cond.length !== 1) return false;
  const c = cmd.cond[0].cmd;
  if (c?.type !== 'CallExpr' || c.args.length !== 1) return false;
  const v = literalWord(c.args[0]);
  return cmd.until ? v === 'false' : v === 'true' || v === ':';
}

export function shebangInterpreter(content: Uint8Array): { name: string; raw: string } | null {
  if (content.length < 2 || content[0] !== 0x23 || content[1] !== 0x21) return null;
  let end = content.indexOf(0x0a);
  if (end === -1) end = Math.min(content.length, 256);
  const line = toText(content.subarray(2, end)).trim();
  const fields = line.split(/[ \t]+/).filter((f) => f !== '');
  if (fields.length === 0) return null;
  let prog = posix.basename(fields[0]);
  if (prog === 'env') {
    const rest = fields.slice(1).filter((f) => !f.startsWith('-'));
    if (rest.length === 0) return null;
    prog = posix.basename(rest[0]);
  }
  return { name: prog, raw: `#!${line}` };
}

export function isShellScript(content: Uint8Array, path: string): boolean {
  const interp = shebangInterpreter(content);
  if (interp) return SHELL_NAMES.has(interp.name);
  // no shebang: a text file is run by the shell, a binary is not parsed
  const head = content.subarray(0, 512);
  if (head.includes(0)) return false;
  if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return false;
  void path;
  return true;
}

/**
 * A shell that reads its commands from stdin: `bash`, `sh -s`, `bash -ex` with no script operand and no `-c`
 * (`bash script.sh <<EOF` gives the script data, not code).
 */
export function readsCommandsFromStdin(args: readonly Word[]): boolean {
  const prog = literalWord(args[0]);
  if (prog === null || !SHELL_NAMES.has(posix.basename(prog))) return false;
  for (let i = 1; i < args.length; i++) {
    const v = literalWord(args[i]);
    if (v === null) return false;
    if (v === '-s' || v === '--') return true; // the rest are positional parameters
    if (v === '-o' || v === '+o' || v === '-O' || v === '+O') {
      i++;
      continue;
    }
    if (/^[-+][a-zA-Z]+$/.test(v)) {
      if (/^-[a-zA-Z]*c/.test(v)) return false;
      if (/^-[a-zA-Z]*s/.test(v)) return true;
      continue;
    }
    return false;
  }
  return true;
}

/** `ssh host 'cmd'`, `ssh host <<EOF`: the words after the host and the heredoc are shell code run on the remote host. */
export function runsRemoteShell(args: readonly Word[]): boolean {
  const prog = literalWord(args[0]);
  return prog !== null && posix.basename(prog) === 'ssh';
}

/** Options of wrapper programs that take a separate argument. */
const WRAPPER_OPTS_WITH_ARG: Record<string, string[]> = {
  sudo: ['-u', '-g', '-C', '-h', '-p', '-U', '-r', '-t', '-D', '-T', '-R'],
  nice: ['-n'],
  ionice: ['-c', '-n', '-t'],
  timeout: ['-s', '-k', '--signal', '--kill-after'],
  env: ['-u', '-C', '-S', '--unset', '--chdir'],
  stdbuf: ['-i', '-o', '-e'],
  flock: ['-w', '-E', '--timeout', '--wait', '--conflict-exit-code'],
  xargs: ['-n', '-P', '-I', '-d', '-L', '-s', '-a', '-E', '--max-args', '--max-procs', '--delimiter'],
  exec: ['-a'],
  time: ['-f', '-o', '--format', '--output'],
  chronic: [],
  nohup: [],
  command: [],
  // `builtin source FILE`: the builtin itself
  builtin: [],
  setsid: [],
  doas: ['-u'],
};

/**
 * What a wrapper runs: the command from `index`, or (shellString) the word at `index` as shell code, or the word at
 * `shellStringAt` as shell code, from `shellStringFrom` characters into it when the option and its value are one word
 * (`su app --command='...'`).
 */
export interface Wrapped {
  index: number;
  shellString?: boolean;
  shellStringAt?: number;
  shellStringFrom?: number;
}

/**
 * The index of the command run by a wrapper (`sudo -u x CMD`, `timeout 60 CMD`, `flock -n L CMD`),
 * or a `-c` shell string (flock), or null.
 */
export function wrappedCommand(name: string, vals: Array<string | null>): Wrapped | null {
  if (name === 'su' || name === 'runuser') return switchedCommand(name, vals);
  const withArg = WRAPPER_OPTS_WITH_ARG[name];
  if (!withArg) return null;
  let i = 1;
  let positional = 0;
  const needPositional = name === 'timeout' ? 1 : name === 'flock' ? 1 : 0;
  while (i < vals.length) {
    const v = vals[i];
    if (v === null) {
      // flock's lock file may be known only at run time (`flock -n "$LOCK" cmd`); the command after it still runs
      if (name === 'flock' && positional < needPositional) {
        positional++;
        i++;
        continue;
      }
      break;
    }
    if (name === 'command' && (v === '-v' || v === '-V')) return null;
    if (name === 'flock' && (v === '-c' || v === '--command')) {
      return positional >= 1 && i + 1 < vals.length ? { index: vals.length, shellStringAt: i + 1 } : null;
    }
    if (v === '--') {
      i++;
      break;
    }
    if (v.startsWith('-') && v.length > 1) {
      if (withArg.includes(v)) i += 2;
      else i += 1;
      continue;
    }
    if ((name === 'env' || name === 'sudo') && /^[A-Za-z_][A-Za-z0-9_]*=/.test(v)) {
      i++;
      continue;
    }
    if (positional < needPositional) {
      positional++;
      i++;
      continue;
    }
    break;
  }
  if (name === 'flock' && positional < 1) return null;
  if (i >= vals.length) return null;
  return { index: i };
}

/** Options of util-linux su(1) and runuser(1) that take a separate argument (-c is read apart). */
const SWITCH_OPTS_WITH_ARG = new Set(['-s', '--shell', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment']);

/**
 * What `su` and `runuser` run as another user (a root crontab's `su - app -c '/opt/app/bin/job.sh'`): the string of
 * `-c`/`--command` (shell code, read by that user's shell; options may follow the user name, as getopt permutes
 * them), or with `runuser -u USER` the command after the user. Null when they run nothing named here (a login shell
 * reading standard input), or when a word known only at run time hides where the command is.
 */
function switchedCommand(name: 'su' | 'runuser', vals: Array<string | null>): Wrapped | null {
  let asUser = false;
  for (let i = 1; i < vals.length; i++) {
    const v = vals[i];
    if (v === null) return null;
    if (v === '-c' || v === '--command' || v === '--session-command' || /^-[a-zA-Z]*c$/.test(v)) return i + 1 < vals.length ? { index: vals.length, shellStringAt: i + 1 } : null;
    const joined = /^--(?:session-)?command=/.exec(v);
    if (joined) return { index: vals.length, shellStringAt: i, shellStringFrom: joined[0].length };
    if (name === 'runuser' && (v === '-u' || v === '--user')) {
      asUser = true;
      i++;
      continue;
    }
    if (v === '--') {
      // runuser -u USER -- CMD...; su's words after -- go to the shell as its arguments, not as a command
      return asUser && i + 1 < vals.length ? { index: i + 1 } : null;
    }
    if (v !== '-' && v.startsWith('-')) {
      if (SWITCH_OPTS_WITH_ARG.has(v)) i++;
      continue;
    }
    if (asUser) return { index: i };
    // `-` (a login shell) or the user name: a -c may still follow
  }
  return null;
}

/** Programs that read every file operand they are given (options aside). */
const READS_OPERANDS = new Set([
  'cat', 'tac', 'head', 'tail', 'wc', 'sort', 'uniq', 'cut', 'paste', 'join', 'comm', 'nl', 'fold', 'fmt', 'column',
  'md5sum', 'sha1sum', 'sha256sum', 'sha512sum', 'base64', 'zcat', 'bzcat', 'xzcat', 'jq', 'yq', 'od', 'strings',
]);
const GREP = new Set(['grep', 'egrep', 'fgrep', 'zgrep']);
/** Programs whose `-f FILE` is a file of their own language they read (a script, a pattern list). */
const READS_DASH_F = new Set(['psql', 'awk', 'gawk', 'mawk', 'nawk', 'sed', 'make', 'grep', 'egrep', 'fgrep', 'jq']);
/** Long options whose value names a file the program reads. */
const FILE_OPTION = /^--(?:[a-z0-9]+-)*(?:config|conf|config-file|configuration|defaults-file|defaults-extra-file|env-file|exclude-from|include-from|files-from|input|input-file|settings|settings-file|rcfile|init-file|template)$/;

/** An argument that names a file the program reads: the word's index, where the path starts in it, and whether it is read for certain. */
export interface ArgumentRead {
  index: number;
  /** `--config=FILE`: the path starts this many characters into the word. */
  at?: number;
  /** Read for certain (a missing file is reported), or an operand of a bundled program (it may be one it makes). */
  certain: boolean;
}

/**
 * The arguments a command reads as files (the absolute paths among them are the caller's to judge): the operands of
 * the programs in READS_OPERANDS (`cat /opt/app/etc/hosts.list`), grep's files after its pattern, cp's sources, the
 * file of `-f` for the programs in READS_DASH_F (`psql -f report.sql`), and the value of a file option (`--config
 * FILE`, `--defaults-extra-file=FILE`). Only these: any other argument may be a path the program writes, deletes or
 * only prints, and rewriting it would change what the job does. A bundled program of the server's own
 * (`/opt/app/bin/import.sh /opt/app/data/orders.csv`) gets its operands too: it can use the server's file only
 * through its argument, and on Lambda that file is the copy; not for certain (it may be a path it makes).
 */
export function argumentsRead(name: string, vals: ReadonlyArray<string | null>, bundledProgram: boolean): ArgumentRead[] {
  const grep = GREP.has(name);
  const operands = READS_OPERANDS.has(name) || grep || name === 'cp' || bundledProgram;
  const dashF = READS_DASH_F.has(name);
  // grep's first operand is its pattern unless -e or -f gave it; jq's its filter unless -f gave it
  let skipFirst =
    (grep && !vals.some((v) => v === '-e' || v === '-f' || v === '--regexp' || v === '--file' || /^--(regexp|file)=/.test(v ?? ''))) ||
    (name === 'jq' && !vals.some((v) => v === '-f' || v === '--from-file'));
  const out: ArgumentRead[] = [];
  const files: number[] = [];
  let targetDir = false;
  let options = true;
  for (let i = 1; i < vals.length; i++) {
    const v = vals[i];
    if (options && v === '--') {
      options = false;
      continue;
    }
    if (options && v !== null && v.startsWith('-') && v.length > 1) {
      const eq = v.indexOf('=');
      if (v.startsWith('--') && eq > 0 && FILE_OPTION.test(v.slice(0, eq))) {
        if (v[eq + 1] === '/') out.push({ index: i, at: eq + 1, certain: true });
      } else if ((FILE_OPTION.test(v) || (dashF && v === '-f')) && i + 1 < vals.length) {
        out.push({ index: ++i, certain: true });
      } else if (name === 'cp' && (v === '-t' || v.startsWith('--target-directory') || /^-[a-zA-Z]*t$/.test(v))) {
        // cp writes into -t's directory: then every operand is a source
        targetDir = true;
        if (!v.includes('=')) i++;
      } else if ((grep && /^-[a-zA-Z]*[eA-CdDm]$/.test(v)) || (name === 'sort' && /^(-[a-zA-Z]*[oTkt]|--output|--temporary-directory)$/.test(v))) {
        // a value in the next word: grep's -e PATTERN, -A N, ...; sort's -o FILE (written), -T DIR, -k KEY
        i++;
      }
      continue;
    }
    if (!operands) continue;
    if (skipFirst) {
      skipFirst = false;
      continue;
    }
    files.push(i);
  }
  // cp writes its last operand
  for (const index of name === 'cp' && !targetDir ? files.slice(0, -1) : files) out.push({ index, certain: !bundledProgram });
  return out;
}

/** The index of run-parts' directory operand (after its options, `-u MASK` and `-a ARG` taking a word), or -1. */
export function runPartsDir(vals: ReadonlyArray<string | null>): number {
  let dir = -1;
  for (let i = 1; i < vals.length; i++) {
    const v = vals[i];
    const afterDashes = vals[i - 1] === '--';
    if (afterDashes || v === null || !v.startsWith('-')) dir = i;
    else if (v === '-u' || v === '-a' || v === '--umask' || v === '--arg') i++;
    if (afterDashes) break;
  }
  return dir;
}
