// Issue 7, "Secrets": every credential planted in a crontab or a server copy is absent from every output (plan text
// and JSON, reports, package output, manifest.json, every file of every zip) and is reported as a finding.
import { beforeAll, describe, expect, it } from 'vitest';
import { SLOW, collectOutputs, expectNoneOf, jobs, makeServer, writeCrontab, type Outputs } from './outputs.js';

const alnum = (seed: string, n: number): string => {
  let out = '';
  let x = [...seed].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  while (out.length < n) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += chars[x % chars.length];
  }
  return out;
};
const upper = (seed: string, n: number): string => alnum(seed, n * 3).replace(/[a-z]/g, '').slice(0, n).padEnd(n, 'Z');
const hex = (seed: string, n: number): string => alnum(seed, n * 4).toLowerCase().replace(/[^0-9a-f]/g, '').slice(0, n).padEnd(n, 'a');

function pem(body: string): string {
  return `-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA${body}\n${alnum(body, 64)}\n-----END RSA PRIVATE KEY-----`;
}

// --- the planted values (each distinct), by where they are planted ---
const V = {
  passphrase: 'Correct-Horse-Battery-7',
  githubPat: `ghp_${alnum('pat', 36)}`,
  stripe: `sk_live_${alnum('stripe', 24)}`,
  sentryKey: hex('sentry', 32),
  basic: Buffer.from('deploy:PlantedBasicPw1').toString('base64'),
  privateKeyB64: Buffer.from(pem('VarKeyBody0123456789abcdef')).toString('base64'),
  dbPassword: 'Hunter2-Var-Planted',
  slackHook: `https://hooks.slack.com/services/T00000000/B00000000/${alnum('slack', 24)}`,
  googleKey: `AIza${alnum('google', 35)}`,
  gitlab: `glpat-${alnum('gitlab', 20)}`,
  jwt: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.${alnum('jwtsig', 32)}`,
  awsId: `AKIA${upper('awsvar', 16)}`,
  awsSecret: `${alnum('awssecretvar', 38)}/Z`,
  redisUrlPw: 'RedisUrlPlanted5',
  mysqlPwd: 'MysqlPwdPlanted3',
  salt: `q8Xz2LmP4vR7tY1wK9bN${hex('salt', 8)}`,
  // stdin (% text)
  stdinPw: 'StdinPlantedPw99',
  stdinKey: 'StdinKeyBodyPlanted0123456789',
  stdinSlack: `xoxb-123456789012-${alnum('xoxb', 24)}`,
  // command lines
  cmdP: 'CmdPlantedPw42',
  curlU: 'CurlPlantedPw55',
  bearer: 'BearerPlantedTok77abc',
  redisA: 'RedisPlantedPw31',
  longOpt: 'LongOptPlanted12',
  argToken: `ghp_${alnum('argtoken', 36)}`,
  // lines cron rejects or the shell cannot parse
  rejected: 'RejectedPlanted88',
  unterminated: 'UnterminatedPlanted66',
  // sourced files
  sourcedKey: 'SourcedKeyBodyPlanted987654321',
  sourcedToken: 'SourcedTokPlanted55',
  sourcedRawKey: 'RawKeyFileBodyPlanted24680',
  // heredoc bodies
  heredocPw: 'HeredocPlantedPw21',
  heredocAws: `AKIA${upper('heredoc', 16)}`,
  heredocKey: 'HeredocKeyBodyPlanted13579',
  // a Python script
  pyId: `AKIA${upper('python', 16)}`,
  pySecret: `${alnum('pysecret', 39)}+`,
  pyUrl: 'PyUrlPlantedPw8',
  pyStripe: `rk_live_${alnum('pystripe', 24)}`,
  pyNpm: `npm_${alnum('npm', 36)}`,
  pySendgrid: `SG.${alnum('sg1', 22)}.${alnum('sg2', 43)}`,
  pyTwilio: `SK${hex('twilio', 32)}`,
  pyPassword: 'PyPlainPassword77',
  // strings built from variables: a -c/eval string, the command ssh runs, a URL, a variable later eval'd
  dynCronShC: 'DynCronShcPlanted1',
  dynCronSsh: 'DynCronSshPlanted2',
  dynShC: 'DynShcPlanted3',
  dynEval: 'DynEvalPlanted4',
  dynSsh: 'DynSshPlanted5',
  dynHeredoc: 'DynHeredocPlanted6',
  dynUrl: 'DynUrlPlanted7',
  dynAssign: 'DynAssignPlanted8',
  // escaped inside the double quotes: the value the inner shell gets is Q"..., the line holds Q\"...
  dynCronEsc: 'DynCronEscPlanted9',
  dynEsc: 'DynEscPlanted10',
  // code a remote shell runs: a literal string and a heredoc given to ssh
  sshCronLit: 'SshCronLitPlanted11',
  sshLit: 'SshLitPlanted12',
  sshHeredoc: 'SshHeredocPlanted13',
  // code another user's or a container's shell runs: literal strings given to su and docker exec
  suCronLit: 'SuCronLitPlanted14',
  dockerLit: 'DockerLitPlanted15',
};

const CRONTAB = [
  '# issue 7: credentials everywhere a crontab and its scripts can hold them',
  `PASSPHRASE=${V.passphrase}`,
  `GITHUB_PAT=${V.githubPat}`,
  `STRIPE_SK=${V.stripe}`,
  `SENTRY_DSN=https://${V.sentryKey}@o123.ingest.sentry.io/1`,
  `AUTH_HEADER=Basic ${V.basic}`,
  `PRIVATE_KEY_B64=${V.privateKeyB64}`,
  `DB_PASSWORD=${V.dbPassword}`,
  `SLACK_WEBHOOK=${V.slackHook}`,
  `MAPS_API_KEY=${V.googleKey}`,
  `GITLAB=${V.gitlab}`,
  `SESSION_JWT=${V.jwt}`,
  `AWS_ACCESS_KEY_ID=${V.awsId}`,
  `AWS_SECRET_ACCESS_KEY=${V.awsSecret}`,
  `REDIS_URL=redis://:${V.redisUrlPw}@cache.internal:6379/0`,
  `MYSQL_PWD=${V.mysqlPwd}`,
  `SIGNING_SALT=${V.salt}`,
  'CRON_TZ=UTC',
  `0 1 * * * /opt/app/prompt.sh % password=${V.stdinPw}%token: ${V.stdinSlack}`,
  `0 2 * * * /opt/app/prompt.sh %${pem(V.stdinKey).replace(/\n/g, '%')}`,
  `0 3 * * * mysqldump -u app -p${V.cmdP} shop > /tmp/shop.sql`,
  `0 4 * * * curl -fsS -u deploy:${V.curlU} -H "Authorization: Bearer ${V.bearer}" https://api.example.com/x -o /tmp/x`,
  `0 5 * * * redis-cli -a ${V.redisA} ping; /opt/app/tool --password=${V.longOpt} --token-file /tmp/t ${V.argToken}`,
  `61 4 * * * mysql -p${V.rejected} -e 'select 1'`,
  `0 6 * * * mysql -p${V.unterminated} -e 'unterminated`,
  '0 7 * * * /opt/app/run.sh',
  `0 8 * * * sh -c "mysql --password=${V.dynCronShC} -h $DB_HOST app"`,
  `0 9 * * * ssh backup "PGPASSWORD=${V.dynCronSsh} pg_dump -h $DB_HOST app"`,
  `0 10 * * * sh -c "mysql -p'Q\\"${V.dynCronEsc}' -h $DB_HOST app"`,
  `0 11 * * * ssh backup 'PGPASSWORD=${V.sshCronLit} pg_dump app'`,
  `0 12 * * * su - app -c 'mysql --password=${V.suCronLit} app'`,
  '',
].join('\n');

