// What may go into a job's zip. A server copy (--root) is input written by someone else, and with the default
// `--root /` it is the packaging machine itself: kernel and device files, credential stores and oversized files are
// refused with a finding that makes the job an error (the job would fail on Lambda without the file anyway).
import { posix } from 'node:path';
import type { FindingCode } from './types.js';

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

export interface Refusal {
  code: FindingCode;
  message: string;
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
    return { code: 'bad-path', message: `the file name ${JSON.stringify(path)} holds a backslash or a control character, which a zip entry cannot carry faithfully; rename the file on the server` };
  }
  if (path.endsWith('/')) {
    return { code: 'bad-path', message: `${path} ends with a slash, so it names a directory, but it is a file (bash fails with "Not a directory"); fix the reference` };
  }
  for (const p of new Set([posix.normalize(path), posix.normalize(resolved)])) {
    const kernel = KERNEL_DIRS.find((d) => isUnder(p, d));
    if (kernel) {
      return { code: 'forbidden-path', message: `${path}${p !== path ? ` (a link to ${p})` : ''} is under ${kernel}, a kernel filesystem of the machine running cron2lambda, not a file of the job; it is never bundled` };
    }
    const base = posix.basename(p);
    const credential =
      CREDENTIAL_PATHS.has(p) || CREDENTIAL_NAMES.has(base) || CREDENTIAL_TAILS.some((t) => p.endsWith(`/${t}`)) || PRIVATE_KEY_NAME.test(base);
    if (credential) {
      return {
        code: 'credential-file',
        message: `${path}${p !== path ? ` (a link to ${p})` : ''} is a credential file; it is not copied into the zip: put what the job needs from it in SSM Parameter Store or Secrets Manager and read it at run time`,
      };
    }
  }
  return null;
}

const mib = (n: number): string => `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;

export function tooLarge(path: string, size: number, limit: number, what: string): Refusal {
  return { code: 'too-large', message: `${path} is ${mib(size)}${size > limit ? '' : ' or more'}; ${what} above ${mib(limit)} is not bundled` };
}
