// `report`: the readiness report for a change ticket, as Markdown or JSON, on stdout or in a file.
import { closeSync, constants, fsyncSync, lstatSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { escapeControls, safeJson } from '../../render/escape.js';
import { rootNotice } from '../notices.js';
import { planExitCode } from '../../plan/plan.js';
import { buildReport, renderReportMarkdown } from '../../render/report.js';
import { planFromFiles, type PlanCommandOptions } from './plan.js';
import type { Io } from '../io.js';

export interface ReportCommandOptions extends PlanCommandOptions {
  format?: 'markdown' | 'json';
  output?: string;
}

export function runReport(files: string[], options: ReportCommandOptions, io: Io): number {
  // Checked before the plan is made: a report that cannot be written should not cost a whole plan first.
  if (options.output !== undefined) checkReportOutput(options.output, files);
  const plan = planFromFiles(files, options, io);
  const notices = [rootNotice(options.root)].filter((n) => n !== null);
  const report = buildReport(plan);
  const text =
    options.format === 'json'
      ? safeJson(notices.length ? { ...report, notices } : report) + '\n'
      : notices.map((n) => `> **Note:** ${escapeControls(n.message, true)}\n\n`).join('') + renderReportMarkdown(report);
  if (options.output) {
    writeReport(options.output, text);
    io.stderr.write(`wrote ${escapeControls(options.output, true)}\n`);
  } else {
    io.stdout.write(text);
  }
  return planExitCode(plan);
}

/** Directories cron reads every file of: etc/cron.d and the spool (/var/spool/cron, its crontabs/). */
const CRON_DIR = /(?:^|\/)(?:etc\/cron\.d|var\/spool\/cron(?:\/crontabs)?)\/*$/;

/** The report's file: its directory must exist (it is not created: a typo should not make a tree) and hold none of
 * the crontabs, and the file itself, if present, must be a regular file (a link is replaced, never written through). */
function checkReportOutput(path: string, crontabs: string[]): void {
  const shown = JSON.stringify(path);
  const dir = dirname(resolve(path));
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`--output ${shown}: the directory ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new UsageError(`--output ${shown}: ${dir} is not a directory`);
  // In a directory of crontabs (an /etc/cron.d, the spool, a directory given as input), cron would read the report as
  // one. Beside a crontab saved anywhere else (crontab -l > crontab.txt) it is just a file.
  if (crontabs.some((c) => c !== '-' && (resolve(c) === dir || (dirname(resolve(c)) === dir && CRON_DIR.test(dir))))) {
    throw new UsageError(`--output ${shown} is in ${dir}, which holds a crontab being read; cron would read the report there (write it elsewhere)`);
  }
  const own = lstatOrNull(path);
  if (own && own.isDirectory()) throw new UsageError(`--output ${shown} is a directory; give a file name`);
  if (own && !own.isFile() && !own.isSymbolicLink()) throw new UsageError(`--output ${shown} is not a regular file`);
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** Atomic: a new temporary file beside it, then rename (which replaces a link rather than following it). */
function writeReport(path: string, text: string): void {
  const temp = join(dirname(resolve(path)), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o644);
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
