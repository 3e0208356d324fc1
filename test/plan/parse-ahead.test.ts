// Scripts parsed ahead of the analysis on the proof worker (scripts/ahead.ts, cli/parallel-proofs.ts): the plan and
// every bundle are the same whoever parsed what; each file is read once and parsed once across both threads; and
// nothing is read ahead that the analysis alone would not read (a FIFO, a credential file, a link out of the copy).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parallelProver } from '../../src/cli/parallel-proofs.js';
import { buildPlan, type Plan, type PlanOptions } from '../../src/plan/plan.js';
import { inProcessProver, type PendingProofs, type Prover } from '../../src/plan/proofs.js';
import type { JobBundle } from '../../src/plan/job-bundle.js';
import { scriptsAhead } from '../../src/scripts/ahead.js';
import { memoryReader, rootReader, type FileReader } from '../../src/scripts/reader.js';
import { parseStats, resetParseStats } from '../../src/scripts/sh/index.js';
import { MAX_CST_DEPTH } from '../../src/scripts/sh/treesitter.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';
import { makeHorizon } from '../../src/schedule/translate.js';

const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 30);
// The compiled worker (npm test builds before it runs the tests); the sources have none.
const worker = new URL('../../dist/cli/proof-worker.js', import.meta.url);
const SERVERS = join(import.meta.dirname, '../../fixtures/servers');

/** Server paths of the files under a copy whose first bytes make them shell scripts or that end in .sh. */
function scriptsUnder(root: string, dir = ''): string[] {
  return readdirSync(join(root, dir)).flatMap((e) => {
    const rel = `${dir}/${e}`;
    const st = statSync(join(root, rel));
    if (st.isDirectory()) return scriptsUnder(root, rel);
    return st.isFile() && (rel.endsWith('.sh') || readFileSync(join(root, rel)).subarray(0, 2).toString() === '#!') ? [rel] : [];
  });
}

/** A reader that counts its reads per path. */
function recording(inner: FileReader): { reader: FileReader; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  return {
    reads,
    reader: {
      readFile(p, max) {
        reads.set(p, (reads.get(p) ?? 0) + 1);
        return inner.readFile(p, max);
      },
      stat: (p) => inner.stat(p),
      ...(inner.resolve ? { resolve: (p: string) => inner.resolve?.(p) ?? null } : {}),
    },
  };
}

/** A prover that keeps what it started, to ask its trees how many it made. */
type TreeStats = { made: number; used: number; unused: number; held: number };

function kept(prover: Prover): { prover: Prover; trees: () => TreeStats } {
  let pending: PendingProofs | undefined;
  return {
    prover: { start: (requests, parses) => (pending = prover.start(requests, parses)) },
    trees: () => (pending?.trees as unknown as { stats(): TreeStats } | undefined)?.stats() ?? { made: 0, used: 0, unused: 0, held: 0 },
  };
}

interface Run {
  json: string;
  bundles: (JobBundle | undefined)[];
  reads: Map<string, number>;
  parses: number;
  trees: TreeStats;
}

function plan(text: string, root: string, prover?: Prover): Run {
  const rec = recording(rootReader(root));
  const k = prover ? kept(prover) : null;
  resetParseStats();
  const options: PlanOptions = { target: 'rule', timezone: 'UTC', horizon, reader: rec.reader, ...(k ? { prover: k.prover } : {}) };
  const p: Plan = buildPlan([{ file: '/var/spool/cron/crontabs/deploy', text, system: false }], options);
  return {
    json: JSON.stringify(p),
    bundles: p.jobs.map((j) => (j as { bundle?: JobBundle }).bundle),
    reads: rec.reads,
    parses: parseStats().parses,
    trees: k ? k.trees() : { made: 0, used: 0, unused: 0, held: 0 },
  };
}

