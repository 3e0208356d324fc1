// `for i in /etc/profile.d/*.sh; do . "$i"; done` (the body of /etc/profile, and the setup of many scripts): each
// file the glob matches in the server copy is bundled and followed, and the glob is rewritten to the zip's copy.
// Before, `. "$i"` was an `unresolved` warning and none of the files went into the zip: on Lambda the loop sourced
// the runtime's own /etc/profile.d, or nothing.
import { describe, expect, test } from 'vitest';
import { bundleJob } from '../../src/scripts/bundle.js';
import { followsOnly, plainGlob } from '../../src/scripts/bundle/glob-loop.js';
import { memoryReader } from '../../src/scripts/reader.js';
import { parseShell } from '../../src/scripts/sh/index.js';

const server = memoryReader({
  '/etc/profile.d/app.sh': 'export APP_ENV=prod\n. /opt/app/lib/env.sh\n',
  '/etc/profile.d/zz.sh': 'export PATH=$PATH:/opt/app/bin\n',
  '/etc/profile.d/README': 'not sourced\n',
  '/etc/profile.d/.hidden.sh': 'not matched\n',
  '/opt/app/lib/env.sh': 'X=1\n',
  '/opt/app/conf.d/sub/': '',
  '/opt/app/conf.d/a.conf': 'A=1\n',
});
const input = (command: string) => ({ command, shell: '/bin/bash', environment: {}, home: '/home/deploy', file: '/etc/crontab', line: 3 });
const body = (code: string) => parseShell(code).file!.stmts;

describe('a loop that sources the files a glob names', () => {
  test.each([
    'for i in /etc/profile.d/*.sh; do . "$i"; done',
    'for i in /etc/profile.d/*.sh; do [ -r "$i" ] && . "$i"; done',
    'for i in /etc/profile.d/*.sh; do if [ -r $i ]; then . $i; fi; done',
    'for i in /etc/profile.d/[a-z]*.sh; do source "${i}"; done',
  ])('%s: each match bundled and followed, the glob rewritten to the copy', (command) => {
    const r = bundleJob(input(command), server);
    expect(r.files.map((f) => [f.path, f.reason])).toEqual([
      ['/etc/profile.d/app.sh', 'source'],
      ['/etc/profile.d/zz.sh', 'source'],
      ['/opt/app/lib/env.sh', 'source'],
    ]);
    expect(r.command).toContain('for i in "$LAMBDA_TASK_ROOT"/etc/profile.d/');
    expect(r.command).not.toContain('"$LAMBDA_TASK_ROOT""$i"');
    expect(r.findings).toEqual([]);
  });

  test.each([
    // the variable is used for something else too: on Lambda it would act on the copy
    'for i in /etc/profile.d/*.sh; do . "$i"; cp "$i" /tmp/; done',
    // quoted: no glob at all
    'for i in "/etc/profile.d/*.sh"; do . "$i"; done',
    // matches nothing in the copy
    'for i in /etc/nothing.d/*.sh; do . "$i"; done',
    // matches a directory
    'for i in /opt/app/conf.d/*; do . "$i"; done',
    // a glob in a directory component
    'for i in /etc/*/app.sh; do . "$i"; done',
  ])('%s: left as it was (the sourced file is unresolved)', (command) => {
    const r = bundleJob(input(command), server);
    expect(r.command).toBe(command);
    expect(r.files.filter((f) => f.path.startsWith('/etc/profile.d/'))).toEqual([]);
    expect(r.findings.map((f) => f.code)).toContain('unresolved');
  });

  test('plainGlob: a plain absolute path whose last component alone is a pattern; dot files only for a dotted pattern', () => {
    const g = plainGlob('/etc/profile.d/*.sh')!;
    expect(g.dir).toBe('/etc/profile.d');
    expect(['a.sh', '.b.sh', 'c.shx', 'd.sh'].filter(g.matches)).toEqual(['a.sh', 'd.sh']);
    expect(['x1', 'y2', 'z3'].filter(plainGlob('/opt/[!y]?')!.matches)).toEqual(['x1', 'z3']);
    expect(['.a', 'b'].filter(plainGlob('/opt/.*')!.matches)).toEqual(['.a']);
    for (const raw of ['etc/*.sh', '/etc/*/x.sh', '"/etc/*.sh"', '/etc/$D/*.sh', '/etc/profile.d/app.sh', '/etc/[ab.sh']) expect(plainGlob(raw), raw).toBeNull();
  });

  test('sourcesOnly: the variable only sourced and tested, and sourced at least once', () => {
    expect(followsOnly(body('[ -r "$f" ] && . "$f"'), 'f')).toBe(true);
    expect(followsOnly(body('if test -f $f; then source $f; else echo skip; fi'), 'f')).toBe(true);
    expect(followsOnly(body('echo "$f"; . "$f"'), 'f')).toBe(false);
    expect(followsOnly(body('. "$f" > "$f.log"'), 'f')).toBe(false);
    expect(followsOnly(body('. "$f/x"'), 'f')).toBe(false);
    expect(followsOnly(body('[ -r "$f" ]'), 'f')).toBe(false);
    expect(followsOnly(body('[ -x "$f" ] && "$f" nightly'), 'f')).toBe(true);
    expect(followsOnly(body('bash "$f" --quiet || echo failed'), 'f')).toBe(true);
    expect(followsOnly(body('LEVEL=2 /bin/sh $f'), 'f')).toBe(true);
    // the variable as anything but the program or the shell's script: an argument, an option's code, a redirection
    expect(followsOnly(body('"$f" "$f.log"'), 'f')).toBe(false);
    expect(followsOnly(body('bash -c "$f"'), 'f')).toBe(false);
    expect(followsOnly(body('"$f" > "$f.out"'), 'f')).toBe(false);
    expect(followsOnly(body('OUT=$f.out "$f"'), 'f')).toBe(false);
    expect(followsOnly(body('rm "$f"'), 'f')).toBe(false);
  });
});

