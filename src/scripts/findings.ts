// Findings: typed data about what stands between a cron job and Lambda. Pure functions over the
// trace that bundle.ts records (every simple command, redirection, loop, credential literal).
import { posix } from 'node:path';
import { missingCommandFinding, type RuntimeView } from '../runtime/judge.js';
import type { CommandUse, RedirectUse, SecretUse, Trace, WordInfo } from './bundle.js';
import { PASSWORD_PROGRAMS, secretFromAssignment, secretsInArgv, secretsInText, secretsInValue, type SecretMatch } from './secrets.js';
import { UNKNOWN, applyEdits, evalWord, literalWord, parseShell, toBytes, toText, walk, type Edit, type File, type RedirOp, type Stmt } from './sh/index.js';
import { credentialParts } from './tokens.js';
import { SEVERITY, argsKey, makeFinding, type Finding, type FindingArgs, type FindingCode, type Severity, type VerdictReason } from './types.js';

export { BUNDLE_ERROR_CODES, FINDING_CODES, SEVERITY, makeFinding } from './types.js';
export type { Finding, FindingArgs, FindingCode, FindingDetail, Severity, VerdictReason } from './types.js';
export { argsKey } from './types.js';

export const MISSING_FILE: FindingCode = 'missing-file';
export const REBOOT: FindingCode = 'reboot';

/** For the crontab reader: an @reboot line (the job's status is `skip`). */
export function rebootFinding(file: string, line: number): Finding {
  return makeFinding('reboot', {}, file, line);
}

// ---------------------------------------------------------------- secrets

export interface SecretHit {
  finding: Finding;
  /** The secret itself: feed it to collectSecrets/redact, never print it. */
  value: string;
}

/** `what`: where the credential was met (the detector's label, the crontab variable, the % text). */
function secretFinding(what: FindingArgs['secret'], file: string, line: number, kind: string, envVar?: string, bundled = false): Finding {
  const args: FindingArgs['secret'] = { ...what, ...(envVar ? { envVar } : bundled ? { bundled: true } : {}) };
  return makeFinding('secret', args, file, line, {
    secretKind: kind,
    ...(envVar ? { envVar } : {}),
  });
}

/** A crontab variable (`DB_PASSWORD=hunter2`) that holds a credential literal. */
export function findSecretInVariable(name: string, value: string, file: string, line: number): SecretHit | null {
  const m = secretFromAssignment(name, value) ?? secretsInValue(value)[0] ?? null;
  if (!m) return null;
  return { finding: secretFinding(m.kind === 'assignment' ? { variable: name } : { label: m.label, variable: name }, file, line, m.kind), value: m.value };
}

/**
 * Credential literals in arbitrary shell text (a crontab line, a command). Parsed with the shell
 * parser; only literal words count. `line` is the line number of the text's first line.
 */
/**
 * Every detector below needs one of these substrings (a credential-like name or option, a program with a password
 * option, an AWS key, a URL with credentials, an Authorization header, a 40-character key): text without any of
 * them cannot hold a finding, and skipping the shell parse keeps a 10,000-line plan fast.
 */
const SECRET_HINT =
  /pass|pw|secret|token|key|credential|akia|asia|:\/\/|authorization|mysql|mariadb|mydumper|myloader|redis-cli|curl|wget|[A-Za-z0-9/+]{40}|gh[pousr]_|github_pat_|glpat-|[sr]k_(?:live|test|prod)_|xox[abposr]-|aiza|npm_|eyj|bearer|basic|-----begin|dsn|auth|_pat\b|\bpat_|_sk\b|\bsk_|sig|salt|cookie|session|hmac|jwt|cert|sg\./i;

