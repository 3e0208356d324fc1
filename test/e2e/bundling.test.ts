// Issue 7, "What may be bundled" and bad input inside script analysis: through the CLI, as users run it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLOW, collectOutputs, expectNoneOf, jobs, makeServer, writeCrontab, type Outputs } from './outputs.js';
import { cli } from '../support/cli.js';

const zipPaths = (out: Outputs): string[] => [...out.zips.values()].flatMap((z) => [...z.keys()]);
const codesOf = (out: Outputs, i: number): string[] => jobs(out)[i].findings.map((f) => f.code);

describe('what may be bundled', () => {
  it('with --root /, a script sourcing /proc/self/environ and /etc/shadow bundles neither, and the job is an error', () => {
    const dir = makeServer({ 'job.sh': '#!/bin/bash\n. /proc/self/environ\nsource /etc/shadow\necho done\n', 'ok.sh': '#!/bin/bash\necho ok\n' });
    const out = collectOutputs(writeCrontab(`0 1 * * * ${dir}/job.sh\n0 2 * * * ${dir}/ok.sh\n`), '/', [], { C2L_PLANTED_ENV: 'ProcEnvironPlanted31' });
    expect(jobs(out)[0].status).toBe('error');
    expect(codesOf(out, 0)).toEqual(expect.arrayContaining(['forbidden-path', 'credential-file']));
    expect(zipPaths(out).filter((p) => p.startsWith('proc/') || p === 'etc/shadow')).toEqual([]);
    expectNoneOf(out, ['ProcEnvironPlanted31']);
    // the other job is still packaged
    expect(out.manifest.jobs[1].zip).toMatch(/\.zip$/);
    expect(out.packageRun.status).toBe(1);
  }, SLOW);

  it('known credential files are blockers with a finding, never copied', () => {
    const creds: Record<string, string> = {
      '/etc/shadow': 'root:$6$PlantedShadowHash$x:19000:0:99999:7:::',
      '/etc/gshadow': 'root:*PlantedGshadow::',
      '/home/deploy/.pgpass': 'db:5432:*:app:PlantedPgpass1',
      '/home/deploy/.netrc': 'machine x login u password PlantedNetrc2',
      '/home/deploy/.aws/credentials': '[default]\naws_secret_access_key=PlantedAwsCredFile3',
      '/home/deploy/.ssh/id_ed25519': 'PlantedSshKeyBody4',
      '/opt/app/tls/server.key': 'PlantedServerKey5',
      '/home/deploy/.docker/config.json': '{"auths":{"x":{"auth":"PlantedDockerAuth6"}}}',
      '/home/deploy/.git-credentials': 'https://u:PlantedGitCred7@github.com',
    };
    const server: Record<string, string> = { 'opt/app/ok.sh': '#!/bin/bash\necho ok\n' };
    for (const [p, c] of Object.entries(creds)) server[p.slice(1)] = c;
    const root = makeServer(server);
    const lines = Object.keys(creds).map((p, i) => `${i} 1 * * * . ${p}`);
    const out = collectOutputs(writeCrontab(`${lines.join('\n')}\n0 3 * * * /opt/app/ok.sh\n`), root);
    Object.keys(creds).forEach((p, i) => {
      expect(jobs(out)[i].status, p).toBe('error');
      expect(codesOf(out, i), p).toContain('credential-file');
    });
    expect(zipPaths(out).filter((p) => p !== 'opt/app/ok.sh' && !['bootstrap', 'lock.sh', 'function.sh', 'c2l-copy-x86_64', 'c2l-copy-aarch64'].includes(p))).toEqual([]);
    expectNoneOf(out, ['PlantedShadowHash', 'PlantedGshadow', 'PlantedPgpass1', 'PlantedNetrc2', 'PlantedAwsCredFile3', 'PlantedSshKeyBody4', 'PlantedServerKey5', 'PlantedDockerAuth6', 'PlantedGitCred7']);
  }, SLOW);

  it('a chain of 25 sourced files bundles all 25; a chain deeper than the limit blocks', () => {
    const server: Record<string, string> = { 'opt/run.sh': '#!/bin/bash\n. /opt/lib/l1.sh\n', 'opt/deep.sh': '#!/bin/bash\n. /opt/deep/d1.sh\n' };
    for (let i = 1; i <= 25; i++) server[`opt/lib/l${i}.sh`] = i < 25 ? `. /opt/lib/l${i + 1}.sh\n` : 'echo bottom\n';
    for (let i = 1; i <= 70; i++) server[`opt/deep/d${i}.sh`] = i < 70 ? `. /opt/deep/d${i + 1}.sh\n` : 'echo bottom\n';
    // --timezone: an assumed zone alone would make the job needs-attention (the verdict tells the whole truth).
    const out = collectOutputs(writeCrontab('0 1 * * * /opt/run.sh\n0 2 * * * /opt/deep.sh\n'), makeServer(server), ['--timezone', 'UTC']);
    const manifest = out.manifest.jobs;
    expect(manifest[0].files).toHaveLength(26);
    expect((out.plan as { jobs: Array<{ verdict: string }> }).jobs[0].verdict).toBe('ready');
    expect(jobs(out)[1].status).toBe('error');
    expect(codesOf(out, 1)).toContain('too-deep');
  }, SLOW);

  it('a script above 1 MiB is refused on that job; the others are packaged', () => {
    const big = `#!/bin/bash\n${'# filler line for a big script\n'.repeat(Math.ceil((1024 * 1024) / 31))}echo end\n`;
    const out = collectOutputs(writeCrontab('0 1 * * * /opt/big.sh\n0 2 * * * /opt/ok.sh\n'), makeServer({ 'opt/big.sh': big, 'opt/ok.sh': '#!/bin/bash\necho ok\n' }));
    expect(jobs(out)[0].status).toBe('error');
    expect(codesOf(out, 0)).toContain('too-large');
    expect(out.manifest.jobs[1].zip).toMatch(/\.zip$/);
  }, SLOW);

  it('symlinks never lead out of --root; links inside it are followed as on the server', () => {
    const outside = mkdtempSync(join(tmpdir(), 'c2l-outside-'));
    writeFileSync(join(outside, 'conf.sh'), 'OUTSIDE_TOKEN=PlantedOutsideRoot9\n');
    const root = makeServer({
      'opt/app/run.sh': '#!/bin/bash\n. /opt/app/conf.sh\n',
      'opt/app/conf.sh': { link: join(outside, 'conf.sh') },
      'opt/app/rel.sh': '#!/bin/bash\n. /opt/app/up.sh\n',
      'opt/app/up.sh': { link: `../../../../../../../../..${outside}/conf.sh` },
      'opt/app/inroot.sh': '#!/bin/bash\n. /opt/app/lib.sh\n',
      'opt/app/lib.sh': { link: '/opt/shared/lib.sh' },
      'opt/shared/lib.sh': 'echo shared\n',
      'opt/app/shadow.sh': '#!/bin/bash\n. /opt/app/pw.sh\n',
      'opt/app/pw.sh': { link: '/etc/shadow' },
      'etc/shadow': 'root:PlantedLinkedShadow:1::::::\n',
    });
    const out = collectOutputs(writeCrontab('0 1 * * * /opt/app/run.sh\n0 2 * * * /opt/app/rel.sh\n0 3 * * * /opt/app/inroot.sh\n0 4 * * * /opt/app/shadow.sh\n'), root);
    expect(jobs(out)[0].status).toBe('error');
    expect(codesOf(out, 0)).toContain('missing-file');
    expect(jobs(out)[1].status).toBe('error');
    expect(codesOf(out, 1)).toContain('missing-file');
    // an absolute link inside the copy is read relative to --root, as the server would
    const inroot = out.zips.get(out.manifest.jobs[2].zip!)!;
    expect(inroot.get('opt/app/lib.sh')?.toString()).toBe('echo shared\n');
    expect(codesOf(out, 3)).toContain('credential-file');
    expectNoneOf(out, ['PlantedOutsideRoot9', 'PlantedLinkedShadow']);
  }, SLOW);
});

