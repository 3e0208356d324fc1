import { describe, expect, it } from 'vitest';
import { fieldProblemText, reasonMessage } from '../../src/render/messages.js';
import { parseEnvLine, readCrontab, splitPercent } from '../../src/crontab/read.js';
import { parseField, FIELDS } from '../../src/crontab/fields.js';
import { dayRule, matchesDay, parseCronFields } from '../../src/schedule/model.js';

const user = (text: string) => readCrontab(text, { file: 'tab', system: false });
const field = (name: string, text: string) => parseField(text, FIELDS.find((f) => f.name === name)!);
const values = (name: string, text: string) => {
  const r = field(name, text);
  if (!r.ok) throw new Error(fieldProblemText(r.error.problem));
  return r.field.values;
};
const errorOf = (name: string, text: string) => {
  const r = field(name, text);
  return r.ok ? null : fieldProblemText(r.error.problem);
};

describe('fields', () => {
  it('reads lists, ranges, steps over ranges and stars, mixed', () => {
    expect(values('minute', '1,2-5,*/20')).toEqual([0, 1, 2, 3, 4, 5, 20, 40]);
    expect(values('hour', '8-18/5')).toEqual([8, 13, 18]);
    expect(values('day-of-month', '*/10')).toEqual([1, 11, 21, 31]);
  });

  it('reads three-letter names in any case, also in ranges', () => {
    expect(values('month', 'JAN-mar,Dec')).toEqual([1, 2, 3, 12]);
    expect(values('day-of-week', 'mon-FRI')).toEqual([1, 2, 3, 4, 5]);
  });

  it('treats day-of-week 0 and 7 both as Sunday', () => {
    expect(values('day-of-week', '7')).toEqual([0]);
    expect(values('day-of-week', '0,7')).toEqual([0]);
    expect(values('day-of-week', '5-7')).toEqual([0, 5, 6]);
  });

  it('rejects what cron rejects, naming the problem', () => {
    expect(errorOf('minute', '60')).toMatch(/out of range/);
    expect(errorOf('minute', '5/10')).toMatch(/step without a range/);
    expect(errorOf('minute', '*/0')).toMatch(/step 0/);
    expect(errorOf('day-of-week', 'Monday')).toMatch(/unknown name/);
    expect(errorOf('minute', 'jan')).toMatch(/names are allowed only/);
    expect(errorOf('day-of-month', 'L')).toMatch(/not cron syntax/);
    expect(errorOf('day-of-month', '15W')).toMatch(/not cron syntax/);
    expect(errorOf('day-of-week', '1#2')).toMatch(/not cron syntax/);
    expect(errorOf('day-of-month', '?')).toMatch(/not cron syntax/);
    expect(errorOf('hour', '1x')).toMatch(/junk after the number/);
    expect(errorOf('hour', '1,,2')).toMatch(/empty list element/);
  });

  // Changed on purpose (issue 7): a descending range used to be accepted as "matches nothing". Vixie and Debian
  // cron and cronie up to 1.5.7 reject it; no released cron ever ran such a line.
  it('rejects a descending range, as Vixie cron get_range does', () => {
    expect(errorOf('minute', '59-0')).toMatch(/range "59-0" is descending/);
    expect(errorOf('day-of-month', '5-1')).toMatch(/range "5-1" is descending/);
    expect(errorOf('hour', '1,23-2/2')).toMatch(/range "23-2" is descending/);
    expect(errorOf('day-of-week', 'fri-mon')).toMatch(/descending/);
    // cronie master after 1.7.2 reads day-of-week N-0 as N-7: say so, but do not guess for the user.
    expect(errorOf('day-of-week', '5-0')).toMatch(/write "5-7" if you mean through Sunday/);
    expect(values('day-of-week', '5-7')).toEqual([0, 5, 6]);
  });

  it('rejects numbers longer than cron reads or too large for its int, in values and steps', () => {
    expect(errorOf('minute', '0'.repeat(99) + '5')).toMatch(/100 digits is longer than cron reads/);
    expect(values('minute', '0'.repeat(98) + '5')).toEqual([5]);
    expect(errorOf('minute', '4294967301')).toMatch(/too large for cron/);
    expect(errorOf('minute', '*/4294967297')).toMatch(/too large for cron/);
    expect(errorOf('minute', '*/' + '9'.repeat(30))).toMatch(/too large for cron/);
  });
});

