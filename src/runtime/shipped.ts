// The shipped list (src/scripts/al2023.ts) as a runtime snapshot: the same format `probe` writes, so both are
// judged by one code path and validated by one schema.
import {
  BASH_BUILTINS,
  COREUTILS,
  DYNAMIC_LOADER,
  OTHER_PACKAGES,
  SHELLS,
  SHIPPED_GLIBC,
  SHIPPED_LIBRARIES,
  SHIPPED_LIST_CHECKED,
} from '../scripts/al2023.js';
import { MACHINE_OF, SNAPSHOT_FORMAT_VERSION, type Architecture, type RuntimeSnapshot } from './snapshot.js';

export function shippedSnapshot(architecture: Architecture): RuntimeSnapshot {
  const machine = MACHINE_OF[architecture];
  const loader = DYNAMIC_LOADER[machine as keyof typeof DYNAMIC_LOADER];
  const snapshot: RuntimeSnapshot = {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    source: 'shipped',
    runtime: 'provided.al2023',
    region: null,
    architecture,
    takenAt: `${SHIPPED_LIST_CHECKED}T00:00:00Z`,
    runtimeVersionArn: null,
    commands: sorted([...SHELLS, ...COREUTILS.filter((c) => c !== '['), '[', ...OTHER_PACKAGES]),
    pathDirs: ['/usr/local/bin', '/usr/bin', '/bin', '/opt/bin'],
    builtins: sorted([...BASH_BUILTINS]),
    bash: { version: null },
    curl: { version: null, awsSigv4: true },
    zoneinfo: null,
    glibc: { version: SHIPPED_GLIBC, source: 'Amazon Linux 2023 User Guide (glibc 2.34)' },
    machine,
    libraries: sorted(SHIPPED_LIBRARIES.map((l) => (l === '%LD%' ? loader : l))),
    image: { executionEnv: null, osRelease: { id: 'amzn', versionId: '2023', prettyName: null }, systemRelease: null },
  };
  // The shipped list obeys the probe's schema: test/runtime-probe/shipped.test.ts parses it, for each architecture,
  // with the schema a snapshot file is read with. It is not parsed here, which would load zod at every start.
  return snapshot;
}

function sorted(xs: string[]): string[] {
  return [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
