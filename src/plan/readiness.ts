// Migration readiness of one job: the script analysis (bundle + findings) plus what only the crontab knows
// (MAILTO, credentials in crontab variables or in the line itself, @reboot). Pure over a FileReader.
import { splitPercent, type CronEntry, type Crontab } from '../crontab/read.js';
import { analyzeJob, type JobAnalysis } from '../scripts/analyze.js';
import {
  findSecretInVariable,
  findSecrets,
  findSecretsInStdin,
  mailtoFinding,
  rebootFinding,
  argsKey,
  sortFindings,
  verdict,
  type Finding,
  type FindingArgs,
  type Verdict,
  type VerdictReason,
} from '../scripts/findings.js';
import type { FileReader } from '../scripts/reader.js';
import type { Reason, SourceRef } from '../model/reasons.js';
import { missingCommandFinding, type RuntimeView } from '../runtime/judge.js';

export interface Readiness {
  findings: Finding[];
  verdict: Verdict;
  verdictReasons: VerdictReason[];
  /** Every credential value met: to be redacted from anything printed or written. */
  secrets: string[];
  /** Present for jobs whose scripts were analysed (status migrate with a reader). */
  analysis?: JobAnalysis;
}

/** The line each variable in effect for an entry was set on (the last setting above the entry). */
function variableLines(crontab: Crontab, entry: CronEntry): Map<string, number> {
  const lines = new Map<string, number>();
  for (const v of crontab.variables) if (v.line < entry.source.line) lines.set(v.name, v.line);
  return lines;
}

export interface HomeLookup {
  (user: string): string | null;
  /** Whether the server's /etc/passwd lists the user; null when there is no passwd to judge by. */
  knows(user: string): boolean | null;
}

/** HOME as cron sets it: the crontab's HOME, else the user's home directory from the server's /etc/passwd. */
export function homeFor(entry: CronEntry, user: string | undefined, passwdHome: HomeLookup): string | null {
  if (entry.environment.HOME !== undefined) return entry.environment.HOME;
  return user ? passwdHome(user) : null;
}

export function assessEntry(
  entry: CronEntry,
  crontab: Crontab,
  options: { reader?: FileReader; analyse: boolean; home: string | null; keepFlockLocks?: readonly string[]; runtime?: RuntimeView },
): Readiness {
  const file = entry.source.file;
  const crontabFindings: Finding[] = [];
  const secrets: string[] = [];

  const lines = variableLines(crontab, entry);
  for (const [name, value] of Object.entries(entry.environment)) {
    const line = lines.get(name) ?? entry.source.line;
    const hit = findSecretInVariable(name, value, file, line);
    if (hit) {
      crontabFindings.push(hit.finding);
      secrets.push(hit.value);
    }
    if (name === 'MAILTO') {
      const f = mailtoFinding(value, file, line);
      if (f) crontabFindings.push(f);
    }
    if (name === 'SHELL' && options.analyse && value !== '') {
      // The function runs the command as cron does, "$SHELL" -c: a SHELL the runtime lacks (zsh, ksh) fails every run.
      const f = missingCommandFinding(value.slice(value.lastIndexOf('/') + 1), file, line, options.runtime);
      if (f) crontabFindings.push(f);
    }
  }
  for (const hit of findSecrets(entry.source.text, file, entry.source.line)) {
    crontabFindings.push(hit.finding);
    secrets.push(hit.value, ...(hit.written !== undefined ? [hit.written] : []));
  }
  // A rejected line may stop before cron's % split (an unknown macro, a user name where the command goes, a % in a
  // time field), yet it is printed whole: what follows its first unescaped % is scanned as stdin all the same.
  const stdin = entry.kind === 'error' ? splitPercent(entry.source.text).stdin : entry.stdin;
  if (stdin) {
    const { hits, also } = findSecretsInStdin(stdin, entry.source.text, file, entry.source.line);
    for (const hit of hits) {
      crontabFindings.push(hit.finding);
      secrets.push(hit.value);
    }
    secrets.push(...also);
  }
  if (entry.kind === 'reboot') crontabFindings.push(rebootFinding(file, entry.source.line));

  let analysis: JobAnalysis | undefined;
  if (options.analyse && options.reader && entry.command !== undefined) {
    analysis = analyzeJob(
      {
        command: entry.command,
        shell: entry.environment.SHELL ?? '/bin/sh',
        environment: entry.environment,
        home: options.home,
        file,
        line: entry.source.line,
        stdin: entry.stdin ?? null,
        ...(options.keepFlockLocks ? { keepFlockLocks: options.keepFlockLocks } : {}),
      },
      options.reader,
      { runtime: options.runtime, knownSecrets: secrets },
    );
    secrets.push(...analysis.secrets);
  }

  const findings = dedupe(sortFindings([...crontabFindings, ...(analysis?.findings ?? [])]));
  const v = verdict(findings);
  return { findings, verdict: v.verdict, verdictReasons: v.reasons, secrets, ...(analysis ? { analysis } : {}) };
}

