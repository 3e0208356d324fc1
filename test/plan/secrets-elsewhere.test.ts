// A credential found on one line and held by another job too: every bundle is redacted with every credential of the
// run, so the other job runs with [REDACTED] in its place. Before, that job had no finding and was judged ready.
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/plan.js';
import type { JobBundle } from '../../src/plan/job-bundle.js';
import { findingMessage } from '../../src/render/messages.js';
import { memoryReader } from '../../src/scripts/reader.js';
import { daysFromCivil } from '../../src/schedule/calendar.js';
import { makeHorizon } from '../../src/schedule/translate.js';

const horizon = makeHorizon(daysFromCivil(2026, 12, 1), 30);
const FILE = '/var/spool/cron/crontabs/deploy';
const text = [
  'CRON_TZ=UTC',
  '0 1 * * * PGPASSWORD=S3cretPassw0rd psql -h db.internal -c "select 1"',
  '0 2 * * * echo S3cretPassw0rd | /usr/bin/cat',
  '0 3 * * * /opt/app/bin/use.sh',
  '0 4 * * * echo xS3cretPassw0rdx; echo nothing',
  '0 5 * * * /usr/bin/cat%S3cretPassw0rd%',
  '',
].join('\n');
const reader = memoryReader({ '/opt/app/bin/use.sh': '#!/bin/bash\nset -e\necho "S3cretPassw0rd" | /usr/bin/sha256sum\n' });

describe('a credential another line holds', () => {
  const plan = buildPlan([{ file: FILE, text, system: false }], { target: 'rule', timezone: 'UTC', horizon, reader });
  const [own, echo, script, word, stdin] = plan.jobs;
  const elsewhere = (j: (typeof plan.jobs)[number]) => j.findings.filter((f) => f.code === 'secret').map((f) => [f.file, f.line, f.args]);

  it('is a secret finding where it is, naming the line it was found on, and the job needs attention', () => {
    expect(own.verdict).toBe('needs-attention');
    const from = { label: 'a credential', elsewhere: { file: FILE, line: 2 }, bundled: true };
    expect(elsewhere(echo)).toEqual([[FILE, 3, from]]);
    expect(echo.verdict).toBe('needs-attention');
    expect(elsewhere(script)).toEqual([['/opt/app/bin/use.sh', 3, from]]);
    expect(script.verdict).toBe('needs-attention');
    expect(elsewhere(stdin)).toEqual([[FILE, 6, from]]);
    const message = findingMessage(echo.findings.find((f) => f.code === 'secret')!);
    expect(message).toContain(`a credential reported for the job at ${FILE}:2 is here too`);
    expect(message).not.toContain('S3cretPassw0rd');
  });

  it('is redacted from the bundle it is in, as before', () => {
    const bundle = (echo as { bundle?: JobBundle }).bundle!;
    expect(bundle.command).toBe('echo [REDACTED] | /usr/bin/cat');
    const used = (script as { bundle?: JobBundle }).bundle!;
    expect(new TextDecoder().decode(used.files[0].content)).toContain('echo "[REDACTED]"');
  });

  it('is not found inside a longer word, which redaction leaves as it is', () => {
    expect(word.findings).toEqual([]);
    expect(word.verdict).toBe('ready');
    expect((word as { bundle?: JobBundle }).bundle!.command).toBe('echo xS3cretPassw0rdx; echo nothing');
  });
});
