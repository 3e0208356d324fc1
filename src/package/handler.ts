// The per-job function.sh, rendered from templates/function.sh.tmpl. bootstrap sources it and calls `handler`.
import { readFileSync } from 'node:fs';
import { packagePath } from '../package-root.js';

export interface HandlerInput {
  /** Job id, [A-Za-z0-9._-]+ (also CRON2LAMBDA_JOB). */
  jobId: string;
  /** The shell command line to run, already rewritten to bundled paths. */
  command: string;
  /** cron's % text, already converted (with its trailing newline), or null: stdin is then /dev/null. */
  stdin: string | null;
  /** The crontab SHELL (cron's default is /bin/sh). */
  shell: string;
  /** Crontab variables in effect for the line (SHELL, PATH, MAILTO, HOME, custom ...), in crontab order. */
  environment: Record<string, string>;
  /** The crontab owner's home from passwd, when known. */
  home: string | null;
}

/** PATH entries of the Lambda runtime (facts.md), appended to a crontab PATH where missing. */
export const LAMBDA_PATH = ['/usr/local/bin', '/usr/bin/', '/bin', '/opt/bin'] as const;

/** Templates that ship with the package (templates/ at the package root). */
export type TemplateName = 'bootstrap' | 'lock.sh' | 'function.sh.tmpl';

/** Absolute path of a file in templates/ (at the package root, wherever this module was built to). */
export function templatePath(name: TemplateName | string): string {
  return packagePath('templates', name);
}

/** The text of a template shipped with the package. */
export function readTemplate(name: TemplateName | string): string {
  return readFileSync(templatePath(name), 'utf8');
}

/** Variables the Lambda runtime (or cron2lambda itself) owns; a crontab line may not replace them. */
export function isRuntimeVariable(name: string): boolean {
  return (
    name === '_HANDLER' ||
    /^(AWS_|LAMBDA_|CRON2LAMBDA_|_AWS_|_X_AMZN_)/.test(name)
  );
}

export class HandlerInputError extends Error {
  override name = 'HandlerInputError';
}

/** Quote any text for bash as a single word: '...' with ' written as '\''. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function checkText(field: string, text: string): void {
  if (text.includes('\0')) throw new HandlerInputError(`${field} contains a NUL character, which a shell cannot pass on`);
}

function stripSlash(dir: string): string {
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

/** Crontab PATH with Lambda's PATH entries appended where missing; Lambda's PATH alone when there is none. */
export function jobPath(crontabPath: string | undefined): string {
  if (crontabPath === undefined || crontabPath === '') return LAMBDA_PATH.join(':');
  const entries = crontabPath.split(':');
  const have = new Set(entries.map(stripSlash));
  const added = LAMBDA_PATH.filter((dir) => !have.has(stripSlash(dir)));
  return [...entries, ...added].join(':');
}

/** A name safe to print in a comment. */
function commentName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '?');
}

/** '# prefix name, name, ...' wrapped at 116 columns; PREFIX may hold several lines. */
function wrapList(prefix: string, names: string[]): string[] {
  const lines = prefix.split('\n');
  let line = lines.pop()!;
  let fresh = true;
  for (const [i, name] of names.entries()) {
    const word = name + (i < names.length - 1 ? ',' : '.');
    if (line.length + 1 + word.length > 116 && !fresh) {
      lines.push(line);
      line = '#  ';
    }
    line += ` ${word}`;
    fresh = false;
  }
  lines.push(line);
  return lines;
}

/** Renders function.sh for one job. Deterministic: the same input gives the same text. */
export function renderHandler(input: HandlerInput, template: string = readTemplate('function.sh.tmpl')): string {
  if (!/^[A-Za-z0-9._-]+$/.test(input.jobId)) {
    throw new HandlerInputError(`job id ${JSON.stringify(input.jobId)} must match [A-Za-z0-9._-]+`);
  }
  checkText('command', input.command);
  if (input.command.trim() === '') throw new HandlerInputError('the command is empty');
  if (input.stdin !== null) checkText('stdin', input.stdin);
  const shell = input.shell || '/bin/sh';
  checkText('SHELL', shell);

  const env = input.environment;
  const passed: string[] = [];
  const skipped: string[] = [];
  const invalid: string[] = [];
  const args: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (name === 'SHELL' || name === 'PATH' || name === 'HOME') continue;
    if (name === '' || name.includes('=') || name.includes('\0') || value.includes('\0')) {
      invalid.push(name);
      continue;
    }
    if (isRuntimeVariable(name)) {
      skipped.push(name);
      continue;
    }
    passed.push(name);
    args.push(`    ${shellQuote(`${name}=${value}`)} \\`);
  }
  const path = jobPath(env.PATH);
  checkText('PATH', path);
  args.push(`    ${shellQuote(`SHELL=${shell}`)} \\`);
  args.push(`    ${shellQuote(`PATH=${path}`)} \\`);

  const homeRaw = env.HOME !== undefined && env.HOME !== '' ? env.HOME : input.home;
  if (homeRaw !== null) checkText('HOME', homeRaw);
  const home = homeRaw ?? '';

  const notes: string[] = [];
  if (passed.length > 0) notes.push(...wrapList('# Crontab variables passed to the command (besides SHELL, PATH, HOME):', passed.map(commentName)));
  else notes.push('# Crontab variables passed to the command: only SHELL, PATH and HOME.');
  if (skipped.length > 0) {
    notes.push(
      ...wrapList(
        '# Crontab variables NOT passed, because they would clobber the Lambda runtime\'s own (AWS_*, LAMBDA_*, _HANDLER,\n# CRON2LAMBDA_*, _AWS_*, _X_AMZN_*):',
        skipped.map(commentName),
      ),
    );
  }
  if (invalid.length > 0) {
    notes.push(...wrapList('# Crontab variables NOT passed, because no environment can hold them:', invalid.map(commentName)));
  }
  notes.push(
    env.PATH !== undefined && env.PATH !== ''
      ? `# PATH is the crontab's, with the Lambda runtime's ${LAMBDA_PATH.join(':')} appended where missing.`
      : `# PATH is the Lambda runtime's (the crontab sets none).`,
  );
  notes.push(
    input.stdin === null
      ? '# stdin: /dev/null (the crontab line has no % text).'
      : "# stdin: the crontab line's % text.",
  );

  let stdin: string;
  if (input.stdin === null) stdin = '</dev/null';
  else if (input.stdin.endsWith('\n')) stdin = `<<< ${shellQuote(input.stdin.slice(0, -1))}`; // <<< adds the \n back
  else stdin = `< <(printf '%s' ${shellQuote(input.stdin)})`;

  const values: Record<string, string> = {
    JOB_ID: input.jobId,
    ENV_NOTES: notes.join('\n'),
    SHELL: shellQuote(shell),
    HOME: shellQuote(home),
    ENV_ARGS: args.join('\n'),
    COMMAND: shellQuote(input.command),
    STDIN: stdin,
  };
  return template.replace(/@@([A-Z_]+)@@/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new HandlerInputError(`unknown template placeholder ${whole}`);
    return value;
  });
}
