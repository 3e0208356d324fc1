// The plan and its packages → every AWS resource the jobs need, with the attributes the diff compares. Pure.
import type { BuiltJob } from '../package/build.js';
import { HANDLER, RUNTIME } from '../package/artifact.js';
import { ownerTags, type BlockedJob, type Blocker, type DesiredResource } from './model.js';
import { AWS_CLI_LAYER, INLINE_POLICY, TARGET_ID, scheduleGroupName, schedulerRoleName, functionArn, logGroupArn, namesFor, roleArn, ruleArn, tableArn } from './names.js';
import { jobPolicy, LAMBDA_TRUST, normalizePolicy, schedulerPolicy, schedulerTrust } from './policy.js';
import { hostPrefix } from './names.js';
import { reasonMessage, verdictReasonText } from '../render/messages.js';

export type Architecture = 'x86_64' | 'arm64';

export interface MigrateSettings {
  host: string;
  region: string;
  account: string;
  partition: string;
  lockTable: string;
  architecture: Architecture;
  memoryMb: number;
  timeoutSeconds: number;
  logRetentionDays: number;
  /** --role-arn: one existing role for every function instead of a role per job. */
  roleArn?: string;
  subnetIds: string[];
  securityGroupIds: string[];
  /** --on-failure: SNS topic or SQS queue for invocations that failed (cron mailed failures). */
  onFailure?: string;
  enable: boolean;
  retryAttempts: number;
  maxEventAgeSeconds: number;
  /** --aws-cli-layer-arn, or the content hash of the layer built from --aws-cli-zip. */
  awsCliLayer?: { arn: string } | { sha256: string };
  /** rule (default): EventBridge rules in UTC; scheduler: EventBridge Scheduler in the job's zone. */
  target?: 'rule' | 'scheduler';
  /** --dead-letter-arn: SQS queue for events Scheduler could not deliver. */
  deadLetterArn?: string;
}

/** What the bootstrap reads: the scheduled minute, stable across Scheduler's retries, keys the lock as with rules. */
export const SCHEDULER_INPUT = '{"time": "<aws.scheduler.scheduled-time>"}';

/** A layer version published by us is named by the symbol until its ARN is known (live, or after apply). */
export const LAYER_SYMBOL = `layer:${AWS_CLI_LAYER}`;

export interface DesiredJob {
  id: string;
  source: { file: string; line: number };
  functionName: string;
  /** The readiness warnings the summary repeats for jobs that are provisioned but need attention. */
  attention: string[];
  /** Scheduler jobs: the instants where Scheduler and cron differ (a DST gap), shown before applying. */
  drift?: { at: string; local: string; kind: 'missing' | 'extra'; reason: string }[];
}

export interface DesiredState {
  resources: DesiredResource[];
  /** Jobs that will be provisioned. */
  jobs: DesiredJob[];
  blocked: BlockedJob[];
  /** Lines that are not jobs to migrate (@reboot): listed, never provisioned. */
  skipped: { job: string; source: { file: string; line: number }; reason: string }[];
  /** Every job id of the plan, provisioned or not: resources tagged with one of these are never pruned. */
  planJobs: string[];
}