/** Each run against the plan made in this thread alone: same plan, same bundles, same reads, same parses. */
function expectSame(text: string, root: string): Run[] {
  const alone = plan(text, root);
  const runs = [
    plan(text, root, inProcessProver),
    plan(text, root, parallelProver({ min: 1, worker })),
    // the worker parses everything named ahead, this thread none of it
    plan(text, root, parallelProver({ min: 1, worker, join: false })),
  ];
  for (const r of runs) {
    expect(r.json).toBe(alone.json);
    expect(r.bundles).toEqual(alone.bundles);
    expect([...r.reads.keys()].sort()).toEqual([...alone.reads.keys()].sort());
    expect(Math.max(...r.reads.values())).toBe(1);
    // a tree the worker made and nobody took is a parse too
    expect(r.parses + r.trees.unused).toBe(alone.parses);
  }
  return runs;
}

/** COUNT lines, each running a five-line script of its own; with `wrapper`, the first script also runs the last. */
function ownScripts(count: number, wrapper = false): { count: number; files: Record<string, string>; text: string } {
  const files: Record<string, string> = {};
  const lines: string[] = [];
  for (let k = 0; k < count; k++) {
    const extra = wrapper && k === 0 ? `/opt/app/bin/job-${count - 1}.sh\n` : '';
    files[`/opt/app/bin/job-${k}.sh`] = `#!/bin/bash\nset -eu\n${extra}pg_dump shop_${k % 7} | gzip > /tmp/job-${k}.gz\ncurl -fsS -T /tmp/job-${k}.gz https://files.example.com/${k} >> /var/log/app/jobs.log 2>&1\n`;
    lines.push(`${k % 60} ${k % 24} * * * /opt/app/bin/job-${k}.sh --n ${k}`);
  }
  return { count, files, text: lines.join('\n') + '\n' };
}

