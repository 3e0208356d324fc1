// `package`: a Lambda zip per planned job and manifest.json in --out. Exit 1 when any line is an error.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_LOCK_TABLE, type Templates } from '../../package/artifact.js';
import { buildPackages } from '../../package/build.js';
import { readTemplate } from '../../package/handler.js';
import { buildManifest, type Manifest } from '../../package/manifest.js';
import { writeZip } from '../../package/zip.js';
import { readSystemZone } from '../../package/zoneinfo.js';
import { styleFor } from '../../render/style.js';
import { renderPackageSummary } from '../../render/text.js';
import { UsageError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { planFromFiles, type PlanCommandOptions } from './plan.js';
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
  const result = planFromFiles(files, options, io);
  const built = await buildPackages(result, loadTemplates(), { lockTable }, writeZip);
  const manifest: Manifest = buildManifest(result.plan, built.map((b) => b.manifest), lockTable, VERSION);

  const out = options.out;
  mkdirSync(out, { recursive: true });
  const keep = new Set(built.flatMap((b) => (b.zip ? [b.zip.name] : [])));
  // Zips this tool wrote for jobs that are gone would be deployed by mistake: remove them.
  for (const f of readdirSync(out)) if (/^c2l-.*\.zip$/.test(f) && !keep.has(f)) rmSync(join(out, f));
  for (const b of built) if (b.zip) writeFileSync(join(out, b.zip.name), b.zip.bytes);
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

  io.stdout.write(renderPackageSummary(manifest, out, styleFor(io.stdout, io.env)));
  const fileErrors = result.plan.files.some((f) => f.error);
  return manifest.summary.error > 0 || fileErrors ? 1 : 0;
}
