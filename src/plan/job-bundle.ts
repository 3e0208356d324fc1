// What packaging needs of a job's script analysis, carried on the planned job itself: the command for Lambda and
// the bundled files with their bytes. Pure.
import { redactAnalysis, type JobAnalysis } from '../scripts/analyze.js';
import type { BundledFile } from '../scripts/bundle.js';

export interface JobBundle {
  /** The command to run on Lambda: rewritten to run from "$LAMBDA_TASK_ROOT", top-level output redirections dropped. */
  command: string;
  /** The output redirections dropped from the command (Lambda keeps no files between runs). */
  dropped: string[];
  /** The server files bundled with the job: server path, zip path, mode, why, and the (rewritten) content. */
  files: BundledFile[];
  /** Server directories the job enters with no bundled file in them, made as directory entries (none when absent). */
  dirs?: string[];
}

/** The job's bundle, redacted with every secret of the run (one credential on two lines is found on one). */
export function jobBundle(analysis: JobAnalysis, secrets: readonly string[]): JobBundle {
  const a = redactAnalysis(analysis, secrets);
  return { command: a.command, dropped: a.dropped, files: a.bundle.files, dirs: a.bundle.dirs };
}

/**
 * The bundle set on the job as a non-enumerable property. The bundle is the planner's hand-off to packaging, not
 * part of the plan as a document: the bytes of every script must not reach `plan --json`, the report, the manifest
 * or anything else that walks the plan. Defined here, once, it is left out by every generic walk (JSON.stringify,
 * object spread, Object.entries, redactDeep) without each serializer, present or future, having to remember it; a
 * copy made by spreading loses it, which fails safe (the copy cannot leak the bytes, and is not packaged).
 */
export function withBundle<J extends object>(job: J, bundle: JobBundle): J {
  Object.defineProperty(job, 'bundle', { value: bundle, enumerable: false, writable: false, configurable: false });
  return job;
}
