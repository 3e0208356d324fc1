// Credentials found on one line that another job holds too. Pure.
//
// Nothing the tool writes may carry a credential, so every job's bundle is redacted with the credentials of all
// jobs (plan.ts). A job whose own text holds a value found elsewhere (`PGPASSWORD=pw psql` on one line, `echo pw |
// tool` on the next) therefore runs on Lambda with [REDACTED] where the value was. Its own analysis saw no credential
// there, so it would be judged ready and fail, or do something else, on every run. It gets a `secret` finding that
// names where the credential was found, and the attention that goes with it.
import { secretsHeld, secretsHeldInBytes } from '../scripts/redact.js';
import { makeFinding, sortFindings, verdict, type Finding } from '../scripts/findings.js';
import type { Readiness } from './readiness.js';

/**
 * Where a credential was first found: the crontab line of the job whose analysis found it (its own finding there
 * names the script line; the analysis keeps no value by place).
 */
export interface SecretOrigin {
  file: string;
  line: number;
}

/**
 * The readiness with a `secret` finding for each place in the job's bundle (its command, its % text, each bundled
 * file) that holds a credential other jobs found and the job itself did not, the verdict judged again. Unchanged
 * when there is none. `known`: every credential of the run, frozen (so that it is indexed once for every job, see
 * scripts/redact.ts); `origins`: where each was found.
 */
export function withSecretsFoundElsewhere(
  readiness: Readiness,
  job: { file: string; line: number; stdin: string | null },
  known: readonly string[],
  origins: ReadonlyMap<string, SecretOrigin>,
): Readiness {
  const a = readiness.analysis;
  if (!a || known.length <= readiness.secrets.length) return readiness;
  const own = new Set(readiness.secrets);
  const found: Finding[] = [];
  const seen = new Set<string>();
  const add = (file: string, line: number, value: string) => {
    const origin = origins.get(value);
    if (!origin || own.has(value)) return;
    const key = `${file}\u0000${line}\u0000${origin.file}\u0000${origin.line}`;
    if (seen.has(key)) return;
    seen.add(key);
    found.push(makeFinding('secret', { label: 'a credential', elsewhere: { file: origin.file, line: origin.line }, bundled: true }, file, line));
  };
  for (const text of [a.command, job.stdin ?? '']) for (const h of secretsHeld(text, known)) add(job.file, job.line, h.value);
  for (const f of a.bundle.files) for (const h of secretsHeldInBytes(f.content, known)) add(f.path, h.line, h.value);
  if (found.length === 0) return readiness;
  const findings = sortFindings([...readiness.findings, ...found]);
  const v = verdict(findings);
  return { ...readiness, findings, verdict: v.verdict, verdictReasons: v.reasons };
}
