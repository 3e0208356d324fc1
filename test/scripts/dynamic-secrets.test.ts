// A credential written in a string that is built from variables (a `-c`/`eval` string, the command given to ssh, a
// URL with a variable host) is one word with expansions to the shell, yet the inner shell or the program reads the
// literal parts as code or arguments: those parts are judged as such, found, and redacted everywhere.
import { describe, expect, test } from 'vitest';
import { analyzeJob } from '../../src/scripts/analyze.js';
import { findSecrets } from '../../src/scripts/findings.js';
import { memoryReader } from '../../src/scripts/reader.js';

const values = (text: string, line = 1) => findSecrets(text, '/etc/crontab', line).map((h) => [h.finding.line, h.value]);

describe('credentials in words with expansions', () => {
  test.each([
    ['0 1 * * * sh -c "mysql --password=PlantedPw123 -h $H"', 'PlantedPw123'],
    ['0 1 * * * eval "curl -u admin:S3cretPlanted $URL"', 'S3cretPlanted'],
    ['0 1 * * * bash -c "mysqldump -pDumpPlanted9 $DB > /tmp/x.sql"', 'DumpPlanted9'],
    ['0 1 * * * ssh host "PGPASSWORD=PgPlanted77 psql -h $H"', 'PgPlanted77'],
    ['0 1 * * * sh -c "redis-cli -a RedisPl4nted $CMD"', 'RedisPl4nted'],
    ['0 1 * * * curl -fsS "https://u:UrlPlanted5@$HOST/x"', 'UrlPlanted5'],
    ['0 1 * * * sh -c "curl -s https://u:UrlInCode6@$HOST/x"', 'UrlInCode6'],
    ['0 1 * * * sh -c "$MYSQL --password=AfterVarPw2 $DB"', 'AfterVarPw2'],
    ['0 1 * * * su - app -c "cd $DIR && mysql --password=\'QuotedIn8\' db"', 'QuotedIn8'],
    ["0 1 * * * su - app -c 'mysql --password=CronSuLit9 db'", 'CronSuLit9'],
    ["0 1 * * * docker exec db sh -c 'PGPASSWORD=CronDock10 psql'", 'CronDock10'],
  ])('%s', (line, value) => {
    expect(values(line, 4)).toEqual([[4, value]]);
  });

  test('a credential escaped inside the double quotes is redacted as written too', () => {
    const hits = findSecrets('sh -c "mysql -p\'Esc\\"aped1\' -h $H"', 'crontab');
    expect(hits.map((h) => [h.value, h.written])).toEqual([['Esc"aped1', 'Esc\\"aped1']]);
  });

  test('the line of a credential in a multi-line string', () => {
    expect(values('sh -c "cd $DIR\nmysql --password=SecondLine42 db"', 10)).toEqual([[11, 'SecondLine42']]);
  });

  test.each([
    'sh -c "mysql --password=$PW -h $H"',
    'sh -c "mysql \'--password=$PW\' -h $H"',
    'sh -c "mysql -p\\$PW -h $H"',
    'eval "curl -u admin:$PASS $URL"',
    'echo "enter the password for $USER"',
    'echo "DB_PASSWORD=$DB_PASSWORD"',
    'ssh host "PGPASSWORD=$PW psql -h $H"',
    'curl "https://$USER:$PASS@$HOST/"',
    'curl -H "Authorization: Bearer $TOKEN" "$URL"',
    'log "token file: $TOKEN_FILE, key: ${KEY}"',
    'echo "usage: $0 --password=PASSWORD --token=xxx"',
    'echo "usage: $0 -u user:pass $X"',
    'mail -s "token refresh failed on $(hostname)" ops',
    'sh -c "mysql -u root -p $DB"',
  ])('no finding: %s', (line) => {
    expect(values(line)).toEqual([]);
  });

  test('in a bundled script: reported at its line and redacted from the bundled copy and every finding', () => {
    const script = [
      '#!/bin/bash',
      'H=db.internal',
      'sh -c "mysql --password=ScriptPlanted1 -h $H"',
      'eval "curl -u admin:ScriptPlanted2 $URL"',
      'ssh backup "PGPASSWORD=ScriptPlanted3 pg_dump -h $H app"',
      'CMD="mysqldump -pScriptPlanted4 -h $H app"',
      'eval "$CMD"',
      "ssh backup 'PGPASSWORD=ScriptPlanted5 psql -h db'",
      'ssh backup <<EOF',
      'mysql --password=ScriptPlanted6 -h $H',
      'EOF',
      '',
    ].join('\n');
    const a = analyzeJob({ command: '/opt/job.sh', shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/etc/crontab', line: 3 }, memoryReader({ '/opt/job.sh': script }));
    const planted = ['ScriptPlanted1', 'ScriptPlanted2', 'ScriptPlanted3', 'ScriptPlanted4', 'ScriptPlanted5', 'ScriptPlanted6'];
    expect(a.secrets).toEqual(expect.arrayContaining(planted));
    expect(a.findings.filter((f) => f.code === 'secret').map((f) => `${f.file}:${f.line}`)).toEqual(['/opt/job.sh:3', '/opt/job.sh:4', '/opt/job.sh:5', '/opt/job.sh:6', '/opt/job.sh:8', '/opt/job.sh:10']);
    const out = JSON.stringify({ findings: a.findings, command: a.command, reasons: a.reasons, trace: a.bundle.trace }) + a.bundle.files.map((f) => new TextDecoder().decode(f.content)).join('\n');
    for (const p of planted) expect(out, p).not.toContain(p);
  });

  test('in a literal string another user\'s or a container\'s shell runs (su -c, runuser -c, docker/podman/kubectl exec ... sh -c)', () => {
    const script = [
      '#!/bin/bash',
      "su - app -c 'mysql --password=SuPlanted1 -h db'",
      "runuser -u app -- sh -c 'PGPASSWORD=RunuserPlanted2 psql -h db'",
      "docker exec db sh -c 'mysql --password=DockerPlanted3 app'",
      "kubectl exec -it db -- bash -c 'PGPASSWORD=KubePlanted4 psql'",
      "podman exec db sh -c 'redis-cli -a PodmanPl4nted5 ping'",
      "su app -c 'echo --password=$PW'",
      '',
    ].join('\n');
    const a = analyzeJob({ command: '/opt/job.sh', shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/etc/crontab', line: 3 }, memoryReader({ '/opt/job.sh': script }));
    const planted = ['SuPlanted1', 'RunuserPlanted2', 'DockerPlanted3', 'KubePlanted4', 'PodmanPl4nted5'];
    expect(a.secrets).toEqual(expect.arrayContaining(planted));
    expect(a.findings.filter((f) => f.code === 'secret').map((f) => `${f.file}:${f.line}`)).toEqual(['/opt/job.sh:2', '/opt/job.sh:3', '/opt/job.sh:4', '/opt/job.sh:5', '/opt/job.sh:6']);
    const out = JSON.stringify({ findings: a.findings, command: a.command, trace: a.bundle.trace }) + a.bundle.files.map((f) => new TextDecoder().decode(f.content)).join('\n');
    for (const p of planted) expect(out, p).not.toContain(p);
  });
});
