// A job's identity and its id (the base of every AWS resource name). Pure.
import { createHash } from 'node:crypto';
import { hostLabel } from './host.js';
import type { Job } from './plan.js';

/**
 * A job's identity is host + user + command + stdin, and an ordinal for identical lines: the id is
 * `<host>-<slug>-<hash>` (at most 56 characters, so `c2l-<id>` plus a rule suffix fits AWS's 64), the same string
 * is the lock key's prefix and the base of every AWS resource name. The schedule, the crontab file, the line
 * number, the environment and the scripts' contents are attributes, not identity: changing them updates the job
 * in place. The second and later identical lines hash their ordinal too, so adding a copy never renames the first.
 */
export function assignIds(planned: ReadonlyArray<{ job: Job; user?: string }>, host: string): void {
  const seen = new Map<string, number>();
  for (const { job, user } of planned) {
    // The user is the crontab's owner: the system crontab's user field, else --user or the spool path.
    const identity = [host, user ?? '', job.command ?? job.source.text, job.stdin ?? ''].join('\u0000');
    const n = (seen.get(identity) ?? 0) + 1;
    seen.set(identity, n);
    job.id = jobId(host, job.command ?? '', n === 1 ? identity : `${identity}\u0000#${n}`);
  }
}

export const JOB_ID_MAX = 56;

function jobId(host: string, command: string, material: string): string {
  const hash = createHash('sha256').update(material).digest('hex').slice(0, 10);
  const parts = host ? [hostLabel(host), slug(command).slice(0, 24).replace(/-+$/, ''), hash] : [slug(command).slice(0, 24).replace(/-+$/, ''), hash];
  return parts.filter(Boolean).join('-');
}

export function slug(command: string): string {
  const words = command.split(/[\s;&|()<>]+/).filter(Boolean);
  const pick = words.find((w) => /\.(sh|bash|py|pl|rb)$/.test(w)) ?? words.find((w) => w.includes('/') && !w.startsWith('>')) ?? words.find((w) => !/=/.test(w)) ?? 'job';
  const base = (pick.split('/').pop() ?? pick).replace(/\.[A-Za-z0-9]+$/, '');
  const s = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32);
  return s || 'job';
}
