// Crontab text → entries, as Vixie cron and cronie read it. Pure: takes text, returns data, never throws on input.
// Every non-blank, non-comment, non-variable line becomes exactly one entry, so nothing in a crontab goes unaccounted.
import { MACROS } from './fields.js';
import { parseCronFields, type CronSpec } from '../schedule/model.js';
import type { CronReason, Reason, SourceRef } from '../model/reasons.js';

export interface CrontabVariable {
  name: string;
  value: string;
  line: number;
}

export interface CronEntry {
  source: SourceRef;
  /** `job`: has a schedule; `reboot`: @reboot (no schedule); `error`: cron would reject the line. */
  kind: 'job' | 'reboot' | 'error';
  /** The schedule as written: five fields or a macro. */
  schedule: string;
  macro?: string;
  spec?: CronSpec;
  user?: string;
  /** The command cron hands to the shell: up to the first unescaped %, with \% turned into %. */
  command?: string;
  /** cron's stdin text: after the first unescaped %, each further % a newline, with a trailing newline. */
  stdin?: string | null;
  /** The crontab's variables as of this line (a variable applies only to the lines below it). */
  environment: Record<string, string>;
  /** CRON_TZ in effect for this line, if any. */
  cronTz?: string;
  reasons: Reason[];
  warnings: Reason[];
}

export interface Crontab {
  file: string;
  system: boolean;
  entries: CronEntry[];
  variables: CrontabVariable[];
  /** Lines that are blank or comments: counted so that the plan accounts for every line. */
  ignoredLines: number;
  totalLines: number;
  /** Set when the file is refused (no entries, no variables): its variables times its jobs pass MAX_ENVIRONMENT_COPIES. */
  tooManyVariables?: { variables: number; jobs: number; max: number };
}

export interface ReadOptions {
  file: string;
  /** System crontab (/etc/crontab, /etc/cron.d/*): a user field follows the time fields. */
  system: boolean;
  /**
   * For user crontabs: is this word a user on the server (and not a command cron would find)? A line whose sixth
   * token is one is a system crontab line read the wrong way: cron would run `root /x.sh` and fail.
   */
  isUser?: (word: string) => boolean;
}

/** System crontabs are recognised by path unless the caller says otherwise. */
export function isSystemCrontabPath(path: string): boolean {
  return path === '/etc/crontab' || /(^|\/)etc\/cron\.d\/[^/]+$/.test(path) || /(^|\/)etc\/crontab$/.test(path);
}

const DEBIAN_MAX_COMMAND = 998;

/**
 * Each job carries the crontab's variables as of its line (the plan, its JSON and each function's environment
 * repeat them), so the work grows as variables × jobs: 15,000 of each fit in 1 MiB and made 225 million copies
 * (minutes, gigabytes, then a JSON text too long to make: exit 70). Real crontabs have tens of variables; past this
 * many copies the file is refused, as a file over 1 MiB is.
 */
export const MAX_ENVIRONMENT_COPIES = 1_000_000;

/**
 * cronie's load_env(): `NAME = VALUE`, blanks around `=` optional, a quoted name or value keeps its inner blanks,
 * an unquoted value loses its trailing blanks, nothing after a closing quote. No $VAR expansion.
 * Returns null when the line is not a variable line (it is then read as a job line).
 */
export function parseEnvLine(line: string): { name: string; value: string } | null {
  let i = 0;
  const n = line.length;
  const isBlank = (c: string) => c === ' ' || c === '\t';
  while (i < n && isBlank(line[i])) i++;
  let name = '';
  if (line[i] === '"' || line[i] === "'") {
    const q = line[i++];
    const end = line.indexOf(q, i);
    if (end < 0) return null;
    name = line.slice(i, end);
    i = end + 1;
  } else {
    const start = i;
    while (i < n && line[i] !== '=' && !isBlank(line[i])) i++;
    name = line.slice(start, i);
  }
  if (name === '') return null;
  while (i < n && isBlank(line[i])) i++;
  if (line[i] !== '=') return null;
  i++;
  while (i < n && isBlank(line[i])) i++;
  let value: string;
  if (line[i] === '"' || line[i] === "'") {
    const q = line[i++];
    const end = line.indexOf(q, i);
    if (end < 0) return null;
    value = line.slice(i, end);
    if (line.slice(end + 1).trim() !== '') return null;
  } else {
    value = line.slice(i).replace(/[ \t]+$/, '');
  }
  return { name, value };
}

