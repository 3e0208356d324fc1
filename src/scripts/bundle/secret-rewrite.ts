// Layer 2: credentials met in words and texts: recorded for findings and redaction, and a literal one moved out of
// the bundled copy into an environment variable.
import { secretsInArgv, secretsInText, secretsInValue, type SecretMatch } from '../secrets.js';
import { credentialParts, tokensIn } from '../tokens.js';
import { findSecrets, findSecretsInExpandedWord, writtenForm } from '../findings/secrets.js';
import {
  type Word,
} from '../sh/index.js';
import { type Ctx } from './context.js';
import { dq } from './splice.js';
import { FileRegistry } from './files.js';

export class SecretRewriter extends FileRegistry {
  /**
   * Credentials in text that is data, not shell words (a heredoc body, a Python script): recorded for the findings
   * and for redaction (the bundled copy gets [REDACTED] in their place); `line` is the text's first line.
   */
  textSecrets(text: string, file: string, line: number, formatsOnly = false): void {
    const known = new Set(this.trace.secrets.map((s) => s.value));
    for (const m of formatsOnly ? tokensIn(text) : secretsInText(text)) {
      this.trace.secretParts.push(...credentialParts(m));
      if (known.has(m.value)) continue;
      known.add(m.value);
      const at = text.indexOf(m.value);
      const l = line + (at > 0 ? text.slice(0, at).split('\n').length - 1 : 0);
      this.trace.secrets.push({ file, line: l, kind: m.kind, label: m.label, value: m.value });
    }
  }

  /**
   * Credentials in a shell script the parser could not read (an unterminated quote, a NUL byte): its words were never
   * traced, so its text is judged as an unparsed crontab line is (password options per line, every format, pairs).
   */
  unparsedSecrets(text: string, file: string): void {
    const known = new Set(this.trace.secrets.map((s) => s.value));
    for (const h of findSecrets(text, file, 1)) {
      if (known.has(h.value)) continue;
      known.add(h.value);
      const label = h.finding.code === 'secret' ? h.finding.args.label : undefined;
      this.trace.secrets.push({ file, line: h.finding.line, kind: (h.finding.detail?.secretKind ?? 'assignment') as SecretMatch['kind'], label: label ?? 'credential', value: h.value });
    }
  }

  /**
   * Credentials in the literal parts of a word with expansions (`sh -c "mysql --password=pw -h $H"`, see
   * findSecretsInExpandedWord): recorded for the findings and for redaction. The word is not rewritten: what its
   * literal parts mean is the inner shell's or the program's reading, not this shell's.
   */
  protected expandedSecrets(w: Word, ctx: Ctx): void {
    const hits = findSecretsInExpandedWord(w, this.raw(ctx, w.pos, w.end), ctx.unit.file, this.line(w, ctx));
    if (hits.length === 0) return;
    const known = new Set(this.trace.secrets.map((s) => s.value));
    for (const h of hits) {
      if (h.written !== undefined) this.trace.secretParts.push(h.written);
      if (known.has(h.value)) continue;
      known.add(h.value);
      const label = h.finding.code === 'secret' ? h.finding.args.label : undefined;
      const kind = (h.finding.detail?.secretKind ?? 'assignment') as SecretMatch['kind'];
      this.trace.secrets.push({ file: ctx.unit.file, line: h.finding.line, kind, label: label ?? 'credential', value: h.value, crontab: ctx.unit.crontab });
    }
  }

  /** Record a secret found in a literal word and replace the word by an environment reference. */
  protected secretWord(w: Word, literal: string, m: SecretMatch, ctx: Ctx, varName?: string): void {
    let envVar = varName;
    if (!envVar) {
      envVar = this.secretVars.get(m.value);
      if (!envVar) {
        envVar = `CRON2LAMBDA_SECRET_${++this.secretCounter}`;
        this.secretVars.set(m.value, envVar);
      }
    }
    this.trace.secrets.push({ file: ctx.unit.file, line: this.line(w, ctx), kind: m.kind, label: m.label, value: m.value, envVar });
    // as written (quoted, escaped) it is redacted too: the crontab line is printed as written
    const written = writtenForm(this.raw(ctx, w.pos, w.end), literal, m.value);
    if (written !== undefined) this.trace.secretParts.push(written);
    const at = literal.indexOf(m.value);
    if (at === -1) return;
    const prefix = literal.slice(0, at);
    const suffix = literal.slice(at + m.value.length);
    const ref = `"\${${envVar}:?set ${envVar} from SSM Parameter Store or Secrets Manager}"`;
    const text = `${dq(prefix)}${ref}${dq(suffix)}`;
    this.addEdit(ctx.unit.key, ctx.unit.base + w.pos, ctx.unit.base + w.end, ctx.unit.escape(text));
  }

  /**
   * Credentials in words read as a program's arguments (secretsInArgv; `words[0]` is the program's word, or null where
   * there is none, as for the words of a `for` loop): each one found is rewritten (secretWord); every other literal
   * word is judged as a value, and `elsewhere` (then) as code a shell runs elsewhere; a word with expansions by its
   * literal parts.
   */
  protected argvSecrets(program: string, words: ReadonlyArray<Word | null>, lits: Array<string | null>, ctx: Ctx, elsewhere = false): void {
    // the words rewritten as a credential (nearly always none: no set is made for them then)
    let rewritten: Set<number> | null = null;
    for (const s of secretsInArgv(program, lits)) {
      const w = words[s.index];
      const literal = lits[s.index];
      if (!w || literal === null) continue;
      this.secretWord(w, literal, s, ctx);
      (rewritten ??= new Set()).add(s.index);
    }
    words.forEach((w, i) => {
      if (!w) return;
      const literal = lits[i];
      if (literal === null) this.expandedSecrets(w, ctx);
      else if (!rewritten?.has(i)) {
        this.valueSecrets(w, literal, ctx);
        if (elsewhere && i > 0) this.expandedSecrets(w, ctx);
      }
    });
  }

  protected valueSecrets(w: Word, literal: string, ctx: Ctx): void {
    const found = secretsInValue(literal);
    // one rewrite per word: the first secret; the others are still reported and redacted
    found.forEach((m, i) => {
      if (i === 0) this.secretWord(w, literal, m, ctx);
      else this.trace.secrets.push({ file: ctx.unit.file, line: this.line(w, ctx), kind: m.kind, label: m.label, value: m.value, crontab: ctx.unit.crontab });
    });
  }
}