const SERVER = {
  'opt/app/prompt.sh': '#!/bin/bash\nread -r line\necho "got a line"\n',
  'opt/app/tool': '#!/bin/bash\necho tool\n',
  'opt/app/run.sh': [
    '#!/bin/bash',
    '. /opt/app/lib/keys.sh',
    'source /opt/app/lib/token.sh',
    '. /opt/app/lib/raw.key.sh',
    'cat > /tmp/app.cfg <<EOF',
    `password=${V.heredocPw}`,
    `aws_access_key_id = ${V.heredocAws}`,
    'EOF',
    "cat > /tmp/key.pem <<'KEY'",
    pem(V.heredocKey),
    'KEY',
    'python3 /opt/app/job.py',
    `sh -c "mysql --password=${V.dynShC} -h $H"`,
    `eval "curl -u admin:${V.dynEval} $URL"`,
    `ssh backup "PGPASSWORD=${V.dynSsh} psql -h $H"`,
    'cat > "$HOME/.my.cnf" <<EOF',
    `password=${V.dynHeredoc}`,
    'host=$H',
    'EOF',
    `curl -fsS "https://deploy:${V.dynUrl}@$HOST/x"`,
    `CMD="mysqldump -p${V.dynAssign} -h $H app"`,
    'eval "$CMD"',
    `sh -c "mysql -p'Q\\"${V.dynEsc}' -h $H"`,
    `ssh backup 'PGPASSWORD=${V.sshLit} psql -h db'`,
    'ssh backup <<EOF',
    `mysql --password=${V.sshHeredoc} -h $H`,
    'EOF',
    `docker exec db sh -c 'PGPASSWORD=${V.dockerLit} psql'`,
    '',
  ].join('\n'),
  'opt/app/lib/keys.sh': `# deploy key\nDEPLOY_KEY="${pem(V.sourcedKey)}"\n`,
  'opt/app/lib/token.sh': `export API_TOKEN=${V.sourcedToken}\n`,
  // a key pasted into a file that is sourced: not shell at all
  'opt/app/lib/raw.key.sh': `${pem(V.sourcedRawKey)}\n`,
  'opt/app/job.py': [
    'import boto3',
    `aws_access_key_id = "${V.pyId}"`,
    `aws_secret_access_key = "${V.pySecret}"`,
    `DATABASE_URL = "postgresql://app:${V.pyUrl}@db.internal/app"`,
    `stripe_key = '${V.pyStripe}'`,
    `NPM = "${V.pyNpm}"`,
    `SENDGRID = "${V.pySendgrid}"`,
    `TWILIO = "${V.pyTwilio}"`,
    `config = {"password": "${V.pyPassword}"}`,
    'print("done")',
    '',
  ].join('\n'),
};

