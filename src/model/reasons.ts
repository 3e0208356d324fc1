// Typed diagnostics shared by every stage. Text for people is made in src/render only (src/render/messages.ts);
// these carry stable codes and the values each sentence needs.
import type { FieldProblem } from '../crontab/fields.js';
import type { ZoneLegacy, ZoneProblem } from '../schedule/zone-name.js';
import type { FindingArgs, FindingCode } from '../scripts/types.js';

export interface SourceRef {
  file: string;
  line: number;
  /** The raw line (secrets redacted before anything is printed or written). */
  text: string;
}

/** The values of each reason's sentence, by code. A code with several sentences says which by `kind`. */
export interface ReasonArgs {
  // ---- reading a crontab line (src/crontab/read.ts)
  'nul-byte': Record<string, never>;
  'no-final-newline': Record<string, never>;
  /** Bytes that are not UTF-8 in the line itself, or in a variable it inherits (name, and the line setting it). */
  'not-utf8': { variable?: string; setOnLine?: number };
  'unknown-macro': { macro: string };
  /** found: how many of the 5 time fields the line has; missing: the name of the first one missing. */
  'missing-field': { found: number; missing: string };
  'invalid-field': { field: string; text: string; problem: FieldProblem };
  'missing-user': Record<string, never>;
  /** line: one line names a user after its schedule; file: said once for the crontab, with how many lines do. */
  'looks-like-system-crontab': { kind: 'line'; user: string } | { kind: 'file'; lines: number };
  /** star: what follows the schedule starts with `*` (cronie rejects it as a typo, see read.ts). */
  'missing-command': { kind: 'none' | 'empty' | 'star' };
  'long-command': { length: number; max: number };
  // ---- reading crontab files (src/cli/inputs.ts); error: why, as the file system said it (absent: unknown)
  'unreadable-file': { error?: string };
  /** The file is refused: its variables times its jobs pass max (see MAX_ENVIRONMENT_COPIES in read.ts). */
  'too-many-variables': { variables: number; jobs: number; max: number };
  'skipped-by-name': { why: string };
  'link-not-followed': { link: string; root: string };
  // ---- planning (src/plan/plan.ts)
  reboot: Record<string, never>;
  /**
   * Debian's `test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )` on a server copy that has
   * that anacron: the line does nothing there (anacron runs those scripts), so there is nothing to migrate.
   */
  anacron: { anacron: string };
  /** setOnLine: the CRON_TZ line; ranInUtc: cron on the server most likely ran the lines in UTC. */
  'invalid-timezone': { setOnLine?: number; problem: ZoneProblem; ranInUtc: boolean };
  /** of: the zone is the line's CRON_TZ, or the server's zone. */
  'legacy-timezone': { of: 'cron-tz' | 'server'; legacy: ZoneLegacy };
  /** this-machine: read from this machine's /etc (source: which file); default: UTC, nothing said a zone. */
  'timezone-assumed': { kind: 'this-machine'; zone: string; source: string } | { kind: 'default' };
  'tz-variable': { tz: string };
  /** cronie's RANDOM_DELAY above the line (value as written; minutes: as cronie reads it, at least 2). */
  'random-delay': { value: string; minutes: number };
  /**
   * A CRON_TZ on a server whose cron (Debian's, Ubuntu's) has none: the lines below it ran in the server's zone
   * (serverZone; absent when not known, and then read as UTC), not in cronTz. Said at the CRON_TZ line.
   */
  'cron-tz-ignored': { cronTz: string; serverZone?: string };
  /** A user crontab whose owner the server's /etc/passwd does not list: cron ignores such a crontab (ORPHAN). */
  'unknown-user': { user: string };
  'day-or': { dayOfMonth: string; dayOfWeek: string };
  'never-fires': { cron: string; from: string; to: string };
  inexact: InexactArgs;
}

export type ReasonCode = keyof ReasonArgs;

export interface InexactArgs {
  /** Fire times that differ, of `fires`, between the two days (YYYY-MM-DD). */
  missing: number;
  extra: number;
  fires: number;
  from: string;
  to: string;
  /** The verification's reason codes (dst-offset, ...). */
  reasons: string[];
  /** The first differing instants. */
  first: Array<{ at: string; local: string; kind: 'missing' | 'extra' }>;
  /** exact: --target scheduler makes it exact; zone: Scheduler keeps the zone. */
  hint: 'exact' | 'zone' | null;
}

interface Place {
  file?: string;
  line?: number;
  /** The crontab field the reason is about: minute, hour, day-of-month, month, day-of-week, user, command, ... */
  field?: string;
}

/** A reason of the crontab reader or the plan: its code and its sentence's values. */
export type CronReason = { [C in ReasonCode]: Place & { code: C; args: ReasonArgs[C]; of?: undefined } }[ReasonCode];

/** A finding that makes a job an error or is said once for a file: the finding's code and values. */
export type FindingReason = { [C in FindingCode]: Place & { code: C; args: FindingArgs[C]; of: 'finding' } }[FindingCode];

/** What a problem that keeps a job from being packaged says, as values (src/package); its sentence is made in src/render. */
export interface PackageProblemArgs {
  /**
   * Two zip entries that cannot both exist: the same path twice (dir === path), or a file at `dir` where `path` needs
   * a directory. serverDir/serverPath: the server file bundled at that zip path, when it is one (else the runtime's).
   */
  'bundle-path-collision': { dir: string; path: string; serverDir?: string; serverPath?: string };
  'environment-too-large': { bytes: number; limit: number };
  'zip-too-large': { bytes: number; limit: number };
  'unzipped-too-large': { bytes: number; limit: number };
  /** The zip writer or the handler template refused the job's text: their error, passed on as a value. */
  'cannot-package': { error: string };
  /**
   * The job's zip name in --out is taken by something cron2lambda did not write (src/package/outdir.ts): a name it
   * never writes, something that is not a file, or a file no previous manifest there lists.
   */
  'out-path-taken': OutBlocker;
}

export type OutBlocker =
  | { path: string; dir: string; taken: 'foreign-name' | 'not-listed' }
  | { path: string; dir: string; taken: 'not-a-file'; type: 'directory' | 'symlink' | 'other' };

export type PackageProblemCode = keyof PackageProblemArgs;

export type PackageProblem = { [C in PackageProblemCode]: { code: C; args: PackageProblemArgs[C] } }[PackageProblemCode];

/** A packaging problem said as a reason of the job (at its crontab line). */
export type PackageReason = Place & PackageProblem & { of: 'package' };

export type Reason = CronReason | FindingReason | PackageReason;
