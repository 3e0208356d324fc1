// The shell texts a plan will parse, known before its analysis starts: the scripts that crontab commands name by a
// plain absolute path (`/opt/app/bin/job.sh --flag 7 >> log`, the shape of most lines). The plan hands them to its
// prover, which may parse them on another thread while this one analyses (issue 11: the parser is a third of the
// analysis). Only a hint: a text the analysis then parses is taken from there, any other is parsed as before.
//
// A file is read here only where the analysis itself would read it: an existing file, not a system program, read
// by policy.ts readForBundle (the analysis's own checks and read) through the plan's reader, which keeps it for the
// analysis. No file is read twice, and none is read that the analysis would not read.
import { posix } from 'node:path';
import { isSystemPath } from './al2023.js';
import { isShellScript } from './bundle/programs.js';
import { MAX_SCRIPT_BYTES, readForBundle } from './policy.js';
import type { FileReader } from './reader.js';
import { parserText, parseShell } from './sh/index.js';

/** A program word of plain characters only: no quoting, expansion or globbing can change what it names. */
const PLAIN_PATH = /^\/[A-Za-z0-9_./+,@%-]+$/;
/** The first word of a command, up to a blank or an operator, unless it names a function being defined (`/x() {`). */
const FIRST_WORD = /^[ \t]*([^ \t\n;|&<>()]+)(?![ \t]*\()/;

/** Distinct texts of the shell scripts these commands run first, in the order of the commands. */
export function scriptsAhead(commands: Iterable<string>, reader: FileReader): string[] {
  const paths = new Set<string>();
  const texts = new Set<string>();
  for (const command of commands) {
    const path = FIRST_WORD.exec(command)?.[1];
    if (path === undefined || !PLAIN_PATH.test(path) || posix.normalize(path) !== path || paths.has(path)) continue;
    // the analysis follows nothing in a command it cannot parse (the parse is the one it makes: remembered)
    if (command.includes('\u0000') || parseShell(command).file === null) continue;
    paths.add(path);
    if (isSystemPath(path)) continue;
    // a missing file or a directory: the analysis reports it without reading it
    const st = reader.stat(path);
    if (st === null || st.kind !== 'file') continue;
    // the analysis's own checks and read (bundle/files.ts register): a file it refuses is not read here either
    const read = readForBundle(reader, path);
    if ('refusal' in read || read.content.length > MAX_SCRIPT_BYTES || !isShellScript(read.content, path)) continue;
    const text = parserText(read.content);
    if (text !== null) texts.add(text);
  }
  return [...texts];
}
