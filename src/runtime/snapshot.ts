// The runtime snapshot: what provided.al2023 has, either probed in the user's account (`cron2lambda probe`) or the
// list shipped with cron2lambda (src/scripts/al2023.ts). One schema for both, so the shipped list cannot drift from
// the probe's format (test/runtime-probe/shipped.test.ts parses one with the other's schema).
import { requireDependency } from '../code-cache.js';
import type { z } from 'zod';

/** What the probe function answers (templates/probe/bootstrap). */
export const PROBE_FORMAT = 1;
/** The file `probe` writes. */
export const SNAPSHOT_FORMAT_VERSION = 1;

export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** `uname -m` / ELF machine name for a Lambda architecture. */
export const MACHINE_OF: Record<Architecture, string> = { x86_64: 'x86_64', arm64: 'aarch64' };

/** The schemas, made from zod when first needed (snapshotSchemas). */
function makeSchemas(zod: typeof z) {
  // A program or library name as it can appear in a directory listing: no slash, no NUL, not empty, bounded.
  const FileName = zod
    .string()
    .min(1)
    .max(255)
    .refine((s) => !s.includes('/') && !s.includes('\u0000'), 'a file name without "/"');
  const Version = zod.string().regex(/^\d+\.\d+(\.\d+)?$/, 'a version such as 2.34');
  const Short = zod.string().max(1024);

  const ImageSchema = zod.object({
    /** AWS_EXECUTION_ENV inside the function, when Lambda sets it. */
    executionEnv: Short.nullable(),
    osRelease: zod.object({ id: Short.nullable(), versionId: Short.nullable(), prettyName: Short.nullable() }),
    /** First line of /etc/system-release (Amazon Linux: "Amazon Linux release 2023.x.y (Amazon Linux)"). */
    systemRelease: Short.nullable(),
  });

  /** The fields the probe function reports from inside the runtime. */
  const ReportFields = {
    /** Every executable file in the PATH and sbin directories, by name: sorted, unique. */
    commands: zod.array(FileName).max(100_000),
    /** The directories those came from. */
    pathDirs: zod.array(Short).max(100),
    /** bash builtins and reserved words (compgen -b, compgen -k). */
    builtins: zod.array(Short).max(1000),
    bash: zod.object({ version: Short.nullable() }),
    curl: zod.object({ version: Short.nullable(), awsSigv4: zod.boolean() }),
    /** /usr/share/zoneinfo exists; null when not known (the shipped list). */
    zoneinfo: zod.boolean().nullable(),
    glibc: zod.object({ version: Version.nullable(), source: Short.nullable() }),
    /** uname -m: x86_64 or aarch64. */
    machine: Short,
    /** Shared-object file names in the library directories (libz.so.1, ...). */
    libraries: zod.array(FileName).max(100_000),
    image: ImageSchema,
  };

  const ProbeReportSchema = zod.object({ probeFormat: zod.literal(PROBE_FORMAT), ...ReportFields });

  const RuntimeSnapshotSchema = zod.object({
    formatVersion: zod.literal(SNAPSHOT_FORMAT_VERSION),
    /** probe: measured in an account; shipped: cron2lambda's own list, an assumption. */
    source: zod.enum(['probe', 'shipped']),
    runtime: zod.literal('provided.al2023'),
    /** Region probed; null for the shipped list. */
    region: zod.string().regex(/^[a-z0-9-]{1,32}$/).nullable(),
    architecture: zod.enum(ARCHITECTURES),
    /** When the probe ran, or the date the shipped list was last checked (ISO 8601). */
    takenAt: zod.iso.datetime({ offset: true }),
    /** GetFunctionConfiguration's RuntimeVersionConfig.RuntimeVersionArn of the probe function. */
    runtimeVersionArn: Short.nullable(),
    ...ReportFields,
  });

  return { ProbeReportSchema, RuntimeSnapshotSchema };
}

export type SnapshotSchemas = ReturnType<typeof makeSchemas>;
let schemas: SnapshotSchemas | undefined;

/**
 * The schemas of the probe's answer and of the snapshot file. zod is loaded at the first parse, not at start-up: it
 * costs about 0.2 s of CPU, and most runs judge against the shipped list without reading a snapshot.
 */
export function snapshotSchemas(): SnapshotSchemas {
  return (schemas ??= makeSchemas(requireDependency<typeof import('zod')>('zod').z));
}

export type ProbeReport = z.infer<SnapshotSchemas['ProbeReportSchema']>;
export type RuntimeSnapshot = z.infer<SnapshotSchemas['RuntimeSnapshotSchema']>;

/** A readable reason for a failed parse: the first issues with their JSON paths. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`)
    .join('; ');
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parse and validate a snapshot file's text. Never throws. */
export function parseSnapshot(text: string): ParseResult<RuntimeSnapshot> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON (${(e as Error).message})` };
  }
  const r = snapshotSchemas().RuntimeSnapshotSchema.safeParse(json);
  if (!r.success) return { ok: false, error: describeIssues(r.error) };
  return { ok: true, value: normalize(r.data) };
}

/** Validate what the probe function answered. Never throws. */
export function parseProbeReport(json: unknown): ParseResult<ProbeReport> {
  const r = snapshotSchemas().ProbeReportSchema.safeParse(json);
  if (!r.success) return { ok: false, error: describeIssues(r.error) };
  return { ok: true, value: r.data };
}

const sortedUnique = (xs: string[]): string[] => [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Lists sorted and unique (a hand-edited file may be neither). */
export function normalize(s: RuntimeSnapshot): RuntimeSnapshot {
  return { ...s, commands: sortedUnique(s.commands), builtins: sortedUnique(s.builtins), libraries: sortedUnique(s.libraries) };
}

/** The snapshot file for a probe's answer. */
export function snapshotFromReport(
  report: ProbeReport,
  meta: { region: string; architecture: Architecture; takenAt: Date; runtimeVersionArn: string | null },
): RuntimeSnapshot {
  const { probeFormat: _format, ...fields } = report;
  void _format;
  return normalize({
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    source: 'probe',
    runtime: 'provided.al2023',
    region: meta.region,
    architecture: meta.architecture,
    takenAt: meta.takenAt.toISOString(),
    runtimeVersionArn: meta.runtimeVersionArn,
    ...fields,
  });
}

export function isArchitecture(v: string): v is Architecture {
  return (ARCHITECTURES as readonly string[]).includes(v);
}
