// What may go into a job's zip. A server copy (--root) is input written by someone else, and with the default
// `--root /` it is the packaging machine itself: kernel and device files, credential stores and oversized files are
// refused with a finding that makes the job an error (the job would fail on Lambda without the file anyway).
import { posix } from 'node:path';
import type { FileReader } from './reader.js';
import { credentialInProgram } from './tokens.js';
import { SEVERITY, type Finding, type FindingArgs, type FindingDetail } from './types.js';

/**
 * A shell script or sourced file is parsed in memory (the parser holds several copies of the text): 1 MiB is far
 * above any hand-written script (the largest in the fixtures is a few KiB) and keeps a hostile 100 MB "script" from
 * exhausting Node's heap.
 */
export const MAX_SCRIPT_BYTES = 1024 * 1024;
/** Any other bundled file (a binary, a Python script): Lambda takes a zip of at most 50 MB uploaded directly. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;
/** All bundled files of one job together: the same 50 MB (files are kept in memory until the zip is written). */
export const MAX_BUNDLE_BYTES = 50 * 1024 * 1024;
/** Nested `source` / script executions followed before the job is refused (bash has no limit; real scripts use a few). */
export const MAX_NESTING = 64;
/**
 * A file sourced more often than this in one job is walked this many times (each sourcing re-runs it, maybe with other
 * variables set) and is then only bundled: the walks of a job stay within this times its files, where a file that
 * sources the next twice made them double at each level.
 */
export const MAX_SOURCE_WALKS = 4;

type RefusalCode = 'bad-path' | 'forbidden-path' | 'credential-file' | 'too-large' | 'unreadable';

/** Why a file is not bundled: a finding's code and the values of its sentence (made in src/render). */
export type Refusal = { [C in RefusalCode]: { code: C; args: FindingArgs[C] } }[RefusalCode];

/** The finding a refusal becomes, at the reference that asked for the file. */
export function refusalFinding(r: Refusal, file: string, line: number, detail: FindingDetail): Finding {
  // Each Refusal member pairs a code with that code's args, which is what a Finding member is; TypeScript cannot
  // follow the pairing through the spread of a union, hence the assertion.
  return { code: r.code, severity: SEVERITY[r.code], file, line, args: r.args, detail } as Finding;
}

/** Virtual filesystems: their "files" are the running kernel's (the packaging machine's with --root /). */
const KERNEL_DIRS = ['/proc', '/sys', '/dev'];

/** Files that hold credentials by what they are (not by their content): never copied into a zip. */
const CREDENTIAL_PATHS = new Set(['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/security/opasswd', '/etc/master.passwd']);
const CREDENTIAL_NAMES = new Set([
  '.pgpass', '.netrc', '_netrc', '.my.cnf', '.mylogin.cnf', '.git-credentials', '.vault-token', '.npmrc', '.pypirc',
  '.boto', '.s3cfg', '.htpasswd',
]);
/** `dir/name` endings (the directory tells what the file is). */
const CREDENTIAL_TAILS = ['.aws/credentials', '.docker/config.json', '.kube/config', '.config/gcloud/credentials.db', '.config/gh/hosts.yml', '.azure/accessTokens.json'];
const PRIVATE_KEY_NAME = /^(?:id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?|ssh_host_[a-z0-9]+_key)$|\.(?:key|p12|pfx|jks|keystore|ppk)$/;

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** Why a server path may not be bundled, or null. `resolved` is where its symlinks lead (inside --root). */
export function refuseBundling(path: string, resolved: string = path): Refusal | null {
  if (/[\\\u0000-\u001f\u007f]/.test(path)) {
    return { code: 'bad-path', args: { kind: 'control', path } };
  }
  if (path.endsWith('/')) {
    return { code: 'bad-path', args: { kind: 'slash', path } };
  }
  for (const p of new Set([posix.normalize(path), posix.normalize(resolved)])) {
    const kernel = KERNEL_DIRS.find((d) => isUnder(p, d));
    if (kernel) {
      return { code: 'forbidden-path', args: { path, ...(p !== path ? { link: p } : {}), kernel } };
    }
    const base = posix.basename(p);
    const credential =
      CREDENTIAL_PATHS.has(p) || CREDENTIAL_NAMES.has(base) || CREDENTIAL_TAILS.some((t) => p.endsWith(`/${t}`)) || PRIVATE_KEY_NAME.test(base);
    if (credential) {
      return { code: 'credential-file', args: { path, ...(p !== path ? { link: p } : {}) } };
    }
  }
  return null;
}

/** `script`: the limit is MAX_SCRIPT_BYTES for a shell script, else MAX_FILE_BYTES for any file. */
export function tooLarge(path: string, size: number, limit: number, script: boolean): Refusal {
  return { code: 'too-large', args: { kind: 'file', path, size, limit, script } };
}

/**
 * A file read for a job's zip, or why it may not be: refused by path (after its links), larger than MAX_FILE_BYTES
 * (by lstat, then by what was read), or unreadable. The one sequence of checks and reads for bundling a file: the
 * analysis (bundle/files.ts) and the plan's read-ahead (ahead.ts) read exactly the same files this way.
 */
export function readForBundle(reader: FileReader, path: string): { content: Uint8Array } | { refusal: Refusal } {
  const resolved = reader.resolve ? reader.resolve(path) : path;
  const refusal = refuseBundling(path, resolved ?? path);
  if (refusal) return { refusal };
  const size = reader.stat(path)?.size ?? 0;
  if (size > MAX_FILE_BYTES) return { refusal: tooLarge(path, size, MAX_FILE_BYTES, false) };
  const content = reader.readFile(path, MAX_FILE_BYTES);
  if (content === null) return { refusal: { code: 'unreadable', args: { path } } };
  if (content.length > MAX_FILE_BYTES) return { refusal: tooLarge(path, content.length, MAX_FILE_BYTES, false) };
  const held = isProgram(content) ? credentialInProgram(Buffer.from(content.buffer, content.byteOffset, content.length).toString('latin1')) : null;
  if (held !== null) return { refusal: { code: 'credential-file', args: { path, held } } };
  return { content };
}

/** How far into a file a NUL byte makes it a program's bytes rather than text (as grep and git judge a file). */
const BINARY_PROBE_BYTES = 8192;

/**
 * A file that is a program's bytes, not text: a NUL in its first 8 KiB, and no `#!` line (bash runs a script with a
 * NUL after its first line: such a script is judged as text, see bundle/index.ts). A credential in a text file is
 * found, reported and redacted in the copy; one compiled into a program cannot be taken out without breaking the
 * program, so the program is not bundled at all.
 */
export function isProgram(content: Uint8Array): boolean {
  return !(content[0] === 0x23 && content[1] === 0x21) && content.subarray(0, BINARY_PROBE_BYTES).includes(0);
}
