import type { LabPair, NodeId } from './pair';
import { NODES } from './pair';
import type { HostName } from './topology';

/**
 * The faults a chaos run (or a plugin's own lab test) injects into a
 * running {@link LabPair}, most common first. Each is injected, held, then
 * healed with the function {@link injectFault} returns.
 */
export const FAULT_KINDS = ['kill', 'stop', 'cut-host', 'sip-nic-down', 'vip-removed', 'etcd-member', 'etcd-all', 'ha-link-cut', 'disk-full', 'clock-step'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Which node a node or host fault hits: resolved to a node id when it is injected. */
export type FaultRole = 'primary' | 'backup';

/** Fault kinds aimed at a node (or its host), which take a {@link FaultRole}. */
export const NODE_FAULTS: readonly FaultKind[] = ['kill', 'stop', 'cut-host', 'sip-nic-down', 'ha-link-cut', 'disk-full', 'clock-step'];

/**
 * Fault kinds that need the pair created with a node disk (`disk-full`:
 * `LabPair.create({ nodeDisk })`) or host clocks (`clock-step`: `{ hostClocks: true }`).
 */
export const PAIR_OPTION_FAULTS: Readonly<Partial<Record<FaultKind, 'nodeDisk' | 'hostClocks'>>> = { 'disk-full': 'nodeDisk', 'clock-step': 'hostClocks' };

/** What to inject: the kind, and for node faults the role, for `etcd-member` the member index, for `clock-step` the step. */
export interface FaultSpec {
  kind: FaultKind;
  role?: FaultRole;
  member?: number;
  /** `clock-step`: seconds the host's wall clock jumps (negative: back); healing steps it back. */
  stepSeconds?: number;
}

/** The pair as it is before the fault: who is primary, and each node's process id (not its agent's). */
export interface PairRoles {
  primary: NodeId;
  backup: NodeId;
  pids: Record<NodeId, number>;
}

/** The parts of the pair's config the faults need. */
export interface FaultContext {
  /** The virtual IP with its prefix length, e.g. `198.51.100.100/24`. */
  vip: string;
  /** The SIP interface in a host namespace (`sip0`). */
  sipIf: string;
  /** The HA link's TCP port (`nodes[].haPort`). */
  haPort: number;
  /** etcd members of the lab (1 or 3). */
  etcdMembers: number;
}

/** An injected fault: what was done, to whom, and how to undo it. */
export interface ActiveFault {
  spec: FaultSpec;
  node?: NodeId;
  host?: HostName;
  /** One line for the progress output, e.g. `kill -9 of sip-a's node (pid 1234)`. */
  what: string;
  /** Undoes the fault (a no-op for faults the pair heals by itself: kill -9, VIP removed). */
  heal(): Promise<void>;
}

/** The nftables table the HA-link cut adds in a host namespace (removed by heal, and with the namespace). */
const NFT_TABLE = 'switchyard_chaos';

function haLinkRules(port: number): string {
  const drops = `tcp dport ${port} drop; tcp sport ${port} drop;`;
  return [
    `table inet ${NFT_TABLE} {`,
    `  chain input { type filter hook input priority 0; policy accept; ${drops} }`,
    `  chain output { type filter hook output priority 0; policy accept; ${drops} }`,
    '}',
    '',
  ].join('\n');
}

async function mustRunIn(pair: LabPair, host: HostName, argv: string[], input?: string): Promise<void> {
  const r = await pair.lab.run(host, argv, { timeoutMs: 10_000, input });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} in ${host} failed (${r.code ?? r.signal}): ${r.stderr.trim()}`);
}

/** Sends a signal, tolerating a process that is gone already (its agent may have killed it). */
function signalIfAlive(pair: LabPair, pid: number, signal: 'SIGCONT' | 'SIGKILL' | 'SIGSTOP'): boolean {
  try {
    pair.lab.signal(pid, signal);
    return true;
  } catch {
    return false;
  }
}

const members = (ctx: FaultContext) => Array.from({ length: ctx.etcdMembers }, (_, i) => i);

/**
 * Injects one fault into the pair. Node faults hit `roles[spec.role]`
 * (default the primary); `vip-removed` always hits the primary's host, which
 * holds the VIP. Throws if the fault could not be applied (e.g. the VIP was
 * not where the roles say). The returned `heal()` undoes it.
 */
export async function injectFault(pair: LabPair, spec: FaultSpec, roles: PairRoles, ctx: FaultContext): Promise<ActiveFault> {
  const node = roles[spec.role ?? 'primary'];
  const host = NODES[node];
  const noop = () => Promise.resolve();
  switch (spec.kind) {
    case 'kill': {
      const pid = roles.pids[node];
      pair.lab.signal(pid, 'SIGKILL');
      return { spec, node, host, what: `kill -9 of ${node}'s node (pid ${pid}); its agent restarts it`, heal: noop };
    }
    case 'stop': {
      const pid = roles.pids[node];
      pair.lab.signal(pid, 'SIGSTOP');
      return {
        spec,
        node,
        host,
        what: `SIGSTOP of ${node}'s node (pid ${pid})`,
        heal: async () => void signalIfAlive(pair, pid, 'SIGCONT'),
      };
    }
    case 'cut-host':
      await pair.lab.cutHost(host);
      return { spec, node, host, what: `both links of ${host} (${node}) cut`, heal: () => pair.lab.restoreHost(host) };
    case 'sip-nic-down':
      await mustRunIn(pair, host, ['ip', 'link', 'set', ctx.sipIf, 'down']);
      return {
        spec,
        node,
        host,
        what: `ip link set ${ctx.sipIf} down in ${host} (${node})`,
        heal: () => mustRunIn(pair, host, ['ip', 'link', 'set', ctx.sipIf, 'up']),
      };
    case 'vip-removed': {
      const holder = NODES[roles.primary];
      await mustRunIn(pair, holder, ['ip', 'addr', 'del', ctx.vip, 'dev', ctx.sipIf]);
      return { spec, node: roles.primary, host: holder, what: `ip addr del ${ctx.vip} dev ${ctx.sipIf} in ${holder} (${roles.primary})`, heal: noop };
    }
    case 'etcd-member': {
      const member = spec.member ?? 0;
      await pair.lab.killEtcd(member);
      return { spec, what: `kill -9 of etcd member ${member}`, heal: () => pair.lab.startEtcd(member) };
    }
    case 'etcd-all':
      await Promise.all(members(ctx).map((m) => pair.lab.stopEtcd(m)));
      return { spec, what: `all ${ctx.etcdMembers} etcd member(s) stopped`, heal: async () => void (await Promise.all(members(ctx).map((m) => pair.lab.startEtcd(m)))) };
    case 'disk-full': {
      if (!pair.disks) throw new Error('disk-full needs the pair created with a node disk (LabPair.create({ nodeDisk }))');
      const disks = pair.disks;
      const files = disks.contentsOf(node);
      if (files.length === 0) throw new Error(`${node} keeps nothing on its disk ${disks.dirOf(node)}: filling it would test nothing`);
      const bytes = await disks.fill(node);
      return {
        spec,
        node,
        host,
        what: `${node}'s data disk (${files.join(', ')}) filled: ${Math.round(bytes / 1024)} KiB written, then ENOSPC`,
        heal: () => disks.free(node),
      };
    }
    case 'clock-step': {
      if (!pair.clocks) throw new Error('clock-step needs the pair created with host clocks (LabPair.create({ hostClocks: true }))');
      const clocks = pair.clocks;
      const seconds = spec.stepSeconds ?? 600;
      clocks.step(host, seconds);
      return {
        spec,
        node,
        host,
        what: `${host}'s wall clock (${node}) stepped ${seconds >= 0 ? '+' : ''}${seconds} s`,
        heal: async () => clocks.step(host, 0),
      };
    }
    case 'ha-link-cut':
      await mustRunIn(pair, host, ['nft', '-f', '-'], haLinkRules(ctx.haPort));
      return {
        spec,
        node,
        host,
        what: `nftables in ${host} (${node}) drops TCP port ${ctx.haPort} both ways (the HA link)`,
        heal: () => mustRunIn(pair, host, ['nft', 'delete', 'table', 'inet', NFT_TABLE]),
      };
  }
}
