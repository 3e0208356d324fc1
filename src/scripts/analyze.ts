// The one entry point of the script analysis: bundle a cron job and judge it.
import { bundleJob, type BundleResult, type JobInput } from './bundle.js';
import {
  collectSecrets,
  dropOutputRedirects,
  findSecretInVariable,
  findingsFromTrace,
  redact,
  redactDeep,
  sortFindings,
  verdict,
  type Verdict,
} from './findings.js';
import type { FileReader } from './reader.js';
import { defaultRuntime, type RuntimeView } from '../runtime/judge.js';
import { nativeFindings } from '../runtime/native.js';
import { parseShell, toBytes, toText, walk, lineOf, startOf, endOf, evalWord, type ShNode } from './shell.js';
import type { Finding, FindingDetail } from './types.js';

export interface JobAnalysis {
  /** Bundle with secrets redacted from the rewritten texts. */
  bundle: BundleResult;
  /** The command to run on Lambda: rewritten, top-level output redirections dropped. */
  command: string;
  /** Redirections dropped from the command (redacted). */
  dropped: string[];
  /** Sorted by file, line, code; deduplicated; no secret value in any message or detail. */
  findings: Finding[];
  verdict: Verdict;
  reasons: string[];
  /** True when a missing-file finding makes the job an error. */
  error: boolean;
  /** Every secret value met (crontab variables included): redact them from anything printed. */
  secrets: string[];
}

function droppedTargets(command: string, lineBase: number): Array<{ line: number; target: string }> {
  const { dropped } = dropOutputRedirects(command);
  if (dropped.length === 0) return [];
  const parsed = parseShell(command, 'command');
  if (!parsed.file) return [];
  const out: Array<{ line: number; target: string }> = [];
  const scope = { vars: new Map(), dollar0: null, bashSource: null, cwd: null };
  walk(parsed.file, (n: ShNode, t: string) => {
    if (t === 'Redirect' && n.Word) {
      const text = toText(parsed.bytes.subarray(startOf(n), endOf(n)));
      if (dropped.includes(text)) {
        const v = evalWord(n.Word, scope);
        out.push({ line: lineBase + lineOf(n), target: v ? v.text : toText(parsed.bytes.subarray(startOf(n.Word), endOf(n.Word))) });
      }
    }
    return true;
  });
  return out;
}

function redactDetail(d: FindingDetail | undefined, secrets: string[]): FindingDetail | undefined {
  return redactDeep(d, secrets);
}

export interface AnalyzeOptions {
  /** The runtime snapshot to judge against (default: the shipped list, x86_64); its architecture is the function's. */
  runtime?: RuntimeView;
}

export function analyzeJob(input: JobInput, reader: FileReader, options: AnalyzeOptions = {}): JobAnalysis {
  const bundle = bundleJob(input, reader);
  const lineBase = (input.line ?? 1) - 1;
  const runtime = options.runtime ?? defaultRuntime();
  const traceFindings = [
    ...findingsFromTrace(bundle.trace, { dropped: droppedTargets(input.command, lineBase), runtime }),
    ...nativeFindings(bundle.files, runtime, runtime.snapshot.architecture),
  ];
  const envSecrets = Object.entries(input.environment)
    .map(([k, v]) => findSecretInVariable(k, v, input.file ?? 'crontab', input.line ?? 1))
    .filter((h) => h !== null);
  const secrets = collectSecrets(bundle.trace.secrets, envSecrets);

  const findings = sortFindings([...bundle.findings, ...traceFindings]).map((f) => {
    const g: Finding = { ...f, message: redact(f.message, secrets) };
    if (f.detail) g.detail = redactDetail(f.detail, secrets);
    return g;
  });
  const redactedBundle: BundleResult = {
    ...bundle,
    command: redact(bundle.command, secrets),
    files: bundle.files.map((f) => {
      const text = toText(f.content);
      const isText = !f.content.includes(0);
      if (!isText || !secrets.some((s) => text.includes(s))) return f;
      return { ...f, content: toBytes(redact(text, secrets)) };
    }),
    findings: bundle.findings.map((f) => ({ ...f, message: redact(f.message, secrets) })),
    trace: redactDeep({ ...bundle.trace, secrets: bundle.trace.secrets.map((s) => ({ ...s, value: '' })) }, secrets),
  };
  const dropped = dropOutputRedirects(redactedBundle.command);
  const v = verdict(findings);
  return {
    bundle: redactedBundle,
    command: dropped.command,
    dropped: dropped.dropped,
    findings,
    verdict: v.verdict,
    reasons: v.reasons,
    error: bundle.error,
    secrets,
  };
}