export function findSecrets(text: string, file: string, line = 1): SecretHit[] {
  if (!SECRET_HINT.test(text)) return [];
  const hits: SecretHit[] = [];
  const add = (m: SecretMatch, l: number): void => {
    hits.push({ finding: secretFinding({ label: m.label }, file, l, m.kind), value: m.value });
  };
  const parsed = parseShell(text, file);
  if (!parsed.file) {
    // not shell (an unterminated quote, say): words split on blanks with quotes dropped, judged as argv from each
    // program with a password option, plus every credential format in the raw text
    text.split('\n').forEach((ln, i) => {
      const words = ln.split(/\s+/).filter((w) => w !== '').map((w) => w.replace(/^["']+|["']+$/g, ''));
      const starts = [0, ...words.flatMap((w, j) => (PASSWORD_PROGRAMS.has(posix.basename(w)) ? [j] : []))];
      for (const st of starts) for (const m of secretsInArgv(posix.basename(words[st] ?? ''), words.slice(st))) add(m, line + i);
      for (const w of words) for (const m of secretsInValue(w)) add(m, line + i);
      for (const m of secretsInText(ln)) add(m, line + i);
    });
    return dedupeHits(hits);
  }
  const scope = { vars: new Map(), dollar0: null, bashSource: null, cwd: null };
  walk(parsed.file, (n) => {
    if (n.type === 'CallExpr' && n.args.length > 0) {
      const lits = n.args.map((w) => literalWord(w));
      const prog = evalWord(n.args[0], scope);
      // a crontab line starts with its schedule: look for a known program anywhere in the words
      const starts = [0];
      lits.forEach((l, i) => {
        if (i > 0 && l !== null && PASSWORD_PROGRAMS.has(posix.basename(l))) starts.push(i);
      });
      const flagged = new Set<number>();
      for (const st of starts) {
        const name = st === 0 ? (prog ? posix.basename(prog.text) : '') : posix.basename(lits[st] as string);
        for (const s of secretsInArgv(name, lits.slice(st))) {
          const idx = s.index + st;
          if (flagged.has(idx)) continue;
          flagged.add(idx);
          add(s, line - 1 + n.args[idx].line);
        }
      }
      n.args.forEach((w, i) => {
        if (flagged.has(i) || lits[i] === null) return;
        for (const m of secretsInValue(lits[i] as string)) add(m, line - 1 + w.line);
      });
    }
    if (n.type === 'Assign' && n.name && n.value) {
      const lit = literalWord(n.value);
      if (lit !== null) {
        const m = secretFromAssignment(n.name, lit);
        if (m) add(m, line - 1 + n.line);
        else for (const v of secretsInValue(lit)) add(v, line - 1 + n.line);
      }
    }
    if (n.type === 'Redirect' && n.word) {
      const lit = literalWord(n.word);
      if (lit !== null) for (const v of secretsInValue(lit)) add(v, line - 1 + n.line);
    }
    return true;
  });
  return dedupeHits(hits);
}

/**
 * Credentials in a job's `%` text (its stdin: a password answered to a prompt, a key piped in). `stdin` is the text as
 * the job reads it; `line` the crontab line. `also` holds the same credentials as written in the line (with `%` for
 * newlines), to be redacted too.
 */
export function findSecretsInStdin(stdin: string, lineText: string, file: string, line: number): { hits: SecretHit[]; also: string[] } {
  const hits = dedupeHits(secretsInText(stdin).map((m) => ({ finding: secretFinding({ label: m.label, stdin: true }, file, line, m.kind), value: m.value })));
  const at = lineText.search(/(?<!\\)%/);
  const found = [...secretsInText(stdin), ...(at >= 0 ? secretsInText(lineText.slice(at + 1)) : [])];
  const also = found.flatMap((m) => [m.value, ...credentialParts(m)]);
  return { hits, also };
}

function dedupeHits(hits: SecretHit[]): SecretHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const k = `${h.finding.line}\u0000${h.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

type SecretSource = string | SecretHit | SecretUse | { secrets: string[] } | null | undefined | SecretSource[];

/** Every secret value from hits, trace entries, analyses or plain strings: unique, longest first. */
export function collectSecrets(...sources: SecretSource[]): string[] {
  const out = new Set<string>();
  const visit = (s: SecretSource): void => {
    if (s === null || s === undefined) return;
    if (typeof s === 'string') {
      if (s !== '') out.add(s);
    } else if (Array.isArray(s)) s.forEach(visit);
    else if ('secrets' in s && Array.isArray(s.secrets)) s.secrets.forEach(visit);
    else if ('value' in s && typeof s.value === 'string') visit(s.value);
  };
  sources.forEach(visit);
  return [...out].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

export { REDACTED, redact, redactBytes, redactDeep } from './redact.js';

// ---------------------------------------------------------------- mailto

/** MAILTO set non-empty for the job: cron mailed its output; Lambda does not. */
export function mailtoFinding(value: string, file: string, line: number): Finding | null {
  if (value.trim() === '' || value.trim() === '""' || value.trim() === "''") return null;
  return makeFinding('mailto', {}, file, line);
}

// ---------------------------------------------------------------- output redirections

const SAFE_DEVICES = ['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty'];
const OUTPUT_OPS = new Set<RedirOp>(['>', '>>', '>|', '&>', '&>>']);

function isSafeWriteTarget(path: string): boolean {
  return (
    path === '/tmp' ||
    path.startsWith('/tmp/') ||
    SAFE_DEVICES.includes(path) ||
    path.startsWith('/dev/fd/') ||
    path.startsWith('/proc/self/fd/')
  );
}

interface PlannedDrop {
  start: number;
  end: number;
  text: string;
  line: number;
  target: string;
}

function topLevelStmts(file: File): Stmt[] {
  const out: Stmt[] = [];
  const visit = (st: Stmt): void => {
    out.push(st);
    if (st.cmd?.type === 'BinaryCmd') {
      visit(st.cmd.x);
      visit(st.cmd.y);
    }
  };
  for (const st of file.stmts) visit(st);
  return out;
}

function planDrops(command: string): PlannedDrop[] {
  const parsed = parseShell(command, 'command');
  if (!parsed.file || !parsed.exact) return [];
  const scope = { vars: new Map(), dollar0: null, bashSource: null, cwd: null };
  const candidates: PlannedDrop[] = [];
  for (const st of topLevelStmts(parsed.file)) {
    for (const r of st.redirs) {
      const op = r.op;
      if (!r.word) continue;
      const isFileDup = op === '>&' && !/^[0-9]+-?$|^-$/.test(literalWord(r.word) ?? '0');
      if (!OUTPUT_OPS.has(op) && !isFileDup) continue;
      const v = evalWord(r.word, scope);
      const target = v ? v.text : toText(parsed.bytes.subarray(r.word.pos, r.word.end));
      if (SAFE_DEVICES.includes(target)) continue;
      let start = r.pos;
      // take the blanks before the redirection with it
      while (start > 0 && (parsed.bytes[start - 1] === 0x20 || parsed.bytes[start - 1] === 0x09)) start--;
      candidates.push({ start, end: r.end, text: toText(parsed.bytes.subarray(r.pos, r.end)), line: r.line, target });
    }
  }
  if (candidates.length === 0) return [];
  // keep a redirection whose file the command uses again (`cmd > /tmp/x && gzip /tmp/x`)
  const used = new Map<string, number>();
  walk(parsed.file, (n) => {
    if (n.type === 'Word') {
      const v = evalWord(n, scope);
      if (v) used.set(v.text, (used.get(v.text) ?? 0) + 1);
    }
    return true;
  });
  return candidates.filter((c) => (used.get(c.target) ?? 0) <= 1);
}

/**
 * Remove the crontab command's top-level output redirections to files (`>> /var/log/x.log`):
 * on Lambda, stdout and stderr go to CloudWatch Logs. fd duplications (`2>&1`) and /dev/null stay.
 * Everything else is kept byte-identical (splice by parser offsets).
 */
export function dropOutputRedirects(command: string): { command: string; dropped: string[] } {
  const { edits, dropped } = outputRedirectEdits(command);
  if (edits.length === 0) return { command, dropped: [] };
  return { command: toText(applyEdits(toBytes(command), edits)), dropped };
}

/** The same, as edits of the command's bytes (applied together with the bundle's rewrites, on one parse). */
export function outputRedirectEdits(command: string): { edits: Edit[]; dropped: string[] } {
  const drops = planDrops(command);
  return { edits: drops.map((d) => ({ start: d.start, end: d.end, text: '' })), dropped: drops.map((d) => d.text) };
}

// ---------------------------------------------------------------- per-command rules

const MAIL = new Set(['mail', 'mailx', 'Mail', 'sendmail', 'mutt', 'msmtp', 'ssmtp', 'nail']);
const SERVICE_CONTROL = new Set(['systemctl', 'service', 'initctl', 'invoke-rc.d', 'rc-service', 'supervisorctl', 'start-stop-daemon']);
const MYSQL = new Set(['mysql', 'mysqldump', 'mysqladmin', 'mysqlcheck', 'mysqlimport', 'mysqlshow', 'mysqlpump', 'mariadb', 'mariadb-dump', 'mariadb-admin', 'mariadb-check']);
const POSTGRES = new Set(['psql', 'pg_dump', 'pg_dumpall', 'pg_restore', 'vacuumdb', 'reindexdb', 'clusterdb', 'pg_isready', 'pg_basebackup']);
const REDIS = new Set(['redis-cli']);
const MONGO = new Set(['mongo', 'mongosh', 'mongodump', 'mongorestore', 'mongoexport', 'mongoimport']);
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', 'ip6-localhost']);
const SSH_OPTS_WITH_ARG = new Set(['-p', '-i', '-l', '-o', '-F', '-E', '-c', '-b', '-D', '-e', '-I', '-J', '-L', '-m', '-O', '-Q', '-R', '-S', '-W', '-w', '-B', '-P']);

function isLocalHost(h: string): boolean {
  return LOCAL_HOSTS.has(h.toLowerCase()) || h.startsWith('127.');
}

const URL_HOST = /\b(?:https?|ftp|ftps|sftp|ws|wss|redis|rediss|mongodb(?:\+srv)?|postgres(?:ql)?|mysql|amqps?):\/\/(?:[^\s/@]*@)?(\[[^\]]+\]|[^\s/:?#]+)/gi;

function urlHosts(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const m of v.matchAll(URL_HOST)) {
      const h = m[1];
      if (!h.includes(UNKNOWN) && !h.startsWith('$')) out.push(h.toLowerCase());
    }
  }
  return out;
}

/** Values of the options that name a server (`-h db`, `-hdb`, `--host=db`, `--host db`). */
function hostOptions(argv: WordInfo[], short: string[], long: string[]): Array<string | null> {
  const out: Array<string | null> = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].value;
    if (a === null) continue;
    for (const s of short) {
      if (a === s) out.push(argv[i + 1]?.value ?? null);
      else if (a.startsWith(s) && !a.startsWith('--') && a.length > s.length) out.push(a.slice(s.length));
    }
    for (const l of long) {
      if (a === l) out.push(argv[i + 1]?.value ?? null);
      else if (a.startsWith(`${l}=`)) out.push(a.slice(l.length + 1));
    }
  }
  return out;
}

function hasOption(argv: WordInfo[], opts: string[]): boolean {
  return argv.slice(1).some((a) => a.value !== null && opts.some((o) => a.value === o || a.value!.startsWith(`${o}=`) || (o.length === 2 && !o.startsWith('--') && a.value!.startsWith(o) && !a.value!.startsWith('--'))));
}

/** local-service / remote hosts of a database client. */
function databaseTarget(u: CommandUse): { local: boolean; hosts: string[] } | null {
  const vals = u.argv.map((a) => a.loose);
  let hostVals: Array<string | null> = [];
  let socket = false;
  if (MYSQL.has(u.name)) {
    hostVals = hostOptions(u.argv, ['-h'], ['--host']);
    socket = hasOption(u.argv, ['-S', '--socket']);
  } else if (POSTGRES.has(u.name)) {
    hostVals = hostOptions(u.argv, ['-h'], ['--host']);
    for (const v of vals) {
      const m = /(?:^|\s)host=([^\s]+)/.exec(v);
      if (m) hostVals.push(m[1]);
    }
  } else if (REDIS.has(u.name)) {
    hostVals = hostOptions(u.argv, ['-h'], []);
    socket = hasOption(u.argv, ['-s']);
  } else if (MONGO.has(u.name)) {
    hostVals = hostOptions(u.argv, u.name === 'mongodump' || u.name === 'mongorestore' || u.name === 'mongoexport' || u.name === 'mongoimport' ? ['-h'] : [], ['--host', '--uri']);
  } else return null;
  const urls = urlHosts(vals.slice(1));
  const all = [...hostVals, ...urls];
  if (socket) return { local: true, hosts: [] };
  if (all.length === 0) return { local: true, hosts: [] };
  const known = all.filter((h): h is string => h !== null && !h.includes(UNKNOWN)).map((h) => h.replace(/^[a-z+]+:\/\/([^@/]*@)?/i, '').split(/[:/,]/)[0]);
  if (known.some(isLocalHost)) return { local: true, hosts: [] };
  return { local: false, hosts: known.filter((h) => h !== '') };
}

/** ssh/scp/rsync/sftp targets. */
function remoteHosts(u: CommandUse): string[] {
  const hosts: string[] = [];
  const vals = u.argv.map((a) => a.value);
  if (u.name === 'ssh') {
    for (let i = 1; i < vals.length; i++) {
      const v = vals[i];
      if (v === null) return hosts;
      if (SSH_OPTS_WITH_ARG.has(v)) {
        i++;
        continue;
      }
      if (v.startsWith('-')) continue;
      hosts.push(v.includes('@') ? v.slice(v.lastIndexOf('@') + 1) : v);
      return hosts;
    }
    return hosts;
  }
  if (u.name === 'scp' || u.name === 'rsync' || u.name === 'sftp') {
    for (let i = 1; i < vals.length; i++) {
      const v = vals[i];
      if (v === null || v.startsWith('-') || v.startsWith('/') || v.startsWith('.')) continue;
      if (SSH_OPTS_WITH_ARG.has(vals[i - 1] ?? '') && u.name !== 'rsync') continue;
      const m = /^rsync:\/\/(?:[^@/]*@)?([^/:]+)/.exec(v) ?? /^(?:[^@/:]+@)?([^/:@]+):/.exec(v);
      if (m) hosts.push(m[1]);
      else if (u.name === 'sftp' && !v.includes('/')) hosts.push(v.includes('@') ? v.slice(v.lastIndexOf('@') + 1) : v);
    }
  }
  return hosts;
}

// aws CLI → IAM actions. CLI service names whose IAM prefix differs:
const AWS_IAM_PREFIX: Record<string, string> = {
  s3api: 's3',
  s3control: 's3',
  elbv2: 'elasticloadbalancing',
  elb: 'elasticloadbalancing',
  configservice: 'config',
  stepfunctions: 'states',
  opensearch: 'es',
  'cognito-idp': 'cognito-idp',
  logs: 'logs',
  cloudwatch: 'cloudwatch',
};
/** CLI operations whose IAM action name differs from the PascalCase operation. */
const AWS_ACTION_OVERRIDE: Record<string, string> = {
  's3api:list-objects-v2': 's3:ListBucket',
  's3api:list-objects': 's3:ListBucket',
  's3api:head-object': 's3:GetObject',
  's3api:head-bucket': 's3:ListBucket',
  's3api:delete-objects': 's3:DeleteObject',
  's3api:list-buckets': 's3:ListAllMyBuckets',
  'logs:tail': 'logs:FilterLogEvents',
  'ecr:get-login-password': 'ecr:GetAuthorizationToken',
};
const AWS_GLOBAL_WITH_ARG = new Set(['--region', '--profile', '--output', '--endpoint-url', '--query', '--cli-read-timeout', '--cli-connect-timeout', '--color', '--ca-bundle', '--cli-binary-format']);

function pascal(op: string): string {
  return op
    .split('-')
    .map((p) => (p === '' ? '' : p[0].toUpperCase() + p.slice(1)))
    .join('');
}

/** IAM actions an `aws ...` command line needs (best effort; a small mapping table). */
export function awsPermissions(argv: Array<string | null>): string[] {
  const words: Array<string | null> = [];
  for (let i = 1; i < argv.length; i++) {
    const v = argv[i];
    if (v !== null && AWS_GLOBAL_WITH_ARG.has(v)) {
      i++;
      continue;
    }
    if (v !== null && v.startsWith('--') && words.length < 2) continue;
    words.push(v);
  }
  const [service, op] = words;
  if (!service || !op) return [];
  const flags = argv.filter((v): v is string => v !== null);
  if (service === 's3') {
    // Positional arguments keep their place even when they are expansions ("$out" is a local path, not s3://).
    const s3args = words.slice(2).map((w) => w ?? '').filter((w) => !w.startsWith('-'));
    const remote = s3args.map((w) => w.startsWith('s3://'));
    const perms = new Set<string>();
    const recursive = flags.includes('--recursive');
    switch (op) {
      case 'cp':
      case 'mv':
        if (remote[0]) perms.add('s3:GetObject');
        if (remote[1]) perms.add('s3:PutObject');
        if (op === 'mv' && remote[0]) perms.add('s3:DeleteObject');
        if (recursive && remote[0]) perms.add('s3:ListBucket');
        break;
      case 'sync':
        perms.add('s3:ListBucket');
        if (remote[0]) perms.add('s3:GetObject');
        if (remote[1]) perms.add('s3:PutObject');
        if (flags.includes('--delete')) perms.add('s3:DeleteObject');
        break;
      case 'ls':
        perms.add(s3args.length === 0 ? 's3:ListAllMyBuckets' : 's3:ListBucket');
        break;
      case 'rm':
        perms.add('s3:DeleteObject');
        if (recursive) perms.add('s3:ListBucket');
        break;
      case 'mb':
        perms.add('s3:CreateBucket');
        break;
      case 'rb':
        perms.add('s3:DeleteBucket');
        break;
      case 'presign':
        perms.add('s3:GetObject');
        break;
      default:
        perms.add(`s3:${pascal(op)}`);
    }
    return [...perms].sort();
  }
  const override = AWS_ACTION_OVERRIDE[`${service}:${op}`];
  if (override) return [override];
  const prefix = AWS_IAM_PREFIX[service] ?? service;
  return [`${prefix}:${pascal(op)}`];
}

function parseSleep(v: string): number | null {
  const m = /^([0-9]*\.?[0-9]+)([smhd]?)$/.exec(v);
  if (!m) return v === 'infinity' ? Infinity : null;
  const n = Number(m[1]);
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return n * mult;
}

function writeTargets(u: CommandUse): Array<{ value: string | null; loose: string }> {
  const args = u.argv.slice(1);
  const operands: WordInfo[] = [];
  let targetDir: WordInfo | null = null;
  for (let i = 0; i < args.length; i++) {
    const v = args[i].value;
    if (v === '-t' || v === '--target-directory') {
      targetDir = args[i + 1] ?? null;
      i++;
      continue;
    }
    if (v !== null && v.startsWith('--target-directory=')) {
      targetDir = { ...args[i], value: v.slice(19), loose: v.slice(19) };
      continue;
    }
    if ((u.name === 'install' && (v === '-m' || v === '-o' || v === '-g')) || (u.name === 'truncate' && (v === '-s' || v === '-r'))) {
      i++;
      continue;
    }
    if (v !== null && v.startsWith('-') && v !== '-') continue;
    operands.push(args[i]);
  }
  const pick = (ws: WordInfo[]) => ws.map((w) => ({ value: w.value, loose: w.loose }));
  switch (u.name) {
    case 'cp':
    case 'mv':
    case 'install':
    case 'ln':
      if (targetDir) return pick([targetDir]);
      return operands.length >= 2 ? pick([operands[operands.length - 1]]) : u.name === 'install' ? pick(operands) : [];
    case 'tee':
    case 'touch':
    case 'mkdir':
    case 'rm':
    case 'rmdir':
    case 'unlink':
    case 'truncate':
    case 'shred':
      return pick(operands);
    case 'chmod':
    case 'chown':
    case 'chgrp':
      return pick(operands.slice(1));
    case 'dd':
      return operands.filter((w) => (w.value ?? '').startsWith('of=')).map((w) => ({ value: (w.value as string).slice(3), loose: w.loose.slice(3) }));
    default:
      return [];
  }
}

/** Is this path (possibly partly unknown) a write outside /tmp? Unknown leading parts: cannot tell. */
function outsideTmp(value: string | null, loose: string, cwd: string | null): string | null {
  let p = value ?? loose;
  if (p.startsWith(UNKNOWN) || p === '') return null;
  if (!p.startsWith('/')) {
    if (cwd === null) return null;
    p = posix.join(cwd, p);
  }
  const known = p.includes(UNKNOWN) ? p.slice(0, p.indexOf(UNKNOWN)) : p;
  if (isSafeWriteTarget(posix.normalize(known.endsWith('/') ? known.slice(0, -1) || '/' : known)) || known.startsWith('/tmp/')) return null;
  if (known === '/' || known === '/dev/') return null;
  return p.split(UNKNOWN).join('…');
}

export interface TraceFindingOptions {
  /** Top-level crontab redirections that dropOutputRedirects removes (line + raw target). */
  dropped?: Array<{ line: number; target: string }>;
  /** The runtime to judge missing programs against (default: the shipped list). */
  runtime?: RuntimeView;
}

/** Findings from a trace (everything except missing-file/unresolved/parse-error, which bundling reports). */
export function findingsFromTrace(trace: Trace, opts: TraceFindingOptions = {}): Finding[] {
  const out: Finding[] = [];
  const functions = new Set(trace.functions);
  const push = (f: Finding) => out.push(f);

  // redirections
  const dropped = opts.dropped ?? [];
  for (const r of trace.redirects) {
    // a lock file the bundle opens as /dev/null (its flock was replaced): neither output nor a write
    if (r.lockFile) continue;
    if (r.crontab && r.topLevel && dropped.some((d) => d.line === r.line && (d.target === r.target.raw || d.target === r.target.value))) {
      push(makeFinding('output-redirect', { target: r.target.value ?? r.target.raw, op: r.op }, r.file, r.line, {
        dropped: [`${r.fd ?? ''}${r.op} ${r.target.raw}`],
      }));
      continue;
    }
    if (!isWriteOp(r)) continue;
    const where = outsideTmp(r.path ?? r.target.value, r.target.loose, r.cwd ?? null);
    if (where !== null) push(makeFinding('write-outside-tmp', { path: where, op: r.op }, r.file, r.line, { path: where }));
  }

  // flock: replaced by the job-level lock, or kept (then a missing command below)
  for (const f of trace.flocks ?? []) {
    const args = { lock: f.lock, replaced: f.replaced, ...(f.kept ? { kept: f.kept } : {}) };
    push(makeFinding('flock', args, f.file, f.line, { ...args }));
  }

  // loops
  for (const l of trace.loops) {
    if (l.unbounded) push(makeFinding('long-running', { kind: 'unbounded-loop' }, l.file, l.line));
  }

  // secrets
  for (const s of trace.secrets) out.push(secretFinding({ label: s.label }, s.file, s.line, s.kind, s.envVar, !s.crontab));

  // sleeps per file
  const sleepTotals = new Map<string, number>();
  for (const u of trace.commands) {
    const file = u.file;
    const line = u.line;
    const name = u.name;
    if (u.resolution === 'dynamic') continue;

    if (name === 'sudo' || name === 'doas') push(makeFinding('sudo', { program: name }, file, line));
    if (SERVICE_CONTROL.has(name) || (u.path ?? '').startsWith('/etc/init.d/') || (u.path ?? '').startsWith('/etc/rc.d/')) {
      push(makeFinding('service-control', { program: u.path ?? name }, file, line));
    }
    const db = databaseTarget(u);
    if (db && db.local) push(makeFinding('local-service', { kind: 'database', program: name }, file, line));
    const urlList = urlHosts(u.argv.slice(1).map((a) => a.loose));
    if ((!db || !db.local) && urlList.some(isLocalHost)) push(makeFinding('local-service', { kind: 'localhost', program: name }, file, line));
    const remote = remoteHosts(u);
    if (remote.length > 0) push(makeFinding('remote-host', { program: name, hosts: remote }, file, line, { hosts: [...new Set(remote)].sort() }));
    const hosts = new Set<string>([...remote, ...(db && !db.local ? db.hosts : []), ...urlList.filter((h) => !isLocalHost(h))]);
    if (hosts.size > 0) push(makeFinding('network', { hosts: [...hosts].sort() }, file, line, { hosts: [...hosts].sort() }));

    if (MAIL.has(name)) push(makeFinding('mail', { program: name }, file, line));
    if (name === 'aws') {
      // Loose values keep a literal prefix such as s3://bucket/ of words that also expand variables.
      const permissions = awsPermissions(u.argv.map((a) => a.value ?? a.loose));
      push(makeFinding('aws-cli', { permissions }, file, line, { permissions }));
    }
    if (name === 'sleep') {
      const secs = u.argv.slice(1).map((a) => (a.value === null ? null : parseSleep(a.value)));
      if (u.inLoop) push(makeFinding('long-running', { kind: 'sleep-in-loop' }, file, line));
      else if (secs.every((s) => s !== null)) {
        const before = sleepTotals.get(file) ?? 0;
        const after = before + (secs as number[]).reduce((a, b) => a + b, 0);
        sleepTotals.set(file, after);
        if (before < 60 && after >= 60) push(makeFinding('long-running', { kind: 'sleeps', seconds: after === Infinity ? null : after }, file, line, { sleepSeconds: after === Infinity ? -1 : after }));
      }
    }
    if (name === 'wait') push(makeFinding('long-running', { kind: 'wait' }, file, line));

    // missing programs
    const notThere =
      (u.resolution === 'not-found' || u.resolution === 'system') &&
      !functions.has(name) &&
      name !== 'aws' &&
      !(name === 'flock' && u.stripped) &&
      name !== 'sudo' &&
      !SERVICE_CONTROL.has(name) &&
      !(u.path ?? '').startsWith('/etc/');
    // Whether the runtime has it, and how sure we are, is src/runtime/judge.ts's call.
    const missing = notThere ? missingCommandFinding(name, file, line, opts.runtime, u.argv[0]?.raw.startsWith('#!') ?? false) : null;
    if (missing) out.push(missing);

    // writes by commands
    for (const t of writeTargets(u)) {
      const where = outsideTmp(t.value, t.loose, u.cwd ?? null);
      if (where !== null) push(makeFinding('write-outside-tmp', { path: where, program: name }, file, line, { path: where }));
    }
  }
  return out;
}

function isWriteOp(r: RedirectUse): boolean {
  if (['>', '>>', '>|', '&>', '&>>', '<>'].includes(r.op)) return true;
  return r.op === '>&' && r.path !== null;
}

// ---------------------------------------------------------------- ordering & verdict

/** Sort by file, line, code, then the sentence's values; drop exact duplicates (same code, file, line, args). */
export function sortFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const out: Array<{ f: Finding; key: string }> = [];
  for (const f of findings) {
    const key = argsKey(f);
    const k = `${f.code}\u0000${f.file}\u0000${f.line}\u0000${key}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ f, key });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => cmp(a.f.file, b.f.file) || a.f.line - b.f.line || cmp(a.f.code, b.f.code) || cmp(a.key, b.key)).map((x) => x.f);
}

