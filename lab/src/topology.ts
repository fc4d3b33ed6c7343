import { mustRun } from './exec';
import { requireTool } from './tools';

/** A lab host: the two namespaces a Switchyard node runs in. */
export type HostName = 'h1' | 'h2';
/** Where a lab process runs: a host, or the client namespace (etcd, etcdctl, SIPp, the CLI). */
export type LabPlace = HostName | 'client';
/** The control network (192.0.2.0/24: HA link, etcd, management) or the SIP network (198.51.100.0/24). */
export type LinkKind = 'ctl' | 'sip';

export const HOST_NAMES: readonly HostName[] = ['h1', 'h2'];
export const LAB_PLACES: readonly LabPlace[] = ['h1', 'h2', 'client'];
export const LINK_KINDS: readonly LinkKind[] = ['ctl', 'sip'];

/** The namespace names of one lab. */
export interface LabNames {
  prefix: string;
  switch: string;
  h1: string;
  h2: string;
  client: string;
}

export function labNames(prefix: string): LabNames {
  return { prefix, switch: `${prefix}-sw`, h1: `${prefix}-h1`, h2: `${prefix}-h2`, client: `${prefix}-cl` };
}

/** Every namespace of a lab, switch last (deleting it removes the bridges the others hang on). */
export function namespacesOf(names: LabNames): string[] {
  return [names.h1, names.h2, names.client, names.switch];
}

/** The interface names inside a host or the client, the same in every lab. */
export const INTERFACES: Readonly<Record<LinkKind, string>> = { ctl: 'ctl0', sip: 'sip0' };
/** The bridge of each network, in the switch namespace. */
export const BRIDGES: Readonly<Record<LinkKind, string>> = { ctl: 'br-ctl', sip: 'br-sip' };

/** The only addresses a lab uses (TEST-NET-1 for control, TEST-NET-2 for SIP). */
export const ADDRESSES: Readonly<Record<LabPlace, Readonly<Record<LinkKind, string>>>> = {
  h1: { ctl: '192.0.2.1', sip: '198.51.100.1' },
  h2: { ctl: '192.0.2.2', sip: '198.51.100.2' },
  client: { ctl: '192.0.2.254', sip: '198.51.100.254' },
};

/** Client control addresses: one per etcd member (member i is 192.0.2.(254-i)), at least one. */
export function clientControlAddresses(etcdMembers: number): string[] {
  return Array.from({ length: Math.max(1, etcdMembers) }, (_, i) => `192.0.2.${254 - i}`);
}

/** The switch-side end of a place's veth on one network, e.g. `h1-ctl` or `cl-sip` (≤ 15 characters). */
export function switchPort(place: LabPlace, kind: LinkKind): string {
  return `${place === 'client' ? 'cl' : place}-${kind}`;
}

function ip(args: string[]): Promise<string> {
  return mustRun(requireTool('ip'), args);
}

/** Namespaces that exist now (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const out = await ip(['netns', 'list']);
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

/**
 * Builds the lab's namespaces, bridges and veths. No interface gets an IPv6
 * link-local address (`addrgenmode none`): only the two test networks and
 * loopback carry traffic.
 */
export async function buildTopology(names: LabNames, etcdMembers: number, log: (line: string) => void): Promise<void> {
  const nsOf = (place: LabPlace) => names[place];
  for (const ns of [names.switch, names.h1, names.h2, names.client]) {
    await ip(['netns', 'add', ns]);
    await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  log(`namespaces ${namespacesOf(names).join(', ')} added`);
  for (const kind of LINK_KINDS) {
    await ip(['-n', names.switch, 'link', 'add', BRIDGES[kind], 'type', 'bridge']);
    await ip(['-n', names.switch, 'link', 'set', BRIDGES[kind], 'addrgenmode', 'none']);
    await ip(['-n', names.switch, 'link', 'set', BRIDGES[kind], 'up']);
  }
  for (const place of LAB_PLACES) {
    for (const kind of LINK_KINDS) {
      const port = switchPort(place, kind);
      const inner = INTERFACES[kind];
      const ns = nsOf(place);
      await ip(['-n', names.switch, 'link', 'add', port, 'type', 'veth', 'peer', 'name', inner, 'netns', ns]);
      await ip(['-n', names.switch, 'link', 'set', port, 'addrgenmode', 'none']);
      await ip(['-n', names.switch, 'link', 'set', port, 'master', BRIDGES[kind], 'up']);
      await ip(['-n', ns, 'link', 'set', inner, 'addrgenmode', 'none']);
      const addresses = place === 'client' && kind === 'ctl' ? clientControlAddresses(etcdMembers) : [ADDRESSES[place][kind]];
      for (const address of addresses) await ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', inner]);
      await ip(['-n', ns, 'link', 'set', inner, 'up']);
    }
  }
  log(`bridges ${BRIDGES.ctl} (192.0.2.0/24) and ${BRIDGES.sip} (198.51.100.0/24) up in ${names.switch}`);
}

/** Sets the switch-side ends of a place's veths down (cut) or up (restore). */
export async function setSwitchPorts(names: LabNames, place: LabPlace, kinds: readonly LinkKind[], state: 'up' | 'down'): Promise<void> {
  for (const kind of kinds) await ip(['-n', names.switch, 'link', 'set', switchPort(place, kind), state]);
}

/** Whether each switch port of a place is administratively up, read from the switch namespace. */
export async function switchPortStates(names: LabNames): Promise<Record<string, 'up' | 'down'>> {
  const out = await ip(['-n', names.switch, '-o', 'link', 'show']);
  const states: Record<string, 'up' | 'down'> = {};
  for (const line of out.split('\n')) {
    const match = /^\d+:\s+([^:@]+)[^<]*<([^>]*)>/.exec(line);
    if (match) states[match[1]!] = match[2]!.split(',').includes('UP') ? 'up' : 'down';
  }
  return states;
}
