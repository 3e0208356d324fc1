// Option values → typed settings. Anything wrong here is a usage error (exit 64).
import { isSystemCrontabPath } from '../crontab/read.js';
import { daysFromCivil, monthLength } from '../schedule/calendar.js';
import { makeHorizon } from '../schedule/translate.js';
import type { Horizon } from '../schedule/simulate.js';
import type { Target } from '../schedule/translate.js';
import { checkZoneName } from '../schedule/zone-name.js';
import { zoneProblemText } from '../render/messages.js';
import { UsageError } from '../errors.js';
import { MAX_FUNCTION_SECONDS, type OverlapOverride } from '../scripts/flock.js';

export function parseTarget(value: string | undefined): Target {
  const t = value ?? 'rule';
  if (t !== 'rule' && t !== 'scheduler') throw new UsageError(`--target must be "rule" or "scheduler", not "${t}"`);
  return t;
}

export function parseTimezone(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const checked = checkZoneName(value);
  if (!checked.ok) throw new UsageError(`--timezone ${zoneProblemText(checked.problem)}`);
  return checked.zone;
}

/** `2y`, `18m`, `400d`, `6w` or a number of days. At least 28 days, at most 20 years. */
export function parseHorizonDays(value: string | undefined): number {
  const v = value ?? '2y';
  const m = /^(\d+)\s*([dwmy]?)$/i.exec(v.trim());
  if (!m) throw new UsageError(`--horizon "${v}" is not a duration such as 2y, 18m, 400d`);
  const n = Number(m[1]);
  const unit = (m[2] || 'd').toLowerCase();
  const days = unit === 'y' ? n * 365 : unit === 'm' ? Math.round(n * 30.44) : unit === 'w' ? n * 7 : n;
  if (days < 28 || days > 20 * 366) throw new UsageError(`--horizon "${v}" must be between 28 days and 20 years`);
  return days;
}

/** `--from YYYY-MM-DD` (UTC day the proof starts); default today. */
export function parseFrom(value: string | undefined, now: Date): number {
  if (value === undefined) return Math.floor(now.getTime() / 86_400_000);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) throw new UsageError(`--from "${value}" is not a date (YYYY-MM-DD)`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1971 || y > 2190 || mo < 1 || mo > 12 || d < 1 || d > 31) throw new UsageError(`--from "${value}" is out of range`);
  // Date.UTC would roll 2027-02-30 over to 2 March: an impossible date is a typo, not a date.
  if (d > monthLength(y, mo)) throw new UsageError(`--from "${value}" is not a date: ${y}-${m[2]} has ${monthLength(y, mo)} days`);
  return daysFromCivil(y, mo, d);
}

export function horizonFrom(options: { horizon?: string; from?: string }, now: Date): Horizon {
  return makeHorizon(parseFrom(options.from, now), parseHorizonDays(options.horizon));
}

/** System crontab when --system is given, or by default for /etc/crontab and /etc/cron.d/*. */
export function isSystem(path: string, flag: boolean | undefined): boolean {
  return flag === true || isSystemCrontabPath(path);
}

/**
 * `--overlap JOB=allow|forbid[:SECONDS]` (repeatable): the overlap policy of one job, by its id from `plan`. SECONDS is
 * how long a run waits for the previous one before it skips (0 to 900; default: the wait the job's flock gave, else 0).
 */
export function parseOverlap(values: readonly string[] | undefined): Record<string, OverlapOverride> {
  const out: Record<string, OverlapOverride> = {};
  for (const v of values ?? []) {
    const m = /^([A-Za-z0-9._-]+)=(allow|forbid)(?::([0-9]+))?$/.exec(v);
    if (!m) throw new UsageError(`--overlap "${v}" is not JOB=allow, JOB=forbid or JOB=forbid:SECONDS (JOB is a job id from plan)`);
    const [, job, policy, wait] = m;
    if (Object.hasOwn(out, job)) throw new UsageError(`--overlap is given twice for job ${job}`);
    if (wait !== undefined && policy === 'allow') throw new UsageError(`--overlap "${v}": a wait only goes with forbid`);
    if (wait !== undefined && Number(wait) > MAX_FUNCTION_SECONDS) throw new UsageError(`--overlap "${v}": the wait is at most ${MAX_FUNCTION_SECONDS} seconds (a function runs at most that long)`);
    out[job] = policy === 'forbid' && wait !== undefined ? { policy, waitSeconds: Number(wait) } : { policy: policy as OverlapOverride['policy'] };
  }
  return out;
}

/** A command's --timeout (invoke, migrate) when it is a valid function timeout; they report a bad value themselves. */
export function functionTimeout(value: string | undefined): number | undefined {
  if (value === undefined || !/^[0-9]+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= MAX_FUNCTION_SECONDS ? n : undefined;
}
