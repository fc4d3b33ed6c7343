import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { Supervisor } from '../../supervisor/supervisor';
import { ConsoleView } from '../../supervisor/console-view';
import { ExitCode } from '../exit-codes';

export function registerUp(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('up')
    .description(
      'Validate the config, then run the pair: fork each node as its own process, arbitrate (embedded arbiter), ' +
        'restart dead nodes as backup, serve the management API. Ctrl-C stops both nodes and exits 0.',
    )
    .option('-c, --config <file>', 'config file (default: search from the current folder)')
    .option('-v, --verbose', 'print every info event, not only notable ones')
    .action((opts: { config?: string; verbose?: boolean }) =>
      run(async () => {
        const started = Date.now();
        const validated = await loadConfig({ configPath: opts.config });
        const view = new ConsoleView({ out: process.stdout, verbose: opts.verbose });
        const supervisor = new Supervisor(validated, {
          onEvent: (record) => view.event(record),
          onNodes: (nodes) => view.nodes(nodes),
          onOutput: (node, line) => view.raw(node, line),
        });
        process.stdout.write(
          `switchyard: cluster ${validated.config.cluster} from ${validated.file ?? 'config'} ` +
            `(${validated.multiHost ? 'multi-host' : 'single host'}, config checked in ${Date.now() - started} ms)\n`,
        );
        const { managementUrl } = await supervisor.start();
        process.stdout.write(
          `switchyard: management API ${managementUrl}; runtime dir ${validated.runtimeDir}; Ctrl-C to stop\n`,
        );
        await new Promise<void>((resolve) => {
          const onSignal = (signal: NodeJS.Signals) => {
            process.off('SIGINT', onSignal);
            process.off('SIGTERM', onSignal);
            void supervisor.stop(signal).then(() => {
              view.close();
              resolve();
            });
          };
          process.on('SIGINT', onSignal);
          process.on('SIGTERM', onSignal);
        });
        process.stdout.write('switchyard: stopped\n');
        return ExitCode.OK;
      }),
    );
}
