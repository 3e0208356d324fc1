// Layer 3: a reference to a bundled file rewritten to run from "$LAMBDA_TASK_ROOT".
import {
  type Value,
  type Word,
} from '../sh/index.js';
import { TASK_ROOT } from './types.js';
import { type Ctx } from './context.js';
import { quotePath } from './splice.js';
import { SecretRewriter } from './secret-rewrite.js';
import { dirsLeft } from './state.js';

export class PathRewriter extends SecretRewriter {
  /**
   * Rewrite a reference word that resolved to a bundled server path so that it points into the
   * task root. `value` is how the word evaluated; `viaPath` when found through PATH.
   */
  protected rewriteRef(w: Word, ctx: Ctx, value: Value, path: string, viaPath: boolean): void {
    const u = ctx.unit;
    const start = u.base + w.pos;
    const end = u.base + w.end;
    // the directories the reference walks through before a `..` must be in the zip too
    const a = ctx.anchor;
    const written = value.text.startsWith('/') ? value.text : ctx.scope.cwd !== null ? `${ctx.scope.cwd}/${value.text}` : null;
    if (!viaPath && written !== null) this.needDirs(dirsLeft(written));
    if (viaPath) {
      this.addEdit(u.key, start, end, u.escape(`${TASK_ROOT}${quotePath(path)}`));
      return;
    }
    if (value.scriptRelative) return;
    if (value.text.startsWith('/')) {
      const first = w.parts[0];
      if (first?.type === 'Lit' && first.value.startsWith('~')) {
        // ~/x: replace the tilde by the task root and the home directory
        const home = ctx.scope.vars.get('HOME')?.text ?? '';
        this.addEdit(u.key, start, start + 1, u.escape(`${TASK_ROOT}${quotePath(home)}`));
      } else if (value.relocated) {
        // "$HOME"/x, ${HOME}/x, $DIR/x with DIR made from HOME, "$PWD"/x: on Lambda HOME is /tmp (function.sh) and
        // the working directory /tmp or the zip's copy, so the word becomes the bundled copy's server path
        this.addEdit(u.key, start, end, u.escape(`${TASK_ROOT}${quotePath(path)}`));
      } else {
        this.addEdit(u.key, start, start, u.escape(TASK_ROOT));
      }
      return;
    }
    // relative: anchored at the directory the job started in, a `cd`, or the script's own directory
    if (a.kind === 'cd') {
      this.addEdit(a.key, a.offset, a.offset, a.escape(TASK_ROOT));
      this.needDirs(a.dirs);
    }
    else if (a.kind === 'initial' && ctx.scope.cwd !== null) this.addEdit(u.key, start, start, u.escape(`${TASK_ROOT}${quotePath(ctx.scope.cwd)}/`));
  }

  /** A literal word with a path inside it (`--config=/opt/app/x.yml`): the task root inserted `at` characters in. */
  protected rewriteAt(w: Word, at: number, ctx: Ctx): void {
    const u = ctx.unit;
    this.addEdit(u.key, u.base + w.pos + at, u.base + w.pos + at, u.escape(TASK_ROOT));
  }
}
