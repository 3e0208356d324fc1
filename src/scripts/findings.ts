// Findings: typed data about what stands between a cron job and Lambda. Pure functions over the
// trace that bundling records (every simple command, redirection, loop, credential literal), in parts:
// findings/secrets (credentials), findings/redirects (output redirections), findings/rules (per-command rules),
// findings/background (work left running) and findings/verdict (order and verdict).
import { makeFinding, type Finding, type FindingCode } from './types.js';

export { BUNDLE_ERROR_CODES, FINDING_CODES, SEVERITY, isBundleError, makeFinding } from './types.js';
export type { Finding, FindingArgs, FindingCode, FindingDetail, Severity, VerdictReason } from './types.js';
export { argsKey } from './types.js';
export * from './findings/secrets.js';
export * from './findings/redirects.js';
export * from './findings/rules.js';
export * from './findings/verdict.js';
export * from './findings/background.js';

export const MISSING_FILE: FindingCode = 'missing-file';
export const REBOOT: FindingCode = 'reboot';

/** For the crontab reader: an @reboot line (the job's status is `skip`). */
export function rebootFinding(file: string, line: number): Finding {
  return makeFinding('reboot', {}, file, line);
}
