// The one entry point of the script analysis: bundle a cron job and judge it.
import { bundleJob, type BundleResult, type JobInput } from './bundle.js';
import {
  backgroundFindings,
  isShellText,
  collectSecrets,
  dropEdit,
  outputDrops,
  findSecretInVariable,
  findSecrets,
  findingsFromTrace,
  redact,
  redactBytes,
  redactDeep,
  holdsSecret,
  sortFindings,
  verdict,
  type Verdict,
} from './findings.js';
import type { FileReader } from './reader.js';
import { applyEdits, toBytes, toText } from './sh/index.js';
import { secretsInText } from './secrets.js';
import { defaultRuntime, type RuntimeView } from '../runtime/judge.js';
import { nativeFindings } from '../runtime/native.js';
import type { Finding, VerdictReason } from './types.js';

export interface JobAnalysis {
  /** Bundle with secrets redacted from the rewritten texts. */
  bundle: BundleResult;
  /** The command to run on Lambda: rewritten, top-level output redirections dropped. */
  command: string;
  /** Redirections dropped from the command (redacted). */
  dropped: string[];
  /** Sorted by file, line, code; deduplicated; no secret value in any args or detail (so in no sentence made of them). */
  findings: Finding[];
  verdict: Verdict;
  reasons: VerdictReason[];
  /** True when a missing-file finding makes the job an error. */
  error: boolean;
  /** Every secret value met (crontab variables included): redact them from anything printed. */
  secrets: readonly string[];
}

/** A finding with every secret redacted from its values: args (what its sentence is made of) and detail. */
function redactFinding(f: Finding, secrets: readonly string[]): Finding {
  const g: Finding = { ...f, args: redactDeep(f.args, secrets) } as Finding;
  if (f.detail) g.detail = redactDeep(f.detail, secrets);
  return g;
}

export interface AnalyzeOptions {
  /** The runtime snapshot to judge against (default: the shipped list, x86_64); its architecture is the function's. */
  runtime?: RuntimeView;
  /** Credentials found elsewhere (the crontab line, other jobs): redacted from this job's files too. */
  knownSecrets?: readonly string[];
}

export function analyzeJob(input: JobInput, reader: FileReader, options: AnalyzeOptions = {}): JobAnalysis {
  const bundle = bundleJob(input, reader);
  const lineBase = (input.line ?? 1) - 1;
  const knownSecrets = options.knownSecrets ?? [];
  const runtime = options.runtime ?? defaultRuntime();
  const planned = outputDrops(input.command);
  const traceFindings = [
    // every output drop is reported, also one the command keeps because the bundle rewrote it (below)
    ...findingsFromTrace(bundle.trace, { dropped: planned.map((d) => ({ line: lineBase + d.line, target: d.target })), runtime, environment: new Set(Object.keys(input.environment)) }),
    ...nativeFindings(bundle.files, runtime, runtime.snapshot.architecture),
  ];
  traceFindings.push(
    ...backgroundFindings([
      { file: input.file ?? 'crontab', text: input.command, lineBase },
      ...bundle.files.filter((f) => f.reason !== 'input' && isShellText(f.content, f.reason === 'source')).map((f) => ({ file: f.path, text: f.content })),
    ]),
  );
  const envSecrets = Object.entries(input.environment)
    .map(([k, v]) => findSecretInVariable(k, v, input.file ?? 'crontab', input.line ?? 1))
    .filter((h) => h !== null);
  // A command the shell parser rejects was not traced: judge its text as the crontab line is judged.
  const unparsed = bundle.findings.some((f) => f.code === 'parse-error' && f.file === (input.file ?? 'crontab')) ? findSecrets(input.command, input.file ?? 'crontab', input.line ?? 1) : [];
  const stdinSecrets = input.stdin ? secretsInText(input.stdin).map((m) => m.value) : [];
  const secrets = collectSecrets(bundle.trace.secrets, bundle.trace.secretParts, envSecrets, unparsed, stdinSecrets, [...knownSecrets]);
  // the command for Lambda: the bundle's rewrites and the dropped output redirections, spliced in one pass.
  // A redirection the bundle rewrote (a flock's lock file opened as /dev/null) is the bundle's: it stays.
  const drops = planned.filter((d) => !bundle.commandEdits.some((e) => e.start < d.end && d.start < e.end));
  const command = drops.length === 0 ? bundle.command : toText(applyEdits(toBytes(input.command), [...bundle.commandEdits, ...drops.map(dropEdit)]));
  const analysis: JobAnalysis = {
    bundle,
    command,
    dropped: drops.map((d) => d.text),
    findings: sortFindings([...bundle.findings, ...traceFindings]),
    verdict: 'ready',
    reasons: [],
    error: bundle.error,
    secrets,
  };
  return redactAnalysis(analysis, secrets, true);
}

/**
 * The analysis with every secret redacted from what is printed or bundled (findings' values, the command, the
 * bundled files byte-safely). The plan calls it again with the secrets of all jobs (one password on two lines).
 */
export function redactAnalysis(a: JobAnalysis, secrets: readonly string[], first = false): JobAnalysis {
  if (!first) {
    const known = new Set(a.secrets);
    if (secrets.every((s) => known.has(s))) return a;
  }
  // The run's frozen list when it holds this job's own (the plan's does): prepared once for every job it redacts
  // (scripts/redact.ts), where a merged copy per job would be sorted and indexed again for each.
  const list: readonly string[] =
    Object.isFrozen(secrets) && a.secrets.every((v) => holdsSecret(secrets, v)) ? secrets : Object.freeze(collectSecrets([...secrets], a.secrets));
  // Nothing to redact (most jobs): the analysis as it is, with its verdict, not a copy of every finding and file.
  if (list.length === 0 && a.bundle.trace.secrets.length === 0 && a.bundle.trace.secretParts.length === 0) {
    const v = verdict(a.findings);
    return { ...a, verdict: v.verdict, reasons: v.reasons, secrets: list };
  }
  const findings = a.findings.map((f) => redactFinding(f, list));
  const bundle = a.bundle;
  const redactedBundle: BundleResult = {
    ...bundle,
    command: redact(bundle.command, list),
    files: bundle.files.map((f) => {
      const content = redactBytes(f.content, list);
      return content === f.content ? f : { ...f, content };
    }),
    findings: bundle.findings.map((f) => redactFinding(f, list)),
    trace: redactDeep({ ...bundle.trace, secrets: bundle.trace.secrets.map((s) => ({ ...s, value: '' })), secretParts: [] }, list),
  };
  const dropped = { command: redact(a.command, list), dropped: a.dropped.map((d) => redact(d, list)) };
  const v = verdict(findings);
  return {
    bundle: redactedBundle,
    command: dropped.command,
    dropped: dropped.dropped,
    findings,
    verdict: v.verdict,
    reasons: v.reasons,
    error: a.error,
    secrets: list,
  };
}
