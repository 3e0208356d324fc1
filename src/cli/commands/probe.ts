// `probe`: measure provided.al2023 in the user's account (src/aws/probe.ts) and write the snapshot to the cache (per
// region and architecture) and to --probe-file. plan, report and migrate read it from there.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeClients } from '../../aws/clients.js';
import { ProbeError, runProbe } from '../../aws/probe.js';
import { InputError, UsageError } from '../../errors.js';
import { renderProbeSummary } from '../../render/probe.js';
import { cachePath, parseArch, parseRegion } from '../../runtime/load.js';
import type { Io } from '../io.js';

export interface ProbeCommandOptions {
  region?: string;
  arch?: string;
  profile?: string;
  endpointUrl?: string;
  probeFile?: string;
}

/** Write through a temporary file and a rename, so a reader never sees half a snapshot. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export async function runProbeCommand(options: ProbeCommandOptions, io: Io): Promise<number> {
  const architecture = parseArch(options.arch) ?? 'x86_64';
  const flagRegion = parseRegion(options.region);
  const aws = makeClients({ region: flagRegion, profile: options.profile, endpointUrl: options.endpointUrl });
  try {
    let region: string | undefined;
    try {
      region = parseRegion(await aws.region(), 'the configured region');
    } catch (e) {
      if (e instanceof UsageError) throw e;
      region = undefined;
    }
    if (!region) throw new UsageError('no AWS region: give --region or set AWS_REGION (or a region in the profile)');
    let result;
    try {
      result = await runProbe(aws, { architecture, region, now: () => io.now(), progress: (l) => io.stderr.write(`${l}\n`) });
    } catch (e) {
      if (e instanceof ProbeError) {
        const tail = e.leftBehind.length ? `; could not delete ${e.leftBehind.join(', ')}: the next \`cron2lambda probe\` deletes them` : '';
        throw new InputError(`${e.message}${tail}`);
      }
      throw e;
    }
    const text = JSON.stringify(result.snapshot, null, 2) + '\n';
    const written = [cachePath(io.env, region, architecture), ...(options.probeFile ? [options.probeFile] : [])];
    for (const path of written) {
      try {
        writeAtomically(path, text);
      } catch (e) {
        throw new InputError(`cannot write the runtime snapshot ${path}: ${(e as Error).message}`);
      }
    }
    io.stdout.write(renderProbeSummary(result.snapshot, written, result.cleanedUp, result.leftBehind));
    return result.leftBehind.length ? 1 : 0;
  } finally {
    aws.destroy();
  }
}
