// Test support: task directories built from the real templates, and "Lambda environments" (a Runtime API server
// plus a bash bootstrap process) on 127.0.0.1.
import { copyFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { renderHandler, templatePath, type HandlerInput } from '../../src/package/handler.js';
import { COPIER_ARCHES, copierElf, copierPath } from '../../src/package/copier.js';
import { startRuntimeApi, type EnqueueOptions, type InvocationResult, type RuntimeApiServer } from '../../src/local/runtime-api.js';
import { findBash, startBootstrap, type BootstrapProcess } from '../../src/local/runner.js';
import { spawn } from 'node:child_process';
import { AsyncLocalStorage } from 'node:async_hooks';

const made: string[] = [];

/** A fresh temporary directory, removed by cleanupDirs(). */
export function tempDir(prefix = 'c2l-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function cleanupDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface TaskDirOptions extends Partial<HandlerInput> {
  /** Extra files (path relative to the task dir → content), written 0755. */
  files?: Record<string, string>;
  /** Leave out function.sh / lock.sh / the stderr copiers (bootstrap then copies with tee), or replace function.sh's text. */
  omit?: readonly ('function.sh' | 'lock.sh' | 'copier')[];
  functionSh?: string;
}

/** A task directory like the function zip: bootstrap, lock.sh, function.sh (rendered), scripts. */
export function makeTaskDir(options: TaskDirOptions = {}): string {
  const dir = tempDir('c2l-task-');
  copyFileSync(templatePath('bootstrap'), join(dir, 'bootstrap'));
  chmodSync(join(dir, 'bootstrap'), 0o755);
  if (!options.omit?.includes('lock.sh')) copyFileSync(templatePath('lock.sh'), join(dir, 'lock.sh'));
  if (!options.omit?.includes('copier')) {
    for (const arch of COPIER_ARCHES) writeFileSync(join(dir, copierPath(arch)), copierElf(arch), { mode: 0o755 });
  }
  if (!options.omit?.includes('function.sh')) {
    const text =
      options.functionSh ??
      renderHandler({
        jobId: options.jobId ?? 'job-1',
        command: options.command ?? 'true',
        stdin: options.stdin ?? null,
        shell: options.shell ?? '/bin/sh',
        environment: options.environment ?? {},
        home: options.home ?? null,
      });
    writeFileSync(join(dir, 'function.sh'), text, { mode: 0o644 });
  }
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content, { mode: 0o755 });
  }
  return dir;
}

/** Lines appended to a marker file (one per run of the job). */
export function markerLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

export interface LambdaEnvOptions {
  taskDir: string;
  environment?: Record<string, string>;
  functionName?: string;
}

/** One Lambda execution environment: its own Runtime API and one bootstrap process. */
export class LambdaEnv {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  private lineWaiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];

  private constructor(
    readonly api: RuntimeApiServer,
    readonly proc: BootstrapProcess,
  ) {}

  static async start(options: LambdaEnvOptions): Promise<LambdaEnv> {
    const api = await startRuntimeApi({ functionName: options.functionName ?? 'job-1' });
    let env!: LambdaEnv;
    const proc = startBootstrap({
      taskDir: options.taskDir,
      runtimeApi: api.address,
      // bootstrap's own scratch directory goes here, so that killed bootstraps leave nothing behind in /tmp
      environment: { TMPDIR: tempDir('c2l-tmp-'), ...options.environment },
      functionName: options.functionName ?? 'job-1',
      onStdout: (line) => env.onLine(env.stdout, line),
      onStderr: (line) => env.onLine(env.stderr, line),
    });
    env = new LambdaEnv(api, proc);
    live.add(env);
    ownEnvs.getStore()?.add(env);
    return env;
  }

  private onLine(into: string[], line: string): void {
    into.push(line);
    for (const w of [...this.lineWaiters]) {
      if (w.test(line)) {
        this.lineWaiters.splice(this.lineWaiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  }

  /** Resolves with the first stdout/stderr line (already seen or future) that matches. */
  waitForLine(test: RegExp | string): Promise<string> {
    const match = (line: string) => (typeof test === 'string' ? line.includes(test) : test.test(line));
    const seen = [...this.stdout, ...this.stderr].find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.lineWaiters.push({ test: match, resolve }));
  }

  /**
   * Delivers one event and resolves with what bootstrap posted, once bootstrap has finished the invocation: it
   * updates the lock while it answers, and asks for the next event only when that update is done.
   */
  async invoke(event: unknown, options?: EnqueueOptions): Promise<InvocationResult> {
    const result = await this.api.enqueue(event, options);
    if (result.kind !== 'abandoned') await Promise.race([this.api.waitUntilPolling(), this.proc.exited]);
    return result;
  }

  async stop(): Promise<void> {
    live.delete(this);
    this.proc.kill('SIGKILL');
    await this.proc.exited.catch(() => undefined);
    await this.api.close();
  }
}

const live = new Set<LambdaEnv>();

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((env) => env.stop()));
}

/** The environments started within the current withOwnEnvs call (an async context of its own). */
const ownEnvs = new AsyncLocalStorage<Set<LambdaEnv>>();

/**
 * Runs BODY and then stops the environments it started, and only those: for tests that run concurrently, where an
 * afterEach(stopAll) would stop the other tests' environments in the middle of their runs.
 */
export async function withOwnEnvs<T>(body: () => Promise<T>): Promise<T> {
  const mine = new Set<LambdaEnv>();
  try {
    return await ownEnvs.run(mine, body);
  } finally {
    await Promise.all([...mine].map((env) => env.stop()));
  }
}

/** An EventBridge scheduled-rule event. */
export function ruleEvent(time: string): Record<string, unknown> {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/job-1'],
    detail: {},
  };
}

/** JSON body of an invocation result (response or error). */
export function bodyOf(result: InvocationResult): Record<string, unknown> {
  if (result.kind === 'abandoned') throw new Error(`invocation ${result.requestId} was abandoned`);
  return result.json as Record<string, unknown>;
}

/**
 * Runs bash -c SCRIPT with ARGS as $1.. and resolves with its stdout. stdin is /dev/null: with a socket on stdin
 * (what node's 'pipe' is), Debian's bash sources ~/.bashrc as if started by sshd, which is slow and not Lambda.
 */
export function runBash(script: string, args: string[], env: Record<string, string | undefined>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(findBash(), ['-c', script, 'bash', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`bash exited ${code}: ${stderr}`))));
  });
}
