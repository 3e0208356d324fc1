// Credentials in crontab lines, variables and the % text (stdin), as findings and as values to redact.
import { posix } from 'node:path';
import type { SecretUse } from '../bundle.js';
import { PASSWORD_PROGRAMS, SHELL_ELSEWHERE, secretFromAssignment, secretsInArgv, secretsInText, secretsInValue, type SecretMatch } from '../secrets.js';
import { UNKNOWN, evalWord, literalWord, parseShell, sourceOf, templateWord, walk, type Word } from '../sh/index.js';
import { credentialParts } from '../tokens.js';
import { makeFinding, type Finding, type FindingArgs } from '../types.js';

// ---------------------------------------------------------------- secrets

export interface SecretHit {
  finding: Finding;
  /** The secret itself: feed it to collectSecrets/redact, never print it. */
  value: string;
  /** The secret as written in the line when quoting or escapes make it differ (`"a\"b"` for a"b): redacted too. */
  written?: string;
}

/** `what`: where the credential was met (the detector's label, the crontab variable, the % text). */
export function secretFinding(what: FindingArgs['secret'], file: string, line: number, kind: string, envVar?: string, bundled = false): Finding {
  const args: FindingArgs['secret'] = { ...what, ...(envVar ? { envVar } : bundled ? { bundled: true } : {}) };
  return makeFinding('secret', args, file, line, {
    secretKind: kind,
    ...(envVar ? { envVar } : {}),
  });
}

/** A crontab variable (`DB_PASSWORD=hunter2`) that holds a credential literal. */
export function findSecretInVariable(name: string, value: string, file: string, line: number): SecretHit | null {
  const m = secretFromAssignment(name, value) ?? secretsInValue(value)[0] ?? null;
  if (!m) return null;
  return { finding: secretFinding(m.kind === 'assignment' ? { variable: name } : { label: m.label, variable: name }, file, line, m.kind), value: m.value };
}

/**
 * Credential literals in arbitrary shell text (a crontab line, a command). Parsed with the shell
 * parser; only literal words count. `line` is the line number of the text's first line.
 */
/**
 * Every detector below needs one of these substrings (a credential-like name or option, a program with a password
 * option, an AWS key, a URL with credentials, an Authorization header, a 40-character key): text without any of
 * them cannot hold a finding, and skipping the shell parse keeps a 10,000-line plan fast.
 */
const SECRET_HINT =
  /pass|pw|secret|token|key|credential|akia|asia|:\/\/|authorization|mysql|mariadb|mydumper|myloader|redis-cli|curl|wget|[A-Za-z0-9/+]{40}|gh[pousr]_|github_pat_|glpat-|[sr]k_(?:live|test|prod)_|xox[abposr]-|aiza|npm_|eyj|bearer|basic|-----begin|dsn|auth|_pat\b|\bpat_|_sk\b|\bsk_|sig|salt|cookie|session|hmac|jwt|cert|sg\./i;

