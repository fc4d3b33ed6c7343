import os from 'node:os';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load';
import type { ValidatedConfig } from '../../config/validate';
import { SwitchyardError } from '../../errors';
import { ExitCode } from '../exit-codes';
import { runAgent } from '../run-agent';

/** This machine's addresses (every interface, IPv4-mapped unwrapped). */
export function localAddresses(): Set<string> {
  const found = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) found.add(info.address.toLowerCase());
  }
  return found;
}

/**
 * The node this host runs: `--id` when given, else the one node whose
 * `host` is an address of this machine. None or both → SWY_ERR_NODE_NOT_HERE.
 */
export function pickLocalNode(validated: ValidatedConfig, id: string | undefined, addresses: Set<string>): string {
  const nodes = validated.config.nodes;
  if (id !== undefined) {
    if (nodes.some((n) => n.id === id)) return id;
    throw new SwitchyardError('SWY_ERR_NODE_NOT_HERE', `--id ${id}: the config has no such node; its nodes are ${nodes.map((n) => n.id).join(', ')}.`);
  }
  const here = nodes.filter((n) => addresses.has(n.host.toLowerCase()));
  if (here.length === 1) return here[0]!.id;
  const listing = nodes.map((n) => `${n.id} (${n.host})`).join(', ');
  throw new SwitchyardError(
    'SWY_ERR_NODE_NOT_HERE',
    here.length === 0
      ? `No node of the config has an address of this host as its host (${listing}); run this on one of those hosts, or name the node with --id.`
      : `Both nodes' hosts are addresses of this host (${listing}); name the node to run with --id.`,
  );
}

export function registerNode(program: Command, run: (fn: () => Promise<number>) => Promise<void>): void {
  program
    .command('node')
    .description(
      'Run one node of a pair that spans two hosts (arbiter "etcd"): validate the config, fork the node process, ' +
        'campaign for the primary role through the arbiter, restart the node as backup when it dies (and give up its ' +
        'arbiter lease at once, so the other host takes over in milliseconds), serve the management API on the node\'s host. ' +
        'Run it on each host with the same config. Ctrl-C stops the node and exits 0.',
    )
    .option('-c, --config <file>', 'config file (default: search from the current folder)')
    .option('--id <node>', "the node to run (default: the node whose host is an address of this machine)")
    .option('-v, --verbose', 'print every info event, not only notable ones')
    .option('--log-stdout', 'log to stdout only, no log files (logging.output "stdout"): one line per entry with a syslog priority, for systemd/journald')
    .action((opts: { config?: string; id?: string; verbose?: boolean; logStdout?: boolean }) =>
      run(async () => {
        const started = Date.now();
        const validated = await loadConfig({ configPath: opts.config });
        if (!validated.arbiter.definition.multiHost) {
          throw new SwitchyardError(
            'SWY_ERR_USAGE',
            `The config's arbiter is "${validated.arbiter.kind}", which runs both nodes in one \`switchyard up\` on one host; ` +
              'for two hosts set arbiter: { kind: "etcd", endpoints: [...] } and run `switchyard node` on each.',
          );
        }
        const id = pickLocalNode(validated, opts.id, localAddresses());
        if (opts.logStdout) validated.config.logging.output = 'stdout';
        await runAgent(validated, { localNodes: [id], verbose: opts.verbose, started, label: `node ${id} of a two-host pair` });
        return ExitCode.OK;
      }),
    );
}