describe('the server copy\'s own files', () => {
  it('an etc/hostname link leading out of --root is read inside it: no file of this machine names the host', () => {
    const outside = mkdtempSync(join(tmpdir(), 'c2l-outside-'));
    writeFileSync(join(outside, 'token'), 'PlantedHostToken77\n');
    const root = makeServer({ 'opt/run.sh': '#!/bin/bash\necho ok\n', 'etc/hostname': { link: join(outside, 'token') } });
    const out = collectOutputs(writeCrontab('0 1 * * * /opt/run.sh\n'), root);
    expect((out.plan as { host: string }).host).toBe(root.split('/').pop()!.toLowerCase());
    expectNoneOf(out, ['PlantedHostToken77', 'plantedhosttoken77']);
  }, SLOW);
});

describe('bad input inside script analysis is a reason on that job, never a crash', () => {
  it('a NUL byte in a command, a script path with a trailing slash, a backslash in a script name', () => {
    const root = makeServer({ 'opt/x.sh': '#!/bin/bash\necho x\n', 'opt/x\\y.sh': '#!/bin/bash\necho y\n', 'opt/ok.sh': '#!/bin/bash\necho ok\n' });
    const crontab = Buffer.concat([Buffer.from('0 1 * * * /opt/x.sh a'), Buffer.from([0]), Buffer.from('b\n0 2 * * * /opt/x.sh/\n0 3 * * * /opt/x\\\\y.sh\n0 4 * * * /opt/ok.sh\n')]);
    const out = collectOutputs(writeCrontab(crontab), root);
    const js = jobs(out);
    expect(js.map((j) => j.status)).toEqual(['error', 'error', 'error', 'migrate']);
    // The crontab reader rejects a line holding a NUL byte before any script is analysed (cron cuts it short there).
    expect((out.plan as { jobs: Array<{ reasons: Array<{ code: string }> }> }).jobs[0].reasons.map((r) => r.code)).toContain('nul-byte');
    expect(codesOf(out, 1)).toContain('bad-path');
    expect(codesOf(out, 2)).toContain('bad-path');
    expect(out.manifest.jobs[3].zip).toMatch(/\.zip$/);
    expect(out.packageRun.status).toBe(1);
  }, SLOW);
});

