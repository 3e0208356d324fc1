// The shell front end: parse once, a typed tree, static evaluation of words. See ast.ts.
export * from './ast.js';
export { isAscii, parserText, parseShell, parseStats, resetParseStats, toBytes, toText, withTreeSource, type ParseError, type ParsedShell, type TreeSource } from './parse.js';
export * from './words.js';

import type { Node } from './ast.js';
import type { ParsedShell } from './parse.js';
import { toText } from './parse.js';

/** Source text of a node (its bytes, decoded). */
export function sourceOf(parsed: Pick<ParsedShell, 'bytes'> | Uint8Array, n: Node): string {
  const bytes = parsed instanceof Uint8Array ? parsed : parsed.bytes;
  return toText(bytes.subarray(n.pos, n.end));
}
