import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { ioErrorText } from '../../src/cli/io-errors.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('ioErrorText', () => {
  it('makes one line of an ordinary file-system error, naming the path', () => {
    expect(ioErrorText(thrown(() => mkdirSync('/dev/null/x')))).toBe('cannot create the directory /dev/null/x: a part of the path is not a directory');
    expect(ioErrorText(thrown(() => writeFileSync('/no/such/dir/f', 'x')))).toBe('cannot open /no/such/dir/f: no such file or directory');
    const eacces = Object.assign(new Error('EACCES'), { code: 'EACCES', syscall: 'open', path: '/out/x' });
    expect(ioErrorText(eacces)).toBe('cannot open /out/x: permission denied');
  });

  it('leaves everything else to the caller (a bug stays a bug)', () => {
    expect(ioErrorText(new TypeError('x is undefined'))).toBeNull();
    expect(ioErrorText(Object.assign(new Error('odd'), { code: 'ERR_SOMETHING' }))).toBeNull();
    expect(ioErrorText('a string')).toBeNull();
  });
});
