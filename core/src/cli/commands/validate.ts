import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import { formatIssue } from '../../errors';
import { ExitCode } from '../exit-codes';

export function registerValidate(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('validate')
    .description('Load and check the config (shape, key paths, ports, timing, plugins) without starting anything.')
    .option('-c, --config <file>', 'config file (default: search from the current folder)')
    .option('--json', 'print the validated config with every default filled in')
    .action((opts: { config?: string; json?: boolean }) =>
      run(async () => {
        const v = await loadConfig({ configPath: opts.config });
        // Warnings go to stderr, so `--json` output stays parseable; the config is still valid (exit 0).
        for (const w of v.warnings) process.stderr.write(`warning: ${formatIssue(w)}\n`);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(v.config, null, 2)}\n`);
        } else {
          const plugins = v.plugins.map((p) => p.name).join(', ') || 'none';
          const { conditions } = v.config.alarms;
          const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
          const alarms =
            conditions.length === 0 ? '' : `, alarms: ${count(conditions.length, 'condition')}, ${count(v.alarmReactions.length, 'reaction')}`;
          process.stdout.write(
            `${v.file ?? 'config'} is valid: cluster ${v.config.cluster}, nodes ${v.config.nodes.map((n) => n.id).join(' + ')}` +
              ` (${v.multiHost ? 'multi-host' : 'single host'}), arbiter ${v.config.arbiter.kind}, plugins: ${plugins}${alarms}\n`,
          );
        }
        return ExitCode.OK;
      }),
    );
}
