// No output of any command (human, JSON, report, manifest, zips) contains a planted credential.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, FIXTURES } from '../support/cli.js';
import { readZip } from '../../src/package/zip.js';

const CRONTAB = join(FIXTURES, 'crontabs/secrets.crontab');
const ROOT = join(FIXTURES, 'servers/app01');
const PLANTED = [
  'Hunter2-planted-Secret', // crontab variable
  'Pl4ntedDsnPass', // URL credentials in a crontab variable
  'S3cretPlanted99', // -p option on a crontab line
  'Pl4ntedUrlPass', // URL credentials on a crontab line
  'PlantedInABadLine99', // on a line cron rejects
  'PlantedEnvArg77', // an assignment given as an argument (env NAME=value)
  'Sup3rS3cretPw', // in a script
  'tok_4f9a8b7c6d',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'pa55word',
  'hunter2x',
];
const dir = mkdtempSync(join(tmpdir(), 'c2l-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectClean(label: string, text: string) {
  for (const s of PLANTED) expect(text.includes(s), `${label} contains ${s}`).toBe(false);
}

describe('planted secrets', () => {
  const base = [CRONTAB, '--root', ROOT, '--from', '2026-12-01'];

  it('never appear in plan output, human or JSON, and each is reported as a secret finding', () => {
    const human = cli(['plan', ...base], { FORCE_COLOR: '1' });
    expectClean('plan', human.stdout + human.stderr);
    expect(human.stdout).toContain('[REDACTED]');
    const json = cli(['plan', ...base, '--json']);
    expectClean('plan --json', json.stdout + json.stderr);
    const plan = JSON.parse(json.stdout);
    const secretLines = plan.jobs.flatMap((j: { findings: { code: string; file: string; line: number }[] }) =>
      j.findings.filter((f) => f.code === 'secret').map((f) => `${f.file.split('/').pop()}:${f.line}`),
    );
    for (const where of ['secrets.crontab:2', 'secrets.crontab:3', 'secrets.crontab:5', 'secrets.crontab:7', 'secrets.crontab:9', 'secrets.crontab:10', 'secret.sh:3', 'secret.sh:4', 'secret.sh:5', 'secret.sh:6', 'secret.sh:7', 'secret.sh:8']) {
      expect(secretLines, where).toContain(where);
    }
    const advice = plan.jobs.flatMap((j: { findings: { code: string; message: string }[] }) => j.findings).find((f: { code: string }) => f.code === 'secret');
    expect(advice.message).toMatch(/SSM Parameter Store|Secrets Manager/);
  });

  it('never appear in reports, Markdown or JSON', () => {
    const md = cli(['report', ...base]);
    expectClean('report', md.stdout + md.stderr);
    expect(md.stdout).toContain('# cron2lambda readiness report');
    const js = cli(['report', ...base, '--format', 'json']);
    expectClean('report --format json', js.stdout + js.stderr);
    const out = join(dir, 'report.md');
    cli(['report', ...base, '--output', out]);
    expectClean('report file', readFileSync(out, 'utf8'));
  });

  it('never appear in the manifest or in any file of any zip', () => {
    const out = join(dir, 'out');
    const r = cli(['package', ...base, '--out', out]);
    expectClean('package', r.stdout + r.stderr);
    expectClean('manifest', readFileSync(join(out, 'manifest.json'), 'utf8'));
    for (const f of readdirSync(out).filter((x) => x.endsWith('.zip'))) {
      for (const e of readZip(readFileSync(join(out, f)))) expectClean(`${f}:${e.path}`, e.content.toString('utf8'));
    }
  });
});
