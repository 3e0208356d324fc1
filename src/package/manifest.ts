// manifest.json: the public record of a package run (formatVersion 1). Every planned job appears, packaged or not.
import type { Job, Plan } from '../plan/plan.js';
import type { Verdict } from '../scripts/findings.js';
import { findingJson, reasonJson, type FindingJson, type ReasonJson } from '../render/messages.js';
import { HANDLER, RUNTIME } from './artifact.js';

export const MANIFEST_FORMAT_VERSION = 1;

export interface ManifestJob {
  id: string;
  source: Job['source'];
  status: Job['status'];
  /** The job's reasons and findings as the file says them: their sentences in `message` (made in src/render). */
  reasons: ReasonJson[];
  verdict: Verdict;
  findings: FindingJson[];
  schedule?: {
    cron: string;
    timezone: string;
    target: string;
    expressions: string[];
    expressionTimezone: string;
    exact: boolean;
  };
  /** The job's overlap policy (migrated jobs); the function's environment carries it for the runtime. */
  overlap?: Job['overlap'];
  functionName?: string;
  /** Path of the zip relative to the manifest's directory. */
  zip?: string;
  sha256?: string;
  codeSha256?: string;
  size?: number;
  unzippedSize?: number;
  handler?: string;
  runtime?: string;
  environment?: Record<string, string>;
  layers?: string[];
  files?: string[];
}

export interface Manifest {
  formatVersion: typeof MANIFEST_FORMAT_VERSION;
  generatedBy: string;
  lockTable: string;
  target: Plan['target'];
  jobs: ManifestJob[];
  summary: { jobs: number; packaged: number; skip: number; error: number };
  /** Said once about the whole run, e.g. that --root was not given and / was read. */
  notices?: { code: string; message: string }[];
}

export interface PackagedJob {
  functionName: string;
  zip: string;
  sha256: string;
  codeSha256: string;
  size: number;
  unzippedSize: number;
  environment: Record<string, string>;
  layers: string[];
  files: string[];
}

export function manifestJob(job: Job, packaged?: PackagedJob): ManifestJob {
  const base: ManifestJob = {
    id: job.id,
    source: job.source,
    status: job.status,
    reasons: job.reasons.map(reasonJson),
    verdict: job.verdict,
    findings: job.findings.map(findingJson),
    ...(job.schedule
      ? {
          schedule: {
            cron: job.schedule.cron,
            timezone: job.schedule.timezone,
            target: job.schedule.target,
            expressions: job.schedule.expressions,
            expressionTimezone: job.schedule.expressionTimezone,
            exact: job.schedule.exact,
          },
        }
      : {}),
    ...(job.overlap ? { overlap: job.overlap } : {}),
  };
  if (!packaged) return base;
  return { ...base, ...packaged, handler: HANDLER, runtime: RUNTIME };
}

export function buildManifest(plan: Plan, jobs: ManifestJob[], lockTable: string, version: string): Manifest {
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    generatedBy: `cron2lambda ${version}`,
    lockTable,
    target: plan.target,
    jobs,
    summary: {
      jobs: jobs.length,
      packaged: jobs.filter((j) => j.zip).length,
      skip: jobs.filter((j) => j.status === 'skip').length,
      error: jobs.filter((j) => j.status === 'error').length,
    },
  };
}
