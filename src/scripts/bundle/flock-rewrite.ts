// Layer 4: flock calls replaced by the job-level lock where that is what they meant (see ../flock.ts).
import {
  resolvePath,
  type RedirOp,
  type Word,
} from '../sh/index.js';
import { flockMode, keptBecause, parseFlock, type FlockCall, type FlockUse } from '../flock.js';
import { type CommandUse, type RedirectUse } from './types.js';
import { type Ctx, type Unit } from './context.js';
import { PathRewriter } from './path-rewrite.js';


/** Redirections that open a descriptor on a file (`9>x`, `9>>x`, `9<x`, `9<>x`, `9>|x`). */
export const FD_OPEN_OPS = new Set<RedirOp>(['>', '>>', '<', '<>', '>|']);

export interface FdOpen {
  unit: Unit;
  fd: string;
  path: string | null;
  /** The target word's offsets in the unit's edit bucket. */
  start: number;
  end: number;
  use: RedirectUse;
}

export interface PendingFdFlock {
  call: FlockCall;
  args: readonly Word[];
  unit: Unit;
  use: CommandUse;
  at: Omit<FlockUse, 'lock' | 'replaced' | 'kept'>;
}


export class FlockRewriter extends PathRewriter {
  /** `flock N` calls, decided once every descriptor the scripts open is known. */
  protected readonly fdFlocks: PendingFdFlock[] = [];
  /** Descriptors opened on files (`exec 9>/var/lock/x`, `( ... ) 9>file`), for `flock N`. */
  protected readonly fdOpens: FdOpen[] = [];

  /**
   * A flock call: the job-level lock replaces it when it is an exclusive lock on a fixed file (see flock.ts). `flock
   * [opts] LOCK cmd` becomes `cmd`, `flock [opts] LOCK -c 'cmd'` becomes `bash -c 'cmd'`; `flock [opts] N` on a
   * descriptor is decided at the end, once the file the script opens it on is known.
   */
  protected flock(args: readonly Word[], vals: Array<string | null>, ctx: Ctx, use: CommandUse): void {
    const u = ctx.unit;
    const call = parseFlock(vals);
    const at = { file: u.file, line: use.line, crontab: u.crontab };
    if (call === null) {
      this.trace.flocks.push({ ...at, lock: use.argv.slice(1).map((a) => a.raw).join(' '), mode: 'block', waitSeconds: null, unlock: false, replaced: false, kept: 'dynamic' });
      return;
    }
    const { mode, waitSeconds } = flockMode(call);
    if (call.fd !== null) {
      this.fdFlocks.push({ call, args, unit: u, use, at: { ...at, mode, waitSeconds, unlock: call.unlock } });
      return;
    }
    const lockPath = resolvePath(call.target, ctx.scope.cwd);
    const kept = keptBecause(call, this.keepLocks, lockPath);
    this.trace.flocks.push({ ...at, lock: lockPath ?? call.target, mode, waitSeconds, unlock: call.unlock, replaced: kept === null, ...(kept ? { kept } : {}) });
    if (kept !== null) return;
    use.stripped = true;
    const from = u.base + args[0].pos;
    if (call.commandIndex !== null) {
      this.addEdit(u.key, from, u.base + args[call.commandIndex].pos, '');
    } else if (call.dashCIndex !== null) {
      const c = args[call.dashCIndex];
      this.addEdit(u.key, from, u.base + c.pos, '');
      this.addEdit(u.key, u.base + c.pos, u.base + c.end, 'bash -c');
    }
  }

  /**
   * `flock [opts] N`: replaced by `:` (a command that succeeds: the job-level lock is already held) when N is opened on
   * one fixed file in the same script and nothing keeps the lock; its unlock (`flock -u N`) goes with it. The file
   * opened only for the lock is opened as /dev/null in the bundled copy (outside /tmp it cannot be created on Lambda).
   */
  resolveFdFlocks(): void {
    const replacedOpens = new Set<FdOpen>();
    const replacedLocks = new Set<string>();
    const order = [...this.fdFlocks.filter((p) => !p.call.unlock), ...this.fdFlocks.filter((p) => p.call.unlock)];
    for (const p of order) {
      const opens = this.fdOpens.filter((o) => o.unit.file === p.unit.file && o.fd === String(p.call.fd));
      const paths = new Set(opens.map((o) => o.path));
      const lockPath = paths.size === 1 && !paths.has(null) ? [...paths][0] : null;
      let kept = keptBecause(p.call, this.keepLocks, lockPath);
      if (kept === null && p.call.unlock && !replacedLocks.has(`${p.unit.file}\u0000${lockPath}`)) kept = 'unlock';
      const replaced = kept === null;
      this.trace.flocks.push({ ...p.at, lock: lockPath ?? String(p.call.fd), replaced, ...(kept ? { kept } : {}) });
      if (!replaced) continue;
      p.use.stripped = true;
      replacedLocks.add(`${p.unit.file}\u0000${lockPath}`);
      const u = p.unit;
      this.addEdit(u.key, u.base + p.args[0].pos, u.base + p.args[p.args.length - 1].end, ':');
      for (const o of opens) replacedOpens.add(o);
    }
    for (const o of replacedOpens) {
      // a descriptor also locked by a kept flock keeps its file
      const stillLocked = this.trace.flocks.some((f) => !f.replaced && f.file === o.unit.file && f.lock === o.path);
      if (stillLocked || o.path === null || o.path === '/tmp' || o.path.startsWith('/tmp/')) continue;
      this.addEdit(o.unit.key, o.start, o.end, o.unit.escape('/dev/null'));
      o.use.lockFile = true;
    }
  }
}
