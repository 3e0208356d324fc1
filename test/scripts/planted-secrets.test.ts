// Random scripts and crontab lines from a grammar of the shell an ops engineer writes (lists, conditions, loops,
// functions, heredocs, `sh -c` and `su -c` strings, wrappers, redirections, hostile paths), with credentials planted
// in the forms the tool says it finds: nothing of the run throws (a throw is exit 70, a bug), every crontab line is
// accounted for, and no planted value reaches the plan (text or JSON), a manifest, or any file of any zip. Written after such a generator found a
// credential given as an argument (`env DB_PASSWORD=...`), after `%`, in a for loop's words, and `--password=` in a
// heredoc, each of which reached a zip in clear text; later, an AWS key compiled into the server's own program.
import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../src/cli/commands/package.js';
import { buildPackages } from '../../src/package/build.js';
import { readZip, writeZip } from '../../src/package/zip.js';
import { buildPlan } from '../../src/plan/plan.js';
import { planJson } from '../../src/render/messages.js';
import { safeJson } from '../../src/render/escape.js';
import { renderPlan } from '../../src/render/text.js';
import { memoryReader } from '../../src/scripts/reader.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';
import { makeHorizon } from '../../src/schedule/translate.js';
import { mulberry32 } from '../support/random.js';

const plain = { bold: (s: string) => s, dim: (s: string) => s, red: (s: string) => s, green: (s: string) => s, yellow: (s: string) => s, cyan: (s: string) => s };
const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 60);

const PATHS = ['/opt/app/bin/tool', '/opt/app/bin/a.sh', '/opt/app/bin/b.sh', '/opt/app/lib/l.sh', '/opt/app/etc/x.conf', '/srv/in', '/opt/app/data', '/tmp/t', '/etc/hosts', '/etc/shadow', '/home/u/.pgpass', '../x', './b.sh', '~/r', '$HOME/q', '${D}/z', '"$(dirname "$0")"/b.sh', '/opt/app/bin/', '/', '//opt//app', 'a\u00e9b'];
const WORDS = ['x', '"y z"', "'q'", '$V', '${V:-d}', '$(date)', '`id`', '$((1+2))', '-f', '--config=/opt/app/etc/x.conf', '-c', '--', '*', '{a,b}', '\\$', '""', '$1', '"$@"'];
const PROGS = ['/opt/app/bin/tool', 'tar', 'ls', 'cd', 'pushd', 'popd', 'source', '.', 'cat', 'head', 'grep', 'cp', 'mv', 'rm', 'echo', 'printf', 'sudo', 'su', 'runuser', 'setsid', 'nohup', 'flock', 'bash', 'sh', 'eval', 'exec', 'env', 'timeout', 'xargs', 'find', 'ssh', 'mysql', 'psql', 'aws', 'curl', 'python3', 'mail', 'systemctl', 'test', '[', 'true', 'false', 'exit', 'return', 'set', 'export', 'unset', 'read', 'sleep', 'tee', 'awk', 'sed', 'make', 'docker'];
const SCHEDULES = ['* * * * *', '0 3 * * *', '*/7 1-5 * * 1-5', '@daily', '@reboot', '0 0 31 2 *', '5 4 * * sun', '0 0 1,15 * 5', '60 * * * *', '0 2 * jan-mar mon',
  '@fortnightly', '*/0 * * * *', '0 0 * * sun-sat', ' \t0 1 * * *', '-0 4 * * *', '0 0 29 2 *', '1,2-4,*/9 * * * 7', '0 0 * *', 'H 0 * * *'];
const OTHER_LINES = ['# a comment', '', '   ', '\t# indented comment', 'FOO = bar', 'X="quoted value"', 'SHELL=/bin/bash', 'CRON_TZ=Europe/Berlin'];

