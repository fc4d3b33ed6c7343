import { Command, CommanderError } from 'commander';
import { registerAlarms } from './commands/alarms';
import { registerHistory } from './commands/history';
import { registerStatus } from './commands/status';
import { registerSwitchover } from './commands/switchover';
import { registerNode } from './commands/node';
import { registerUp } from './commands/up';
import { registerValidate } from './commands/validate';
import { ExitCode, reportError } from './exit-codes';

const HELP_FOOTER = `
Config is found by searching from the current folder for switchyard.config.{ts,mjs,js,json,yaml,yml},
.switchyardrc, .switchyardrc.{json,yaml,yml} or package.json#switchyard, or given with --config.

Exit codes: 0 ok, 1 runtime failure (e.g. supervisor unreachable, switchover refused, unknown alarm), 2 bad config or usage.

Examples:
  switchyard up --config examples/single-host/switchyard.config.ts
  switchyard node --config examples/multi-host/switchyard.config.ts     (on each host of a two-host pair)
  switchyard status --json
  switchyard switchover --reason "maintenance on sip-a"
  switchyard validate
  switchyard alarms list
  switchyard history --json
  switchyard alarms clear sip-listener-down@sip-a`;

/** Builds the `switchyard` command. `exit` receives the exit code of the command that ran. */
export function buildProgram(exit: (code: number) => void): Command {
  const run = async (fn: () => Promise<number>) => {
    try {
      exit(await fn());
    } catch (error) {
      exit(reportError(error));
    }
  };
  const program = new Command('switchyard')
    .description('Switchyard keeps a SIP service available with a primary/backup pair.')
    .version(readVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', HELP_FOOTER)
    .exitOverride();
  registerUp(program, run);
  registerNode(program, run);
  registerStatus(program, run);
  registerSwitchover(program, run);
  registerValidate(program, run);
  registerAlarms(program, run);
  registerHistory(program, run);
  return program;
}

/** Runs the CLI; resolves with the exit code. */
export async function runCli(argv: string[]): Promise<number> {
  let code: number = ExitCode.OK;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; any other commander error is a usage error
      return error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    return reportError(error);
  }
  return code;
}

function readVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}
