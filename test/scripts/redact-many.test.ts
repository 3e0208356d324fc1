// Redaction with the many credentials of a fleet (scripts/redact.ts indexes a frozen list and scans each text once):
// the same output as asking each text for each value in turn, the rule it replaced, on random texts and values.
import { describe, expect, it } from 'vitest';
import { redact, redactBytes, redactDeep, secretsHeld, secretsHeldInBytes, SUBSTRING_MIN, REDACTED } from '../../src/scripts/redact.js';
import { mulberry32 } from '../support/random.js';

/** The rule as it was written before the index: every value, longest first, each asked for in turn. */
function reference(text: string, secrets: readonly string[]): string {
  const list = [...new Set(secrets)].filter((s) => s !== '').sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  let out = text;
  for (const s of list) {
    if (!out.includes(s)) continue;
    if (s.length >= SUBSTRING_MIN) out = out.split(s).join(REDACTED);
    else out = out.replace(new RegExp(`(?<=^|[\\s"'=:,;([{<>|&%\`]|(?:^|[\\s"'=%])-[A-Za-z])${esc(s)}(?=$|[\\s"'@:/;,&|)\\]}<>%\`])`, 'g'), REDACTED);
  }
  return out;
}

/** redactBytes as it was: the text read as Latin-1, each value as its UTF-8 bytes (and Latin-1 ones when it can). */
function referenceBytes(bytes: Uint8Array, secrets: readonly string[]): Uint8Array {
  const forms = new Set<string>();
  for (const s of secrets) {
    forms.add(Buffer.from(s, 'utf8').toString('latin1'));
    if (!/[^\u0000-\u00ff]/.test(s)) forms.add(s);
  }
  return new Uint8Array(Buffer.from(reference(Buffer.from(bytes).toString('latin1'), [...forms]), 'latin1'));
}

const ALPHABET = 'abcXYZ019-_=:@/ "\'%é€;()[]{}<>|&`\t\n,\u00a0';

function fleet(seed: number): { secrets: string[]; texts: string[] } {
  const r = mulberry32(seed);
  const pick = (s: string) => s[Math.floor(r() * s.length)];
  const word = (n: number) => Array.from({ length: n }, () => pick('abcXYZ019é€')).join('');
  // short (value only), long (anywhere), two-character, sharing prefixes, one inside another
  const secrets = Array.from({ length: 300 }, (_, i) => (i % 50 === 0 ? word(2) : i % 3 === 0 ? `Pw${word(SUBSTRING_MIN + (i % 7))}` : `Pw${word(3 + (i % 9))}`));
  secrets.push(`${secrets[5]}x`, secrets[7].slice(0, 4));
  const texts = Array.from({ length: 400 }, () => {
    let t = '';
    while (t.length < 20 + r() * 200) t += r() < 0.15 ? secrets[Math.floor(r() * secrets.length)] : pick(ALPHABET);
    return t;
  });
  return { secrets, texts };
}

describe('redaction with many credentials', () => {
  it('replaces exactly what asking each text for each value replaces (strings, bytes, deep values)', () => {
    for (const seed of [1, 2]) {
      const { secrets, texts } = fleet(seed);
      const frozen = Object.freeze([...secrets]);
      for (const t of texts) {
        const want = reference(t, secrets);
        expect(redact(t, frozen)).toBe(want);
        expect(redact(t, secrets)).toBe(want);
        const bytes = new Uint8Array(Buffer.from(t, 'utf8'));
        expect(Buffer.from(redactBytes(bytes, frozen))).toEqual(Buffer.from(referenceBytes(bytes, secrets)));
        // what is held is exactly what makes the text change, one value at a time
        const held = secretsHeld(t, frozen).map((h) => h.value).sort();
        expect(held).toEqual([...new Set(secrets)].filter((s) => reference(t, [s]) !== t).sort());
        const heldBytes = secretsHeldInBytes(bytes, frozen).map((h) => h.value).sort();
        expect(heldBytes).toEqual([...new Set(secrets)].filter((s) => Buffer.compare(referenceBytes(bytes, [s]), bytes) !== 0).sort());
      }
      expect(redactDeep({ a: texts.slice(0, 20) }, frozen)).toEqual({ a: texts.slice(0, 20).map((t) => reference(t, secrets)) });
    }
  });

  it('a list that is not frozen is read again at each call: a value added later is redacted', () => {
    const list = Array.from({ length: 40 }, (_, i) => `Tok${i}zz`);
    expect(redact('a Tok3zz b', list)).toBe(`a ${REDACTED} b`);
    list.push('Late9zz');
    expect(redact('a Late9zz b', list)).toBe(`a ${REDACTED} b`);
  });
});
