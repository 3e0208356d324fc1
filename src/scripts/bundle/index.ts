// Bundling: find every file a crontab command runs or sources (recursively through the scripts), and rewrite
// references so that they run from "$LAMBDA_TASK_ROOT". One traversal produces both the bundle and a trace (every
// simple command, redirection, assignment, loop and credential literal, with file and line); findings turn the trace
// into findings. Pure over the FileReader.
import { CRON_DEFAULT_PATH } from '../al2023.js';
import {
  applyEdits,
  parseShell,
  toBytes,
  toText,
  type Value,
} from '../sh/index.js';
import type { FileReader } from '../reader.js';
import { isBundleError, makeFinding, type NulField } from '../types.js';
import { isProgram, MAX_NESTING } from '../policy.js';
import { type BundleResult, type BundledFile, type JobInput } from './types.js';
import { COMMAND_KEY, identity, type Ctx, type Unit } from './context.js';
import { spliced } from './splice.js';
import { Tracer } from './follow.js';
import { serverDirectoryFindings } from './server-dirs.js';
export * from './types.js';

function nulFields(input: JobInput): NulField[] {
  const out: NulField[] = [];
  if (input.command.includes('\u0000')) out.push('command');
  if (input.stdin?.includes('\u0000')) out.push('stdin');
  for (const name of ['SHELL', 'PATH', 'HOME'] as const) if (input.environment[name]?.includes('\u0000')) out.push(name);
  if (input.home?.includes('\u0000')) out.push('home');
  if (input.shell.includes('\u0000') && !out.includes('SHELL')) out.push('SHELL');
  return out;
}

/** The text of a file for scanning: UTF-8 when it is, else Latin-1 (one character per byte, nothing lost). */
function fileText(bytes: Uint8Array): string {
  const text = toText(bytes);
  return text.includes('\uFFFD') ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1') : text;
}

// ---- entry point ----

export function bundleJob(input: JobInput, reader: FileReader): BundleResult {
  const file = input.file ?? 'crontab';
  const lineBase = (input.line ?? 1) - 1;
  const env = new Map<string, Value>();
  // the job's HOME (the crontab's, else the owner's): on Lambda function.sh sets HOME to /tmp when that directory is
  // not there, so paths made from it are marked
  if (input.home !== null) env.set('HOME', { text: input.home, scriptRelative: false, relocated: 'home' });
  for (const [k, v] of Object.entries(input.environment)) env.set(k, k === 'HOME' ? { text: v, scriptRelative: false, relocated: 'home' } : { text: v, scriptRelative: false });
  if (!env.has('PATH')) env.set('PATH', { text: CRON_DEFAULT_PATH, scriptRelative: false });
  const home = env.get('HOME')?.text ?? null;

  const tracer = new Tracer(reader, env, new Set(input.keepFlockLocks ?? []));
  // A NUL cannot reach a shell (C strings end there): the line cannot run as written, on the server or on Lambda.
  const nul = nulFields(input);
  if (nul.length > 0) {
    const f = makeFinding('bad-input', { fields: nul }, file, lineBase + 1);
    return { command: input.command, commandEdits: [], files: [], dirs: [], findings: [f], error: true, trace: tracer.trace };
  }
  const parsed = parseShell(input.command);
  if (!parsed.file) {
    tracer.findings.push(makeFinding('parse-error', { error: parsed.error?.message ?? '' }, file, lineBase + (parsed.error?.line ?? 1)));
  } else {
    const unit: Unit = { file, key: COMMAND_KEY, crontab: true, bytes: parsed.bytes, base: 0, lineBase, escape: identity };
    const ctx: Ctx = {
      unit,
      scope: { vars: new Map(env), dollar0: null, bashSource: null, cwd: home },
      exported: new Set(env.keys()),
      anchor: home ? { kind: 'initial' } : { kind: 'unknown' },
      inLoop: false,
      topLevel: true,
      depth: 0,
    };
    try {
      tracer.visitStmts(parsed.file.stmts, ctx);
      tracer.flushFunctions(ctx);
      tracer.resolveFdFlocks();
    } catch (e) {
      // Each text is read at most MAX_CST_DEPTH levels deep, but code inside code (a heredoc given to bash inside a
      // subshell inside a heredoc...) adds up: past what the stack holds the job cannot be judged, and is an error.
      if (!(e instanceof RangeError) || !/call stack/i.test(e.message)) throw e;
      tracer.findings.push(makeFinding('too-deep', { path: file, limit: MAX_NESTING }, file, lineBase + 1, { path: file }));
    }
  }

  // Every bundled text file is scanned as text too: shell scripts for well-known token formats (a PEM key in a comment
  // or a file that does not parse), other files (Python, config) for credential-named values as well. Programs (a NUL
  // in the first 8 KiB and no #! line, policy.ts isProgram) were scanned for token formats when read, and refused when
  // they hold one: their bytes are not scanned again.
  // A shell script the parser could not read (bash runs one with a NUL byte after its first line) was not traced:
  // its whole text is judged, whatever bytes it holds.
  const unparsed = new Set(tracer.findings.filter((f) => f.code === 'parse-error').map((f) => f.file));
  for (const r of [...tracer.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (r.shell && unparsed.has(r.path)) tracer.unparsedSecrets(fileText(r.original), r.path);
    else if (isProgram(r.original)) continue;
    tracer.textSecrets(fileText(r.original), r.path, 1, r.shell);
  }

  // Server directories the job works in or names whose contents stay on the server (server-dirs.ts).
  if (parsed.file) tracer.findings.push(...serverDirectoryFindings(tracer.cdCopies, tracer.trace.commands, new Set(tracer.files.keys()), reader));

  const files: BundledFile[] = [...tracer.files.values()]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((r) => {
      const edits = tracer.edits.get(r.path) ?? [];
      const content = edits.length > 0 ? spliced(r, edits) : r.original;
      return { path: r.path, zipPath: r.path.replace(/^\/+/, ''), content, mode: r.reason === 'source' || r.reason === 'input' ? 0o644 : 0o755, reason: r.reason };
    });
  const commandEdits = parsed.file ? tracer.edits.get(COMMAND_KEY) ?? [] : [];
  const command = parsed.file ? toText(applyEdits(toBytes(input.command), commandEdits)) : input.command;
  tracer.trace.functions = tracer.functionNames;
  return {
    command,
    commandEdits,
    files,
    dirs: [...tracer.dirs].sort(),
    findings: tracer.findings,
    error: tracer.findings.some(isBundleError),
    trace: tracer.trace,
  };
}