describe('issue 7: planted credentials', () => {
  const planted = Object.values(V);
  let out: Outputs;
  beforeAll(() => {
    out = collectOutputs(writeCrontab(CRONTAB), makeServer(SERVER));
  }, SLOW);

  it('plants at least 40 distinct values', () => {
    expect(new Set(planted).size).toBe(planted.length);
    expect(planted.length).toBeGreaterThanOrEqual(40);
  }, SLOW);

  it('none of them is in any output, report, manifest or file inside any zip', () => {
    expect(out.zips.size).toBeGreaterThanOrEqual(4);
    expectNoneOf(out, planted);
  }, SLOW);

  it('each place is reported as a secret finding', () => {
    const where = new Set(jobs(out).flatMap((j) => j.findings.filter((f) => f.code === 'secret').map((f) => `${f.file.replace(/^.*\/(crontab|opt\/)/, '$1')}:${f.line}`)));
    // every crontab variable line (2-17) and every job line with a credential
    for (let line = 2; line <= 17; line++) expect(where, `crontab:${line}`).toContain(`crontab:${line}`);
    for (const line of [19, 20, 21, 22, 23, 24, 25, 27, 28, 29, 30, 31]) expect(where, `crontab:${line}`).toContain(`crontab:${line}`);
    for (const w of ['opt/app/lib/keys.sh:2', 'opt/app/lib/token.sh:1', 'opt/app/lib/raw.key.sh:1', 'opt/app/run.sh:6', 'opt/app/run.sh:7', 'opt/app/run.sh:10', 'opt/app/job.py:2', 'opt/app/job.py:3', 'opt/app/job.py:4', 'opt/app/job.py:9',
      'opt/app/run.sh:16', 'opt/app/run.sh:17', 'opt/app/run.sh:18', 'opt/app/run.sh:20', 'opt/app/run.sh:23', 'opt/app/run.sh:24', 'opt/app/run.sh:26', 'opt/app/run.sh:27', 'opt/app/run.sh:29', 'opt/app/run.sh:31']) {
      expect(where, w).toContain(w);
    }
  }, SLOW);
});

