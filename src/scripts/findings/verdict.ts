// Ordering findings and the verdict they make.
import { SEVERITY, argsKey, type Finding, type Severity, type VerdictReason } from '../types.js';

// ---------------------------------------------------------------- ordering & verdict

/** Sort by file, line, code, then the sentence's values; drop exact duplicates (same code, file, line, args). */
export function sortFindings(findings: Finding[]): Finding[] {
  // The values are compared (as argsKey's JSON) only between findings of one code at one place, where they can tie:
  // a job has a dozen findings, and a fleet run sorts every job's list twice.
  const atPlace = new Map<string, Finding[]>();
  const out: Finding[] = [];
  for (const f of findings) {
    const place = `${f.code}\u0000${f.file}\u0000${f.line}`;
    const there = atPlace.get(place);
    if (there === undefined) atPlace.set(place, [f]);
    else {
      const key = argsKey(f);
      if (there.some((g) => argsKey(g) === key)) continue;
      there.push(f);
    }
    out.push(f);
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => cmp(a.file, b.file) || a.line - b.line || cmp(a.code, b.code) || cmp(argsKey(a), argsKey(b)));
}

export type Verdict = 'ready' | 'needs-attention' | 'blocked';

export interface VerdictResult {
  verdict: Verdict;
  /** One per blocker or warning (src/render says each as "severity code at file:line: sentence"). */
  reasons: VerdictReason[];
}

export function verdict(findings: Finding[]): VerdictResult {
  const rank: Record<Severity, number> = { info: 0, warning: 1, blocker: 2 };
  let worst = 0;
  const reasons: VerdictReason[] = [];
  for (const f of findings) {
    worst = Math.max(worst, rank[f.severity]);
    if (f.severity !== 'info') reasons.push({ finding: f });
  }
  const v: Verdict = worst === 2 ? 'blocked' : worst === 1 ? 'needs-attention' : 'ready';
  return { verdict: v, reasons };
}

export { SEVERITY as SEVERITY_TABLE };
