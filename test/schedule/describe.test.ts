import { describe, expect, it } from 'vitest';
import { parseCronFields } from '../../src/schedule/model.js';
import { describeSchedule, domPhrase, dowPhrase } from '../../src/schedule/describe.js';

const words = (line: string) => {
  const p = parseCronFields(line.split(' '));
  if (!p.ok) throw new Error('bad line');
  return describeSchedule(p.spec);
};

describe('describing a line by cron\'s day rule', () => {
  it('ANDs the day fields when one starts with *', () => {
    expect(words('0 12 */2 * 3')).toBe('At 12:00, on odd days of the month (every 2 days from day 1) that are also Wednesday');
    expect(words('0 12 2-31/2 * */7')).toBe('At 12:00, on even days of the month (every 2 days from day 2) that are also Sunday');
    expect(words('0 8 */10 * mon-fri')).toBe('At 08:00, on days 1, 11, 21, … of the month (every 10 days from day 1) that are also Monday through Friday');
  });

  it('keeps cronstrue for OR and for a single restricted field', () => {
    expect(words('0 12 13 * 5')).toBe('At 12:00, on day 13 of the month, and on Friday');
    expect(words('0 12 * * 3')).toBe('At 12:00, only on Wednesday');
  });

  it('says every day for a day-of-week 0-7 (0 and 7 are both Sunday), not "Sunday through Sunday"', () => {
    expect(words('0 12 * * 0-7')).toBe('At 12:00, Sunday through Saturday');
    expect(words('0 12 * * 0-7/2')).toBe('At 12:00, every 2 days of the week, Sunday through Saturday');
    expect(words('0 12 1 * 0-7')).toBe('At 12:00, on day 1 of the month, Sunday through Saturday');
    // 7 alone, and ranges ending at 7, are Sunday and read right already.
    expect(words('0 12 * * 5-7')).toBe('At 12:00, Friday through Sunday');
    expect(words('0 12 * * 7')).toBe('At 12:00, only on Sunday');
  });

  it('writes day and weekday sets plainly', () => {
    expect(domPhrase([13])).toBe('day 13 of the month');
    expect(domPhrase([1, 2, 15, 20, 21, 22])).toBe('days 1, 2, 15 and 20 to 22 of the month');
    expect(dowPhrase([1, 2, 3, 4, 5])).toBe('Monday through Friday');
    expect(dowPhrase([0, 6])).toBe('Sunday or Saturday');
    expect(dowPhrase([1, 3, 5])).toBe('Monday, Wednesday or Friday');
  });
});