export type Verdict = 'ready' | 'needs-attention' | 'blocked';

export interface VerdictResult {
  verdict: Verdict;
  /** One per blocker or warning (src/render says each as "severity code at file:line: sentence"). */
  reasons: VerdictReason[];
}

export function verdict(findings: Finding[]): VerdictResult {
  const rank: Record<Severity, number> = { info: 0, warning: 1, blocker: 2 };
  let worst = 0;
  const reasons: VerdictReason[] = [];
  for (const f of findings) {
    worst = Math.max(worst, rank[f.severity]);
    if (f.severity !== 'info') reasons.push({ finding: f });
  }
  const v: Verdict = worst === 2 ? 'blocked' : worst === 1 ? 'needs-attention' : 'ready';
  return { verdict: v, reasons };
}

export { SEVERITY as SEVERITY_TABLE };

// ---------------------------------------------------------------- background work

const BACKGROUND_COMMANDS = new Set(['nohup', 'disown', 'setsid']);
const SHELL_SHEBANG = /^#![ \t]*(?:\S*\/)?(?:env[ \t]+(?:-\S+[ \t]+)*)?(?:ba|da|k|z|a|mk)?sh(?:[ \t]|$)/;

/** Text that a shell reads: sourced, or a shell shebang, or no shebang (cron's shell runs it); never binary. */
export function isShellText(text: string | Uint8Array, sourced = false): boolean {
  const bytes = typeof text === 'string' ? toBytes(text) : text;
  if (bytes.includes(0)) return false;
  if (sourced) return true;
  const first = toText(bytes.subarray(0, Math.min(bytes.length, 200))).split('\n')[0];
  return !first.startsWith('#!') || SHELL_SHEBANG.test(first);
}

