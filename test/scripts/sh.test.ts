// The shell front end on its own: the typed tree the analysis relies on, byte offsets, errors, and parse-once.
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  evalWord,
  literalWord,
  parseShell,
  parseStats,
  resetParseStats,
  sourceOf,
  walk,
  type CallExpr,
  type Node,
  type Stmt,
} from '../../src/scripts/sh/index.js';

const calls = (text: string | Uint8Array): string[][] => {
  const p = parseShell(text);
  const out: string[][] = [];
  walk(p.file!, (n) => {
    if (n.type === 'CallExpr' && n.args.length) out.push(n.args.map((w) => literalWord(w) ?? `<${sourceOf(p, w)}>`));
    return true;
  });
  return out;
};
const first = (text: string): Stmt => parseShell(text).file!.stmts[0];

describe('parser pinned to exact versions', () => {
  test('package.json pins web-tree-sitter and tree-sitter-bash exactly (no ranges) and never runs the native build', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(pkg.dependencies['web-tree-sitter']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies['tree-sitter-bash']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.allowScripts['tree-sitter-bash']).toBe(false);
    expect(pkg.dependencies['mvdan-sh']).toBeUndefined();
  });
});

describe('typed tree', () => {
  test('simple commands, assignments, redirections with descriptors', () => {
    const st = first('A=1 B="x y" /opt/run.sh --flag "$HOME/x" 2>&1 >>/var/log/r.log');
    const call = st.cmd as CallExpr;
    expect(call.type).toBe('CallExpr');
    expect(call.assigns.map((a) => [a.name, literalWord(a.value)])).toEqual([['A', '1'], ['B', 'x y']]);
    expect(call.args.map((w) => literalWord(w))).toEqual(['/opt/run.sh', '--flag', null]);
    expect(st.redirs.map((r) => [r.op, r.n, literalWord(r.word)])).toEqual([['>&', '2', '1'], ['>>', null, '/var/log/r.log']]);
  });

  test('pipelines and lists keep bash order; `!` and `&` are on the statement', () => {
    const p = parseShell('! a | b && c || d &\ne');
    const st = p.file!.stmts[0];
    expect(st.background).toBe(true);
    expect(p.file!.stmts[1].background).toBe(false);
    expect(calls('! a | b && c || d &\ne')).toEqual([['a'], ['b'], ['c'], ['d'], ['e']]);
    const ops: string[] = [];
    walk(st, (n) => (n.type === 'BinaryCmd' && ops.push(n.op), true));
    expect(ops).toEqual(['||', '&&', '|']);
  });

  test('compound commands: if/elif/else chain, loops, case, functions, subshells, blocks', () => {
    const src = 'if a; then b; elif c; then d; else e; fi\nwhile true; do f; done\nuntil false; do g; done\nfor x in 1 2; do h "$x"; done\nfor ((;;)); do i; done\ncase $v in a|b) j;; *) k;; esac\nfn() { l; }\nfunction fm { m; } 2>/dev/null\n( n ) ; { o; }';
    const p = parseShell(src);
    const kinds = p.file!.stmts.map((s) => s.cmd?.type);
    expect(kinds).toEqual(['IfClause', 'WhileClause', 'WhileClause', 'ForClause', 'ForClause', 'CaseClause', 'FuncDecl', 'FuncDecl', 'Subshell', 'Block']);
    const ifc = p.file!.stmts[0].cmd!;
    if (ifc.type !== 'IfClause') throw new Error('not if');
    expect([ifc.cond.length, ifc.then.length, ifc.else?.cond.length, ifc.else?.else?.cond.length, ifc.else?.else?.then.length]).toEqual([1, 1, 1, 0, 1]);
    const until = p.file!.stmts[2].cmd!;
    expect(until.type === 'WhileClause' && until.until).toBe(true);
    const cstyle = p.file!.stmts[4].cmd!;
    expect(cstyle.type === 'ForClause' && cstyle.loop.type === 'CStyleLoop' && cstyle.loop.hasCond).toBe(false);
    const fm = p.file!.stmts[7].cmd!;
    expect(fm.type === 'FuncDecl' && [fm.name, fm.body.redirs.map((r) => literalWord(r.word))]).toEqual(['fm', ['/dev/null']]);
    expect(calls(src).map((c) => c[0])).toEqual(['a', 'b', 'c', 'd', 'e', 'true', 'f', 'false', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o']);
  });

  test('declarations: options and bare names are naked assignments', () => {
    const d = first('declare -rx X=1 Y').cmd!;
    if (d.type !== 'DeclClause') throw new Error(d.type);
    expect(d.variant).toBe('declare');
    expect(d.args.map((a) => [a.naked, a.name, literalWord(a.value)])).toEqual([[true, null, '-rx'], [false, 'X', '1'], [true, 'Y', null]]);
    const e = first('export PATH=/opt/bin:$PATH').cmd!;
    expect(e.type === 'DeclClause' && e.variant).toBe('export');
  });

  test('`[ ... ]` is a command whose argv starts with `[`; `time` wraps the command after it', () => {
    expect(calls('[ -f /etc/x ] && [ "$a" = b ]')).toEqual([['[', '-f', '/etc/x', ']'], ['[', '<"$a">', '=', 'b', ']']]);
    const t = first('time -p /opt/job.sh x').cmd!;
    expect(t.type).toBe('TimeClause');
    expect(calls('time -p /opt/job.sh x')).toEqual([['/opt/job.sh', 'x']]);
  });

  test('a heredoc with a pipe after its delimiter: the pipe runs from the heredoc command', () => {
    const p = parseShell('cat <<EOF | grep x > out\nhello $P\nEOF\nnext');
    const st = p.file!.stmts[0];
    expect(st.cmd?.type).toBe('BinaryCmd');
    if (st.cmd?.type !== 'BinaryCmd') return;
    expect(st.cmd.op).toBe('|');
    const cat = st.cmd.x;
    expect(cat.redirs.map((r) => [r.op, literalWord(r.word), r.hdoc && sourceOf(p, r.hdoc), r.hdocQuoted])).toEqual([['<<', 'EOF', 'hello $P\n', false]]);
    expect(st.cmd.y.redirs.map((r) => literalWord(r.word))).toEqual(['out']);
    expect(calls('cat <<EOF | grep x > out\nhello $P\nEOF\nnext')).toEqual([['cat'], ['grep', 'x'], ['next']]);
    const q = parseShell("cat <<-'E'\n\tbody $x\n\tE\n").file!.stmts[0];
    expect(q.redirs.map((r) => [r.op, r.hdocQuoted])).toEqual([['<<-', true]]);
  });

  test('words: quotes, escapes, parameter expansions, substitutions', () => {
    const scope = { vars: new Map([['D', { text: '/opt/d', scriptRelative: false }]]), dollar0: '/opt/app/bin/x.sh', bashSource: '/opt/app/bin/x.sh', cwd: '/home/u' };
    const w = (s: string) => (first(`echo ${s}`).cmd as CallExpr).args[1];
    expect(evalWord(w(`"$(dirname "$0")/../lib.sh"`), scope)).toEqual({ text: '/opt/app/bin/../lib.sh', scriptRelative: true });
    expect(evalWord(w('${BASH_SOURCE%/*}/l.sh'), scope)?.text).toBe('/opt/app/bin/l.sh');
    expect(evalWord(w('${NOPE:-/x}/y'), scope)?.text).toBe('/x/y');
    expect(evalWord(w('$D/a\\ b'), scope)?.text).toBe('/opt/d/a b');
    expect(evalWord(w(`'s q'"d q"$'a\\tb'`), scope)?.text).toBe('s qd qa\tb');
    expect(evalWord(w('$(cd /srv && pwd)/x'), scope)?.text).toBe('/srv/x');
    expect(evalWord(w('~/x'), { ...scope, vars: new Map([['HOME', { text: '/home/u', scriptRelative: false }]]) })?.text).toBe('/home/u/x');
    expect(evalWord(w('${#D}'), scope)).toBeNull();
    expect(evalWord(w('$RANDOM'), scope)).toBeNull();
  });
});

describe('offsets, lines and errors', () => {
  test('offsets are UTF-8 byte offsets and lines are 1-based, also after multi-byte text', () => {
    const src = '# café ☕\necho "é" /opt/x.sh\n';
    const p = parseShell(src);
    const call = p.file!.stmts[0].cmd as CallExpr;
    const bytes = new TextEncoder().encode(src);
    expect(call.line).toBe(2);
    expect(new TextDecoder().decode(bytes.subarray(call.args[2].pos, call.args[2].end))).toBe('/opt/x.sh');
  });

  test('bytes that are not UTF-8 are read as Latin-1 and map back to the input', () => {
    const input = new Uint8Array([...new TextEncoder().encode('echo '), 0xe9, 0x20, ...new TextEncoder().encode('/opt/y.sh\n')]);
    const p = parseShell(input);
    expect(p.exact).toBe(false);
    const w = (p.file!.stmts[0].cmd as CallExpr).args[2];
    expect(p.toOriginal!(w.pos)).toBe(7);
    expect(p.toOriginal!(w.end)).toBe(16);
  });

  test('text that is not bash gives no tree and the line of the error', () => {
    // an unclosed `(` is found where the text ends, as bash reports it ("line 4: unexpected end of file")
    for (const [src, line] of [['echo ok\nif then fi\n', 2], ['echo "unterminated\n', 1], ['a\nb\n(c\n', 4]] as const) {
      const p = parseShell(src);
      expect(p.file, src).toBeNull();
      expect(p.error?.line, src).toBe(line);
    }
    expect(parseShell('echo a\u0000b').error?.message).toMatch(/NUL/);
  });

  test('each distinct text is parsed once, however often it is asked for', () => {
    resetParseStats();
    const lib = '#!/bin/bash\nlog() { echo "$@"; }\n';
    for (let i = 0; i < 200; i++) parseShell(lib);
    parseShell(new TextEncoder().encode(lib));
    expect(parseStats()).toEqual({ parses: 2, requests: 201 });
  });

  test('every node lies within its parent and the parsed bytes', () => {
    const src = readFileSync(join(import.meta.dirname, '../../fixtures/servers/app01/opt/app/bin/backup.sh'));
    const p = parseShell(src);
    const check = (n: Node, lo: number, hi: number): void => {
      expect(n.pos).toBeGreaterThanOrEqual(lo);
      expect(n.end).toBeLessThanOrEqual(hi);
      walk(n, (c) => (c !== n && check(c, n.pos, n.end), false));
    };
    check(p.file!, 0, p.bytes.length);
  });
});

describe('agrees with bash -n', () => {
  // bash itself is the oracle: a snippet bash accepts must give a tree, one it rejects must not. Two known
  // disagreements are pinned so that a parser upgrade that fixes (or widens) them is noticed.
  const snippets = [
    'x=$(< /etc/hostname)', 'echo ${v/a/b} ${v//a/b} ${v:1:2} ${v^^} ${#arr[@]} ${arr[@]} ${!arr[@]}',
    'case $x in a) echo a;& b) echo b;;& *) :;; esac', '[[ $x =~ ^[0-9]+$ ]] && echo n', 'function f() { :; }',
    'exec > >(tee -a /tmp/log) 2>&1', '{ a; b; } 2>&1 | logger -t x', 'while read -r l; do echo "$l"; done < <(ls)',
    'a |& b', 'echo a \\\n  b \\\n  c', '# it\'s a comment "with quotes"\necho ok', 'if ! grep -q x f; then exit 1; fi',
    'coproc NAME { sleep 1; }', 'let x++; (( x > 1 )) && echo y', 'declare -A m=([k]=v [k2]="v 2")', 'local -r X=1',
    'export -f f', "trap 'rm -f \"$T\"' EXIT", 'source <(echo x=1)', '. ./lib.sh', 'cd "$(dirname "${BASH_SOURCE[0]}")"',
    'for ((i=0; i<3; i++)); do echo $i; done', 'arr+=("x y"); echo "${arr[-1]}"', 'printf -v out "%s" "$x"',
    'cat <<EOF1; cat <<EOF2\na\nEOF1\nb\nEOF2', 'x=`echo \\`date\\``', 'echo $(( 1 + $(echo 2) ))', 'ls *.{txt,log} ?(a|b) 2>/dev/null',
    'mysql -u root -p"$PW" <<< "select 1"', 'f() ( cd /tmp; ls )', 'until false; do break; done', 'echo "a" "b"c\'d\'$\'e\\n\'',
    'select o in a b; do break; done', 'time { sleep 1; }', 'echo ${x:-${y:-z}}', 'echo "${x#*/}" "${x%%.*}"',
    '[ -f x ] || { echo no; exit 1; }', 'echo > /dev/null 2>&1 &', 'nohup ./run.sh >/dev/null 2>&1 &\ndisown',
    'if [[ -n "$A" && ( -z "$B" || $C == d* ) ]]; then :; fi', 'echo $"translated"', 'exec 9>/var/lock/x; flock -n 9 || exit 1',
    'x=(a b); for i in "${x[@]}"; do :; done', 'case "$1" in\n  start|stop) "$1";;\n  *) echo usage;;\nesac',
    // invalid
    'if then fi', 'echo "unterminated', 'for in; do', 'case x in', '(echo a', 'echo $(', 'a && && b', 'fi',
  ];
  const KNOWN = new Map([
    ['cat <<EOF1; cat <<EOF2\na\nEOF1\nb\nEOF2', 'two heredocs on one line are not read (a parse-error warning)'],
    ['fi', 'a stray keyword is read as a command named fi (then judged as a missing program)'],
  ]);
  test.each(snippets)('%s', (s) => {
    const bash = spawnSync('bash', ['-n'], { input: `${s}\n` }).status === 0;
    const ours = parseShell(`${s}\n`).file !== null;
    if (KNOWN.has(s)) expect(ours).toBe(!bash);
    else expect(ours).toBe(bash);
  });
});
