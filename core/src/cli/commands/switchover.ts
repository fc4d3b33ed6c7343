import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { authorisedClient, pairStatus } from '../agents';
import { ExitCode } from '../exit-codes';

export function registerSwitchover(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('switchover')
    .description('Ask the arbiter to make the backup primary. Refused (exit 1) when the backup is not running or a plugin vetoes.')
    .option('-c, --config <file>', 'config file (default: search from the current folder)')
    .option('-r, --reason <text>', 'why, for the log', 'operator request')
    .option('--json', 'print the result as JSON')
    .action((opts: { config?: string; reason: string; json?: boolean }) =>
      run(async () => {
        const v = await loadConfig({ configPath: opts.config });
        // The primary's agent is asked first; on a two-host pair any agent forwards it through the arbiter.
        const primary = await pairStatus(v).then((s) => s.arbiter.primary ?? undefined, () => undefined);
        const { client } = await authorisedClient(v, primary);
        const result = await client.switchover(opts.reason);
        process.stdout.write(
          opts.json ? `${JSON.stringify(result)}\n` : `switchover done: ${result.primary} is primary (term ${result.term})\n`,
        );
        return ExitCode.OK;
      }),
    );
}
