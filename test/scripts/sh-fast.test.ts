// The shell front end's shortcuts read what tree-sitter reads: the cursor walk through the binding's functions
// gives the tree the TreeCursor class gives, a tree sent between threads as numbers is the same tree, and a plain command line's tree made without the parser (simple.ts) is
// tree-sitter's own, on fixture texts and on generated lines.
import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { simpleCst } from '../../src/scripts/sh/simple.js';
import { FLAT_TREES, inflateCst, MAX_CST_DEPTH, parseCst, parseFlat, parseWith, TooDeepError, type CstNode } from '../../src/scripts/sh/treesitter.js';
import { mulberry32 } from '../support/random.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every fixture file, each crontab's lines without their schedules, and broken texts (trees with errors). */
function fixtureTexts(): string[] {
  const texts = filesUnder(FIXTURES).map((p) => readFileSync(p, 'latin1'));
  const commands = texts.flatMap((t) => t.split('\n').map((l) => l.replace(/^\s*(@\w+|\S+\s+\S+\s+\S+\s+\S+\s+\S+)\s+/, '')));
  const broken = texts.flatMap((t) => [t.slice(0, t.length >> 1), `${t}\nif then fi ((`]);
  return [...texts, ...commands, ...broken, 'a "b', 'x $(( 1 +', 'é ü "ß" $x ${y:-ä}', '😀 echo hi'];
}


/** Command lines of plain words and redirections, with the pieces where tree-sitter-bash reads words its own way. */
function generatedLines(count: number, seed: number): string[] {
  const r = mulberry32(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const pieces = [...'Aaz09_./:,+@%=-', 'x', 'job', '/opt', '1', '-', '--', '.', 'a=b', 'if', 'time', 'export', 'in', 'do', 'done', 'fi', 'esac', 'then', 'case', 'function', 'local', 'declare', 'unset', 'coproc', '.x', '0x9'];
  const word = (): string => Array.from({ length: 1 + Math.floor(r() * 6) }, () => pick(pieces)).join('');
  const redirect = (): string => {
    const op = pick(['>', '>>', '<', '2>', '2>>', '1>', '0<', '2>&1', '1>&2', '>&2', '&>', '>|', '<>', '3>&-', '>&', '2>&', '>>&']);
    return /&[0-9-]$/.test(op) ? op : `${op}${r() < 0.5 ? ' ' : ''}${r() < 0.9 ? word() : ''}`;
  };
  return Array.from({ length: count }, () => {
    const parts = [pick([word(), word(), 'if', 'time', 'export', 'A=1', '.', ':', '-x', '-', '1', '12', 'x%y', '!', '{', '[', 'declare', 'echo', '/opt/app/bin/job.sh'])];
    for (let n = Math.floor(r() * 5); n > 0; n--) parts.push(r() < 0.7 ? word() : redirect());
    for (let n = Math.floor(r() * 3); n > 0; n--) parts.push(redirect());
    const line = parts.join(pick([' ', ' ', '  ', '\t']));
    return r() < 0.05 ? ` ${line}` : r() < 0.05 ? `${line} ` : line;
  });
}

/** convert.ts reads a number as it reads a word (a literal); tree-sitter tells some (`0x9`) apart by context. */
const asWords = (n: CstNode): unknown => ({ ...n, type: n.type === 'number' ? 'word' : n.type, kids: n.kids.map(asWords) });

describe('the cursor walk through the binding', () => {
  test('gives the tree the TreeCursor class gives, errors and MISSING tokens included', () => {
    const texts = fixtureTexts();
    expect(texts.length).toBeGreaterThan(200);
    for (const t of texts) expect(parseWith(t, true)).toEqual(parseWith(t, false));
  });
});

describe('a tree as numbers (for another thread)', () => {
  test('is read back as the tree parseCst gives, errors and MISSING tokens included', () => {
    expect(FLAT_TREES).toBe(true);
    const texts = fixtureTexts();
    for (const t of texts) expect(inflateCst(parseFlat(t))).toEqual(parseCst(t));
  });

  test('is refused past the depth parseCst refuses, with the same error', () => {
    const deep = `${'('.repeat(MAX_CST_DEPTH)}x${')'.repeat(MAX_CST_DEPTH)}`;
    expect(() => parseCst(deep)).toThrow(TooDeepError);
    expect(() => parseFlat(deep)).toThrow(TooDeepError);
    const shallow = `${'('.repeat(20)}x${')'.repeat(20)}`;
    expect(inflateCst(parseFlat(shallow))).toEqual(parseCst(shallow));
  });
});

describe('plain command lines without the parser', () => {
  test('a crontab job line of plain words and redirections is one', () => {
    const line = '/opt/app/bin/job-0-0.sh --flag 174 >> /var/log/job.log 2>&1';
    expect(simpleCst(line)).toEqual(parseCst(line));
    expect(simpleCst('/usr/local/bin/backup.sh --level=3 2>/dev/null >/tmp/out.log')).not.toBeNull();
  });

  test('quotes, expansions, operators, keywords, assignments and odd spacing are left to tree-sitter', () => {
    for (const line of ['echo "$HOME"', 'a | b', 'a && b', 'a; b', 'if true', 'A=1 cmd', 'export X', '>f cmd', 'cmd > ', 'cmd 2>&-', ' cmd', 'cmd\n', 'cmd *.log', 'cmd ~/x', 'cmd # note', 'x%y', '-x', '12 0<f', 'a == b', 'a - >&2', 'time cmd'])
      expect(simpleCst(line), line).toBeNull();
  });

  test('on generated lines, every tree it makes is tree-sitter’s', () => {
    let made = 0;
    for (const line of [...generatedLines(20_000, 11), ...fixtureTexts()]) {
      const fast = simpleCst(line);
      if (fast === null) continue;
      made++;
      expect(asWords(fast), JSON.stringify(line)).toEqual(asWords(parseCst(line)));
    }
    expect(made).toBeGreaterThan(1000);
  });
});
