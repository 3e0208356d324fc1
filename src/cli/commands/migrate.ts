// `migrate`: plan and package in memory, read AWS, print the diff; then, unless --dry-run, confirm and apply it.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AwsContext, Timing } from '../../aws/adapter.js';
import { apply } from '../../aws/apply.js';
import { makeClients, type AwsClients } from '../../aws/clients.js';
import { desired, type Architecture, type MigrateSettings } from '../../aws/desired.js';
import { diff, hasChanges } from '../../aws/diff.js';
import { layerEntries, layerHash, LayerInputError } from '../../aws/layer.js';
import { readLive } from '../../aws/live.js';
import { DEFAULT_RULES_QUOTA, DEFAULT_SCHEDULES_QUOTA, preflight, whoAmI } from '../../aws/preflight.js';
import { describeError } from '../../aws/retry.js';
import { buildPackages } from '../../package/build.js';
import { writeZip } from '../../package/zip.js';
import { migrateDocument, renderApplySummary, renderDiff, renderProgress, renderRetry, renderRuleState, type MigrateContext } from '../../render/changes.js';
import { styleFor } from '../../render/style.js';
import { InputError, UsageError } from '../../errors.js';
import { loadTemplates, lockTableName } from './package.js';
import { cronOf, hostFromOptions, planFromFiles, type PlanCommandOptions } from './plan.js';
import type { Io } from '../io.js';
import { shellQuote } from '../../package/handler.js';
import { runtimeText } from '../../render/text.js';
import { reasonMessage } from '../../render/messages.js';

export interface MigrateCommandOptions extends PlanCommandOptions {
  lockTable?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
  dryRun?: boolean;
  yes?: boolean;
  detailedExitcode?: boolean;
  enable?: boolean;
  prune?: boolean;
  arch?: string;
  memory?: string;
  timeout?: string;
  logRetentionDays?: string;
  roleArn?: string;
  subnetIds?: string;
  securityGroupIds?: string;
  onFailure?: string;
  retryAttempts?: string;
  maxEventAge?: string;
  awsCliZip?: string;
  awsCliLayerArn?: string;
  concurrency?: string;
  rulesQuota?: string;
  schedulesQuota?: string;
  maxAttempts?: string;
  deadLetterArn?: string;
}

