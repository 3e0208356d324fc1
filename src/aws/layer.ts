// The AWS CLI v2 layer from the installer zip the user supplies (awscli-exe-linux-*.zip): its `aws/dist` tree goes
// to /opt/aws-cli/dist and /opt/bin/aws runs it (/opt/bin is on Lambda's PATH). A wrapper script instead of the
// installer's absolute symlinks: a zip of a layer keeps no symlinks reliably.
import { createHash } from 'node:crypto';
import { readZip, type ZipEntryInput } from '../package/zip.js';

/** Bumped when the layout changes, so a new layout is a new layer version. */
const LAYOUT = 'c2l-aws-cli-layout-1';

export const AWS_WRAPPER = '#!/bin/bash\n# cron2lambda: the AWS CLI v2 of this layer\nexec /opt/aws-cli/dist/aws "$@"\n';

/** The layer's content hash: the installer's bytes and our layout. Equal hashes reuse a published version. */
export function layerHash(installer: Buffer): string {
  return createHash('sha256').update(LAYOUT).update(installer).digest('hex');
}

export class LayerInputError extends Error {
  override name = 'LayerInputError';
}

export function layerEntries(installer: Buffer): ZipEntryInput[] {
  let entries;
  try {
    entries = readZip(installer);
  } catch (e) {
    throw new LayerInputError(`not an AWS CLI v2 installer zip: ${(e as Error).message}`);
  }
  const out: ZipEntryInput[] = [{ path: 'bin/aws', content: AWS_WRAPPER, mode: 0o755 }];
  for (const e of entries) {
    if (e.isDirectory || !e.path.startsWith('aws/dist/')) continue;
    const rest = e.path.slice('aws/dist/'.length);
    if (rest === '' || rest.split('/').some((s) => s === '..' || s === '.' || s === '')) continue;
    out.push({ path: `aws-cli/dist/${rest}`, content: e.content, mode: (e.mode ?? 0o644) | 0o444 });
  }
  if (!out.some((e) => e.path === 'aws-cli/dist/aws')) throw new LayerInputError('not an AWS CLI v2 installer zip: it has no aws/dist/aws');
  return out;
}
