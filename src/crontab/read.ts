// Crontab text → entries, as Vixie cron and cronie read it. Pure: takes text, returns data, never throws on input.
// Every non-blank, non-comment, non-variable line becomes exactly one entry, so nothing in a crontab goes unaccounted.
import { MACROS } from './fields.js';
import { parseCronFields, type CronSpec } from '../schedule/model.js';
import type { Reason, SourceRef } from '../model/reasons.js';

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
}

export interface ReadOptions {
  file: string;
  /** System crontab (/etc/crontab, /etc/cron.d/*): a user field follows the time fields. */
  system: boolean;
}

/** System crontabs are recognised by path unless the caller says otherwise. */
export function isSystemCrontabPath(path: string): boolean {
  return path === '/etc/crontab' || /(^|\/)etc\/cron\.d\/[^/]+$/.test(path) || /(^|\/)etc\/crontab$/.test(path);
}

const DEBIAN_MAX_COMMAND = 998;

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
  for (; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && raw[i + 1] === '%') {
      command += '%';
      i++;
      continue;
    }
    if (c === '%') break;
    command += c;
  }
  if (i >= raw.length) return { command, stdin: null };
  const rest = raw.slice(i + 1);
  let stdin = '';
  let escaped = false;
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
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const entries: CronEntry[] = [];
  const variables: CrontabVariable[] = [];
  const env: Record<string, string> = {};
  let ignoredLines = 0;

  lines.forEach((rawLine, index) => {
    const lineNo = index + 1;
    const text = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      ignoredLines++;
      return;
    }
    const envLine = parseEnvLine(text);
    if (envLine) {
      env[envLine.name] = envLine.value;
      variables.push({ ...envLine, line: lineNo });
      return;
    }
    entries.push(readJobLine(text, lineNo, options, { ...env }));
  });

  return { file: options.file, system: options.system, entries, variables, ignoredLines, totalLines: lines.length };
}

function readJobLine(text: string, line: number, options: ReadOptions, environment: Record<string, string>): CronEntry {
  const source: SourceRef = { file: options.file, line, text };
  const at = (code: string, message: string, field?: string): Reason => ({ code, message, file: options.file, line, field });
  const entry: CronEntry = {
    source,
    kind: 'job',
    schedule: '',
    environment,
    cronTz: environment.CRON_TZ,
    reasons: [],
    warnings: [],
  };
  const fail = (code: string, message: string, field?: string): CronEntry => {
    entry.kind = 'error';
    entry.reasons.push(at(code, message, field));
    return entry;
  };

  // cronie: a leading "-" only turns off syslog for the job.
  let rest = text.replace(/^[ \t]+/, '');
  if (rest.startsWith('-')) rest = rest.slice(1);

  let fields: string[] | null = null;
  if (rest.startsWith('@')) {
    const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(rest)!;
    const macro = m[1];
    entry.schedule = macro;
    entry.macro = macro;
    rest = m[2] ?? '';
    if (macro === '@reboot') {
      entry.kind = 'reboot';
    } else if (MACROS[macro]) {
      fields = MACROS[macro].split(' ');
    } else {
      return fail('unknown-macro', `unknown schedule "${macro}" (cron knows @reboot @yearly @annually @monthly @weekly @daily @midnight @hourly)`, 'schedule');
    }
  } else {
    const tokens: string[] = [];
    const re = /^(\S+)[ \t]*/;
    for (let k = 0; k < 5; k++) {
      const m = re.exec(rest);
      if (!m) break;
      tokens.push(m[1]);
      rest = rest.slice(m[0].length);
    }
    if (tokens.length < 5) {
      return fail('missing-field', `only ${tokens.length} of the 5 time fields; missing ${FIELD_NAMES[tokens.length]}`, FIELD_NAMES[tokens.length]);
    }
    entry.schedule = tokens.join(' ');
    fields = tokens;
  }

  if (fields) {
    const parsed = parseCronFields(fields);
    if (!parsed.ok) {
      entry.kind = 'error';
      for (const e of parsed.errors) entry.reasons.push(at('invalid-field', `${e.field} "${e.text}": ${e.message}`, e.field));
    } else {
      entry.spec = parsed.spec;
      for (const r of parsed.spec.reversedRanges) {
        entry.warnings.push(at('reversed-range', `range "${r}" is written backwards: cron accepts it and it matches nothing (cronie after 1.7.2 reads a day-of-week "x-0" as "x-7")`));
      }
    }
  }

  if (options.system) {
    const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(rest);
    if (!m) {
      return fail('missing-user', 'system crontab line has no user field', 'user');
    }
    entry.user = m[1];
    rest = m[2] ?? '';
  }

  const rawCommand = rest.replace(/[ \t]+$/, '');
  if (rawCommand === '') return fail('missing-command', 'no command after the schedule', 'command');
  const { command, stdin } = splitPercent(rawCommand);
  entry.command = command;
  entry.stdin = stdin;
  if (command.trim() === '') return fail('missing-command', 'the command is empty (the line starts with %)', 'command');
  if (rawCommand.length > DEBIAN_MAX_COMMAND) {
    entry.warnings.push(at('long-command', `the command is ${rawCommand.length} characters: Debian's cron rejects commands over ${DEBIAN_MAX_COMMAND}`, 'command'));
  }
  return entry;
}