export function desired(built: BuiltJob[], settings: MigrateSettings): DesiredState {
  const s = settings;
  const resources: DesiredResource[] = [];
  const jobs: DesiredJob[] = [];
  const blocked: BlockedJob[] = [];
  const skipped: DesiredState['skipped'] = [];
  const table = tableArn(s.partition, s.region, s.account, s.lockTable);
  const vpc = s.subnetIds.length > 0;
  const scheduler = s.target === 'scheduler';
  const group = scheduleGroupName(s.host);
  const schedulerRole = roleArn(s.partition, s.account, schedulerRoleName(s.host));

  for (const b of built) {
    const { job, manifest } = b;
    const source = { file: job.source.file, line: job.source.line };
    if (job.status === 'skip') {
      skipped.push({ job: job.id, source, reason: job.reasons.map(reasonMessage).join('; ') });
      continue;
    }
    const blockers: Blocker[] = [];
    if (job.status === 'error') {
      blockers.push({ code: 'not-migrated', message: job.reasons.map(reasonMessage).join('; ') || 'the line is an error' });
    } else if (job.verdict === 'blocked') {
      for (const r of job.verdictReasons.filter((x) => 'finding' in x && x.finding.severity === 'blocker')) blockers.push({ code: 'verdict-blocked', message: verdictReasonText(r) });
    }
    if (job.status === 'migrate' && (!b.zip || !manifest.codeSha256)) blockers.push({ code: 'package', message: 'the job was not packaged' });
    const usesAws = (manifest.layers ?? []).includes('aws-cli');
    if (usesAws && !s.awsCliLayer) {
      blockers.push({ code: 'aws-cli-layer', message: 'its scripts call `aws`: give --aws-cli-zip FILE (the AWS CLI v2 installer zip) or --aws-cli-layer-arn ARN' });
    }
    if (blockers.length > 0) {
      blocked.push({ job: job.id, source, blockers });
      continue;
    }

    // The plan's expressions are for one target: UTC rules or zoned schedules. Mixing them would fire at wrong times.
    if (job.schedule && job.schedule.target !== (s.target ?? 'rule')) throw new Error(`job ${job.id} was planned for ${job.schedule.target}, not ${s.target ?? 'rule'}`);
    const n = namesFor(job.id);
    const tags = ownerTags(s.host, job.id);
    const fnArn = functionArn(s.partition, s.region, s.account, n.function);
    const logArn = logGroupArn(s.partition, s.region, s.account, n.logGroup);
    jobs.push({
      id: job.id,
      source,
      functionName: n.function,
      attention: job.verdict === 'needs-attention' ? job.verdictReasons.map(verdictReasonText) : [],
      ...(scheduler && job.schedule && job.schedule.drift.length > 0 ? { drift: job.schedule.drift } : {}),
    });

    if (!s.roleArn) {
      const awsActions = job.findings.filter((f) => f.code === 'aws-cli').flatMap((f) => f.detail?.permissions ?? []);
      resources.push({
        kind: 'role',
        name: n.role,
        job: job.id,
        attrs: {
          assumeRolePolicy: normalizePolicy(LAMBDA_TRUST),
          [`policy:${INLINE_POLICY}`]: normalizePolicy(jobPolicy({ jobId: job.id, tableArn: table, logGroupArn: logArn, awsActions, vpc })),
        },
        tags,
      });
    }
    resources.push({ kind: 'log-group', name: n.logGroup, job: job.id, attrs: { retentionInDays: s.logRetentionDays }, tags });

    const layers: string[] = [];
    if (usesAws && s.awsCliLayer) layers.push('arn' in s.awsCliLayer ? s.awsCliLayer.arn : LAYER_SYMBOL);
    resources.push({
      kind: 'function',
      name: n.function,
      job: job.id,
      attrs: {
        runtime: RUNTIME,
        handler: HANDLER,
        role: s.roleArn ?? roleArn(s.partition, s.account, n.role),
        architecture: s.architecture,
        memoryMb: s.memoryMb,
        timeoutSeconds: s.timeoutSeconds,
        environment: { ...(manifest.environment ?? {}) },
        layers,
        subnetIds: [...s.subnetIds].sort(),
        securityGroupIds: [...s.securityGroupIds].sort(),
        codeSha256: manifest.codeSha256 ?? null,
      },
      tags,
      zip: b.zip?.bytes,
    });
    resources.push({
      kind: 'async-config',
      name: n.function,
      job: job.id,
      attrs: { maximumRetryAttempts: s.retryAttempts, maximumEventAgeSeconds: s.maxEventAgeSeconds, onFailure: s.onFailure ?? null },
    });
    const expressions = job.schedule?.expressions ?? [];
    if (scheduler) {
      expressions.forEach((expression, i) => {
        resources.push({
          kind: 'schedule',
          name: n.rule(i),
          parent: group,
          job: job.id,
          attrs: {
            scheduleExpression: expression,
            timezone: job.schedule?.expressionTimezone ?? 'UTC',
            state: s.enable ? 'ENABLED' : 'DISABLED',
            flexibleTimeWindow: 'OFF',
            description: ruleDescription(s.host, job.schedule?.cron ?? '', job.schedule?.timezone ?? 'UTC', i, expressions.length),
            target: {
              arn: fnArn,
              roleArn: schedulerRole,
              input: SCHEDULER_INPUT,
              retryPolicy: { maximumRetryAttempts: s.retryAttempts, maximumEventAgeSeconds: s.maxEventAgeSeconds },
              deadLetterArn: s.deadLetterArn ?? null,
            },
          },
        });
      });
      continue;
    }
    expressions.forEach((expression, i) => {
      const rule = n.rule(i);
      resources.push({
        kind: 'rule',
        name: rule,
        job: job.id,
        attrs: {
          scheduleExpression: expression,
          state: s.enable ? 'ENABLED' : 'DISABLED',
          description: ruleDescription(s.host, job.schedule?.cron ?? '', job.schedule?.timezone ?? 'UTC', i, expressions.length),
        },
        tags,
      });
      resources.push({
        kind: 'permission',
        name: rule,
        parent: n.function,
        job: job.id,
        attrs: {
          principal: 'events.amazonaws.com',
          action: 'lambda:InvokeFunction',
          sourceArn: ruleArn(s.partition, s.region, s.account, rule),
          sourceAccount: s.account,
        },
      });
      resources.push({ kind: 'target', name: TARGET_ID, parent: rule, job: job.id, attrs: { arn: fnArn } });
    });
  }

  // Shared by every job: the lock table (created when missing, never deleted), and the AWS CLI layer when built here.
  const shared: DesiredResource[] = [];
  if (jobs.length > 0) {
    shared.push({ kind: 'table', name: s.lockTable, job: null, attrs: { hashKey: 'key', ttlAttribute: 'ttl' }, tags: ownerTags(s.host, null) });
    if (scheduler) {
      const tags = ownerTags(s.host, null);
      shared.push({ kind: 'schedule-group', name: group, job: null, attrs: {}, tags });
      shared.push({
        kind: 'scheduler-role',
        name: schedulerRoleName(s.host),
        job: null,
        attrs: {
          assumeRolePolicy: normalizePolicy(schedulerTrust(s.account)),
          [`policy:${INLINE_POLICY}`]: normalizePolicy(schedulerPolicy(functionArn(s.partition, s.region, s.account, `${hostPrefix(s.host)}*`), s.host, s.deadLetterArn)),
        },
        tags,
      });
    }
    if (s.awsCliLayer && 'sha256' in s.awsCliLayer && resources.some((r) => r.kind === 'function' && (r.attrs.layers as string[]).includes(LAYER_SYMBOL))) {
      shared.push({ kind: 'layer', name: AWS_CLI_LAYER, job: null, attrs: { contentSha256: s.awsCliLayer.sha256 } });
    }
  }
  return { resources: [...shared, ...resources], jobs, blocked, skipped, planJobs: built.map((b) => b.job.id) };
}

/** At most 512 characters; says where the rule came from, so a person in the console knows whom to ask. */
export function ruleDescription(host: string, cron: string, zone: string, index: number, count: number): string {
  const part = count > 1 ? ` (expression ${index + 1} of ${count})` : '';
  return `cron2lambda: ${host} crontab "${cron}" in ${zone}${part}`.slice(0, 512);
}