/** CloudWatch Logs' allowed retention periods. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

function int(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`);
  return Number(value);
}

function ids(flag: string, value: string | undefined, pattern: RegExp): string[] {
  if (value === undefined || value === '') return [];
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of list) if (!pattern.test(id)) throw new UsageError(`${flag}: "${id}" is not a valid id`);
  return [...new Set(list)];
}

const ARN_ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ARN_ON_FAILURE = /^arn:aws[a-z-]*:(sns|sqs):[a-z0-9-]+:\d{12}:[\w.-]{1,256}$/;
const ARN_LAYER = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[\w-]{1,140}:\d+$/;

export interface ParsedOptions {
  settings: Omit<MigrateSettings, 'region' | 'account' | 'partition' | 'host' | 'awsCliLayer'>;
  layerArn?: string;
  installer?: Buffer;
  concurrency: number;
  rulesQuota: number;
  schedulesQuota: number;
  maxAttempts?: number;
}

export function parseMigrateOptions(o: MigrateCommandOptions): ParsedOptions {
  const arch = o.arch ?? 'x86_64';
  if (arch !== 'x86_64' && arch !== 'arm64') throw new UsageError(`--arch must be x86_64 or arm64, not "${arch}"`);
  const retention = int('--log-retention-days', o.logRetentionDays, 14, 1, 3653);
  if (!RETENTION_DAYS.includes(retention)) throw new UsageError(`--log-retention-days must be one of ${RETENTION_DAYS.join(', ')}`);
  if (o.roleArn !== undefined && !ARN_ROLE.test(o.roleArn)) throw new UsageError(`--role-arn "${o.roleArn}" is not an IAM role ARN`);
  if (o.deadLetterArn !== undefined && !/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}$/.test(o.deadLetterArn)) throw new UsageError(`--dead-letter-arn "${o.deadLetterArn}" is not the ARN of an SQS queue`);
  if (o.deadLetterArn !== undefined && (o.target ?? 'rule') !== 'scheduler') throw new UsageError('--dead-letter-arn is for --target scheduler (rules use --on-failure)');
  if (o.onFailure !== undefined && !ARN_ON_FAILURE.test(o.onFailure)) throw new UsageError(`--on-failure "${o.onFailure}" is not the ARN of an SNS topic or SQS queue`);
  if (o.awsCliZip !== undefined && o.awsCliLayerArn !== undefined) throw new UsageError('give --aws-cli-zip or --aws-cli-layer-arn, not both');
  if (o.awsCliLayerArn !== undefined && !ARN_LAYER.test(o.awsCliLayerArn)) throw new UsageError(`--aws-cli-layer-arn "${o.awsCliLayerArn}" is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)`);
  const subnetIds = ids('--subnet-ids', o.subnetIds, /^subnet-[0-9a-f]{8,17}$/);
  const securityGroupIds = ids('--security-group-ids', o.securityGroupIds, /^sg-[0-9a-f]{8,17}$/);
  if ((subnetIds.length > 0) !== (securityGroupIds.length > 0)) throw new UsageError('a function in a VPC needs both --subnet-ids and --security-group-ids');
  let installer: Buffer | undefined;
  if (o.awsCliZip !== undefined) {
    try {
      installer = readFileSync(o.awsCliZip);
    } catch (e) {
      throw new UsageError(`--aws-cli-zip: cannot read ${o.awsCliZip}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return {
    settings: {
      lockTable: lockTableName(o.lockTable),
      architecture: arch as Architecture,
      memoryMb: int('--memory', o.memory, 128, 128, 10240),
      timeoutSeconds: int('--timeout', o.timeout, 900, 1, 900),
      logRetentionDays: retention,
      ...(o.roleArn !== undefined ? { roleArn: o.roleArn } : {}),
      subnetIds,
      securityGroupIds,
      ...(o.onFailure !== undefined ? { onFailure: o.onFailure } : {}),
      enable: o.enable === true,
      retryAttempts: int('--retry-attempts', o.retryAttempts, 0, 0, 2),
      maxEventAgeSeconds: int('--max-event-age', o.maxEventAge, 21600, 60, 21600),
      target: (o.target ?? 'rule') === 'scheduler' ? 'scheduler' : 'rule',
      ...(o.deadLetterArn !== undefined ? { deadLetterArn: o.deadLetterArn } : {}),
    },
    ...(o.awsCliLayerArn !== undefined ? { layerArn: o.awsCliLayerArn } : {}),
    ...(installer ? { installer } : {}),
    concurrency: int('--concurrency', o.concurrency, 10, 1, 64),
    rulesQuota: int('--rules-quota', o.rulesQuota, DEFAULT_RULES_QUOTA, 1, 1_000_000),
    schedulesQuota: int('--schedules-quota', o.schedulesQuota, DEFAULT_SCHEDULES_QUOTA, 1, 100_000_000),
    ...(o.maxAttempts !== undefined ? { maxAttempts: int('--max-attempts', o.maxAttempts, 10, 1, 50) } : {}),
  };
}

/** Test hooks through the environment: short waits against the local endpoint (never needed against AWS). */
function timingFromEnv(env: NodeJS.ProcessEnv): Timing {
  const ms = env.CRON2LAMBDA_RETRY_BASE_MS;
  const waiter = env.CRON2LAMBDA_WAITER_MIN_DELAY_S;
  return {
    ...(ms ? { retry: { baseDelayMs: Number(ms), maxDelayMs: Number(ms) * 16, budgetMs: 120_000 } } : {}),
    ...(waiter ? { waiterMinDelaySeconds: Number(waiter) } : {}),
  };
}

/** The user's command line again, with --enable and without --dry-run/--yes: what turns the rules on. */
function enableCommand(argv: string[]): string {
  const args = argv.slice(2).filter((a) => a !== '--dry-run' && a !== '--yes' && a !== '--enable' && a !== '--json' && a !== '--detailed-exitcode');
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : shellQuote(a));
  return ['cron2lambda', ...args.map(quote), '--enable'].join(' ');
}

async function confirm(io: Io): Promise<boolean> {
  io.stderr.write('\nDo you want to apply these changes? Only "yes" is accepted: ');
  const rl = createInterface({ input: process.stdin });
  const answer = await new Promise<string>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(''));
  });
  rl.close();
  return answer.trim() === 'yes';
}

/** AWS errors while reading are the account's answer (credentials, permissions, region), not a bug: exit 1. */
function awsFailure(what: string, e: unknown): InputError {
  return new InputError(`${what}: ${describeError(e)}`);
}