function generator(seed: number) {
  const rnd = mulberry32(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const planted: string[] = [];
  const value = (): string => {
    const v = `Zq${planted.length}xW7pLm4${seed}`;
    planted.push(v);
    return v;
  };
  // fixed-prefix formats: an AWS access key id (compiled into a program), a GitHub token (a file's name)
  const awsKey = (): string => {
    const v = `AKIA${`Q${seed}X${planted.length}ZZZZZZZZZZZZZZZZ`.slice(0, 16)}`;
    planted.push(v);
    return v;
  };
  const githubToken = (): string => {
    const v = `ghp_${`Pl4nted${seed}n${planted.length}`.padEnd(36, 'q')}`;
    planted.push(v);
    return v;
  };
  // the server's own program, with a credential in its strings or not; and a data directory, a file of it named by one
  const program = (): string => `\u007fELF\u0002\u0001\u0001\u0000\u0000\u0000\u0000tool\u0000${rnd() < 0.5 ? `key=${awsKey()}` : 'no key'}\u0000`;
  const dataDir = (): Record<string, string> => ({ '/srv/in/readme': 'x\n', ...(rnd() < 0.5 ? { [`/srv/in/${githubToken()}`]: 'x\n' } : {}) });
  // as an argument: an assignment for the program, a password option, a URL, a header
  const plant = (): string => {
    const v = value();
    return pick([`DB_PASSWORD=${v}`, `--password=${v}`, `https://ops:${v}@db.example.com/x`, `"Authorization: Bearer ${v}Tk9aZ3x"`, `API_TOKEN=${v}`]);
  };
  // as a command
  const plantCommand = (): string => {
    const v = value();
    return pick([`mysql -uroot -p${v} shop`, `PGPASSWORD=${v} psql -h db`, `export SECRET_KEY=${v}`, `sshpass -p ${v} ssh h true`, `redis-cli -a ${v} ping`]);
  };
  // a word; a credential only where a word of a command or a list stands (not as a file name or a variable's value)
  const word = (credential = true): string => {
    const r = rnd();
    return credential && r < 0.05 ? plant() : r < 0.4 ? pick(PATHS) : pick(WORDS);
  };
  const simple = (depth: number): string => {
    if (rnd() < 0.04) return plantCommand();
    const parts = [pick(PROGS)];
    for (let i = Math.floor(rnd() * 4); i > 0; i--) parts.push(word());
    if (parts[0] === '[') parts.push(']');
    let s = parts.join(' ');
    if (rnd() < 0.2) s = `V=${word(false)} ${s}`;
    if (rnd() < 0.15) s += ` ${pick(['>', '>>', '<', '2>', '&>', '2>&1', '<<<'])} ${word(false)}`;
    if (rnd() < 0.05) s += ` <<${pick(['EOF', "'EOF'", '-EOF'])}\n${statement(depth + 1)}\nEOF`;
    return s;
  };
  const statement = (depth = 0): string => {
    if (depth > 4) return simple(depth);
    const r = rnd();
    const next = () => statement(depth + 1);
    if (r < 0.45) return simple(depth);
    if (r < 0.55) return `${next()} ${pick(['&&', '||', '|', ';', '&'])} ${next()}`;
    if (r < 0.62) return `if ${next()}; then ${next()}; ${rnd() < 0.5 ? `else ${next()}; ` : ''}fi`;
    if (r < 0.67) return `{ ${next()}; }`;
    if (r < 0.72) return `( ${next()} )`;
    if (r < 0.76) return `for i in ${word()} ${word()}; do ${next()}; done`;
    if (r < 0.8) return `while ${next()}; do ${next()}; done`;
    if (r < 0.84) return `f${Math.floor(rnd() * 3)}() { ${next()}; }`;
    if (r < 0.88) return `case ${word(false)} in a) ${next()};; *) ${next()};; esac`;
    if (r < 0.92) return `${pick(['bash -c', 'sh -c', 'su - app -c', 'eval', 'flock /tmp/l -c', 'sudo -u app bash -c'])} '${simple(depth + 1).replace(/'/g, '')}'`;
    if (r < 0.95) return `D=${word(false)}; cd "$D"`;
    return pick(['set -e', 'set -u', 'trap "rm -f /tmp/x" EXIT', 'exec > /tmp/log 2>&1', 'local x=1', 'declare -x Y=2', 'f0', 'f1', 'f2',
      'for i in /opt/app/lib/*.sh; do [ -r "$i" ] && . "$i"; done', 'for i in /opt/app/bin/*.sh; do . $i; done']);
  };
  const script = (): string => {
    const lines = [pick(['#!/bin/bash', '#!/bin/sh', '#!/usr/bin/env bash', '#!/usr/bin/python3', '', '#!/bin/bash -e'])];
    for (let i = 1 + Math.floor(rnd() * 6); i > 0; i--) lines.push(statement());
    const s = lines.join('\n') + '\n';
    return rnd() < 0.05 ? s.slice(0, Math.floor(rnd() * s.length)) : s;
  };
  const crontab = (): string => {
    const lines: string[] = [];
    if (rnd() < 0.5) lines.push(`CRON_TZ=${pick(['UTC', 'America/New_York', 'Europe/London', 'Nope/Zone', ''])}`);
    if (rnd() < 0.3) lines.push(`HOME=${pick(['/home/u', '/srv', ''])}`);
    if (rnd() < 0.2) lines.push(`PATH=${pick(['/opt/app/bin:/usr/bin:/bin', '/usr/bin'])}`);
    if (rnd() < 0.2) lines.push(`MAILTO=${pick(['', 'ops@example.com'])}`);
    for (let i = 1 + Math.floor(rnd() * 4); i > 0; i--) {
      const command = rnd() < 0.5 ? pick(['/opt/app/bin/a.sh', '/opt/app/bin/b.sh x', 'a.sh', 'cd /opt/app && ./bin/a.sh']) : simple(0).replace(/\n/g, ' ');
      if (rnd() < 0.2) lines.push(pick(OTHER_LINES));
      lines.push(`${pick(SCHEDULES)} ${command}${rnd() < 0.1 ? pick([' % input%more', ' \\%escaped', '%']) : ''}`);
    }
    return lines.join('\n') + '\n';
  };
  return { planted, script, crontab, pick, program, dataDir };
}

describe('planted credentials in random scripts and crontabs', () => {
  const templates = loadTemplates();
  it.each([1, 2, 3])('seed %i: no throw, every line accounted for, and no planted value in the plan, a manifest or a zip', async (seed) => {
    const g = generator(seed);
    let zips = 0;
    for (let n = 0; n < 60; n++) {
      g.planted.length = 0;
      const files = {
        '/opt/app/bin/a.sh': g.script(),
        '/opt/app/bin/b.sh': g.script(),
        '/opt/app/lib/l.sh': g.script(),
        '/opt/app/etc/x.conf': 'k=v\n',
        '/opt/app/data/keep': 'x\n',
        '/opt/app/bin/tool': g.program(),
        ...g.dataDir(),
        '/etc/shadow': 'root:x:1\n',
        '/etc/passwd': 'u:x:1000:1000::/home/u:/bin/bash\n',
      };
      const text = g.crontab();
      const where = `seed ${seed} case ${n}: ${JSON.stringify({ text, files })}`;
      const plan = buildPlan([{ file: '/var/spool/cron/crontabs/u', text, system: false }], { target: g.pick(['rule', 'scheduler'] as const), timezone: 'UTC', horizon, reader: memoryReader(files) });
      // every line of the crontab is accounted for: a job (migrated, skipped or an error), a variable, or blank
      for (const f of plan.files) {
        expect(f.lines, where).toBe(text.split('\n').length - 1);
        expect(f.jobs + f.variables + f.blankOrComment, where).toBe(f.lines);
        expect(plan.jobs.filter((j) => j.source.file === f.file).length, where).toBe(f.jobs);
      }
      const outputs = [renderPlan(plan, plain), safeJson(planJson(plan))];
      for (const b of await buildPackages(plan, templates, { lockTable: 'locks' }, writeZip)) {
        outputs.push(JSON.stringify(b.manifest));
        if (!b.zip) continue;
        zips++;
        for (const e of readZip(Buffer.from(b.zip.bytes))) outputs.push(Buffer.from(e.content ?? []).toString('latin1'));
      }
      for (const out of outputs) for (const v of g.planted) expect(out.includes(v), where).toBe(false);
    }
    expect(zips).toBeGreaterThan(30);
  });
});
