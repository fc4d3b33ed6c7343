import { Argument, Option, type Command } from 'commander';
import { LINK_KINDS, setSwitchPorts, switchPort, type HostName, type LinkKind } from '../../topology';
import { FIXED_NAMES, requireFixedLab } from '../fixed-lab';
import { ExitCode } from '../report';
import type { CommandRunner } from '../program';

async function setHost(host: HostName, link: LinkKind | undefined, state: 'up' | 'down'): Promise<number> {
  await requireFixedLab();
  const kinds = link === undefined ? LINK_KINDS : [link];
  await setSwitchPorts(FIXED_NAMES, host, kinds, state);
  const ports = kinds.map((k) => switchPort(host, k)).join(' and ');
  const what = state === 'down' ? `cut: switch ports ${ports} are down` : `restored: switch ports ${ports} are up`;
  process.stdout.write(`${host} ${what}\n`);
  return ExitCode.OK;
}

function register(program: Command, run: CommandRunner, name: 'cut' | 'restore'): void {
  const state = name === 'cut' ? 'down' : 'up';
  program
    .command(name)
    .description(
      name === 'cut'
        ? 'isolate a host: its switch ports go down, so it reaches neither its peer, the client nor etcd'
        : 'reconnect a host that was cut',
    )
    .addArgument(new Argument('<host>', 'the host').choices(['h1', 'h2']))
    .addOption(new Option('--link <network>', 'only this network: ctl (HA link, etcd, management) or sip').choices([...LINK_KINDS]))
    .action((host: HostName, options: { link?: LinkKind }) => run(() => setHost(host, options.link, state)));
}

export function registerFaults(program: Command, run: CommandRunner): void {
  register(program, run, 'cut');
  register(program, run, 'restore');
}
