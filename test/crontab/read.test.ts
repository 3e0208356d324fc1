import { describe, expect, it } from 'vitest';
import { parseEnvLine, readCrontab, splitPercent } from '../../src/crontab/read.js';
import { parseField, FIELDS } from '../../src/crontab/fields.js';
import { dayRule, matchesDay, parseCronFields } from '../../src/schedule/model.js';

const user = (text: string) => readCrontab(text, { file: 'tab', system: false });
const field = (name: string, text: string) => parseField(text, FIELDS.find((f) => f.name === name)!);
const values = (name: string, text: string) => {
  const r = field(name, text);
  if (!r.ok) throw new Error(r.error.message);
  return r.field.values;
};
const errorOf = (name: string, text: string) => {
  const r = field(name, text);
  return r.ok ? null : r.error.message;
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

  it('accepts a reversed range, which matches nothing', () => {
    const r = field('day-of-month', '5-1');
    expect(r.ok && r.field.values).toEqual([]);
    expect(r.ok && r.field.reversedRanges).toEqual(['5-1']);
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
});

describe('reading whole crontabs', () => {
  it('handles CRLF, tabs, trailing blanks, comments, blank lines and a last line without newline', () => {
    const t = user('# c\r\n\r\n\t0\t5\t*\t*\t*\t/bin/echo tabbed   \r\n   # indented comment\n0 7 * * * /bin/echo last');
    expect(t.entries).toHaveLength(2);
    expect(t.entries[0].command).toBe('/bin/echo tabbed');
    expect(t.entries[0].source.line).toBe(3);
    expect(t.entries[1].command).toBe('/bin/echo last');
    expect(t.entries[1].source.line).toBe(5);
    expect(t.ignoredLines).toBe(3);
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
