import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import type { ValidatedConfig } from '../../config/validate';
import { readTokenFile } from '../../management/token';
import type { HistoryView } from '../../management/operator-routes';
import { renderHistoryTable } from '../../history/history-table';
import type { SwitchoverEntry } from '../../history/switchover-history';
import { agentClient, agentEndpoints } from '../agents';
import { ExitCode } from '../exit-codes';

export function registerHistory(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('history')
    .description('Show past switchovers, the newest first: TIME TERM FROM TO BY GAP REASON (times in UTC; GAP is how long no primary was running).')
    .option('-c, --config <file>', 'config file (default: search from the current folder)')
    .option('--json', 'print {"switchovers": [...]} as JSON')
    .action((opts: { config?: string; json?: boolean }) =>
      run(async () => {
        const v = await loadConfig({ configPath: opts.config });
        const view = await pairHistory(v);
        process.stdout.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : `${renderHistoryTable(view.switchovers)}\n`);
        return ExitCode.OK;
      }),
    );
}

/** Every agent's history merged (two hosts' agents both record a switchover they see), the newest first. */
async function pairHistory(v: ValidatedConfig): Promise<HistoryView> {
  const endpoints = agentEndpoints(v);
  let lastError: unknown;
  const merged = new Map<string, SwitchoverEntry>();
  let answered = 0;
  for (const endpoint of endpoints) {
    try {
      const token = await readTokenFile(endpoint.stateDir).catch(() => undefined);
      const client = await agentClient(v, endpoint, { ...(token ? { token } : {}), ...(endpoints.length > 1 ? { timeoutMs: 3000 } : {}) });
      for (const entry of (await client.history()).switchovers) merged.set(`${entry.term}/${entry.to}`, entry);
      answered += 1;
    } catch (error) {
      lastError = error;
    }
  }
  if (answered === 0) throw lastError;
  return { switchovers: [...merged.values()].sort((a, b) => b.at - a.at) };
}