/** cron's % rule (do_command.c): split a command into the command proper and its stdin. */
export function splitPercent(raw: string): { command: string; stdin: string | null } {
  let command = '';
  let i = 0;
  // As cronie's do_command.c: a backslash escapes the next character whatever it is (so in `\\%` the % is not
  // escaped and ends the command); only an escaped % loses its backslash.
  let escaped = false;
  for (; i < raw.length; i++) {
    const c = raw[i];
    if (escaped) {
      command = c === '%' ? command.slice(0, -1) + '%' : command + c;
      escaped = false;
      continue;
    }
    if (c === '%') break;
    escaped = c === '\\';
    command += c;
  }
  if (i >= raw.length) return { command, stdin: null };
  const rest = raw.slice(i + 1);
  let stdin = '';
  escaped = false;
  for (const c0 of rest) {
    let c = c0;
    if (escaped) {
      if (c !== '%') stdin += '\\';
    } else if (c === '%') {
      c = '\n';
    }
    escaped = c === '\\';
    if (!escaped) stdin += c;
  }
  if (escaped) stdin += '\\';
  if (stdin !== '' && !stdin.endsWith('\n')) stdin += '\n';
  return { command, stdin };
}

const FIELD_NAMES = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'];

export function readCrontab(text: string, options: ReadOptions): Crontab {
  const lines = text.split('\n');
  // A final newline does not start another line.
  const endsWithNewline = lines.length > 0 && lines[lines.length - 1] === '';
  if (endsWithNewline) lines.pop();
  const entries: CronEntry[] = [];
  const variables: CrontabVariable[] = [];
  const env: Record<string, string> = {};
  let ignoredLines = 0;
  let envSize = 0;
  let copies = 0;
  let tooMany = false;
  let variableLines = 0;
  let jobLines = 0;
  // Whether a variable so far holds U+FFFD: only then is each job's environment searched (see notUtf8).
  let badVariable = false;

  lines.forEach((rawLine, index) => {
    const lineNo = index + 1;
    const text = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      ignoredLines++;
      return;
    }
    // A line with a NUL is never a variable (below): read each line as one once.
    const nul = text.includes('\0');
    const envLine = nul ? null : parseEnvLine(text);
    if (tooMany) {
      // Refused: only counted, for the message.
      if (envLine) variableLines++;
      else jobLines++;
      return;
    }
    if (!envLine) {
      copies += envSize;
      if (copies > MAX_ENVIRONMENT_COPIES) {
        tooMany = true;
        variableLines = variables.length;
        jobLines = entries.length + 1;
        return;
      }
    }
    if (nul) {
      // cron reads lines into C strings: a NUL silently cuts the line (or the command) short there. Nothing after
      // it is what cron ran, so nothing of the line is planned; the line is shown up to the NUL, escaped.
      entries.push(rejectedLine(text, lineNo, options, { ...env }, { code: 'nul-byte', args: {}, field: 'command' }));
      return;
    }
    const last = index === lines.length - 1 && !endsWithNewline;
    if (envLine) {
      // cronie's load_env reads a last line without newline as the end of the file: the variable is not set, and
      // it has no lines below it to affect. It is still counted as a variable line.
      if (!last) {
        if (!Object.hasOwn(env, envLine.name)) envSize++;
        if (text.includes('\uFFFD')) badVariable = true;
        env[envLine.name] = envLine.value;
      }
      variables.push({ ...envLine, line: lineNo });
      return;
    }
    const entry = readJobLine(text, lineNo, options, { ...env });
    if (entry.kind !== 'reboot') notUtf8(entry, text, badVariable ? variables : null);
    if (last) {
      // cronie and Vixie cron load_entry(): "a file without a \n before the EOF is rude, so we'll complain" (bad
      // command), and `crontab` refuses to install such a file. The job never ran on the server.
      entry.kind = 'error';
      entry.reasons.push({
        code: 'no-final-newline',
        args: {},
        file: options.file,
        line: lineNo,
        field: 'command',
      });
    }
    entries.push(entry);
  });

  if (tooMany) {
    const tooManyVariables = { variables: variableLines, jobs: jobLines, max: MAX_ENVIRONMENT_COPIES };
    return { file: options.file, system: options.system, entries: [], variables: [], ignoredLines, totalLines: lines.length, tooManyVariables };
  }
  return { file: options.file, system: options.system, entries, variables, ignoredLines, totalLines: lines.length };
}

/**
 * Bytes that are not UTF-8 were decoded as U+FFFD (src/cli/inputs.ts): the function would run EF BF BD where cron
 * ran the original bytes (a Latin-1 "café"), so neither such a line nor a job inheriting such a variable is planned.
 */
function notUtf8(entry: CronEntry, text: string, variables: CrontabVariable[] | null): void {
  const at = { file: entry.source.file, line: entry.source.line };
  if (text.includes('\uFFFD')) {
    entry.kind = 'error';
    entry.reasons.push({ code: 'not-utf8', args: {}, ...at, field: 'command' });
    return;
  }
  if (variables === null) return;
  const name = Object.keys(entry.environment).find((k) => k.includes('\uFFFD') || entry.environment[k].includes('\uFFFD'));
  if (name === undefined) return;
  let setOnLine = 0;
  for (const v of variables) if (v.name === name && v.line < at.line) setOnLine = v.line;
  entry.kind = 'error';
  entry.reasons.push({ code: 'not-utf8', args: { variable: name, setOnLine }, ...at, field: 'environment' });
}

