// The probe function's code: templates/probe/bootstrap alone, as a deterministic zip (same bytes every run).
import { readTemplate } from '../package/handler.js';
import { writeZip } from '../package/zip.js';

export const PROBE_BOOTSTRAP_TEMPLATE = 'probe/bootstrap';

export function buildProbeZip(): Promise<Buffer> {
  return writeZip([{ path: 'bootstrap', content: readTemplate(PROBE_BOOTSTRAP_TEMPLATE), mode: 0o755 }]);
}