describe('day rule', () => {
  const spec = (t: string) => {
    const r = parseCronFields(t.split(' '));
    if (!r.ok) throw new Error('bad');
    return r.spec;
  };

  it('runs on days matching either field when both are restricted', () => {
    const s = spec('0 0 1,15 * 1');
    expect(dayRule(s).kind).toBe('or');
    expect(matchesDay(s, 3, 1, 3)).toBe(true); // the 1st, a Wednesday
    expect(matchesDay(s, 3, 8, 1)).toBe(true); // a Monday
    expect(matchesDay(s, 3, 9, 2)).toBe(false);
  });

  it('runs a job whose day-of-month field is */2 only on odd days that are also Mondays', () => {
    const s = spec('0 0 */2 * 1');
    expect(dayRule(s).kind).toBe('and');
    expect(matchesDay(s, 3, 3, 1)).toBe(true);
    expect(matchesDay(s, 3, 10, 1)).toBe(false);
    expect(matchesDay(s, 3, 5, 3)).toBe(false);
  });

  it('reduces a star day-of-month to a day-of-week rule', () => {
    expect(dayRule(spec('0 9 * * 1-5'))).toEqual({ kind: 'dow', dows: [1, 2, 3, 4, 5] });
    expect(dayRule(spec('0 9 1-31 * 1')).kind).toBe('all');
  });

  it('marks jobs whose minute or hour starts with * as wildcard for DST', () => {
    expect(spec('*/5 3 * * *').wildcard).toBe(true);
    expect(spec('0 * * * *').wildcard).toBe(true);
    expect(spec('30 2 * * *').wildcard).toBe(false);
  });
});

describe('environment lines', () => {
  it('follows cron quoting: blanks around =, quotes keep inner blanks, unquoted loses trailing blanks', () => {
    expect(parseEnvLine('FOO = bar ')).toEqual({ name: 'FOO', value: 'bar' });
    expect(parseEnvLine("Q='  two  '")).toEqual({ name: 'Q', value: '  two  ' });
    expect(parseEnvLine('E=')).toEqual({ name: 'E', value: '' });
    expect(parseEnvLine('P=$PATH:/x')).toEqual({ name: 'P', value: '$PATH:/x' });
    expect(parseEnvLine('"N" = "v"')).toEqual({ name: 'N', value: 'v' });
    expect(parseEnvLine('Q="a" junk')).toBeNull();
    expect(parseEnvLine('0 * * * * FOO=1 cmd')).toBeNull();
  });

  it('applies a variable only to the lines below it, CRON_TZ included', () => {
    const t = user('0 1 * * * a\nFOO=1\nCRON_TZ=Asia/Tokyo\n0 2 * * * b\nFOO=2\n0 3 * * * c\n');
    expect(t.entries.map((e) => e.environment.FOO)).toEqual([undefined, '1', '2']);
    expect(t.entries.map((e) => e.cronTz)).toEqual([undefined, 'Asia/Tokyo', 'Asia/Tokyo']);
    expect(t.variables.map((v) => v.line)).toEqual([2, 3, 5]);
  });
});

describe('% in commands', () => {
  it('ends the command at the first unescaped %, feeds the rest as stdin with % as newlines', () => {
    expect(splitPercent('mail -s hi root%line one%line two')).toEqual({ command: 'mail -s hi root', stdin: 'line one\nline two\n' });
  });
  it('turns \\% into a literal %, in the command and in stdin', () => {
    expect(splitPercent('date +\\%Y-\\%m')).toEqual({ command: 'date +%Y-%m', stdin: null });
    expect(splitPercent('cat%100\\% sure')).toEqual({ command: 'cat', stdin: '100% sure\n' });
  });
  it('keeps other backslashes', () => {
    expect(splitPercent('echo a\\ b')).toEqual({ command: 'echo a\\ b', stdin: null });
  });
  it('reads a backslash-escaped backslash before % as cronie does: the % still ends the command', () => {
    // cronie do_command.c: a backslash escapes the next character whatever it is, so in `\\%` the second backslash
    // is escaped and the % is not; only a backslash that is itself unescaped makes `\%` a literal %.
    expect(splitPercent('echo a\\\\%b')).toEqual({ command: 'echo a\\\\', stdin: 'b\n' });
    expect(splitPercent('echo \\\\\\%x')).toEqual({ command: 'echo \\\\%x', stdin: null });
  });
});

