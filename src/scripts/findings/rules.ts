// Per-command rules over the trace bundling records: what a command needs that Lambda lacks (root, a local
// service, mail, a file outside /tmp, AWS permissions, ...).
import { missingCommandFinding, type RuntimeView } from '../../runtime/judge.js';
import type { CommandUse, Trace, WordInfo } from '../bundle.js';
import { makeFinding, type Finding } from '../types.js';
import { UNKNOWN } from '../sh/index.js';
import { secretFinding } from './secrets.js';
import { hostnameFindings } from './hostname.js';
import { runStateFindings } from './run-state.js';
import { homeOf, isWriteOp, outsideTmp, type OutsideTmp } from './writes.js';
import { execAll } from '../tokens.js';

// ---------------------------------------------------------------- per-command rules

const MAIL = new Set(['mail', 'mailx', 'Mail', 'sendmail', 'mutt', 'msmtp', 'ssmtp', 'nail']);
const SERVICE_CONTROL = new Set(['systemctl', 'service', 'initctl', 'invoke-rc.d', 'rc-service', 'supervisorctl', 'start-stop-daemon']);
/** Programs that run a command as another user (the `sudo` finding): they need root, which Lambda does not give. */
const SWITCH_USER = new Set(['sudo', 'doas', 'su', 'runuser']);
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
    if (!v.includes('://')) continue;
    for (const m of execAll(URL_HOST, v)) {
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

/** The path on Lambda of a write that lands in /tmp there (under the job's HOME), as an optional argument. */
const lambdaPath = (w: OutsideTmp): { lambdaPath?: string } => (w.lambdaPath !== undefined ? { lambdaPath: w.lambdaPath } : {});

function writeTargets(u: CommandUse): Array<{ value: string | null; loose: string; home?: string }> {
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
  const pick = (ws: WordInfo[]) => ws.map((w) => ({ value: w.value, loose: w.loose, home: w.home }));
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

export interface TraceFindingOptions {
  /** Top-level crontab redirections that outputDrops finds (line + target). */
  dropped?: Array<{ line: number; target: string }>;
  /** The runtime to judge missing programs against (default: the shipped list). */
  runtime?: RuntimeView;
  /** The names the job's environment sets (the crontab's variables). */
  environment?: ReadonlySet<string>;
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
    const where = outsideTmp(r.path ?? r.target.value, r.target.loose, r.cwd ?? null, homeOf(r.target, r.cwd ?? null, r.cwdHome));
    if (where !== null) push(makeFinding('write-outside-tmp', { path: where.path, op: r.op, ...lambdaPath(where) }, r.file, r.line, { path: where.path }));
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

  // the machine's name, used for more than a log line
  out.push(...hostnameFindings(trace, opts.environment));
  // a file of /tmp carried from one run to the next
  out.push(...runStateFindings(trace));

  // sleeps per file
  const sleepTotals = new Map<string, number>();
  for (const u of trace.commands) {
    const file = u.file;
    const line = u.line;
    const name = u.name;
    if (u.resolution === 'dynamic') continue;

    // programs that run the command as another user: Lambda runs as one user, without root
    if (SWITCH_USER.has(name)) push(makeFinding('sudo', { program: name }, file, line));
    if (SERVICE_CONTROL.has(name) || (u.path ?? '').startsWith('/etc/init.d/') || (u.path ?? '').startsWith('/etc/rc.d/')) {
      push(makeFinding('service-control', { program: u.path ?? name }, file, line));
    }
    const db = databaseTarget(u);
    if (db && db.local) push(makeFinding('local-service', { kind: 'database', program: name }, file, line));
    const urlList = urlHosts(u.argv.slice(1).map((a) => a.loose));
    if ((!db || !db.local) && urlList.some(isLocalHost)) push(makeFinding('local-service', { kind: 'localhost', program: name }, file, line));
    const remote = remoteHosts(u);
    if (remote.length > 0) push(makeFinding('remote-host', { program: name, hosts: remote }, file, line, { hosts: [...new Set(remote)].sort() }));
    // most commands name no host: no set is made for them
    if (remote.length > 0 || (db && !db.local && db.hosts.length > 0) || urlList.length > 0) {
      const hosts = new Set<string>([...remote, ...(db && !db.local ? db.hosts : []), ...urlList.filter((h) => !isLocalHost(h))]);
      if (hosts.size > 0) push(makeFinding('network', { hosts: [...hosts].sort() }, file, line, { hosts: [...hosts].sort() }));
    }

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
      !(SWITCH_USER.has(name) && name !== 'doas') &&
      !SERVICE_CONTROL.has(name) &&
      !(u.path ?? '').startsWith('/etc/');
    // Whether the runtime has it, and how sure we are, is src/runtime/judge.ts's call.
    const missing = notThere ? missingCommandFinding(name, file, line, opts.runtime, u.argv[0]?.raw.startsWith('#!') ?? false) : null;
    if (missing) out.push(missing);

    // writes by commands
    for (const t of writeTargets(u)) {
      const where = outsideTmp(t.value, t.loose, u.cwd ?? null, homeOf(t, u.cwd ?? null, u.cwdHome));
      if (where !== null) push(makeFinding('write-outside-tmp', { path: where.path, program: name, ...lambdaPath(where) }, file, line, { path: where.path }));
    }
  }
  return out;
}

