// Judging a job against a runtime snapshot: is a program there, is a library there, which glibc. Pure.
//
// With a probe (source "probe") the snapshot is the truth for its region and architecture: a program it does not
// list is missing (a blocker). With the shipped list (source "shipped") only CERTAIN_COMMANDS are known; any
// other program the list does not have is reported missing *unverified*: a warning that names the list's date and
// says to run `cron2lambda probe`, never a blocker (a false blocker keeps `migrate` from provisioning a job).
import { CERTAIN_COMMANDS } from '../scripts/al2023.js';
import { makeFinding, type Finding, type RuntimeRef } from '../scripts/types.js';
import { shippedSnapshot } from './shipped.js';
import type { RuntimeSnapshot } from './snapshot.js';

const CERTAIN = new Set<string>(CERTAIN_COMMANDS);

export interface RuntimeView {
  readonly snapshot: RuntimeSnapshot;
  /** True for a probe: what it lacks is known to be missing. */
  readonly verified: boolean;
  hasCommand(name: string): boolean;
  hasLibrary(soname: string): boolean;
}

const day = (iso: string): string => iso.slice(0, 10);

export function runtimeView(snapshot: RuntimeSnapshot): RuntimeView {
  const commands = new Set(snapshot.commands);
  const builtins = new Set(snapshot.builtins);
  const libraries = new Set(snapshot.libraries);
  const verified = snapshot.source === 'probe';
  return {
    snapshot,
    verified,
    hasCommand: (name) => commands.has(name) || builtins.has(name) || (!verified && CERTAIN.has(name)),
    hasLibrary: (soname) => libraries.has(soname),
  };
}

/** The runtime as a finding names it: src/render/messages.ts runtimeLabel makes the words ("probe of eu-west-1 ..."). */
export function runtimeRef(runtime: RuntimeView): RuntimeRef {
  const s = runtime.snapshot;
  return { probe: runtime.verified, region: s.region ?? null, architecture: s.architecture, day: day(s.takenAt) };
}

let defaultView: RuntimeView | null = null;

/** The shipped list for x86_64: what analysis uses when no runtime is given. */
export function defaultRuntime(): RuntimeView {
  defaultView ??= runtimeView(shippedSnapshot('x86_64'));
  return defaultView;
}

/**
 * The missing-command finding for a program a job runs that is neither bundled nor a function, or null when the
 * runtime has it. `interpreter` is set for the `#!` line of a bundled script.
 */
export function missingCommandFinding(name: string, file: string, line: number, runtime: RuntimeView = defaultRuntime(), interpreter = false): Finding | null {
  if (runtime.hasCommand(name)) return null;
  const args = { program: name, interpreter, runtime: runtimeRef(runtime) };
  if (runtime.verified) return makeFinding('missing-command', args, file, line, { command: name, unverified: false });
  const f = makeFinding('missing-command', args, file, line, { command: name, unverified: true });
  // Unverified: a warning, not a blocker (see the top of this file).
  return { ...f, severity: 'warning' };
}
