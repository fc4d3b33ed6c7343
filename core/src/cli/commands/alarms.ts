import os from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { renderAlarmTable } from '../../management/alarm-table';
import { ManagementClient } from '../../management/client';
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
        const client = new ManagementClient({ host: v.config.management.host, port: v.config.management.port });
        const view = await client.alarms();
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
        const token = await readTokenFile(v.runtimeDir);
        const client = new ManagementClient({ host: v.config.management.host, port: v.config.management.port, token });
        const result = await client.clearAlarm(id, opts.by);
        process.stdout.write(opts.json ? `${JSON.stringify(result.alarm)}\n` : `alarm ${result.alarm.id} cleared by ${opts.by}\n`);
        return ExitCode.OK;
      }),
    );
}
