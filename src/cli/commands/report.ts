// `report`: the readiness report for a change ticket, as Markdown or JSON, on stdout or in a file.
import { writeFileSync } from 'node:fs';
import { planExitCode } from '../../plan/plan.js';
import { buildReport, renderReportMarkdown } from '../../render/report.js';
import { planFromFiles, type PlanCommandOptions } from './plan.js';
import type { Io } from '../io.js';

export interface ReportCommandOptions extends PlanCommandOptions {
  format?: 'markdown' | 'json';
  output?: string;
}

export function runReport(files: string[], options: ReportCommandOptions, io: Io): number {
  const { plan } = planFromFiles(files, options, io);
  const report = buildReport(plan);
  const text = options.format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderReportMarkdown(report);
  if (options.output) {
    writeFileSync(options.output, text);
    io.stderr.write(`wrote ${options.output}\n`);
  } else {
    io.stdout.write(text);
  }
  return planExitCode(plan);
}
