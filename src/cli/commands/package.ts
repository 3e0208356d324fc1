// `package`: a Lambda zip per planned job and manifest.json in --out. Exit 1 when any line is an error.
import { homedir } from 'node:os';
import { DEFAULT_LOCK_TABLE, type Templates } from '../../package/artifact.js';
import { buildPackages, failedJob } from '../../package/build.js';
import { readTemplate } from '../../package/handler.js';
import { buildManifest, manifestJob, type Manifest } from '../../package/manifest.js';
import { checkOutDir, MANIFEST_NAME, OutDir } from '../../package/outdir.js';
import { writeZip } from '../../package/zip.js';
import { readSystemZone } from '../../package/zoneinfo.js';
import { styleFor } from '../../render/style.js';
import { safeJson } from '../../render/escape.js';
import { renderNotes } from '../../render/notes.js';
import { rootNotice } from '../notices.js';
import { renderPackageSummary } from '../../render/text.js';
import { UsageError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { cronOf, planFromFiles, type PlanCommandOptions } from './plan.js';
import type { Io } from '../io.js';

export interface PackageCommandOptions extends PlanCommandOptions {
  out?: string;
  lockTable?: string;
}

export function loadTemplates(): Templates {
  return { bootstrap: readTemplate('bootstrap'), lock: readTemplate('lock.sh'), handler: readTemplate('function.sh.tmpl'), zoneinfo: (zone) => readSystemZone(zone) };
}

export function lockTableName(value: string | undefined): string {
  const name = value ?? DEFAULT_LOCK_TABLE;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) throw new UsageError(`--lock-table "${name}" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`);
  return name;
}

export async function runPackage(files: string[], options: PackageCommandOptions, io: Io): Promise<number> {
  if (!options.out) throw new UsageError('--out DIR is required');
  const lockTable = lockTableName(options.lockTable);
  const dir = checkOutDir(options.out, { root: options.root, crontabs: files, home: io.env.HOME || homedir() });
  const plan = planFromFiles(files, options, io);
  let built = await buildPackages(plan, loadTemplates(), { lockTable, cron: cronOf(options, io) }, writeZip);

  const out = OutDir.open(dir, io.now());
  try {
    // A zip name taken by something that is not ours (a user's file, a directory, a link) fails that job only.
    built = built.map((b) => {
      const blocked = b.zip && out.blocker(b.zip.name);
      if (!blocked) return b;
      const failed = failedJob(b.job, [{ code: 'out-path-taken', args: blocked }]);
      return { job: failed, manifest: manifestJob(failed) };
    });
    const notices = [rootNotice(options.root)].filter((n) => n !== null);
    const manifest: Manifest = { ...buildManifest(plan, built.map((b) => b.manifest), lockTable, VERSION), ...(notices.length ? { notices } : {}) };
    const zips = built.flatMap((b) => (b.zip ? [b.zip] : []));
    out.announce(zips.map((z) => z.name));
    for (const z of zips) out.write(z.name, z.bytes);
    out.write(MANIFEST_NAME, safeJson(manifest) + '\n');
    out.removeStale(new Set(zips.map((z) => z.name)));

    const style = styleFor(io.stdout, io.env);
    io.stdout.write(renderNotes([...notices, ...out.notes], style));
    io.stdout.write(renderPackageSummary(manifest, options.out, style));
    const fileErrors = plan.files.some((f) => f.error);
    return manifest.summary.error > 0 || fileErrors ? 1 : 0;
  } finally {
    out.close();
  }
}
