// Things a command says once, at the top of its output, about how it read its input.
import type { OutNote } from '../package/ownership.js';

/** When --root was not given, scripts are read from this machine's own /: say so (once per run). */
export function rootNotice(root: string | undefined): OutNote | null {
  if (root !== undefined) return null;
  return {
    code: 'root-default',
    message: "--root not given: scripts are read from / on this machine; give --root DIR for a copy of the server's files",
  };
}