describe('reading whole crontabs', () => {
  // Changed on purpose (issue 7): a last line without newline used to be planned. cron rejects it ("bad command")
  // and crontab refuses to install the file, so that job never ran: it is an error now.
  it('handles CRLF, tabs, trailing blanks, comments, blank lines, and rejects a last line without newline', () => {
    const t = user('# c\r\n\r\n\t0\t5\t*\t*\t*\t/bin/echo tabbed   \r\n   # indented comment\n0 7 * * * /bin/echo last');
    expect(t.entries).toHaveLength(2);
    expect(t.entries[0].command).toBe('/bin/echo tabbed');
    expect(t.entries[0].source.line).toBe(3);
    expect(t.entries[0].kind).toBe('job');
    expect(t.entries[1].source.line).toBe(5);
    expect(t.entries[1].kind).toBe('error');
    expect(t.entries[1].reasons[0]).toMatchObject({ code: 'no-final-newline', line: 5, field: 'command' });
    expect(t.ignoredLines).toBe(3);
    expect(user('0 7 * * * /bin/echo last\n').entries[0].kind).toBe('job');
    // A last comment or variable line without newline changes nothing that runs.
    expect(user('0 7 * * * /x\n# end').entries.map((e) => e.kind)).toEqual(['job']);
  });

  it('rejects a line holding a NUL byte, keeps the others, and never shows what follows the NUL', () => {
    const t = user('0 1 * * * /bin/a\0secret\n0 2 * * * /bin/b\n');
    expect(t.entries.map((e) => e.kind)).toEqual(['error', 'job']);
    expect(t.entries[0].reasons[0]).toMatchObject({ code: 'nul-byte', line: 1 });
    expect(t.entries[0].source.text).toBe('0 1 * * * /bin/a');
  });

  it('reports a system crontab line read as a user crontab, unless the word is a command cron would find', () => {
    const isUser = (w: string) => w === 'root' || w === 'www-data';
    const t = readCrontab('0 1 * * * root /opt/a.sh\n0 2 * * * www-data /opt/b.sh\n0 3 * * * /opt/c.sh root\n0 4 * * * root\n', { file: 'tab', system: false, isUser });
    expect(t.entries.map((e) => e.reasons[0]?.code)).toEqual(['looks-like-system-crontab', 'looks-like-system-crontab', undefined, undefined]);
    expect(t.entries[0].reasons[0]).toMatchObject({ code: 'looks-like-system-crontab', args: { kind: 'line', user: 'root' } });
    expect(reasonMessage(t.entries[0].reasons[0])).toMatch(/use --system/);
    const sys = readCrontab('0 1 * * * root /opt/a.sh\n', { file: 'tab', system: true, isUser });
    expect(sys.entries[0]).toMatchObject({ kind: 'job', user: 'root' });
  });

  it('reads the user field of system crontabs', () => {
    const t = readCrontab('17 * * * * root cd / && run-parts /etc/cron.hourly\n@daily www-data /x\n0 0 * * * root\n', { file: '/etc/crontab', system: true });
    expect(t.entries[0]).toMatchObject({ user: 'root', command: 'cd / && run-parts /etc/cron.hourly', kind: 'job' });
    expect(t.entries[1]).toMatchObject({ user: 'www-data', command: '/x', macro: '@daily' });
    expect(t.entries[2].kind).toBe('error');
    expect(t.entries[2].reasons[0]).toMatchObject({ code: 'missing-command', field: 'command', line: 3 });
  });

  it('expands macros and makes @reboot a job without a schedule', () => {
    const t = user('@weekly /w\n@reboot /r\n@hourly /h\n@midnight /m\n@Daily /x\n');
    expect(t.entries.map((e) => e.spec?.text)).toEqual(['0 0 * * 0', undefined, '0 * * * *', '0 0 * * *', undefined]);
    expect(t.entries.map((e) => e.kind)).toEqual(['job', 'reboot', 'job', 'job', 'error']);
  });

  it('reports each bad line with file, line and field, and keeps the others', () => {
    const t = user('0 4 * * * good\n61 * * * * bad\n0 0 * * 1#2 bad2\n0 5 * * * good2\n');
    expect(t.entries.map((e) => e.kind)).toEqual(['job', 'error', 'error', 'job']);
    expect(t.entries[1].reasons[0]).toMatchObject({ code: 'invalid-field', file: 'tab', line: 2, field: 'minute' });
    expect(t.entries[2].reasons[0]).toMatchObject({ line: 3, field: 'day-of-week' });
  });

  it('reports every bad field of one line', () => {
    const t = user('61 25 * * * x\n');
    expect(t.entries[0].reasons.map((r) => r.field)).toEqual(['minute', 'hour']);
  });
});