/** The plan of such a fleet (parsed again from the start: the cache would answer every text of a second run). */
function planFleet(fleet: { files: Record<string, string>; text: string }, prover?: Prover): { json: string; trees: TreeStats | null } {
  const k = prover ? kept(prover) : null;
  resetParseStats();
  const p = buildPlan([{ file: '/var/spool/cron/crontabs/deploy', text: fleet.text, system: false }], { target: 'rule', timezone: 'UTC', horizon, reader: memoryReader(fleet.files), ...(k ? { prover: k.prover } : {}) });
  return { json: JSON.stringify(p), trees: k ? k.trees() : null };
}

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('scripts parsed ahead on the proof worker', () => {
  for (const server of ['app01', 'db02']) {
    it(`give the same plan, bundles, reads and parses on the fixture server ${server}`, () => {
      const root = join(SERVERS, server);
      const scripts = scriptsUnder(root);
      expect(scripts.length).toBeGreaterThan(5);
      // every script run by its path, one twice, and each once more behind a shell construct the hint skips
      const lines = scripts.flatMap((s, i) => [`${i % 60} * * * * ${s} --n ${i} >> /var/log/job.log 2>&1`, `${i % 60} 3 * * * cd /tmp && ${s}`]);
      const text = [...lines, `0 0 * * * ${scripts[0]}`, ''].join('\n');
      const [, shared, waited] = expectSame(text, root);
      // the worker's trees were used, and with this thread not parsing them, all of them
      expect(shared.trees.made).toBeGreaterThanOrEqual(0);
      expect(waited.trees.used).toBeGreaterThan(5);
      expect(waited.trees.unused).toBe(0);
    });
  }

  it('read nothing the analysis would not, and keep a parse error too deep to read as the analysis does', () => {
    const root = mkdtempSync(join(tmpdir(), 'c2l-ahead-'));
    made.push(root);
    const put = (path: string, text: string | Buffer, mode = 0o755) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
      chmodSync(join(root, path), mode);
    };
    put('/opt/app/bin/ok.sh', '#!/bin/bash\nset -eu\necho ok > /tmp/ok\n');
    put('/opt/app/bin/deep.sh', `#!/bin/bash\necho ${'$('.repeat(MAX_CST_DEPTH)}x${')'.repeat(MAX_CST_DEPTH)}\n`);
    put('/opt/app/bin/tool.py', '#!/usr/bin/python3\nprint(1)\n');
    put('/opt/app/bin/elf', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0]));
    put('/root/.aws/credentials', '[default]\naws_secret_access_key = abc\n', 0o600);
    put('/etc/shadow', 'root:x:1::::::\n', 0o600);
    // a FIFO: opening it would block the run for ever
    mkdirSync(join(root, 'opt/app/fifo'), { recursive: true });
    execFileSync('mkfifo', [join(root, 'opt/app/fifo/job.sh')]);
    // links: one out of the copy (resolved inside it, where nothing is), one to a credential file
    symlinkSync('/etc/hostname', join(root, 'opt/app/bin/out.sh'));
    symlinkSync('../../../root/.aws/credentials', join(root, 'opt/app/bin/creds.sh'));
    const commands = [
      '/opt/app/bin/ok.sh',
      '/opt/app/bin/deep.sh',
      '/opt/app/bin/tool.py',
      '/opt/app/bin/elf',
      '/root/.aws/credentials',
      '/etc/shadow',
      '/opt/app/fifo/job.sh',
      '/opt/app/bin/out.sh',
      '/opt/app/bin/creds.sh',
      '/opt/app/bin/../bin/ok.sh',
      '/usr/bin/env true',
      '/opt/app/bin/missing.sh',
    ];
    const text = commands.map((c, i) => `${i} * * * * ${c}`).join('\n') + '\n';
    const [, , waited] = expectSame(text, root);
    const alone = plan(text, root);
    expect(alone.json).toContain('nested more than');
    // ahead, only the two shell scripts were parsed: ok.sh, and deep.sh (posted as its parse error)
    expect(waited.trees.made).toBe(2);
    const rec = recording(rootReader(root));
    const texts = scriptsAhead(commands, rec.reader);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('echo ok');
    // read: the files the analysis bundles; not the FIFO, the credential files, nor what the links lead to
    expect([...rec.reads.keys()].sort()).toEqual(['/opt/app/bin/deep.sh', '/opt/app/bin/elf', '/opt/app/bin/ok.sh', '/opt/app/bin/tool.py']);
  });

  it('are parsed no further ahead of the analysis than the window, in texts and in bytes', () => {
    const fleet = ownScripts(1500);
    const alone = planFleet(fleet);
    for (const ahead of [{ texts: 8, bytes: 1 << 30 }, { texts: 1 << 30, bytes: 2000 }]) {
      // not joining: every tree is the worker's, so it is never held up by this thread's claims
      const r = planFleet(fleet, parallelProver({ min: 1, worker, join: false, ahead }));
      expect(r.json).toBe(alone.json);
      expect(r.trees?.made).toBe(fleet.count);
      // at most the window past the last text asked for, and that one
      const shortest = Math.min(...Object.values(fleet.files).map((t) => t.length));
      const window = Math.min(ahead.texts, Math.floor(ahead.bytes / shortest) + 1);
      expect(r.trees?.held).toBeLessThanOrEqual(window + 1);
    }
  });

  it('hold no more trees than the window when an early script runs a late one', () => {
    // The first job's script runs the last job's (a "run everything" wrapper): the analysis asks for the last text
    // first, then for the others in order. How far it has asked jumps to the end; the trees held must not follow.
    const fleet = ownScripts(1500, true);
    const alone = planFleet(fleet);
    const ahead = { texts: 8, bytes: 1 << 30 };
    for (const join of [true, false]) {
      const r = planFleet(fleet, parallelProver({ min: 1, worker, join, ahead }));
      expect(r.json).toBe(alone.json);
      // joining, the worker may have started too late to parse much; not joining, it parses every text
      if (join) expect(r.trees?.held).toBeLessThanOrEqual(ahead.texts + 1);
      else expect(r.trees?.made).toBe(fleet.count);
    }
  });

  it('read no script of a line whose command the analysis cannot parse, nor of a function named by a path', () => {
    const files = { '/opt/app/bin/job.sh': '#!/bin/bash\nset -eu\necho "$1" > /tmp/out\n', '/opt/app/bin/fn.sh': '#!/bin/bash\necho fn\necho fn\n' };
    // a quote left open, and a function named by the path (defined, not run)
    const text = `0 * * * * /opt/app/bin/job.sh 'unterminated\n0 2 * * * /opt/app/bin/fn.sh() { :; }\n` + Array.from({ length: 3 }, (_, i) => `${i} 1 * * * /usr/bin/true\n`).join('');
    const read = (prover?: Prover) => {
      const rec = recording(memoryReader(files));
      resetParseStats();
      const p = buildPlan([{ file: '/var/spool/cron/crontabs/deploy', text, system: false }], { target: 'rule', timezone: 'UTC', horizon, reader: rec.reader, ...(prover ? { prover } : {}) });
      return { json: JSON.stringify(p), reads: [...rec.reads.keys()].sort() };
    };
    const alone = read();
    const r = read(parallelProver({ min: 1, worker }));
    expect(r.json).toBe(alone.json);
    expect(alone.reads.filter((p) => p.startsWith('/opt'))).toEqual([]);
    expect(r.reads).toEqual(alone.reads);
  });

  it('are parsed and proved here, the same, when the worker ends or is stuck without posting what it claimed', () => {
    const root = join(SERVERS, 'app01');
    const scripts = scriptsUnder(root);
    expect(scripts.length).toBeGreaterThan(10);
    const text = scripts.map((s, i) => `${i % 60} * * * * ${s}`).join('\n') + '\n';
    const alone = plan(text, root);
    // Not joining: this thread parses nothing the worker was given, unless the worker is gone.
    // A worker that ended (its proofs said it failed) is gone at once, however long a stall would be allowed.
    let started = Date.now();
    const ended = plan(text, root, parallelProver({ min: 1, worker: new URL('../support/claiming-worker.mjs', import.meta.url), join: false, stallMs: 60_000 }));
    expect(ended.json).toBe(alone.json);
    expect(ended.bundles).toEqual(alone.bundles);
    expect(Date.now() - started).toBeLessThan(5000);
    // A worker that is stuck is gone once it has made no progress for stallMs: then the trees and the proofs it had
    // taken are made here (not a wait per script, nor the end of the run).
    started = Date.now();
    const stuck = plan(text, root, parallelProver({ min: 1, worker: new URL('../support/stuck-worker.mjs', import.meta.url), join: false, stallMs: 500 }));
    expect(stuck.json).toBe(alone.json);
    expect(stuck.bundles).toEqual(alone.bundles);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('name each script once, in the order of the lines, and only plain absolute program paths', () => {
    const reader = memoryReader({
      '/opt/a.sh': '#!/bin/sh\necho a\n',
      '/opt/b.sh': 'echo b; echo c\n',
      '/opt/c.sh': '#!/bin/bash\necho c\n',
      '/opt/same.sh': '#!/bin/sh\necho a\n',
      '/opt/plain.sh': 'true',
    });
    const texts = scriptsAhead(
      ['/opt/b.sh --x', '/opt/a.sh', '/opt/b.sh', '"/opt/c.sh"', 'A=1 /opt/c.sh', '$HOME/c.sh', 'cd /opt; ./c.sh', '/opt/same.sh', '/opt/plain.sh', '/opt//c.sh', ' /opt/c.sh|cat'],
      reader,
    );
    // same.sh has a.sh's text: parsed once; plain.sh is one plain line (made without the parser)
    expect(texts).toEqual(['echo b; echo c\n', '#!/bin/sh\necho a\n', '#!/bin/bash\necho c\n']);
  });
});
