// Run the CLI as users do: node bin/cron2lambda.js in a subprocess (the build comes from `npm test`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '../..');
export const FIXTURES = join(REPO, 'fixtures');
export const BIN = join(REPO, 'bin/cron2lambda.js');

/**
 * The environment of a CLI subprocess: this process's, without NODE_EXTRA_CA_CERTS. Where it is set (this machine sets
 * it to the system CA bundle), Node reads and parses the whole bundle at every start, about 50 ms of CPU per process
 * for hundreds of processes, and no CLI test needs it: every endpoint they reach is plain HTTP on 127.0.0.1.
 */
export function subprocessEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], env: Record<string, string> = {}, options: { cwd?: string; input?: string; timeoutMs?: number } = {}): CliResult {
  const clean = subprocessEnv();
  delete clean.FORCE_COLOR;
  delete clean.NO_COLOR;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...clean, ...env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
