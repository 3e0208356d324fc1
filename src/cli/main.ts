// The command line: parse options, call one function per command, and map every error to an exit code here.
import { Command, CommanderError, Option } from 'commander';
import { EXIT, InputError, UsageError } from '../errors.js';
import { renderError } from '../render/text.js';
import { styleFor } from '../render/style.js';
import { processIo, type Io } from './io.js';
import { runPlan } from './commands/plan.js';
import { VERSION } from '../version.js';

function scheduleOptions(cmd: Command): Command {
  return cmd
    .option('--timezone <zone>', "the server's IANA time zone, for lines without CRON_TZ (default: UTC, with a warning)")
    .option('--system', 'read as system crontabs (a user field after the time fields); the default for /etc/crontab and /etc/cron.d/*')
    .addOption(new Option('--target <target>', 'rule: EventBridge rules in UTC; scheduler: EventBridge Scheduler in the source zone').choices(['rule', 'scheduler']).default('rule'))
    .option('--horizon <duration>', 'how far ahead to prove fire times (2y, 18m, 400d); stretched to hold a 29 February', '2y')
    .option('--from <date>', 'first UTC day of the proof (YYYY-MM-DD; default today)');
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command()
    .name('cron2lambda')
    .description('Move crontab jobs to AWS: EventBridge schedules proven to fire at the same minutes, Lambda functions that run the unchanged scripts.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run with --help for usage)');

  scheduleOptions(
    program
      .command('plan')
      .description('show how every crontab line would be migrated, with the proof of each schedule')
      .argument('<crontab...>', 'crontab files (user crontabs, /etc/crontab, /etc/cron.d/*)'),
  )
    .option('--root <dir>', "a copy of the server's filesystem, where the scripts are read from", '/')
    .option('--user <name>', 'owner of user crontabs, for HOME (default: from a /var/spool/cron/... path)')
    .option('--json', 'print one JSON document (formatVersion 1) on stdout')
    .addOption(new Option('--fail-on <level>', 'also exit 1 when a job is blocked, or needs attention (for CI gating)').choices(['blocked', 'warning']))
    .action((files: string[], options) => {
      code = runPlan(files, options, io);
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
  io.stderr.write(renderError(`internal error: ${(e as Error)?.stack ?? String(e)}`, style));
  return EXIT.internal;
}