/** Findings already sorted and without exact duplicates (sortFindings), less the secrets another finding says more of. */
function dedupe(findings: Finding[]): Finding[] {
  // A credential in the crontab command is found in the line and again where the bundled command is rewritten to
  // read it from a variable: one finding, the one that names the variable (its sentence goes on where this one ends).
  const sameSubject = (a: FindingArgs['secret'], b: FindingArgs['secret']) => a.label === b.label && a.variable === b.variable && a.stdin === b.stdin;
  const saysMore = (a: FindingArgs['secret']) => a.envVar !== undefined || a.bundled === true;
  const longer = (f: Finding & { code: 'secret' }) =>
    !saysMore(f.args) && findings.some((g) => g !== f && g.code === 'secret' && g.file === f.file && g.line === f.line && sameSubject(g.args, f.args) && saysMore(g.args));
  return findings.filter((f) => !(f.code === 'secret' && longer(f)));
}

/** /etc/passwd under the server root → home directory by user. */
export function passwdLookup(reader: FileReader | undefined): HomeLookup {
  const text = reader?.readFile('/etc/passwd');
  const homes = new Map<string, string>();
  if (text) {
    for (const line of new TextDecoder().decode(text).split('\n')) {
      const f = line.split(':');
      if (f.length >= 7 && f[0]) homes.set(f[0], f[5]);
    }
  }
  const lookup = ((user: string) => homes.get(user) ?? null) as HomeLookup;
  lookup.knows = (user) => (homes.size === 0 ? null : homes.has(user));
  return lookup;
}

/** The user of a user crontab, from its spool path (/var/spool/cron/crontabs/NAME or /var/spool/cron/NAME). */
export function userFromSpoolPath(path: string): string | undefined {
  const m = /(?:^|\/)var\/spool\/cron\/(?:crontabs\/)?([^/]+)$/.exec(path);
  return m ? m[1] : undefined;
}

/**
 * Job warnings that need a decision before the job moves, as much as a warning finding does: a schedule that does
 * not fire when cron did (`inexact`), a zone nobody gave (`timezone-assumed`), an owner the server's /etc/passwd does
 * not list (`unknown-user`: cron never ran the crontab, unless the user comes from LDAP or NIS), a CRON_TZ the server's
 * cron never honoured (`cron-tz-ignored`: the author meant a zone the job never ran in). They make a ready job
 * needs-attention.
 */
export const ATTENTION_WARNINGS: readonly string[] = ['inexact', 'timezone-assumed', 'unknown-user', 'cron-tz-ignored'];

export function attentionFromWarnings(v: Verdict, reasons: VerdictReason[], warnings: Reason[]): { verdict: Verdict; reasons: VerdictReason[] } {
  const extra: VerdictReason[] = warnings.filter((w) => ATTENTION_WARNINGS.includes(w.code)).map((w) => ({ warning: w }));
  if (extra.length === 0) return { verdict: v, reasons };
  return { verdict: v === 'ready' ? 'needs-attention' : v, reasons: [...reasons, ...extra] };
}

/** Warnings about a crontab variable (at its line), said once for the jobs below it (fileWarnings). */
const VARIABLE_WARNINGS: readonly string[] = ['cron-tz-ignored', 'random-delay'];

/** A warning said once for a crontab: it holds for each job named (by id). */
export type FileWarning = Reason & {
  severity: 'warning' | 'blocker';
  jobs: string[];
};

interface JobFacts {
  id: string;
  source: SourceRef;
  warnings: Reason[];
  findings: Finding[];
}

/**
 * What holds for a whole crontab rather than for one line: the assumed zone, an owner the server does not know, a
 * CRON_TZ the server's cron ignored and a RANDOM_DELAY (once per variable line), and findings about a crontab variable
 * (MAILTO, a credential in a variable), which every job below the variable's line shares. One warning each, naming
 * the jobs; a variable set again further down is a separate warning (its line differs).
 */
export function fileWarnings(file: string, jobs: JobFacts[]): FileWarning[] {
  const out: FileWarning[] = [];
  for (const code of ['timezone-assumed', 'unknown-user']) {
    const affected = jobs.filter((j) => j.warnings.some((w) => w.code === code));
    if (affected.length === 0) continue;
    const w = affected[0].warnings.find((x) => x.code === code)!;
    out.push({ ...w, line: undefined, field: undefined, file, severity: 'warning', jobs: affected.map((j) => j.id) });
  }
  // What a crontab variable does to every job below it, once per variable line, naming the jobs: a CRON_TZ cron
  // ignored (its line and zone), a RANDOM_DELAY cronie started them late by.
  const byLine = new Map<string, FileWarning>();
  for (const j of jobs) {
    for (const w of j.warnings) {
      if (!VARIABLE_WARNINGS.includes(w.code) || w.line === undefined) continue;
      const key = `${w.code}\u0000${w.line}`;
      let fw = byLine.get(key);
      if (!fw) byLine.set(key, (fw = { ...w, file, severity: 'warning', jobs: [] }));
      if (!fw.jobs.includes(j.id)) fw.jobs.push(j.id);
    }
  }
  out.push(...[...byLine.values()].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  const byVariable = new Map<string, FileWarning>();
  for (const j of jobs) {
    for (const f of j.findings) {
      if (f.severity === 'info' || f.file !== file || f.line === j.source.line) continue;
      const key = `${f.code}\u0000${f.line}\u0000${argsKey(f)}`;
      let w = byVariable.get(key);
      // The finding's code and args pairing, kept (FindingReason is a union over the codes).
      if (!w) byVariable.set(key, (w = { code: f.code, args: f.args, of: 'finding', file, line: f.line, severity: f.severity as 'warning' | 'blocker', jobs: [] } as FileWarning));
      if (!w.jobs.includes(j.id)) w.jobs.push(j.id);
    }
  }
  out.push(...[...byVariable.values()].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)));
  return out;
}
