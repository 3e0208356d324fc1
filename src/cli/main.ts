// The command line: parse options, call one function per command, and map every error to an exit code here.
import '../v8-flags.js'; // first: the process's V8 flags, before the code they concern is compiled
import { Command, CommanderError, Option } from 'commander';
import { EXIT, InputError, UsageError } from '../errors.js';
import { renderError } from '../render/error.js';
import { styleFor } from '../render/style.js';
import { escapeControls } from '../render/escape.js';
import { ioErrorText } from './io-errors.js';
import { processIo, type Io } from './io.js';
// Commands are loaded when run: `invoke` brings a DynamoDB server and `package` a zip library, which `plan` and
// `--help` should not pay for at start-up.
import { VERSION } from '../version.js';

function scheduleOptions(cmd: Command): Command {
  return cmd
    .option('--timezone <zone>', "the server's IANA time zone, for lines without CRON_TZ (every line on a Debian server copy: its cron has no CRON_TZ) and cronie's DST rules of lines with one (default: the server copy's etc/timezone or etc/localtime link, else UTC with a warning)")
    .option('--system', 'read as system crontabs (a user field after the time fields); the default for /etc/crontab and /etc/cron.d/*')
    .addOption(new Option('--target <target>', 'rule: EventBridge rules in UTC; scheduler: EventBridge Scheduler in the source zone').choices(['rule', 'scheduler']).default('rule'))
    .option('--horizon <duration>', 'how far ahead to prove fire times (2y, 18m, 400d); stretched to hold a 29 February', '2y')
    .option('--from <date>', 'first UTC day of the proof (YYYY-MM-DD; default today)');
}

/** Where the scripts of every command that reads them come from. */
function scriptOptions(cmd: Command): Command {
  return cmd
    .option('--root <dir>', "a copy of the server's filesystem, where the scripts are read from (default: / of this machine, with a note)")
    .option('--user <name>', 'owner of user crontabs, for HOME (default: from a /var/spool/cron/... path)')
    .option(
      '--overlap <job=policy>',
      "a job's overlap policy: JOB=allow (runs may overlap, cron's default), JOB=forbid (a run skips while an earlier one still runs) or JOB=forbid:SECONDS (waits that long first); repeatable (default: forbid for jobs that used flock)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--host <name>', "the server's name, part of every job id and AWS resource name (default: <root>/etc/hostname, else the last component of --root, else this machine's hostname)");
}

// The runtime snapshot scripts are judged against (`cron2lambda probe` writes it): plan, report and migrate take
// --probe-file; plan and report also --region/--arch, to find the cached probe (migrate has its own).
export const probeFileOption = (): Option =>
  new Option('--probe-file <path>', 'judge against this runtime snapshot (written by `cron2lambda probe --probe-file`); default: the cached probe for --region/--arch, else the shipped list');