/**
 * `background` findings: statements started in the background (`cmd &`) and nohup, disown, setsid, in the crontab
 * command and the bundled shell scripts. On Lambda the sandbox is frozen once the job has answered, and bootstrap
 * ends the job's process group a short grace period after its shell exits, so work left running does not finish:
 * wait for it (`wait`) before the script ends. A `&` in a file that calls `wait` is taken as waited for.
 */
export function backgroundFindings(sources: ReadonlyArray<{ file: string; text: string | Uint8Array; lineBase?: number }>): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>(); // one finding per line: `long_task & disown` is one thing to fix
  const push = (f: Finding) => {
    if (!seen.has(`${f.file}\0${f.line}`)) out.push(f);
    seen.add(`${f.file}\0${f.line}`);
  };
  for (const src of sources) {
    const parsed = parseShell(src.text, src.file);
    if (!parsed.file) continue; // parse errors are reported by the bundling
    const base = src.lineBase ?? 0;
    // A script that calls `wait` waits for what it started with `&` (nohup, disown and setsid mean to outlive it).
    let waits = false;
    walk(parsed.file, (n) => {
      if (n.type === 'CallExpr' && n.args.length > 0 && literalWord(n.args[0]) === 'wait') waits = true;
      return !waits;
    });
    walk(parsed.file, (n) => {
      if (n.type === 'Stmt' && n.background && !waits) {
        push(makeFinding('background', { kind: 'ampersand' }, src.file, base + n.line));
      } else if (n.type === 'CallExpr' && n.args.length > 0) {
        const name = posix.basename(literalWord(n.args[0]) ?? '');
        if (BACKGROUND_COMMANDS.has(name)) {
          push(makeFinding('background', { kind: 'command', program: name }, src.file, base + n.line));
        }
      }
      return true;
    });
  }
  return out;
}
