import os from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { renderAlarmTable } from '../../management/alarm-table';
import { isSwitchyardError } from '../../errors';
import { agentClient, agentEndpoints, authorisedClient, pairAlarms } from '../agents';
import { readTokenFile } from '../../management/token';
import { ExitCode } from '../exit-codes';

/** Who clears an alarm from this shell, by default: the login name. */
function operatorName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'cli';
  }
}

export function registerAlarms(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  const alarms = program.command('alarms').description('List and clear alarms (the running supervisor\'s alarm engine).');
  alarms
    .command('list')
    .description('Show the active alarms: ID SEVERITY NODE COUNT FIRST LAST EVENT MESSAGE (times in UTC).')
    .option('-c, --config <file>', 'config file (default: search from the current folder)')
    .option('-a, --all', 'also show the recently cleared alarms')
    .option('--json', 'print {"active": [...], "cleared": [...]} as JSON')
    .action((opts: { config?: string; all?: boolean; json?: boolean }) =>
      run(async () => {
        const v = await loadConfig({ configPath: opts.config });
        const view = await pairAlarms(v);
        process.stdout.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : `${renderAlarmTable(view, { cleared: opts.all })}\n`);
        return ExitCode.OK;
      }),
    );
  alarms
    .command('clear')
    .description('Clear an active alarm once its cause is handled (runs its clearance reactions). Exit 1 when no active alarm has that id.')
    .argument('<alarm-id>', 'the alarm id, <condition>@<node>, as `alarms list` shows it')
    .option('-c, --config <file>', 'config file (default: search from the current folder)')
    .option('--by <name>', 'who clears it, for the log', operatorName())
    .option('--json', 'print the cleared alarm as JSON')
    .action((id: string, opts: { config?: string; by: string; json?: boolean }) =>
      run(async () => {
        const v = await loadConfig({ configPath: opts.config });
        const result = await clearOnOwner(v, id, opts.by);
        process.stdout.write(opts.json ? `${JSON.stringify(result.alarm)}\n` : `alarm ${result.alarm.id} cleared by ${opts.by}\n`);
        return ExitCode.OK;
      }),
    );
}

/** Clears an alarm on the agent that holds it: the one of the alarm's node first, then any other whose token is readable here. */
async function clearOnOwner(v: Awaited<ReturnType<typeof loadConfig>>, id: string, by: string) {
  const node = id.slice(id.lastIndexOf('@') + 1);
  const endpoints = agentEndpoints(v).sort((a, b) => Number(b.nodes.includes(node)) - Number(a.nodes.includes(node)));
  if (endpoints.length === 1) return (await authorisedClient(v)).client.clearAlarm(id, by);
  let lastError: unknown;
  for (const endpoint of endpoints) {
    try {
      const token = await readTokenFile(endpoint.stateDir);
      return await (await agentClient(v, endpoint, { token })).clearAlarm(id, by);
    } catch (error) {
      if (!isSwitchyardError(error)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}
