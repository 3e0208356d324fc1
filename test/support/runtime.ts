// Runtime snapshots for tests: the shipped list turned into a "probe" (a measured runtime), with programs added or
// removed, written where the CLI can read it with --probe-file.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedSnapshot } from '../../src/runtime/shipped.js';
import type { Architecture, RuntimeSnapshot } from '../../src/runtime/snapshot.js';

export function probeSnapshot(options: { add?: string[]; remove?: string[]; architecture?: Architecture; region?: string; takenAt?: string; glibc?: string } = {}): RuntimeSnapshot {
  const s = shippedSnapshot(options.architecture ?? 'x86_64');
  const remove = new Set(options.remove ?? []);
  const commands = [...new Set([...s.commands, ...(options.add ?? [])])].filter((c) => !remove.has(c)).sort();
  return {
    ...s,
    source: 'probe',
    region: options.region ?? 'eu-west-1',
    takenAt: options.takenAt ?? '2026-11-20T10:00:00.000Z',
    runtimeVersionArn: 'arn:aws:lambda:eu-west-1::runtime:0123456789abcdef',
    commands,
    glibc: { version: options.glibc ?? '2.34', source: 'getconf' },
  };
}

/** Write a snapshot to a fresh temporary file and return its path. */
export function writeSnapshot(s: RuntimeSnapshot): string {
  const path = join(mkdtempSync(join(tmpdir(), 'c2l-snapshot-')), 'runtime.json');
  writeFileSync(path, JSON.stringify(s, null, 2) + '\n');
  return path;
}
