import { describe, expect, it } from 'vitest';
import { zoneLegacyText } from '../../src/render/messages.js';
import { checkZoneName, suggestZones } from '../../src/schedule/zone-name.js';
import { isValidZone } from '../../src/schedule/zone.js';

describe('time-zone names', () => {
  it('accepts exact tz names only, whatever Intl accepts', () => {
    for (const ok of ['UTC', 'Etc/UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/Argentina/Buenos_Aires', 'Australia/Eucla']) {
      expect(checkZoneName(ok), ok).toEqual({ ok: true, zone: ok });
    }
    for (const bad of ['europe/berlin', 'EUROPE/BERLIN', 'tokyo', 'JST', 'BST', 'Mars/Base', '', ' Europe/Berlin']) {
      expect(checkZoneName(bad).ok, bad).toBe(false);
      expect(isValidZone(bad), bad).toBe(false);
    }
  });

  it('suggests by case-insensitive full name, by the last component, and for common abbreviations', () => {
    expect(suggestZones('europe/berlin')).toEqual(['Europe/Berlin']);
    expect(suggestZones('tokyo')).toEqual(['Asia/Tokyo']);
    expect(suggestZones('New York')).toEqual(['America/New_York']);
    expect(suggestZones('calcutta')).toEqual(['Asia/Kolkata']);
    expect(suggestZones('us/eastern')).toEqual(['America/New_York']);
    expect(suggestZones('jst')).toEqual(['Asia/Tokyo']);
    expect(suggestZones('Atlantis')).toEqual([]);
  });

  it('warns on legacy names whose meaning surprises, with what to write', () => {
    const legacy = (n: string) => {
      const c = checkZoneName(n);
      return c.ok ? c.legacy && zoneLegacyText(c.legacy) : 'invalid';
    };
    expect(legacy('EST')).toMatch(/UTC-05:00 all year, with no daylight saving time.*America\/New_York/);
    expect(legacy('MST')).toMatch(/UTC-07:00 all year/);
    expect(legacy('HST')).toMatch(/UTC-10:00 all year/);
    expect(legacy('EST5EDT')).toMatch(/legacy POSIX-style.*America\/New_York/);
    expect(legacy('CET')).toMatch(/legacy POSIX-style/);
    expect(legacy('Etc/GMT+5')).toMatch(/UTC-05:00: POSIX inverts the sign/);
    expect(legacy('Etc/GMT-14')).toMatch(/UTC\+14:00/);
    expect(legacy('US/Eastern')).toMatch(/legacy name for America\/New_York/);
    expect(legacy('Japan')).toMatch(/legacy name for Asia\/Tokyo/);
    expect(legacy('Asia/Calcutta')).toMatch(/legacy name for Asia\/Kolkata/);
    for (const plain of ['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT', 'Europe/Amsterdam', 'Europe/Oslo', 'Asia/Tokyo']) expect(legacy(plain), plain).toBeUndefined();
  });
});