const snapshotRegionOption = (): Option => new Option('--region <region>', 'AWS region, for the cached runtime snapshot (default: AWS_REGION)');
const snapshotArchOption = (): Option => new Option('--arch <arch>', "function architecture (default: x86_64, or the --probe-file's)").choices(['x86_64', 'arm64']);

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command()
    .name('cron2lambda')
    .description('Move crontab jobs to AWS: EventBridge schedules proven to fire at the same minutes, Lambda functions that run the unchanged scripts.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(escapeControls(s)),
    })
    .showHelpAfterError('(run with --help for usage)');

  scriptOptions(
    scheduleOptions(
      program
        .command('plan')
        .description('show how every crontab line would be migrated, with the proof of each schedule')
        .argument('<crontab...>', 'crontab files (user crontabs, /etc/crontab, /etc/cron.d/*), directories such as etc/cron.d (every file cron would read), or - for standard input'),
    ),
  )
    .option('--json', 'print one JSON document (formatVersion 1) on stdout')
    .addOption(new Option('--fail-on <level>', 'also exit 1 when a job is blocked, or needs attention (for CI gating)').choices(['blocked', 'warning']))
    .addOption(probeFileOption())
    .addOption(snapshotRegionOption())
    .addOption(snapshotArchOption())
    .action(async (files: string[], options) => {
      const { runPlan } = await import('./commands/plan.js');
      code = runPlan(files, options, io);
    });

  scriptOptions(
    scheduleOptions(
      program
        .command('package')
        .description('build a Lambda zip (provided.al2023) for every planned job, and manifest.json')
        .argument('<crontab...>', 'crontab files'),
    ),
  )
    .requiredOption('--out <dir>', 'where to write the zips and manifest.json')
    .option('--lock-table <name>', 'DynamoDB lock table the functions use', 'cron2lambda-locks')
    .action(async (files: string[], options) => {
      const { runPackage } = await import('./commands/package.js');
      code = await runPackage(files, options, io);
    });

  scriptOptions(
    scheduleOptions(
      program
        .command('invoke')
        .description("run one job locally as Lambda would: its zip, bootstrap in bash, a local Runtime API and DynamoDB")
        .argument('<crontab>', 'crontab file'),
    ),
  )
    .option('--job <id>', 'the job id (from plan)')
    .option('--line <n>', 'the job on this line of the crontab')
    .option('--time <iso>', 'scheduled time of the event (default: now, to the minute)')
    .option('--deliveries <n>', 'deliver the same scheduled event this many times (the lock runs the script once)', '1')
    .option('--timeout <seconds>', 'the function timeout: as on Lambda, the job is killed then (exit status 124)', '900')
    .action(async (file: string, options) => {
      const { runInvoke } = await import('./commands/invoke.js');
      code = await runInvoke(file, options, io);
    });

  scriptOptions(
    scheduleOptions(
      program
        .command('report')
        .description('write a readiness report for a change ticket: schedules before and after, findings, bundled files')
        .argument('<crontab...>', 'crontab files'),
    ),
  )
    .addOption(new Option('--format <format>', 'markdown or json').choices(['markdown', 'json']).default('markdown'))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .addOption(probeFileOption())
    .addOption(snapshotRegionOption())
    .addOption(snapshotArchOption())
    .action(async (files: string[], options) => {
      const { runReport } = await import('./commands/report.js');
      code = runReport(files, options, io);
    });

  program
    .command('probe')
    .description('deploy a tiny function on provided.al2023, invoke it once, record what the runtime has (commands, curl, glibc, libraries), and delete it; plan, report and migrate judge against the result')
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile\'s)')
    .addOption(new Option('--arch <arch>', 'function architecture').choices(['x86_64', 'arm64']).default('x86_64'))
    .option('--profile <name>', 'AWS profile (default: the standard credential chain)')
    .option('--endpoint-url <url>', 'one endpoint for every AWS service (an emulator)')
    .option('--probe-file <path>', 'also write the snapshot here (for teams that commit it); it is always cached per region and architecture')
    .action(async (options) => {
      const { runProbeCommand } = await import('./commands/probe.js');
      code = await runProbeCommand(options, io);
    });

  scriptOptions(
    scheduleOptions(
      program
        .command('migrate')
        .description('create or update in AWS everything the jobs need; shows the changes first and asks (--dry-run only shows them)')
        .argument('<crontab...>', 'crontab files'),
    ),
  )
    .option('--dry-run', 'read AWS and show the changes; change nothing')
    .option('--yes', 'apply without asking (needed without a terminal)')
    .option('--json', 'print one JSON document (formatVersion 1) on stdout')
    .option('--detailed-exitcode', 'with --dry-run: exit 0 when nothing would change, 2 when something would, 1 on error')
    .option('--enable', 'create the rules ENABLED (default DISABLED: the server still runs its crontab)')
    .option('--prune', "delete this host's resources whose jobs are no longer in the crontabs")
    .option('--region <region>', 'AWS region (default: AWS_REGION or the profile)')
    .option('--profile <name>', 'AWS profile (default: the standard credential chain)')
    .option('--endpoint-url <url>', 'one endpoint for every AWS service (LocalStack, tests)')
    .option('--lock-table <name>', 'DynamoDB lock table, created when missing', 'cron2lambda-locks')
    .option('--arch <arch>', 'x86_64 or arm64', 'x86_64')
    .option('--memory <mb>', 'function memory in MB', '128')
    .option('--timeout <seconds>', 'function timeout in seconds (at most 900)', '900')
    .option('--log-retention-days <days>', 'log retention', '14')
    .option('--role-arn <arn>', 'use this existing role for every function instead of a role per job')
    .option('--subnet-ids <ids>', 'comma-separated subnets, for scripts that reach hosts inside a VPC')
    .option('--security-group-ids <ids>', 'comma-separated security groups (with --subnet-ids)')
    .option('--on-failure <arn>', 'SNS topic or SQS queue that receives failed invocations (cron mailed failures)')
    .option('--retry-attempts <n>', 'times Lambda retries a failed run (0-2; cron never retried)', '0')
    .option('--max-event-age <seconds>', 'how long an undelivered event is kept (60-21600)', '21600')
    .option('--aws-cli-zip <file>', 'the AWS CLI v2 installer zip, published as a layer for jobs that call aws')
    .option('--aws-cli-layer-arn <arn>', 'an existing AWS CLI v2 layer version for jobs that call aws')
    .option('--concurrency <n>', 'jobs provisioned at the same time', '10')
    .option('--rules-quota <n>', "the account's EventBridge rules per bus quota, if raised", '300')
    .option('--schedules-quota <n>', "with --target scheduler: the account's EventBridge Scheduler schedules quota, if changed", '1000000')
    .addOption(probeFileOption())
    .option('--dead-letter-arn <arn>', 'with --target scheduler: SQS queue for events Scheduler could not deliver')
    .action(async (files: string[], options) => {
      const { runMigrate } = await import('./commands/migrate.js');
      code = await runMigrate(files, options, io, argv);
    });

  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    return exitCodeFor(e, io);
  }
}

function exitCodeFor(e: unknown, io: Io): number {
  const style = styleFor(io.stderr, io.env);
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
    return EXIT.usage; // commander has already printed the message
  }
  if (e instanceof UsageError) {
    io.stderr.write(renderError(e.message, style));
    return EXIT.usage;
  }
  if (e instanceof InputError) {
    io.stderr.write(renderError(e.message, style));
    return EXIT.failed;
  }
  const ioText = ioErrorText(e);
  if (ioText !== null) {
    io.stderr.write(renderError(ioText, style));
    return EXIT.failed;
  }
  io.stderr.write(renderError(`internal error: ${(e as Error)?.stack ?? String(e)}`, style));
  return EXIT.internal;
}
