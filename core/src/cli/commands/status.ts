import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { ManagementClient } from '../../management/client';
import { renderStatusTable } from '../../management/status-table';
import { ExitCode } from '../exit-codes';

export function registerStatus(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('status')
    .description("Show each node's role, status, pid and term, from the running supervisor's management API.")
    .option('-c, --config <file>', 'config file (default: search from the current folder)')
    .option('--json', 'print the status as JSON')
    .action((opts: { config?: string; json?: boolean }) =>
      run(async () => {
        const v = await loadConfig({ configPath: opts.config });
        const client = new ManagementClient({ host: v.config.management.host, port: v.config.management.port });
        const view = await client.status();
        process.stdout.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : `${renderStatusTable(view)}\n`);
        return ExitCode.OK;
      }),
    );
}