describe('text nested deeper than the stack holds', () => {
  it('is a parse error of that text, or an error on that job when code in code adds up, never a crash', () => {
    const nest = (n: number, open: string, mid: string, close: string) => open.repeat(n) + mid + close.repeat(n);
    // a heredoc given to bash inside 200 subshells, 8 times inside each other
    const heredocs = (k: number): string => (k === 0 ? 'true\n' : `${'( '.repeat(200)}bash <<'E${k}'\n${heredocs(k - 1)}E${k}\n${' )'.repeat(200)}\n`);
    const root = makeServer({
      'opt/parens.sh': `#!/bin/bash\n${nest(1000, '( ', 'true', ' )')}\n`,
      'opt/substs.sh': `#!/bin/bash\necho ${nest(2000, '$(', 'true', ')')}\n`,
      'opt/heredocs.sh': `#!/bin/bash\n${heredocs(8)}`,
      'opt/ok.sh': '#!/bin/bash\necho ok\n',
    });
    const crontab = ['0 1 * * * /opt/parens.sh', '0 2 * * * /opt/substs.sh', '0 3 * * * /opt/heredocs.sh', `0 4 * * * ${nest(3000, '( ', '/opt/ok.sh', ' )')}`, '0 5 * * * /opt/ok.sh', ''].join('\n');
    const out = collectOutputs(writeCrontab(crontab), root);
    const js = jobs(out);
    for (const i of [0, 1, 3]) expect(codesOf(out, i), js[i].id).toContain('parse-error');
    expect(js[2].status).toBe('error');
    expect(codesOf(out, 2)).toContain('too-deep');
    expect(out.manifest.jobs[4].zip).toMatch(/\.zip$/);
  }, SLOW);
});