function rejectedLine(text: string, line: number, options: ReadOptions, environment: Record<string, string>, why: CronReason): CronEntry {
  const shown = text.slice(0, text.indexOf('\0'));
  return {
    source: { file: options.file, line, text: shown },
    kind: 'error',
    schedule: '',
    environment,
    reasons: [{ ...why, file: options.file, line }],
    warnings: [],
  };
}

function readJobLine(text: string, line: number, options: ReadOptions, environment: Record<string, string>): CronEntry {
  const source: SourceRef = { file: options.file, line, text };
  // A code and its args as one value, so the pairing is checked (CronReason is a union over the codes).
  const at = (why: CronReason, field?: string): Reason => ({ ...why, file: options.file, line, field });
  const entry: CronEntry = {
    source,
    kind: 'job',
    schedule: '',
    environment,
    cronTz: environment.CRON_TZ,
    reasons: [],
    warnings: [],
  };
  const fail = (why: CronReason, field?: string): CronEntry => {
    entry.kind = 'error';
    entry.reasons.push(at(why, field));
    return entry;
  };

  // cronie: a leading "-" only turns off syslog for the job.
  let rest = text.replace(/^[ \t]+/, '');
  if (rest.startsWith('-')) rest = rest.slice(1);

  let fields: string[] | null = null;
  if (rest.startsWith('@')) {
    // cron reads the macro up to a blank or tab (get_string with " \t\n") and the command is the rest, whatever it
    // holds (a CR, U+2028): `.` and \S would stop at those, and the match would fail.
    const m = /^([^ \t]+)(?:[ \t]+([^]*))?$/.exec(rest)!;
    const macro = m[1];
    entry.schedule = macro;
    entry.macro = macro;
    rest = m[2] ?? '';
    if (macro === '@reboot') {
      entry.kind = 'reboot';
    } else if (MACROS[macro]) {
      fields = MACROS[macro].split(' ');
    } else {
      return fail({ code: 'unknown-macro', args: { macro } }, 'schedule');
    }
  } else {
    const tokens: string[] = [];
    // Fields end at a blank or tab only (cron get_list), not at other white space such as U+FEFF or U+00A0.
    const re = /^([^ \t]+)[ \t]*/;
    for (let k = 0; k < 5; k++) {
      const m = re.exec(rest);
      if (!m) break;
      tokens.push(m[1]);
      rest = rest.slice(m[0].length);
    }
    if (tokens.length < 5) {
      return fail({ code: 'missing-field', args: { found: tokens.length, missing: FIELD_NAMES[tokens.length] } }, FIELD_NAMES[tokens.length]);
    }
    entry.schedule = tokens.join(' ');
    fields = tokens;
  }

  if (fields) {
    const parsed = parseCronFields(fields);
    if (!parsed.ok) {
      entry.kind = 'error';
      for (const e of parsed.errors) entry.reasons.push(at({ code: 'invalid-field', args: { field: e.field, text: e.text, problem: e.problem } }, e.field));
    } else {
      entry.spec = parsed.spec;
    }
  }

  // cronie and Vixie cron 4 load_entry(), "catch a common typo": a command (or user field) starting with * is "bad
  // command", so a six-field line (Quartz, Spring, a doubled star) never ran; read as five fields it would run a glob.
  if (rest.startsWith('*')) return fail({ code: 'missing-command', args: { kind: 'star' } }, 'command');

  if (options.system) {
    const m = /^([^ \t]+)(?:[ \t]+([^]*))?$/.exec(rest);
    if (!m) {
      return fail({ code: 'missing-user', args: {} }, 'user');
    }
    entry.user = m[1];
    rest = m[2] ?? '';
  }

  if (!options.system && options.isUser && entry.kind !== 'error') {
    const m = /^(\S+)[ \t]+\S/.exec(rest);
    if (m && options.isUser(m[1])) {
      return fail({ code: 'looks-like-system-crontab', args: { kind: 'line', user: m[1] } }, 'user');
    }
  }

  const rawCommand = rest.replace(/[ \t]+$/, '');
  if (rawCommand === '') return fail({ code: 'missing-command', args: { kind: 'none' } }, 'command');
  const { command, stdin } = splitPercent(rawCommand);
  entry.command = command;
  entry.stdin = stdin;
  if (command.trim() === '') return fail({ code: 'missing-command', args: { kind: 'empty' } }, 'command');
  if (rawCommand.length > DEBIAN_MAX_COMMAND) {
    entry.warnings.push(at({ code: 'long-command', args: { length: rawCommand.length, max: DEBIAN_MAX_COMMAND } }, 'command'));
  }
  return entry;
}
