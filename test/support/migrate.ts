// Test support for `migrate`: the CLI as a subprocess (asynchronous, so an in-process local AWS endpoint keeps
// answering), a crontab in a temporary directory, and the account's state without the fields that change by clock.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, FIXTURES, subprocessEnv } from './cli.js';
import type { AccountSnapshot } from './aws/state.js';
import type { CliResult } from './cli.js';

export const APP01_ROOT = join(FIXTURES, 'servers/app01');

/** A job in Berlin with a variable and stdin, and the same plus a second job: the crontabs most migrate tests use. */
export const HELLO = 'CRON_TZ=Europe/Berlin\nGREETING=hello\n*/10 * * * * /opt/app/bin/hello.sh%first line\n';
export const TWO = HELLO + '30 2 * * 1-6 /opt/app/bin/backup.sh --full\n';

/** `migrate CRONTAB` for host app01 (scripts from the app01 fixture) in eu-west-1, against a local endpoint. */
export function migrateApp01(endpoint: string, crontab: string, args: string[] = []): Promise<CliResult> {
  return cliAsync(['migrate', crontab, '--root', APP01_ROOT, '--host', 'app01', '--region', 'eu-west-1', '--endpoint-url', endpoint, ...args]);
}

export function cliAsync(args: string[], env: Record<string, string> = {}, options: { input?: string } = {}): Promise<CliResult> {
  const clean = subprocessEnv();
  for (const k of Object.keys(clean)) if (k.startsWith('AWS_') || k === 'FORCE_COLOR' || k === 'NO_COLOR') delete clean[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...clean,
        AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
        AWS_SECRET_ACCESS_KEY: 'local-test-secret',
        // Never a profile or a file from this machine.
        AWS_CONFIG_FILE: '/nonexistent/config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
        AWS_EC2_METADATA_DISABLED: 'true',
        CRON2LAMBDA_RETRY_BASE_MS: '20',
        CRON2LAMBDA_WAITER_MIN_DELAY_S: '0.05',
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export function crontabDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'c2l-migrate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const CLOCK = /^(LastModified|RevisionId|CreateDate|CreationDateTime|creationTime|lastModified|createdAt)$/;

/** The account as a comparable value: sorted, without timestamps and revision ids. */
export function comparable(s: AccountSnapshot): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([k]) => !CLOCK.test(k))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, x]) => [k, strip(x)]),
      );
    }
    return v;
  };
  const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => (a.name < b.name ? -1 : 1));
  return strip({
    roles: byName(s.roles),
    functions: byName(s.functions).map((f) => ({ ...f, policy: [...f.policy].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) })),
    rules: byName(s.rules),
    logGroups: byName(s.logGroups),
    tables: byName(s.tables),
    layers: s.layers.map((l) => ({ name: l.name, codeSha256: l.codeSha256, description: l.description })),
  });
}
