import { Command, CommanderError } from 'commander';
import { registerDown } from './commands/down';
import { registerFaults } from './commands/faults';
import { registerStatus } from './commands/status';
import { registerUp } from './commands/up';
import { ExitCode, reportError } from './report';

/** Runs one command's body and hands its exit code on. */
export type CommandRunner = (fn: () => Promise<number>) => Promise<void>;

const HELP_FOOTER = `
The lab is four Linux network namespaces on this machine (needs root, iproute2, etcd-server, etcd-client):
  sylab-h1  host 1: ctl0 192.0.2.1/24, sip0 198.51.100.1/24   (a switchyard node runs here)
  sylab-h2  host 2: ctl0 192.0.2.2/24, sip0 198.51.100.2/24   (its peer runs here)
  sylab-cl  client: ctl0 192.0.2.254/24, sip0 198.51.100.254/24 (etcd, etcdctl, SIPp, the switchyard CLI)
  sylab-sw  switch: bridges br-ctl and br-sip joining the three
Only 192.0.2.0/24, 198.51.100.0/24 and loopback carry traffic; nothing runs in this machine's own namespace.

Exit codes: 0 ok, 1 runtime failure (e.g. no lab, etcd not healthy), 2 bad argument or config.

Examples:
  switchyard-lab up --config examples/multi-host/switchyard.config.ts
  ip netns exec sylab-cl npx switchyard status --config examples/multi-host/switchyard.config.ts
  switchyard-lab cut h1
  switchyard-lab restore h1
  switchyard-lab status
  switchyard-lab down
See examples/multi-host/lab.md.`;

/** Builds the `switchyard-lab` command. `exit` receives the exit code of the command that ran. */
export function buildProgram(exit: (code: number) => void): Command {
  const run: CommandRunner = async (fn) => {
    try {
      exit(await fn());
    } catch (error) {
      exit(reportError(error));
    }
  };
  const program = new Command('switchyard-lab')
    .description('A two-host network lab for Switchyard, built from Linux network namespaces.')
    .version(readVersion(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', HELP_FOOTER)
    .exitOverride();
  registerUp(program, run);
  registerDown(program, run);
  registerFaults(program, run);
  registerStatus(program, run);
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