export function findSecrets(text: string, file: string, line = 1, depth = 0): SecretHit[] {
  if (!SECRET_HINT.test(text)) return [];
  const hits: SecretHit[] = [];
  const add = (m: SecretMatch, l: number): void => {
    hits.push({ finding: secretFinding({ label: m.label }, file, l, m.kind), value: m.value });
  };
  const parsed = parseShell(text);
  if (!parsed.file) {
    // not shell (an unterminated quote, say): words split on blanks with quotes dropped, judged as argv from each
    // program with a password option, plus every credential format in the raw text
    text.split('\n').forEach((ln, i) => {
      const words = ln.split(/\s+/).filter((w) => w !== '').map((w) => w.replace(/^["']+|["']+$/g, ''));
      const starts = [0, ...words.flatMap((w, j) => (PASSWORD_PROGRAMS.has(posix.basename(w)) ? [j] : []))];
      for (const st of starts) for (const m of secretsInArgv(posix.basename(words[st] ?? ''), words.slice(st))) add(m, line + i);
      for (const w of words) for (const m of secretsInValue(w)) add(m, line + i);
      for (const m of secretsInText(ln)) add(m, line + i);
    });
    return dedupeHits(hits);
  }
  const scope = { vars: new Map(), dollar0: null, bashSource: null, cwd: null };
  const addWord = (m: SecretMatch, l: number, w: Word, literal: string): void => {
    const raw = writtenForm(sourceOf(parsed, w), literal, m.value);
    hits.push({ finding: secretFinding({ label: m.label }, file, l, m.kind), value: m.value, ...(raw !== undefined ? { written: raw } : {}) });
  };
  walk(parsed.file, (n) => {
    if (n.type === 'CallExpr' && n.args.length > 0) {
      const lits = n.args.map((w) => literalWord(w));
      const prog = evalWord(n.args[0], scope);
      // a crontab line starts with its schedule: look for a known program anywhere in the words
      const starts = [0];
      lits.forEach((l, i) => {
        if (i > 0 && l !== null && PASSWORD_PROGRAMS.has(posix.basename(l))) starts.push(i);
      });
      const flagged = new Set<number>();
      for (const st of starts) {
        const name = st === 0 ? (prog ? posix.basename(prog.text) : '') : posix.basename(lits[st] as string);
        for (const s of secretsInArgv(name, lits.slice(st))) {
          const idx = s.index + st;
          if (flagged.has(idx)) continue;
          flagged.add(idx);
          addWord(s, line - 1 + n.args[idx].line, n.args[idx], lits[idx] as string);
        }
      }
      // after `ssh`, `su`, `docker` ... (anywhere: a crontab line starts with its schedule) a literal word may be code
      const names = lits.map((l, i) => (i === 0 ? (prog?.text ?? null) : l));
      const elsewhere = names.findIndex((x) => x !== null && SHELL_ELSEWHERE.has(posix.basename(x)));
      n.args.forEach((w, i) => {
        if (flagged.has(i)) return;
        if (lits[i] === null) hits.push(...findSecretsInExpandedWord(w, sourceOf(parsed, w), file, line - 1 + w.line, depth));
        else {
          for (const m of secretsInValue(lits[i] as string)) addWord(m, line - 1 + w.line, w, lits[i] as string);
          if (elsewhere >= 0 && i > elsewhere) hits.push(...findSecretsInExpandedWord(w, sourceOf(parsed, w), file, line - 1 + w.line, depth));
        }
      });
    }
    if (n.type === 'Assign' && n.name && n.value) {
      const lit = literalWord(n.value);
      if (lit !== null) {
        const m = secretFromAssignment(n.name, lit);
        if (m) addWord(m, line - 1 + n.line, n.value, lit);
        else for (const v of secretsInValue(lit)) addWord(v, line - 1 + n.line, n.value, lit);
      } else hits.push(...findSecretsInExpandedWord(n.value, sourceOf(parsed, n.value), file, line - 1 + n.value.line, depth));
    }
    if (n.type === 'Redirect' && n.word) {
      const lit = literalWord(n.word);
      if (lit !== null) for (const v of secretsInValue(lit)) addWord(v, line - 1 + n.line, n.word, lit);
      else hits.push(...findSecretsInExpandedWord(n.word, sourceOf(parsed, n.word), file, line - 1 + n.word.line, depth));
    }
    return true;
  });
  return dedupeHits(hits);
}

/** Stands for an expansion when a word's literal parts are read as shell code: the parser sees an expansion there. */
const HOLE_NAME = 'CRON2LAMBDA_EXPANSION';
const HOLE = `\${${HOLE_NAME}}`;
/** `sh -c "ssh h \"mysql -p...\""`: a string inside a string inside a string is as deep as it goes. */
const MAX_WORD_DEPTH = 3;
/** What usage and help texts write where a password goes. */
const PLACEHOLDER = /^(?:[A-Z_]+|x+|\*+|\.+)$/;

/**
 * Credentials in the literal parts of a word with expansions (`sh -c "mysql --password=pw -h $H"`, `eval "curl -u
 * a:pw $URL"`, `ssh h "PGPASSWORD=pw psql"`, `"https://u:pw@$HOST/"`). To the shell such a word is one value nobody
 * knows, so the detectors above never see it; yet the shell or the program it is given to reads its literal parts
 * as code or as an argument. They are judged both ways: as shell code with each expansion still an expansion (so
 * `--password=$PW` stays a reference, not a credential), and as one value with the expansions unknown (a URL's
 * password before a variable host). `source` is the word as written, `line` the line it starts on. The bundle also
 * gives it literal strings and heredocs that a remote shell runs (`ssh host 'PGPASSWORD=pw psql'`).
 */
export function findSecretsInExpandedWord(w: Word, source: string, file: string, line: number, depth = 0): SecretHit[] {
  if (depth >= MAX_WORD_DEPTH) return [];
  const code = templateWord(w, HOLE);
  const literal = code.split(HOLE).join('');
  // nearly every such word is `"$x"` or `"$dir/file"`: no hint of a credential, no parse
  if (!SECRET_HINT.test(literal)) return [];
  // one word to whoever reads it (`"s3://bucket/$(hostname)/x"`) is judged as a value only: no parse for it
  const hits: SecretHit[] = /\s/.test(literal) ? findSecrets(code, file, line, depth + 1) : [];
  const value = templateWord(w, UNKNOWN);
  for (const m of secretsInValue(value)) {
    const at = value.indexOf(m.value);
    const l = line + (at > 0 ? value.slice(0, at).split('\n').length - 1 : 0);
    hits.push({ finding: secretFinding({ label: m.label }, file, l, m.kind), value: m.value });
  }
  // a value made of an expansion (`'--password=$PW'` inside the string: literal to the inner shell) is no credential,
  // nor a placeholder in a usage line (`echo "usage: $0 --password=PASSWORD"`, `--password=xxx`)
  const kept = hits
    .filter((h) => !h.value.includes(HOLE_NAME) && !h.value.includes(UNKNOWN) && !PLACEHOLDER.test(h.value))
    .map((h) => {
      // as written in the word: inside double quotes `"` `$` `` ` `` `\` are escaped (`sh -c "mysql -p'a\"b' $H"`)
      if (source.includes(h.value)) return { finding: h.finding, value: h.value };
      const escaped = h.value.replace(/[\\"$`]/g, '\\$&');
      return source.includes(escaped) ? { finding: h.finding, value: h.value, written: escaped } : { finding: h.finding, value: h.value };
    });
  return dedupeHits(kept);
}

/**
 * Credentials in a job's `%` text (its stdin: a password answered to a prompt, a key piped in). `stdin` is the text as
 * the job reads it; `line` the crontab line. `also` holds the same credentials as written in the line (with `%` for
 * newlines), to be redacted too.
 */
export function findSecretsInStdin(stdin: string, lineText: string, file: string, line: number): { hits: SecretHit[]; also: string[] } {
  const hits = dedupeHits(secretsInText(stdin).map((m) => ({ finding: secretFinding({ label: m.label, stdin: true }, file, line, m.kind), value: m.value })));
  const at = lineText.search(/(?<!\\)%/);
  const found = [...secretsInText(stdin), ...(at >= 0 ? secretsInText(lineText.slice(at + 1)) : [])];
  const also = found.flatMap((m) => [m.value, ...credentialParts(m)]);
  return { hits, also };
}

/**
 * A credential as a word writes it when quoting or escapes make that differ from its value (`-p"a\"b"` holds a"b):
 * the word's source text without the literal text around the value (`"a\"b"`), to be redacted with the value.
 * Undefined when the source holds the value as it is.
 */
export function writtenForm(source: string, literal: string, value: string): string | undefined {
  let raw = source;
  const at = literal.indexOf(value);
  const before = at < 0 ? '' : literal.slice(0, at);
  const after = at < 0 ? '' : literal.slice(at + value.length);
  if (before !== '' && raw.startsWith(before)) raw = raw.slice(before.length);
  if (after !== '' && raw.endsWith(after)) raw = raw.slice(0, raw.length - after.length);
  // quotes around the value alone (`"pw"`) leave it whole: redacting the value hides it there already
  return raw === '' || raw.includes(value) ? undefined : raw;
}

function dedupeHits(hits: SecretHit[]): SecretHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const k = `${h.finding.line}\u0000${h.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

type SecretSource = string | SecretHit | SecretUse | { secrets: readonly string[] } | null | undefined | readonly SecretSource[];

/** Every secret value from hits, trace entries, analyses or plain strings: unique, longest first. */
export function collectSecrets(...sources: SecretSource[]): string[] {
  const out = new Set<string>();
  const visit = (s: SecretSource): void => {
    if (s === null || s === undefined) return;
    if (typeof s === 'string') {
      if (s !== '') out.add(s);
    } else if (Array.isArray(s)) s.forEach(visit);
    else if ('secrets' in s && Array.isArray(s.secrets)) s.secrets.forEach(visit);
    else if ('value' in s && typeof s.value === 'string') {
      visit(s.value);
      if ('written' in s && typeof s.written === 'string') visit(s.written);
    }
  };
  sources.forEach(visit);
  return [...out].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
}

export { REDACTED, holdsSecret, redact, redactBytes, redactDeep } from '../redact.js';

// ---------------------------------------------------------------- mailto

/** MAILTO set non-empty for the job: cron mailed its output; Lambda does not. */
export function mailtoFinding(value: string, file: string, line: number): Finding | null {
  if (value.trim() === '' || value.trim() === '""' || value.trim() === "''") return null;
  return makeFinding('mailto', {}, file, line);
}
