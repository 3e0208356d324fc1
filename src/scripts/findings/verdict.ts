// Ordering findings and the verdict they make.
import { SEVERITY, argsKey, type Finding, type Severity, type VerdictReason } from '../types.js';

// ---------------------------------------------------------------- ordering & verdict

/** Sort by file, line, code, then the sentence's values; drop exact duplicates (same code, file, line, args). */
export function sortFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const out: Array<{ f: Finding; key: string }> = [];
  for (const f of findings) {
    const key = argsKey(f);
    const k = `${f.code}\u0000${f.file}\u0000${f.line}\u0000${key}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ f, key });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort((a, b) => cmp(a.f.file, b.f.file) || a.f.line - b.f.line || cmp(a.f.code, b.f.code) || cmp(a.key, b.key)).map((x) => x.f);
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