describe('a loop that runs the files a glob names', () => {
  const jobs = memoryReader({
    '/opt/app/jobs.d/a.sh': '#!/bin/bash\n. /opt/app/lib/env.sh\n',
    '/opt/app/jobs.d/b.sh': '#!/bin/bash\necho b\n',
    '/opt/app/lib/env.sh': 'X=1\n',
  });
  test.each([
    'for f in /opt/app/jobs.d/*.sh; do "$f"; done',
    'for f in /opt/app/jobs.d/*.sh; do [ -x "$f" ] && "$f" --nightly; done',
    'for f in /opt/app/jobs.d/*; do bash "$f"; done',
  ])('%s: each match bundled and followed, the glob rewritten to the copy', (command) => {
    const r = bundleJob(input(command), jobs);
    expect(r.files.map((f) => f.path)).toEqual(['/opt/app/jobs.d/a.sh', '/opt/app/jobs.d/b.sh', '/opt/app/lib/env.sh']);
    expect(r.command).toContain('for f in "$LAMBDA_TASK_ROOT"/opt/app/jobs.d/*');
    expect(r.findings).toEqual([]);
  });

  test('a loop that also deletes its files is left as it was (on Lambda it would delete the copies)', () => {
    const command = 'for f in /opt/app/jobs.d/*.sh; do "$f" && rm -f "$f"; done';
    const r = bundleJob(input(command), jobs);
    expect(r.command).toBe(command);
    expect(r.findings.map((f) => f.code)).toContain('unresolved');
  });
});

describe('code sourced again and again stays within a bound', () => {
  // A file that sources the next twice, 40 deep, was walked 2^40 times: the plan never ended (a hostile tree of scripts
  // could hold a fleet's run for ever). Each file is now walked at most MAX_SOURCE_WALKS times per job.
  test('a chain of 40 files each sourcing the next twice is analysed, every file bundled', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`/opt/l/f${i}.sh`] = i + 1 < 40 ? `. /opt/l/f${i + 1}.sh\n. /opt/l/f${i + 1}.sh\n` : 'echo end\n';
    const r = bundleJob(input('. /opt/l/f0.sh'), memoryReader(files));
    expect(r.files).toHaveLength(40);
    expect(r.findings).toEqual([]);
  });

  test('loops over a glob whose files source each other back are followed once each', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`/opt/l/f${i}.sh`] = 'for i in /opt/l/*.sh; do . "$i"; done\nfor j in /opt/l/*.sh; do [ -r "$j" ] && . "$j"; done\n';
    const r = bundleJob(input('for i in /opt/l/*.sh; do . "$i"; done'), memoryReader(files));
    expect(r.files).toHaveLength(12);
    expect(r.command).toBe('for i in "$LAMBDA_TASK_ROOT"/opt/l/*.sh; do . "$i"; done');
    // each loop's glob rewritten once
    for (const f of r.files) expect(new TextDecoder().decode(f.content).match(/LAMBDA_TASK_ROOT/g)).toHaveLength(2);
  });
});
