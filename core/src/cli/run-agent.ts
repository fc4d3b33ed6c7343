import type { ValidatedConfig } from '../config/validate';
import { formatIssue } from '../errors';
import type { LogEventRecord } from '../events/catalogue';
import type { NodeStatusView } from '../management/types';
import { ConsoleView } from '../supervisor/console-view';
import { Supervisor } from '../supervisor/supervisor';

/**
 * Runs an agent in the foreground until SIGINT/SIGTERM: the one body of
 * `switchyard up` (both nodes) and `switchyard node` (one node).
 */
export async function runAgent(
  validated: ValidatedConfig,
  options: { localNodes?: string[]; verbose?: boolean; started: number; label: string },
): Promise<void> {
  const view = new ConsoleView({ out: process.stdout, verbose: options.verbose, rateLimit: validated.config.logging.rateLimit });
  // stdout mode (journald): the agent's log writes every event to stdout; the view would print them twice.
  const journald = validated.config.logging.output === 'stdout';
  const agent = new Supervisor(validated, {
    ...(options.localNodes ? { localNodes: options.localNodes } : {}),
    ...(journald ? {} : { onEvent: (record: LogEventRecord) => view.event(record), onNodes: (nodes: NodeStatusView[]) => view.nodes(nodes) }),
    onOutput: (node, line) => view.raw(node, line),
  });
  process.stdout.write(
    `switchyard: cluster ${validated.config.cluster} from ${validated.file ?? 'config'} ` +
      `(${options.label}, arbiter ${validated.arbiter.kind}, config checked in ${Date.now() - options.started} ms)\n`,
  );
  for (const w of validated.warnings) process.stderr.write(`switchyard: warning: ${formatIssue(w)}\n`);
  const { managementUrl } = await agent.start();
  process.stdout.write(`switchyard: console and management API ${managementUrl}; state dir ${agent.stateDir}; Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      void agent.stop(signal).then(() => {
        view.close();
        resolve();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  process.stdout.write('switchyard: stopped\n');
}
