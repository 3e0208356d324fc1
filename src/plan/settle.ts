// A job's status and verdict, decided in one place: from what its schedule made of the line (planEntry) and what
// the readiness assessment found (the script analysis and the crontab's own findings). Pure.
import type { Reason } from '../model/reasons.js';
import { isBundleError, type Finding, type Verdict, type VerdictReason } from '../scripts/findings.js';
import { attentionFromWarnings, type Readiness } from './readiness.js';

export type JobStatus = 'migrate' | 'skip' | 'error';

/** What the schedule alone made of a crontab line: migrate, skip (@reboot) or error, and why. */
export interface ScheduleOutcome {
  status: JobStatus;
  /** Why the line is skipped or rejected (empty for migrate). */
  reasons: Reason[];
}

export interface Settlement {
  status: JobStatus;
  reasons: Reason[];
  verdict: Verdict;
  verdictReasons: VerdictReason[];
}

/**
 * The job's status, reasons and verdict. A migratable line whose scripts cannot be found under --root becomes an
 * error (the job, not the run), with the bundle's error findings as its reasons; an error is always blocked. An
 * inexact schedule or an assumed zone (in `warnings`) needs a decision as much as any finding does. Idempotent over
 * its inputs: the shared-flock-lock re-analysis settles the job again from the same schedule outcome.
 */
export function settleJob(schedule: ScheduleOutcome, warnings: readonly Reason[], readiness: Readiness): Settlement {
  const scriptError = schedule.status === 'migrate' && readiness.analysis?.error === true;
  const status: JobStatus = scriptError ? 'error' : schedule.status;
  const reasons = scriptError ? [...schedule.reasons, ...readiness.findings.filter(isBundleError).map(findingReason)] : [...schedule.reasons];
  const attention = attentionFromWarnings(readiness.verdict, readiness.verdictReasons, [...warnings]);
  return { status, reasons, verdict: status === 'error' ? 'blocked' : attention.verdict, verdictReasons: attention.reasons };
}

/** A finding that makes the job an error, as one of its reasons. */
function findingReason(f: Finding): Reason {
  // The same code and args pairing as the finding's (FindingReason is a union over the codes).
  return { code: f.code, args: f.args, of: 'finding', file: f.file, line: f.line } as Reason;
}
