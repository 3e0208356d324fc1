// A plan → packages for every migratable job, and the manifest entries of all jobs. The zip writer is passed in.
import type { Job, PlanResult } from '../plan/plan.js';
import { buildZip, packageJob, type PackageOptions, type Templates, type ZipWriter } from './artifact.js';
import { manifestJob, type ManifestJob } from './manifest.js';

export interface BuiltJob {
  job: Job;
  manifest: ManifestJob;
  /** Zip bytes and file name, for jobs that were packaged. */
  zip?: { name: string; bytes: Buffer };
}

export async function buildPackages(
  result: PlanResult,
  templates: Templates,
  options: PackageOptions,
  writeZip: ZipWriter,
  select: (job: Job) => boolean = () => true,
): Promise<BuiltJob[]> {
  const out: BuiltJob[] = [];
  for (const job of result.plan.jobs) {
    if (!select(job)) continue;
    const analysis = result.analyses.get(job.id);
    if (job.status !== 'migrate' || !analysis) {
      out.push({ job, manifest: manifestJob(job) });
      continue;
    }
    const pkg = packageJob(job, analysis, templates, options);
    const zip = await buildZip(pkg, writeZip);
    if (zip.problems.length) {
      // Too large for Lambda: the job is an error, the other jobs are still packaged.
      const failed: Job = {
        ...job,
        status: 'error',
        verdict: 'blocked',
        reasons: [...job.reasons, ...zip.problems.map((p) => ({ ...p, file: job.source.file, line: job.source.line }))],
      };
      out.push({ job: failed, manifest: manifestJob(failed) });
      continue;
    }
    const name = `${pkg.functionName}.zip`;
    out.push({
      job,
      manifest: manifestJob(job, {
        functionName: pkg.functionName,
        zip: name,
        sha256: zip.sha256,
        codeSha256: zip.codeSha256,
        size: zip.size,
        unzippedSize: zip.unzippedSize,
        environment: pkg.environment,
        layers: pkg.layers,
        files: pkg.files,
      }),
      zip: { name, bytes: zip.zip },
    });
  }
  return out;
}