export async function runMigrate(files: string[], options: MigrateCommandOptions, io: Io, argv: string[] = process.argv): Promise<number> {
  const parsed = parseMigrateOptions(options);
  const host = hostFromOptions(options, io);
  const plan = planFromFiles(files, options, io);
  // A crontab not read has no jobs: its jobs would look dropped, and --prune would delete what they run on.
  const unread = plan.files.filter((f) => f.error);
  if (unread.length > 0) {
    throw new InputError(`not read, nothing changed: ${unread.map((f) => { const m = reasonMessage(f.error!); return m.includes(f.file) ? m : `${f.file}: ${m}`; }).join('; ')}`);
  }
  const built = await buildPackages(plan, loadTemplates(), { lockTable: parsed.settings.lockTable, cron: cronOf(options, io) }, writeZip);

  const clients: AwsClients = makeClients({
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.endpointUrl !== undefined ? { endpointUrl: options.endpointUrl } : {}),
    ...(parsed.maxAttempts !== undefined ? { maxAttempts: parsed.maxAttempts } : {}),
  });
  try {
    let who;
    try {
      who = await whoAmI(clients);
    } catch (e) {
      throw awsFailure('cannot tell which AWS account to use (credentials, --profile, --region)', e);
    }
    const layerSha = parsed.installer ? layerHash(parsed.installer) : undefined;
    const settings: MigrateSettings = {
      ...parsed.settings,
      host,
      region: who.region,
      account: who.account,
      partition: who.partition,
      ...(parsed.layerArn ? { awsCliLayer: { arn: parsed.layerArn } } : layerSha ? { awsCliLayer: { sha256: layerSha } } : {}),
    };
    const ctx: AwsContext = { clients, settings, timing: timingFromEnv(io.env), layer: {} };
    const state = desired(built, settings);
    let live;
    try {
      live = await readLive(ctx, state, parsed.concurrency);
    } catch (e) {
      throw awsFailure('cannot read the live state', e);
    }
    const d = diff(state, live, { prune: options.prune === true });
    let pre;
    try {
      pre = await preflight(ctx, d.changes, { rulesQuota: parsed.rulesQuota, schedulesQuota: parsed.schedulesQuota, layerBytes: parsed.installer?.length ?? 0 });
    } catch (e) {
      throw awsFailure('cannot check the account quotas', e);
    }
    const mctx: MigrateContext = {
      host,
      account: who.account,
      region: who.region,
      arn: who.arn,
      enable: settings.enable,
      prune: options.prune === true,
      enableCommand: enableCommand(argv),
      trigger: settings.target === 'scheduler' ? 'schedules' : 'rules',
    };
    const outStyle = styleFor(io.stdout, io.env);
    const changes = hasChanges(d.changes);
    const dryRun = options.dryRun === true;
    if (!options.json) io.stdout.write(renderDiff(d, mctx, pre, outStyle));
    // Which runtime snapshot the blockers were judged against (probe file, cached probe, or the shipped list).
    if (!options.json && plan.runtime) io.stdout.write(`${outStyle.dim(`runtime: ${runtimeText(plan.runtime)}`)}\n`);

    if (pre.problems.length > 0) {
      if (options.json) io.stdout.write(JSON.stringify(migrateDocument(d, mctx, pre, dryRun), null, 2) + '\n');
      throw new InputError(`stopped before any change: ${pre.problems.map((p) => p.code).join(', ')} (see above)`);
    }
    if (dryRun || !changes) {
      if (options.json) io.stdout.write(JSON.stringify(migrateDocument(d, mctx, pre, dryRun), null, 2) + '\n');
      else if (!changes && !dryRun) io.stdout.write(renderRuleState(mctx, outStyle));
      return options.detailedExitcode && changes ? 2 : 0;
    }

    if (!options.yes) {
      if (!process.stdin.isTTY) throw new UsageError('migrate changes AWS: give --yes to apply without a terminal to confirm on (or --dry-run to only show the changes)');
      if (!(await confirm(io))) {
        io.stderr.write('Nothing changed.\n');
        return 1;
      }
    }

    if (parsed.installer && d.changes.some((c) => c.kind === 'layer' && c.action !== 'noop')) {
      try {
        ctx.layer.zip = await writeZip(layerEntries(parsed.installer));
      } catch (e) {
        if (e instanceof LayerInputError) throw new UsageError(`--aws-cli-zip ${options.awsCliZip}: ${e.message}`);
        throw e;
      }
    }
    const total = d.changes.filter((c) => c.action !== 'noop').length;
    let done = 0;
    const tty = io.stderr.isTTY === true;
    const told = new Set<string>();
    ctx.onRetry = (what, cls) => {
      if (tty || told.has(what)) return;
      told.add(what);
      io.stderr.write(renderRetry(what, cls));
    };
    const applied = await apply(ctx, d.changes, {
      concurrency: parsed.concurrency,
      events: { onResult: (r) => void io.stderr.write(renderProgress(r, ++done, total, tty)) },
    });
    if (tty) io.stderr.write('\n');
    if (options.json) io.stdout.write(JSON.stringify(migrateDocument(d, mctx, pre, false, applied), null, 2) + '\n');
    else io.stdout.write(renderApplySummary(d, applied, mctx, outStyle));
    return applied.results.some((r) => r.status === 'failed' || r.status === 'skipped') ? 1 : 0;
  } finally {
    clients.destroy();
  }
}
