import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { pairStatus } from '../agents';
import { renderStatusTable } from '../../management/status-table';
import { ExitCode } from '../exit-codes';

export function registerStatus(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('status')
    .description("Show each node's role, status, pid and term, from the running agents' management APIs (both hosts' agents for a two-host pair; either may be down).")
    .option('-c, --config <file>', 'config file (default: search from the current folder)')
    .option('--json', 'print the status as JSON')
    .action((opts: { config?: string; json?: boolean }) =>
      run(async () => {
        const v = await loadConfig({ configPath: opts.config });
        const view = await pairStatus(v);
        process.stdout.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : `${renderStatusTable(view)}\n`);
        return ExitCode.OK;
      }),
    );
}
