// A plan → packages for every migratable job, and the manifest entries of all jobs. The zip writer is passed in.
import type { Job, Plan } from '../plan/plan.js';
import type { PackageProblem, Reason } from '../model/reasons.js';
import { buildZip, packageJob, type BuiltZip, type JobPackage, type PackageOptions, type Templates, type ZipWriter } from './artifact.js';
import { HandlerInputError } from './handler.js';
import { ZipInputError } from './zip.js';
import { manifestJob, type ManifestJob } from './manifest.js';

export interface BuiltJob {
  job: Job;
  manifest: ManifestJob;
  /** Zip bytes and file name, for jobs that were packaged. */
  zip?: { name: string; bytes: Buffer };
}

export async function buildPackages(
  plan: Plan,
  templates: Templates,
  options: PackageOptions,
  writeZip: ZipWriter,
  select: (job: Job) => boolean = () => true,
): Promise<BuiltJob[]> {
  const out: BuiltJob[] = [];
  for (const job of plan.jobs) {
    if (!select(job)) continue;
    // A job with no bundle had its scripts not read (no --root reader): it is listed, not packaged.
    if (job.status !== 'migrate' || !job.bundle) {
      out.push({ job, manifest: manifestJob(job) });
      continue;
    }
    // A job that cannot be packaged (too large for Lambda, a server file where the runtime's files go, text a
    // shell cannot carry) is an error with its reason; the other jobs are still packaged.
    const fail = (problems: readonly PackageProblem[]) => {
      const failed = failedJob(job, problems);
      out.push({ job: failed, manifest: manifestJob(failed) });
    };
    let pkg: JobPackage;
    let zip: BuiltZip;
    try {
      pkg = packageJob(job, job.bundle, templates, options);
      if (pkg.problems.length) {
        fail(pkg.problems);
        continue;
      }
      zip = await buildZip(pkg, writeZip);
    } catch (e) {
      if (!(e instanceof ZipInputError || e instanceof HandlerInputError)) throw e;
      fail([{ code: 'cannot-package', args: { error: e.message } }]);
      continue;
    }
    if (zip.problems.length) {
      fail(zip.problems);
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

/** The job as an error, with the problems as its reasons (at its crontab line). */
export function failedJob(job: Job, problems: readonly PackageProblem[]): Job {
  return {
    ...job,
    status: 'error',
    verdict: 'blocked',
    reasons: [...job.reasons, ...problems.map((p): Reason => ({ ...p, of: 'package', file: job.source.file, line: job.source.line }))],
  };
}