describe('directories a job passes through', () => {
  it('a directory a reference goes through (`dir/..`, a `cd` before a relative path) exists in the zip, with no bundled file in it', () => {
    const root = makeServer({
      'opt/app/lib/a.sh': 'echo loaded-a\n',
      'opt/app/lib/b.sh': 'echo loaded-b\n',
      'opt/app/lib/c.sh': 'echo loaded-c\n',
      'opt/app/sub/data.txt': 'not bundled\n',
      'opt/app/empty/data.txt': 'not bundled\n',
      'opt/app/other/data.txt': 'not bundled\n',
      'opt/app/bin/run.sh': '#!/bin/bash\nset -e\n. /opt/app/sub/../lib/a.sh\ncd /opt/app/empty\n. ../lib/b.sh\ncd "$(dirname "$0")"\ncd ../other\n. ../lib/c.sh\n',
    });
    const crontab = writeCrontab('CRON_TZ=UTC\n0 1 * * * /opt/app/bin/run.sh\n0 2 * * * cd /opt/app/sub && . ../lib/a.sh\n');
    const out = collectOutputs(crontab, root);
    expect(jobs(out).map((j) => j.status)).toEqual(['migrate', 'migrate']);
    // a directory entry, not its server files
    expect(zipPaths(out).filter((p) => p.includes('data.txt'))).toEqual([]);
    const first = cli(['invoke', crontab, '--root', root, '--line', '2', '--time', '2027-01-04T01:00:05Z']);
    expect(first.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(first.stdout).toBe('loaded-a\nloaded-b\nloaded-c\n');
    const second = cli(['invoke', crontab, '--root', root, '--line', '3', '--time', '2027-01-04T02:00:05Z']);
    expect(second.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(second.stdout).toBe('loaded-a\n');
  }, SLOW);
});

describe('a job that changes directory', () => {
  it('a cd into a server directory with no bundled file in it (absolute, relative to HOME, ~/) runs on Lambda', () => {
    const root = makeServer({ 'home/u/reports/make.sh': '#!/bin/bash\necho made\n', 'opt/other/x.txt': 'not bundled\n' });
    mkdirSync(join(root, 'opt/empty'));
    const crontab = writeCrontab('CRON_TZ=UTC\nHOME=/home/u\n0 1 * * * cd /opt/empty && pwd\n0 2 * * * cd reports && ./make.sh\n0 3 * * * cd ~/reports && ./make.sh\n');
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as { jobs: Array<{ status: string; verdict: string }> };
    expect(plan.jobs.map((j) => [j.status, j.verdict])).toEqual([['migrate', 'ready'], ['migrate', 'ready'], ['migrate', 'ready']]);
    const runs = [1, 2, 3].map((h) => cli(['invoke', crontab, '--root', root, '--line', String(h + 2), '--time', `2027-01-04T0${h}:00:05Z`]));
    for (const r of runs) expect(r.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(runs[0].stdout).toMatch(/\/opt\/empty\n$/);
    expect(runs[1].stdout).toBe('made\n');
    expect(runs[2].stdout).toBe('made\n');
  }, SLOW);

  it('a cd into a directory the server copy does not hold is a blocker that names it; cd to /tmp, /, $VAR, - or HOME is not', () => {
    const root = makeServer({ 'srv/file.txt': 'a file\n', 'home/u/.profile': '\n' });
    const crontab = writeCrontab(
      'CRON_TZ=UTC\nHOME=/home/u\n0 1 * * * cd /srv/nope && ls\n0 2 * * * cd /srv/file.txt; ls\n0 3 * * * cd missing || exit 1\n' +
        '0 4 * * * cd /tmp && ls\n0 5 * * * cd / && ls\n0 6 * * * cd "$DIR" && ls\n0 7 * * * cd - && ls\n0 8 * * * cd && cd ~ && ls\n',
    );
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as {
      jobs: Array<{ status: string; verdict: string; findings: Array<{ code: string; line: number; message: string }> }>;
    };
    const [nope, file, rel, ...fine] = plan.jobs;
    for (const j of [nope, file, rel]) {
      expect(j.verdict).toBe('blocked');
      expect(j.status).toBe('error');
    }
    expect(nope.findings.map((f) => [f.code, f.line])).toEqual([['missing-directory', 3]]);
    expect(nope.findings[0].message).toContain('/srv/nope');
    expect(file.findings[0].message).toContain('/srv/file.txt');
    expect(rel.findings[0].message).toContain('/home/u/missing');
    expect(fine.map((j) => j.verdict)).toEqual(['ready', 'ready', 'ready', 'ready', 'ready']);
  }, SLOW);

  it('a guarded cd into a directory the copy lacks is a warning; the job is packaged and runs on without it', () => {
    const root = makeServer({ 'opt/app/bin/sweep.sh': '#!/bin/bash\nset -e\n[ -d /srv/incoming ] && cd /srv/incoming || true\necho "swept in $PWD"\n' });
    const crontab = writeCrontab('CRON_TZ=UTC\n0 1 * * * /opt/app/bin/sweep.sh\n0 2 * * * cd /srv/incoming 2>/dev/null || cd /tmp; pwd\n');
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as {
      jobs: Array<{ status: string; verdict: string; findings: Array<{ code: string; severity: string; file: string; line: number; message: string }> }>;
    };
    expect(plan.jobs.map((j) => [j.status, j.verdict])).toEqual([['migrate', 'needs-attention'], ['migrate', 'needs-attention']]);
    expect(plan.jobs[0].findings.map((f) => [f.code, f.severity, f.file, f.line])).toEqual([['missing-directory', 'warning', '/opt/app/bin/sweep.sh', 3]]);
    expect(plan.jobs[0].findings[0].message).toContain('/srv/incoming only when it can');
    const run = cli(['invoke', crontab, '--root', root, '--line', '2', '--time', '2027-01-04T01:00:05Z']);
    expect(run.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(run.stdout).toMatch(/^swept in \//);
  }, SLOW);
});

describe("a job that sources the server's profile", () => {
  it('/etc/profile and each file its loop over /etc/profile.d/*.sh sources run on Lambda from the bundled copies', () => {
    const root = makeServer({
      'etc/profile': 'if [ -d /etc/profile.d ]; then\n  for i in /etc/profile.d/*.sh; do\n    if [ -r $i ]; then\n      . $i\n    fi\n  done\n  unset i\nfi\n',
      'etc/profile.d/app.sh': 'export APP_ENV=prod-from-the-copy\n',
      'etc/profile.d/zz-path.sh': 'APP_ORDER="${APP_ENV}:last"\n',
    });
    const crontab = writeCrontab('CRON_TZ=UTC\n0 1 * * * . /etc/profile; echo "env=$APP_ENV order=$APP_ORDER"\n');
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as { jobs: Array<{ verdict: string; files: string[] }> };
    expect(plan.jobs[0].verdict).toBe('ready');
    expect(plan.jobs[0].files).toEqual(['/etc/profile', '/etc/profile.d/app.sh', '/etc/profile.d/zz-path.sh']);
    const run = cli(['invoke', crontab, '--root', root, '--line', '2', '--time', '2027-01-04T01:00:05Z']);
    expect(run.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(run.stdout).toBe('env=prod-from-the-copy order=prod-from-the-copy:last\n');
  }, SLOW);
});

describe('a job that runs every script in a directory, as run-parts does', () => {
  it('for f in /opt/app/jobs.d/*.sh; do "$f"; done runs each bundled script on Lambda, in glob order, and only those', () => {
    const root = makeServer({
      'opt/app/jobs.d/10-first.sh': '#!/bin/bash\necho "first $1"\n',
      'opt/app/jobs.d/20-second.sh': '#!/bin/bash\n. /opt/app/lib/name.sh\necho "second $NAME"\n',
      'opt/app/jobs.d/README': 'not a job\n',
      'opt/app/lib/name.sh': 'NAME=from-the-copy\n',
    });
    const crontab = writeCrontab('CRON_TZ=UTC\n0 1 * * * for f in /opt/app/jobs.d/*.sh; do [ -x "$f" ] && "$f" nightly; done; for f in /opt/app/jobs.d/2*.sh; do bash "$f"; done\n');
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as { jobs: Array<{ verdict: string; files: string[] }> };
    expect(plan.jobs[0].verdict).toBe('ready');
    expect(plan.jobs[0].files).toEqual(['/opt/app/jobs.d/10-first.sh', '/opt/app/jobs.d/20-second.sh', '/opt/app/lib/name.sh']);
    const run = cli(['invoke', crontab, '--root', root, '--line', '2', '--time', '2027-01-04T01:00:05Z']);
    expect(run.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(run.stdout).toBe('first nightly\nsecond from-the-copy\nsecond from-the-copy\n');
  }, SLOW);
});

describe('a job that reads files of the server', () => {
  it('cd "$(dirname "$0")" && cat hosts.list reads the bundled copy on Lambda', () => {
    const root = makeServer({
      'opt/app/bin/hosts.sh': '#!/bin/bash\nset -e\ncd "$(dirname "$0")"\nsort -r hosts.list\n',
      'opt/app/bin/hosts.list': 'db1\ndb2\n',
    });
    const crontab = writeCrontab('CRON_TZ=UTC\n0 1 * * * /opt/app/bin/hosts.sh\n');
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as { jobs: Array<{ verdict: string; files: string[] }> };
    expect(plan.jobs.map((j) => [j.verdict, j.files])).toEqual([['ready', ['/opt/app/bin/hosts.list', '/opt/app/bin/hosts.sh']]]);
    const run = cli(['invoke', crontab, '--root', root, '--line', '2', '--time', '2027-01-04T01:00:05Z']);
    expect(run.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(run.stdout).toBe('db2\ndb1\n');
  }, SLOW);

  it('a list read through <, a file given to head, and a config option run on Lambda from their bundled copies; `D=$HOME; cd "$D"` is HOME', () => {
    const root = makeServer({
      'opt/app/etc/hosts.list': 'db1\ndb2\n',
      'opt/app/etc/tool.conf': 'level=3\n',
      'opt/app/bin/job.sh': '#!/bin/bash\nset -e\nwhile read -r h; do echo "host $h"; done < /opt/app/etc/hosts.list\nhead -n 1 /opt/app/etc/hosts.list\n/opt/app/bin/tool.sh --config=/opt/app/etc/tool.conf\n',
      'opt/app/bin/tool.sh': '#!/bin/bash\ncut -d= -f2 "${1#--config=}"\n',
      'opt/app/bin/home.sh': '#!/bin/bash\nset -e\nD=$HOME\ncd "$D"\npwd\n',
    });
    const crontab = writeCrontab('CRON_TZ=UTC\nHOME=/home/u\n0 1 * * * /opt/app/bin/job.sh\n0 2 * * * sort -r < /opt/app/etc/hosts.list\n0 3 * * * /opt/app/bin/home.sh\n');
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as { jobs: Array<{ status: string; verdict: string; files: string[] }> };
    expect(plan.jobs.map((j) => [j.status, j.verdict])).toEqual([['migrate', 'ready'], ['migrate', 'ready'], ['migrate', 'ready']]);
    expect(plan.jobs[0].files).toEqual(['/opt/app/bin/job.sh', '/opt/app/bin/tool.sh', '/opt/app/etc/hosts.list', '/opt/app/etc/tool.conf']);
    const runs = [1, 2, 3].map((h) => cli(['invoke', crontab, '--root', root, '--line', String(h + 2), '--time', `2027-01-04T0${h}:00:05Z`]));
    for (const r of runs) expect(r.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(runs[0].stdout).toBe('host db1\nhost db2\ndb1\n3\n');
    expect(runs[1].stdout).toBe('db2\ndb1\n');
    expect(runs[2].stdout).toBe('/tmp\n');
  }, SLOW);
});

describe('a job that names its files from HOME', () => {
  // cron sets HOME to the owner's home from /etc/passwd; on Lambda function.sh sets it to /tmp (the home directory is
  // not there), so a bundled path built from HOME must name the zip's copy by its server path, not by $HOME.
  it('"$HOME"/bin/x.sh, ~/bin/x.sh, $HOME/bin/x.sh in the crontab line and ${HOME}/lib, a variable from HOME, "$HOME/.profile" sourced in the script run on Lambda', () => {
    const script =
      '#!/bin/bash\nset -e\n. "$HOME/.profile"\nsource ${HOME}/lib/a.sh\n. $HOME/lib/b.sh\nLIB="$HOME/lib"\n. "$LIB/c.sh"\n' +
      'cd ~ && pwd\necho "home=$HOME"\n';
    const root = makeServer({
      'etc/passwd': 'root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/bash\n',
      'home/app/bin/run.sh': script,
      'home/app/.profile': 'echo profile\n',
      'home/app/lib/a.sh': 'echo lib-a\n',
      'home/app/lib/b.sh': 'echo lib-b\n',
      'home/app/lib/c.sh': 'echo lib-c\n',
      'var/spool/cron/crontabs/app': 'CRON_TZ=UTC\n0 1 * * * "$HOME"/bin/run.sh\n0 2 * * * ~/bin/run.sh\n0 3 * * * $HOME/bin/run.sh\n0 4 * * * bash "${HOME}/bin/run.sh"\n',
    });
    const crontab = join(root, 'var/spool/cron/crontabs/app');
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as { jobs: Array<{ verdict: string; home: string; files: string[] }> };
    expect(plan.jobs.map((j) => [j.verdict, j.home])).toEqual([1, 2, 3, 4].map(() => ['ready', '/home/app']));
    for (const j of plan.jobs) expect(j.files).toEqual(['/home/app/.profile', '/home/app/bin/run.sh', '/home/app/lib/a.sh', '/home/app/lib/b.sh', '/home/app/lib/c.sh']);
    for (const h of [1, 2, 3, 4]) {
      const r = cli(['invoke', crontab, '--root', root, '--line', String(h + 1), '--time', `2027-01-04T0${h}:00:05Z`]);
      expect(r.stderr, `line ${h + 1}`).toContain('delivery 1: response {"exitCode":0');
      // words that only use HOME at run time keep it: HOME is /tmp on Lambda, and cd ~ goes there
      expect(r.stdout, `line ${h + 1}`).toBe('profile\nlib-a\nlib-b\nlib-c\n/tmp\nhome=/tmp\n');
    }
  }, SLOW);
});

describe('a job that keeps state in HOME', () => {
  // cron starts the job in its HOME; on Lambda HOME and the starting directory are /tmp, so writes there work (the
  // local runtime's /tmp is this machine's: the test names its own directory there and removes it)
  it('writes ~/x, "$HOME"/x and a relative file: the plan says they land in /tmp and do not last, and on Lambda they work', () => {
    const dir = `c2l-homewrite-${process.pid}-${Date.now()}`;
    const script =
      `#!/bin/bash\nset -e\nmkdir -p ~/${dir}\necho cached > ~/${dir}/x\ndate +%s > "$HOME/${dir}/last-run"\n` +
      `echo logged >> ${dir}/out.log\ncat ~/${dir}/x ${dir}/out.log\npwd\n`;
    const root = makeServer({
      'etc/passwd': 'app:x:1000:1000::/home/app:/bin/bash\n',
      'home/app/bin/run.sh': script,
      'var/spool/cron/crontabs/app': 'CRON_TZ=UTC\n0 1 * * * ~/bin/run.sh\n',
    });
    const crontab = join(root, 'var/spool/cron/crontabs/app');
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as {
      jobs: Array<{ verdict: string; findings: Array<{ code: string; line: number; message: string }> }>;
    };
    const writes = plan.jobs[0].findings.filter((f) => f.code === 'write-outside-tmp');
    expect(plan.jobs[0].verdict).toBe('needs-attention');
    expect(writes.map((f) => f.line)).toEqual([3, 4, 5, 6]);
    expect(writes[1].message).toContain(`writes /home/app/${dir}/x (redirection >) in the job's HOME: on Lambda HOME, where the job starts, is /tmp, so it writes /tmp/${dir}/x, which works but is gone by the next run`);
    expect(writes[3].message).toContain(`so it writes /tmp/${dir}/out.log`);
    for (const f of writes) expect(f.message).not.toContain('only /tmp is writable');
    try {
      const r = cli(['invoke', crontab, '--root', root, '--line', '2', '--time', '2027-01-04T01:00:05Z']);
      expect(r.stderr).toContain('delivery 1: response {"exitCode":0');
      expect(r.stdout).toBe('cached\nlogged\n/tmp\n');
      expect(readFileSync(join('/tmp', dir, 'last-run'), 'utf8')).toMatch(/^[0-9]+\n$/);
    } finally {
      rmSync(join('/tmp', dir), { recursive: true, force: true });
    }
  }, SLOW);
});

describe('a job that names its files from the working directory', () => {
  // on Lambda the job starts in /tmp (its HOME there), and a rewritten cd goes to the zip's copy: $PWD is not the
  // server directory, so a bundled path made from it must name the copy by its server path
  it('"$PWD"/x after a cd, $(pwd)/x where cron starts, "$PWD/lib.sh" in a script run on Lambda', () => {
    const root = makeServer({
      'etc/passwd': 'app:x:1000:1000::/home/app:/bin/bash\n',
      'home/app/bin/run.sh': '#!/bin/bash\nset -e\ncd "$(dirname "$0")"\n. "$PWD/lib.sh"\n',
      'home/app/bin/lib.sh': 'echo lib\n',
      'opt/app/bin/run.sh': '#!/bin/bash\necho opt\n',
      'var/spool/cron/crontabs/app': 'CRON_TZ=UTC\n0 1 * * * cd /opt/app && "$PWD"/bin/run.sh\n0 2 * * * $(pwd)/bin/run.sh\n',
    });
    const crontab = join(root, 'var/spool/cron/crontabs/app');
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as { jobs: Array<{ verdict: string; files: string[] }> };
    expect(plan.jobs.map((j) => [j.verdict, j.files])).toEqual([['ready', ['/opt/app/bin/run.sh']], ['ready', ['/home/app/bin/lib.sh', '/home/app/bin/run.sh']]]);
    const runs = [1, 2].map((h) => cli(['invoke', crontab, '--root', root, '--line', String(h + 1), '--time', `2027-01-04T0${h}:00:05Z`]));
    for (const r of runs) expect(r.stderr).toContain('delivery 1: response {"exitCode":0');
    expect(runs.map((r) => r.stdout)).toEqual(['opt\n', 'lib\n']);
  }, SLOW);
});

describe('a job that runs code the analysis cannot read', () => {
  // a `-c` or eval string built from variables, a program named by a loop variable: what they run is not bundled
  // (it fails on Lambda), so the plan must not call the job ready, and must say why
  it('sh -c "$HOME/...", bash -c "$D/...", eval "$CMD", a for-loop program are needs-attention with an unresolved finding', () => {
    const root = makeServer({
      'etc/passwd': 'app:x:1000:1000::/home/app:/bin/bash\n',
      'home/app/bin/x.sh': '#!/bin/bash\necho x\n',
      'var/spool/cron/crontabs/app':
        'CRON_TZ=UTC\nCMD=/home/app/bin/x.sh\n' +
        '0 1 * * * sh -c "$HOME/bin/x.sh"\n0 2 * * * D=/home/app/bin; bash -c "$D/x.sh"\n0 3 * * * eval "$CMD"\n' +
        '0 4 * * * for f in $HOME/bin/x.sh; do "$f"; done\n0 5 * * * $HOME/bin/x.sh\n',
    });
    const crontab = join(root, 'var/spool/cron/crontabs/app');
    const plan = JSON.parse(cli(['plan', crontab, '--root', root, '--json']).stdout) as {
      jobs: Array<{ verdict: string; files: string[]; findings: Array<{ code: string }>; verdictReasons: string[] }>;
    };
    expect(plan.jobs.map((j) => j.verdict)).toEqual(['needs-attention', 'needs-attention', 'needs-attention', 'needs-attention', 'ready']);
    for (const j of plan.jobs.slice(0, 4)) {
      expect(j.findings.map((f) => f.code)).toContain('unresolved');
      expect(j.verdictReasons.join('\n')).toMatch(/cannot (read|resolve)[^\n]*not bundled/);
    }
    expect(plan.jobs[4].files).toEqual(['/home/app/bin/x.sh']);
  }, SLOW);
});
