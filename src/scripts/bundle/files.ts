// Layer 1: the files a job needs: read once each, refused when they must not or cannot be bundled (kernel
// filesystems, credential files, too large, too deep), reported missing or unresolved; programs found through PATH.
import { posix } from 'node:path';
import { SYSTEM_DIRS } from '../al2023.js';
import type { FileReader } from '../reader.js';
import {
  type Node,
} from '../sh/index.js';
import { MAX_BUNDLE_BYTES, MAX_NESTING, MAX_SCRIPT_BYTES, readForBundle, refusalFinding, tooLarge, type Refusal } from '../policy.js';
import { makeFinding, type FindingArgs, type ReferenceRole } from '../types.js';
import { type BundleReason } from './types.js';
import { REASON_RANK, type Ctx, type Registered } from './context.js';
import { isShellScript } from './programs.js';
import { BundleState } from './state.js';

/** A program found through PATH: its server path, and whether it lies in a system directory. */
export type Found = { path: string; system: boolean };

/**
 * Programs found through PATH, per reader (a snapshot of the server: the same PATH and name always find the same
 * file) and PATH value: every script of a fleet runs date, gzip, curl..., each a lookup in every PATH directory.
 */
const lookups = new WeakMap<FileReader, Map<string, Found | null>>();

export class FileRegistry extends BundleState {
  // ---- registering bundled files ----
  /**
   * Read a file for the bundle, once. Refused paths (kernel filesystems, credential files, names a zip cannot
   * hold), unreadable and oversized files are findings that make the job an error; null then.
   */
  protected register(path: string, reason: BundleReason, ctx: Ctx, node: Node, shellHint?: boolean): Registered | null {
    const prev = this.files.get(path);
    if (prev) {
      if (REASON_RANK[reason] > REASON_RANK[prev.reason]) prev.reason = reason;
      return prev;
    }
    if (this.refused.has(path)) return null;
    const refuse = (r: Refusal): null => {
      this.refused.add(path);
      this.findings.push(refusalFinding(r, ctx.unit.file, this.line(node, ctx), { path }));
      return null;
    };
    const read = readForBundle(this.reader, path);
    if ('refusal' in read) return refuse(read.refusal);
    const content = read.content;
    // a file given to python/perl/... is theirs, whatever its first line says
    const shell = reason === 'source' || (shellHint ?? isShellScript(content, path));
    if (shell && content.length > MAX_SCRIPT_BYTES) return refuse(tooLarge(path, content.length, MAX_SCRIPT_BYTES, true));
    if (this.totalBytes + content.length > MAX_BUNDLE_BYTES) {
      return refuse({ code: 'too-large', args: { kind: 'bundle', path, limit: MAX_BUNDLE_BYTES } });
    }
    this.totalBytes += content.length;
    const reg: Registered = { path, original: content, reason, shell };
    this.files.set(path, reg);
    return reg;
  }


  /** Nesting beyond MAX_NESTING: the rest of the chain is not followed, so the bundle may miss files. */
  protected tooDeep(ctx: Ctx, node: Node, path: string): void {
    this.findings.push(
      makeFinding('too-deep', { path, limit: MAX_NESTING }, ctx.unit.file, this.line(node, ctx), { path }),
    );
  }

  /** Where PATH finds a program (PATH as the job sets it, else cron's), remembered per reader, PATH and name. */
  protected lookPath(name: string, pathVar: string): Found | null {
    let known = lookups.get(this.reader);
    if (!known) lookups.set(this.reader, (known = new Map()));
    const key = `${pathVar}\u0000${name}`;
    let found = known.get(key);
    if (found === undefined) {
      found = this.searchPath(pathVar, name);
      known.set(key, found);
    }
    return found;
  }

  private searchPath(pathVar: string, name: string): Found | null {
    for (const dir of pathVar.split(':')) {
      if (!dir.startsWith('/')) continue;
      const p = posix.join(dir, name);
      const system = (SYSTEM_DIRS as readonly string[]).includes(posix.normalize(dir));
      if (this.exists(p)) return { path: p, system };
    }
    return null;
  }

  protected exists(path: string): boolean {
    return this.reader.stat(path)?.kind === 'file';
  }

  protected missing(ctx: Ctx, node: Node, ref: string, path: string | null, role: ReferenceRole): void {
    const line = this.line(node, ctx);
    const args: FindingArgs['missing-file'] =
      path === null
        ? { kind: 'no-base', role, reference: ref }
        : { kind: this.reader.stat(path)?.kind === 'dir' ? 'directory' : 'not-under-root', role, reference: ref, path };
    this.findings.push(makeFinding('missing-file', args, ctx.unit.file, line, { reference: ref, ...(path ? { path } : {}) }));
  }

  protected unresolved(ctx: Ctx, node: Node, ref: string, role: ReferenceRole): void {
    this.findings.push(
      makeFinding('unresolved', { role, reference: ref }, ctx.unit.file, this.line(node, ctx), {
        reference: ref,
      }),
    );
  }
}
