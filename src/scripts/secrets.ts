// Credential literals, judged on the *values* of words (after the shell parser has told us which
// parts are literal). A word with any expansion ($VAR, $(cmd)) is never passed here as a value, so
// `PASSWORD="$DB_PASSWORD"` and `-p"$PASS"` are not secrets by construction.

/** Programs whose arguments may be code that a shell runs elsewhere: on another host, as another user, in a container. */
export const SHELL_ELSEWHERE: ReadonlySet<string> = new Set(['ssh', 'su', 'runuser', 'docker', 'podman', 'kubectl']);

export type SecretKind =
  | 'password-option'
  | 'assignment'
  | 'aws-access-key'
  | 'aws-secret-key'
  | 'url-credentials'
  | 'authorization-header'
  | 'private-key'
  | 'token';

export interface SecretMatch {
  kind: SecretKind;
  /** The secret itself. Never put this in a message. */
  value: string;
  /** What it is, without the value: "password option -p", "variable DB_PASSWORD". */
  label: string;
}

const NOT_SECRET_VALUES = new Set(['true', 'false', 'yes', 'no', 'on', 'off', 'none', 'null', 'changeme', '-']);

import { execAll, looksRandom, tokensIn } from './tokens.js';

// Names as secret scanners judge them (gitleaks' generic-api-key keywords, detect-secrets' KeywordDetector).
const STRONG_NAME_PARTS = ['PASSWORD', 'PASSWD', 'PASSPHRASE', 'SECRET', 'TOKEN', 'APIKEY', 'API_KEY', 'CREDENTIAL', 'PRIVATE_KEY', 'PRIVATEKEY', 'ACCESS_KEY', 'AUTH_HEADER', 'AUTHORIZATION'];
const WEAK_SUFFIXES = ['PASS', 'PW', 'PWD', 'KEY'];
/** Name parts that are credentials only with a generated-looking value (GITHUB_PAT, STRIPE_SK, SENTRY_DSN, X_AUTH). */
const RANDOM_VALUE_PARTS = ['PAT', 'SK', 'DSN', 'AUTH', 'KEY', 'SIG', 'SIGNATURE', 'COOKIE', 'SESSION', 'SALT', 'HMAC', 'JWT', 'BEARER', 'CERT'];

function plausibleValue(value: string): boolean {
  if (value.length < 3) return false;
  if (NOT_SECRET_VALUES.has(value.toLowerCase())) return false;
  // a path to a key file is not the key
  if (value.startsWith('/') || value.startsWith('~') || value.startsWith('./') || value.startsWith('../')) return false;
  // a reference to another variable or a command substitution is not a literal credential
  if (value.startsWith('$') || value.includes('${') || value.includes('$(') || value.includes('`')) return false;
  return true;
}

/** `DB_PASSWORD=hunter2`, `API_TOKEN=...`, `AWS_SECRET_ACCESS_KEY=...` with a literal value. */
export function secretFromAssignment(name: string, value: string): SecretMatch | null {
  const upper = name.toUpperCase();
  if (upper === 'PWD' || upper === 'OLDPWD') return null;
  if (!plausibleValue(value)) return null;
  const strong = STRONG_NAME_PARTS.some((p) => upper === p || upper.includes(p));
  const parts = upper.split(/[_.-]+/).filter((p) => p !== '');
  const last = parts[parts.length - 1] ?? '';
  const weak = WEAK_SUFFIXES.includes(last);
  if (!strong && !weak) {
    if (parts.some((p) => RANDOM_VALUE_PARTS.includes(p)) && looksRandom(value)) return { kind: 'assignment', value, label: `variable ${name}` };
    return null;
  }
  if (!strong && last === 'KEY') {
    // SORT_KEY=name is not a credential: demand something key-like.
    if (value.length < 8 || !/[0-9]/.test(value) || !/[A-Za-z]/.test(value) || /\s/.test(value)) return null;
  }
  return { kind: 'assignment', value, label: `variable ${name}` };
}

const AWS_ACCESS_KEY = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/([^\s:@/]*):([^\s@/]+)@/gi;
const AUTH_HEADER = /\bAuthorization:\s*(?:Bearer|Basic|Token)\s+(\S+)/gi;
const AWS_SECRET_KEY = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

