import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { SwitchyardError } from '../../errors';
import { ExitCode } from '../exit-codes';
import { runAgent } from '../run-agent';

export function registerUp(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('up')
    .description(
      'Validate the config, then run the pair on this host: fork each node as its own process, arbitrate (embedded arbiter), ' +
        'restart dead nodes as backup, serve the management API. Ctrl-C stops both nodes and exits 0. ' +
        'A pair on two hosts runs with `switchyard node` on each host instead.',
    )
    .option('-c, --config <file>', 'config file (default: search from the current folder)')
    .option('-v, --verbose', 'print every info event, not only notable ones')
    .option('--log-stdout', 'log to stdout only, no log files (logging.output "stdout"): one line per entry with a syslog priority, for systemd/journald')
    .action((opts: { config?: string; verbose?: boolean; logStdout?: boolean }) =>
      run(async () => {
        const started = Date.now();
        const validated = await loadConfig({ configPath: opts.config });
        if (validated.arbiter.definition.multiHost) {
          throw new SwitchyardError(
            'SWY_ERR_USAGE',
            `The config's arbiter is "${validated.arbiter.kind}", which runs one agent per host: ` +
              'start `switchyard node --config FILE` on each host instead of `switchyard up`.',
          );
        }
        if (opts.logStdout) validated.config.logging.output = 'stdout';
        await runAgent(validated, { verbose: opts.verbose, started, label: 'single host' });
        return ExitCode.OK;
      }),
    );
}
