// Well-known credential formats, found in any text (a crontab line that does not parse, a job's stdin, a heredoc
// body, a Python script, a sourced file). The patterns follow the public rules of secret scanners (gitleaks'
// default config, trufflehog's detectors, detect-secrets' plugins): each one has a fixed prefix or structure, so a
// match is a credential with high precision. Generic `name=value` pairs are judged by secretFromAssignment.
import type { SecretKind } from './secrets.js';

export interface TokenMatch {
  kind: SecretKind;
  /** The credential itself (what is redacted). Never put this in a message. */
  value: string;
  label: string;
}

interface TokenRule {
  kind: SecretKind;
  label: string;
  re: RegExp;
  /** Capture group holding the credential (default: the whole match). */
  group?: number;
  /** A text without this cannot hold a match (a literal every match contains): the rule is not run over it. */
  hint: RegExp;
}

/**
 * The private key: BEGIN to END (any separator between, so a key written across `%` in a crontab line is found as
 * well as one across newlines), or BEGIN to the end of the text when END is missing (a truncated key still leaks).
 */
const PEM = /-----BEGIN[A-Z0-9 _-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 _-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)/g;

export const TOKEN_RULES: readonly TokenRule[] = [
  { kind: 'private-key', label: 'private key (PEM)', re: PEM, hint: /-----BEGIN/ },
  // gitleaks aws-access-token: AKIA (long-term), ASIA (STS), ABIA, ACCA, A3T*
  { kind: 'aws-access-key', label: 'AWS access key id', re: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, hint: /A3T|AKIA|ASIA|ABIA|ACCA/ },
  // GitHub: personal (ghp_), OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_), refresh (ghr_), fine-grained
  { kind: 'token', label: 'GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g, hint: /gh[pousr]_|github_pat_/ },
  { kind: 'token', label: 'GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}\b/g, hint: /glpat-/ },
  { kind: 'token', label: 'Stripe key', re: /\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,247}\b/g, hint: /[sr]k_/ },
  { kind: 'token', label: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, hint: /xox[abposr]-/ },
  { kind: 'token', label: 'Slack webhook', re: /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9_/+-]{20,}/g, hint: /https:\/\/hooks\.slack\.com\// },
  { kind: 'token', label: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g, hint: /AIza/ },
  { kind: 'token', label: 'npm token', re: /\bnpm_[A-Za-z0-9]{36}\b/g, hint: /npm_/ },
  { kind: 'token', label: 'OpenAI key', re: /\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b/g, hint: /T3BlbkFJ/ },
  { kind: 'token', label: 'SendGrid key', re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g, hint: /SG\./ },
  { kind: 'token', label: 'Twilio key', re: /\bSK[0-9a-f]{32}\b/g, hint: /SK[0-9a-f]/ },
  { kind: 'token', label: 'JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, hint: /eyJ/ },
  // URLs: user:password@ (any scheme), and a token as the user alone (Sentry DSNs, https://TOKEN@github.com)
  { kind: 'url-credentials', label: 'password in a URL', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"]*:([^\s@/'"]+)@/gi, group: 1, hint: /:\/\// },
  { kind: 'url-credentials', label: 'key in a URL', re: /\b[a-z][a-z0-9+.-]*:\/\/([A-Za-z0-9_-]{16,})@/gi, group: 1, hint: /:\/\// },
  // HTTP credentials: an Authorization header, or a bare `Basic`/`Bearer` scheme with its credential
  { kind: 'authorization-header', label: 'Authorization header', re: /\b(?:Authorization|Proxy-Authorization)\s*[:=]\s*["']?(?:Bearer|Basic|Token|Digest)\s+([^\s"']+)/gi, group: 1, hint: /authorization/i },
  { kind: 'authorization-header', label: 'HTTP credential', re: /\b(?:Bearer|Basic)\s+([A-Za-z0-9._~+/-]{8,}=*)/g, group: 1, hint: /Bearer|Basic/ },
];

/** Every rule's hint in one pattern (the Authorization header's case-insensitively, as its rule). */
const ANY_HINT = new RegExp(TOKEN_RULES.map((r) => (r.hint.flags.includes('i') ? r.hint.source.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`) : r.hint.source)).join('|'));

/**
 * The matches of a global pattern, as String.prototype.matchAll finds them, without the copy of the pattern matchAll
 * makes on every call (thousands of short texts are scanned per run). None of these patterns matches the empty string.
 */
export function execAll(re: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push(m);
    if (m[0] === '') re.lastIndex++;
  }
  re.lastIndex = 0;
  return out;
}

function plausibleCaptured(v: string): boolean {
  return v.length >= 3 && !v.startsWith('$') && !v.includes('\u0000') && !/^\$\{/.test(v);
}

/** A user name that is a key (Sentry's 32 hex digits, a token as the user): not `backup-operator-01`. */
function looksLikeUrlKey(v: string): boolean {
  if (/^[0-9a-f]{32,}$/i.test(v)) return true;
  return v.length >= 20 && /[a-z]/.test(v) && /[A-Z]/.test(v) && /[0-9]/.test(v) && shannonEntropy(v) >= 3.5;
}

/**
 * Every well-known credential in a text (overlaps kept: redaction takes the longest first), in the order of the rules;
 * `only`: the labels of the rules to run (all without it).
 */
export function tokensIn(text: string, only?: ReadonlySet<string>): TokenMatch[] {
  const out: TokenMatch[] = [];
  // Nearly every text scanned (a command's words, a short script) holds no hint of any format: one scan says so.
  if (!ANY_HINT.test(text)) return out;
  for (const rule of TOKEN_RULES) {
    if ((only !== undefined && !only.has(rule.label)) || !rule.hint.test(text)) continue;
    for (const m of execAll(rule.re, text)) {
      const value = m[rule.group ?? 0];
      if (value === undefined || !plausibleCaptured(value)) continue;
      if (rule.label === 'key in a URL' && !looksLikeUrlKey(value)) continue;
      // `Basic housekeeping` in a comment is prose: a credential has digits (base64 of user:password nearly always)
      if (rule.label === 'HTTP credential' && !(/[0-9]/.test(value) && /[A-Za-z]/.test(value))) continue;
      out.push({ kind: rule.kind, value, label: rule.label });
    }
  }
  return out;
}

/**
 * Formats with a fixed prefix and a long body, so that a match in a program's bytes (its strings) is a credential too.
 * Left out: the shapes a program's own help text or format strings may hold (`scheme://user:password@host`,
 * `Authorization: Bearer ...`) and short hex or base64 ones that binary data can hold by chance.
 */
const IN_PROGRAMS = new Set(['private key (PEM)', 'AWS access key id', 'GitHub token', 'GitLab token', 'Stripe key', 'Slack token', 'Slack webhook', 'Google API key', 'npm token', 'OpenAI key', 'SendGrid key']);

/** What the first credential of a well-known format in a program's bytes (read as Latin-1) is, or null. */
export function credentialInProgram(text: string): string | null {
  return tokensIn(text, IN_PROGRAMS)[0]?.label ?? null;
}

/**
 * The pieces of a credential that can surface on their own: a PEM key's body lines (a key pasted into a file that is
 * then sourced parses as commands named after its lines). Redacted with the whole value.
 */
export function credentialParts(m: TokenMatch | { kind: string; value: string }): string[] {
  if (m.kind !== 'private-key') return [];
  return m.value
    .split(/[\s%]+/)
    .filter((p) => p.length >= 16 && !p.startsWith('-----'));
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * A value that looks generated rather than typed: detect-secrets' thresholds (hex 3.0 bits/char, base64 4.5) are
 * for any string; beside a credential-like name a lower bar is enough (3.0 for either, 16 characters at least).
 */
export function looksRandom(value: string): boolean {
  if (value.length < 16 || /\s/.test(value)) return false;
  if (!/^[A-Za-z0-9+/=_.:-]+$/.test(value)) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  return shannonEntropy(value) >= 3.0;
}