function looksLikeAwsSecretKey(s: string): boolean {
  if (s.startsWith('/') || s.includes('//')) return false;
  if ((s.match(/\//g) ?? []).length > 2) return false;
  return /[a-z]/.test(s) && /[A-Z]/.test(s) && /[0-9]/.test(s) && !/^[0-9a-fA-F]+$/.test(s);
}

/** Secrets recognisable from a value alone: AWS keys, URL user:password, Authorization headers. */
export function secretsInValue(value: string): SecretMatch[] {
  const out: SecretMatch[] = [];
  // every word of every script is asked: nearly all hold nothing, so no set of values seen is made for them
  const add = (m: SecretMatch): void => {
    if (!out.some((o) => o.value === m.value)) out.push(m);
  };
  if (value.length >= 20) for (const m of execAll(AWS_ACCESS_KEY, value)) add({ kind: 'aws-access-key', value: m[0], label: 'AWS access key id' });
  if (value.includes('://')) for (const m of execAll(URL_CREDENTIALS, value)) {
    const pw = m[2];
    if (pw && !pw.includes('\u0000') && !pw.startsWith('$')) add({ kind: 'url-credentials', value: pw, label: 'password in a URL' });
  }
  if (value.length >= 15) for (const m of execAll(AUTH_HEADER, value)) {
    const tok = m[1];
    if (tok && !tok.includes('\u0000') && !tok.startsWith('$')) add({ kind: 'authorization-header', value: tok, label: 'Authorization header' });
  }
  for (const m of tokensIn(value)) add(m);
  if (value.length >= 40) for (const m of execAll(AWS_SECRET_KEY, value)) {
    if (looksLikeAwsSecretKey(m[0])) add({ kind: 'aws-secret-key', value: m[0], label: 'AWS secret access key' });
  }
  return out;
}

/** `name=value`, `name: value`, `"name": "value"` pairs in any text (config files, Python, stdin, heredocs). */
const PAIR = /(?:^|[^A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]{1,63})["']?[ \t]*(?::=|=>|=|:)[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s"',;&)}\]]+))/g;

/**
 * Credentials in arbitrary text that is not (or not only) shell: well-known token formats, credential-named pairs,
 * and an AWS secret access key when an access key id is in the same text (trufflehog pairs them the same way).
 */
export function secretsInText(text: string): SecretMatch[] {
  const out: SecretMatch[] = [];
  const seen = new Set<string>();
  const add = (m: SecretMatch): void => {
    if (m.value === '' || seen.has(m.value)) return;
    seen.add(m.value);
    out.push(m);
  };
  for (const m of tokensIn(text)) add(m);
  for (const m of execAll(PAIR, text)) {
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    const hit = secretFromAssignment(m[1], value);
    if (hit) add({ ...hit, label: `value of ${m[1]}` });
  }
  // command lines written as text (a heredoc fed to no shell here, a script in another language, a file of arguments)
  for (const m of execAll(OPTION_IN_TEXT, text)) {
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    if (plausibleValue(value)) add({ kind: 'password-option', value, label: `option --${m[1]}` });
  }
  // a program with a password option of its own (mysql -pX, sshpass -p X, redis-cli -a X, curl -u user:X), its
  // words as a shell line or a list in code writes them (`["mysqldump", "-pX"]`): read as its arguments are
  for (const line of PASSWORD_PROGRAM_HINT.test(text) ? text.split('\n') : []) {
    const words = line.split(/[\s,;()[\]{}]+/).map((w) => w.replace(/^["'`]+|["'`]+$/g, ''));
    words.forEach((w, st) => {
      const program = w.slice(w.lastIndexOf('/') + 1);
      if (!PASSWORD_PROGRAMS.has(program)) return;
      // a value with an expansion or a quote in it is not a literal credential (`-p"$PW"`)
      for (const m of secretsInArgv(program, words.slice(st))) if (m.kind === 'password-option' && plausibleValue(m.value) && !/["'`$]/.test(m.value)) add({ kind: m.kind, value: m.value, label: m.label });
    });
  }
  if (/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/.test(text)) {
    for (const m of execAll(AWS_SECRET_KEY, text)) if (looksLikeAwsSecretKey(m[0])) add({ kind: 'aws-secret-key', value: m[0], label: 'AWS secret access key' });
  }
  return out;
}

/** A text that may name a program of PASSWORD_PROGRAMS (checked before splitting it into lines and words). */
const PASSWORD_PROGRAM_HINT = /mysql|mariadb|my(?:dumper|loader)|sshpass|redis-cli|curl|wget/;

/** The names of options whose value is a credential: --password, --db-password, --token, --api-key, ... */
const PASSWORD_OPTION_NAME = '(?:[a-z0-9]+-)*(?:password|passwd|pass|token|secret|api-key|apikey)';

/** `--password=value` written in text, as PASSWORD_OPTION reads a word. */
const OPTION_IN_TEXT = new RegExp(`(?<=^|[\\s"'(\\[,=])--(${PASSWORD_OPTION_NAME})=(?:"([^"\\n]*)"|'([^'\\n]*)'|([^\\s"',;&|)}\\]]+))`, 'gi');

/** Programs whose `-pSECRET` (attached) is a password. */
const MYSQL_FAMILY = new Set([
  'mysql', 'mysqldump', 'mysqladmin', 'mysqlcheck', 'mysqlimport', 'mysqlshow', 'mysqlpump', 'mysqlbinlog',
  'mariadb', 'mariadb-dump', 'mariadb-admin', 'mariadb-check', 'mariadb-import', 'mysqlsh', 'mydumper', 'myloader',
]);

/** The name of `NAME=value` given as an argument: a variable or field name, not an option (`--x=`) or a path. */
const ARG_ASSIGNMENT_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const PASSWORD_OPTION = new RegExp(`^--${PASSWORD_OPTION_NAME}=(.+)$`, 'i');
const PASSWORD_OPTION_BARE = /^--(?:[a-z0-9]+-)*(?:password|passwd)$/i;

/** Programs with their own password options (beyond the generic --password=...). */
export const PASSWORD_PROGRAMS: ReadonlySet<string> = new Set([...MYSQL_FAMILY, 'sshpass', 'redis-cli', 'curl', 'wget']);

export interface ArgSecret extends SecretMatch {
  /** Index in argv (0 = program). */
  index: number;
}

/**
 * Secrets in a command line. `argv[i]` is the literal value of word i, or null when the word has
 * expansions (then it is not a literal credential).
 */
export function secretsInArgv(program: string, argv: Array<string | null>): ArgSecret[] {
  const out: ArgSecret[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a === null) continue;
    const m = PASSWORD_OPTION.exec(a);
    if (m) {
      if (plausibleValue(m[1]) || m[1].length > 0) out.push({ kind: 'password-option', value: m[1], label: `option ${a.slice(0, a.indexOf('='))}`, index: i });
      continue;
    }
    const next = argv[i + 1];
    if (PASSWORD_OPTION_BARE.test(a) && next !== undefined && next !== null && !next.startsWith('-') && next !== '') {
      out.push({ kind: 'password-option', value: next, label: `option ${a}`, index: i + 1 });
      i++;
      continue;
    }
    if (MYSQL_FAMILY.has(program) && a.startsWith('-p') && !a.startsWith('--') && a.length > 2) {
      out.push({ kind: 'password-option', value: a.slice(2), label: 'password option -p', index: i });
      continue;
    }
    if (program === 'sshpass' && a.startsWith('-p')) {
      const v = a.length > 2 ? a.slice(2) : next;
      if (v) out.push({ kind: 'password-option', value: v, label: 'sshpass -p', index: a.length > 2 ? i : i + 1 });
      if (a.length === 2) i++;
      continue;
    }
    if (program === 'redis-cli' && (a === '-a' || a === '--pass') && next) {
      out.push({ kind: 'password-option', value: next, label: `redis-cli ${a}`, index: i + 1 });
      i++;
      continue;
    }
    // `env DB_PASSWORD=pw cmd`, `make deploy DB_PASSWORD=pw`, `docker run -e DB_PASSWORD=pw`, `curl -d password=pw`:
    // an assignment given as an argument is one for the program (env, make, the container, a form field)
    // (one word with a blank in it is code or text, `sh -c 'PGPASSWORD=pw psql'`, which is read where it runs)
    const eq = a.indexOf('=');
    if (eq > 0 && ARG_ASSIGNMENT_NAME.test(a.slice(0, eq)) && !/\s/.test(a)) {
      const m = secretFromAssignment(a.slice(0, eq), a.slice(eq + 1));
      if (m) {
        out.push({ ...m, index: i });
        continue;
      }
    }
    if ((program === 'curl' || program === 'wget') && (a === '-u' || a === '--user' || a.startsWith('--user=') || (a.startsWith('-u') && a.length > 2))) {
      const v = a === '-u' || a === '--user' ? next : a.startsWith('--user=') ? a.slice(7) : a.slice(2);
      const idx = a === '-u' || a === '--user' ? i + 1 : i;
      if (v && v.includes(':')) {
        const pw = v.slice(v.indexOf(':') + 1);
        if (pw.length > 0) out.push({ kind: 'password-option', value: pw, label: `${program} ${a.startsWith('--') ? '--user' : '-u'} user:password`, index: idx });
      }
      if (idx === i + 1) i++;
      continue;
    }
  }
  return out;
}