describe('issue 7 reproductions, one by one', () => {
  it('a password after % (the job\'s stdin) and a PEM key there', () => {
    const root = makeServer({ 'opt/s.sh': '#!/bin/bash\ncat >/dev/null\n' });
    const out = collectOutputs(
      writeCrontab(`* * * * * /opt/s.sh % password=PercentPw-9911\n5 * * * * /opt/s.sh %-----BEGIN OPENSSH PRIVATE KEY-----%b3BlbnNzaC1rZXktdjEAAAAPercentKeyBody%-----END OPENSSH PRIVATE KEY-----%\n`),
      root,
    );
    expectNoneOf(out, ['PercentPw-9911', 'PercentKeyBody']);
    expect(jobs(out).every((j) => j.findings.some((f) => f.code === 'secret'))).toBe(true);
    // function.sh feeds the job a redacted stdin, never the value
    const fn = [...out.zips.values()].map((z) => z.get('function.sh')?.toString() ?? '').join('\n');
    expect(fn).toContain('[REDACTED]');
  }, SLOW);

  it('a crontab command that does not parse', () => {
    const root = makeServer({});
    const out = collectOutputs(writeCrontab(`0 1 * * * mysql -pParseFailPw77 -e 'unterminated\n`), root);
    expectNoneOf(out, ['ParseFailPw77']);
    expect(jobs(out)[0].findings.map((f) => f.code)).toContain('secret');
  }, SLOW);

  it('credential-like variable names and token formats in crontab variables stay out of the function', () => {
    const root = makeServer({ 'opt/j.sh': '#!/bin/bash\necho ok\n' });
    const vars = [`PASSPHRASE=${V.passphrase}`, `GITHUB_PAT=${V.githubPat}`, `STRIPE_SK=${V.stripe}`, `SENTRY_DSN=https://${V.sentryKey}@o123.ingest.sentry.io/1`, `AUTH_HEADER=Basic ${V.basic}`, `PRIVATE_KEY_B64=${V.privateKeyB64}`];
    const out = collectOutputs(writeCrontab(`${vars.join('\n')}\n0 1 * * * /opt/j.sh\n`), root);
    expectNoneOf(out, [V.passphrase, V.githubPat, V.stripe, V.sentryKey, V.basic, V.privateKeyB64]);
    const env = out.manifest.jobs[0].environment ?? {};
    for (const name of ['PASSPHRASE', 'GITHUB_PAT', 'STRIPE_SK', 'SENTRY_DSN', 'AUTH_HEADER', 'PRIVATE_KEY_B64']) expect(env, name).not.toHaveProperty(name);
    expect(jobs(out)[0].findings.filter((f) => f.code === 'secret').map((f) => f.line).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  }, SLOW);

  it('a short secret value is redacted where it is a value, not in expressions, names and paths', () => {
    const root = makeServer({ 'opt/cron/nightly.sh': '#!/bin/bash\necho "crontab job"\n' });
    const out = collectOutputs(writeCrontab('DB_PASSWORD=cron\n0 3 * * * /opt/cron/nightly.sh\n0 4 * * * mysql -pcron -e "select 1"\n'), root);
    const job = out.manifest.jobs.find((j) => j.zip !== undefined && (j.files ?? []).length > 0)!;
    expect(job.schedule?.expressions).toEqual(['cron(0 3 * * ? *)']);
    expect(job.files).toEqual(['/opt/cron/nightly.sh']);
    const zip = out.zips.get(job.zip!)!;
    expect(zip.get('opt/cron/nightly.sh')?.toString()).toBe('#!/bin/bash\necho "crontab job"\n');
    expect(zip.get('function.sh')?.toString()).toContain('/opt/cron/nightly.sh');
    expect(JSON.stringify(out.manifest)).not.toContain('[REDACTED](');
    // where it is a value, it is gone: the variable, the -p option
    const all = out.all.filter((o) => o.label.startsWith('plan --json') || o.label === 'manifest.json').map((o) => o.bytes.toString()).join('\n');
    expect(all).not.toMatch(/DB_PASSWORD"?\s*[:=]\s*"?cron\b/);
    expect(all).not.toContain('-pcron');
  }, SLOW);

  it('a bundled script the shell parser cannot read (an unterminated quote, a NUL byte after its first line) is still scanned', () => {
    const root = makeServer({
      'opt/bad.sh': '#!/bin/bash\nDB_PASSWORD=UnparsedPlantedPw1\nexport API_TOKEN=UnparsedPlantedTok2\nmysql -pUnparsedMysqlPw3 shop\necho "unterminated\n',
      // bash runs this: it refuses a file as binary only for a NUL on the first line
      'opt/nul.sh': Buffer.from('#!/bin/bash\nDB_PASSWORD=NulPlantedPw4\nmysql -pNulMysqlPw5 shop\nexit 0\n\u0000payload\n'),
    });
    const out = collectOutputs(writeCrontab('0 1 * * * /opt/bad.sh\n0 2 * * * /opt/nul.sh\n'), root);
    expect(out.zips.size).toBe(2);
    expectNoneOf(out, ['UnparsedPlantedPw1', 'UnparsedPlantedTok2', 'UnparsedMysqlPw3', 'NulPlantedPw4', 'NulMysqlPw5']);
    const where = jobs(out).flatMap((j) => j.findings.filter((f) => f.code === 'secret').map((f) => `${f.file}:${f.line}`));
    expect(where).toEqual(expect.arrayContaining(['/opt/bad.sh:2', '/opt/bad.sh:3', '/opt/bad.sh:4', '/opt/nul.sh:2', '/opt/nul.sh:3']));
  }, SLOW);

  it('a credential written with shell escapes in the crontab line (\\", \\$, \\ ) is redacted as written too', () => {
    const root = makeServer({ 'opt/run.sh': '#!/bin/bash\necho ok\n' });
    const crontab = [
      `0 1 * * * mysql -p"Esc\\"QuotedPlantedPw4" -e 'select 1'`,
      `0 2 * * * DB_PASSWORD="Esc\\$DollarPlantedPw5" /opt/run.sh`,
      `0 3 * * * mysql -pEsc\\ SpacePlantedPw6 shop`,
      '',
    ].join('\n');
    const out = collectOutputs(writeCrontab(crontab), root);
    // each value is found (its unescaped form is what the shell passes)
    expect(jobs(out).map((j) => j.findings.filter((f) => f.code === 'secret').length)).toEqual([1, 1, 1]);
    expectNoneOf(out, ['QuotedPlantedPw4', 'DollarPlantedPw5', 'SpacePlantedPw6']);
  }, SLOW);

  it('bundled files that are not UTF-8 stay byte-identical, and a redacted one changes only at the secret', () => {
    const latin1 = Buffer.concat([Buffer.from('#!/bin/bash\n# caf'), Buffer.from([0xe9, 0x20, 0xff, 0xfe]), Buffer.from('\nDB_PASSWORD=Latin1Planted42\necho "r'), Buffer.from([0xe9]), Buffer.from('sum'), Buffer.from([0xe9]), Buffer.from('"\n')]);
    const binary = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0xff, 0xfe, 0x80, 0x81, 0xc3, 0x28, 0x00, 0x0a]);
    const root = makeServer({ 'opt/l1.sh': latin1, 'opt/bin/tool': binary });
    const out = collectOutputs(writeCrontab('0 1 * * * /opt/l1.sh\n0 2 * * * /opt/bin/tool --run\n'), root);
    expectNoneOf(out, ['Latin1Planted42']);
    const files = new Map([...out.zips.values()].flatMap((z) => [...z.entries()]));
    expect(files.get('opt/bin/tool')).toEqual(binary);
    const l1 = files.get('opt/l1.sh')!;
    const expected = Buffer.from(latin1.toString('latin1').replace('DB_PASSWORD=Latin1Planted42', 'DB_PASSWORD="${DB_PASSWORD:?set DB_PASSWORD from SSM Parameter Store or Secrets Manager}"'), 'latin1');
    const redacted = Buffer.from(latin1.toString('latin1').replace('Latin1Planted42', '[REDACTED]'), 'latin1');
    expect([expected.toString('hex'), redacted.toString('hex')]).toContain(l1.toString('hex'));
  }, SLOW);
});
