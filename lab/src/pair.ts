import fs from 'node:fs';
import path from 'node:path';
import { CLI, linkNodeModules, readNodeLog, tempDir, waitFor, type LogLine } from '@switchyard/core/testing';
import type { ClusterStatusView, NodeStatusView } from '@switchyard/core';
import { HostClocks, fakeTimeLibrary } from './host-clocks';
import { Lab } from './lab';
import { NodeDisks } from './node-disks';
import type { LabProcess } from './processes';
import { startProbe, type Probe } from './probe';
import { makeLabTls } from './tls';

export type { Probe, ProbeAnswer } from './probe';

export const NODES = { 'sip-a': 'h1', 'sip-b': 'h2' } as const;
export type NodeId = keyof typeof NODES;
export const SIP = { 'sip-a': '198.51.100.1:5060', 'sip-b': '198.51.100.2:5060' } as const;

/**
 * The pair config of the lab (the one of examples/multi-host, with faster
 * restarts): sip-a on h1, sip-b on h2, etcd arbiter with a 2 s lease, the
 * SIP plugin on each host's SIP address, state in `dir`.
 */
export function labConfig(dir: string, members: readonly string[]): Record<string, unknown> {
  return {
    cluster: 'lab-test',
    nodes: [
      { id: 'sip-a', host: '192.0.2.1', haPort: 7461, priority: 100, sip: { host: '198.51.100.1', port: 5060 } },
      { id: 'sip-b', host: '192.0.2.2', haPort: 7461, priority: 50, sip: { host: '198.51.100.2', port: 5060 } },
    ],
    arbiter: { kind: 'etcd', endpoints: members, leaseTtl: 2 },
    // The API listens on each host's control address: TLS (a certificate LabPair.create makes in `dir`).
    management: { port: 7460, tls: { cert: path.join(dir, 'management.crt'), key: path.join(dir, 'management.key') } },
    haLink: { heartbeatInterval: 0.1, missedHeartbeats: 3, secret: 'lab-test-secret-0123456789' },
    supervisor: { restartDelay: 0.2, restartMaxDelay: 2, stopTimeout: 3 },
    runtimeDir: path.join(dir, 'state'),
    plugins: { sip: { bindRetryInterval: 1, replication: { mode: 'async' } }, 'alarm-reactions': true },
  };
}

/**
 * A two-host pair in a fresh lab: one `switchyard node` agent per host
 * namespace, the CLI, SIPp and an OPTIONS prober in the client namespace.
 * For tests and benchmarks; `destroy()` removes everything.
 */
export class LabPair {
  readonly agents = new Map<NodeId, LabProcess>();
  private constructor(
    readonly lab: Lab,
    readonly dir: string,
    readonly config: string,
    /** Each node's data folder on a small disk of its own (option `nodeDisk`). */
    readonly disks?: NodeDisks,
    /** Each host's wall clock, steppable (option `hostClocks`). */
    readonly clocks?: HostClocks,
  ) {}

  /**
   * A lab with `etcdMembers` etcd members and the pair config written to a
   * temp folder whose node_modules is this repository's (so its plugins load).
   * The agents are not started: call {@link startAgent}.
   */
  static async create(options: {
    etcdMembers: 1 | 3;
    /** Plugins enabled on top of the lab config's (`sip`, `alarm-reactions`), with their options. */
    plugins?: Record<string, unknown>;
    config?: (dir: string, endpoints: readonly string[]) => Record<string, unknown>;
    /** Bytes: each node's data folder (its bindings journal) on a tmpfs of this size, which `disks.fill()` can fill. */
    nodeDisk?: number;
    /** Run each host's agent and node on a wall clock of its own, which `clocks.step()` steps (needs libfaketime). */
    hostClocks?: boolean;
  }): Promise<LabPair> {
    if (options.hostClocks) fakeTimeLibrary(); // a missing libfaketime fails before any namespace exists
    const lab = await Lab.create({ etcdMembers: options.etcdMembers });
    const dir = tempDir('switchyard-lab-pair-');
    const disks = options.nodeDisk === undefined ? undefined : new NodeDisks(options.nodeDisk);
    try {
      linkNodeModules(dir);
      await makeLabTls(dir);
      const config = path.join(dir, 'switchyard.config.json');
      const written = (options.config ?? labConfig)(dir, lab.etcdEndpoints);
      if (options.plugins) written.plugins = { ...(written.plugins as Record<string, unknown>), ...options.plugins };
      fs.writeFileSync(config, JSON.stringify(written, null, 2));
      // A one-node agent keeps its state in <runtimeDir>/<node>, and its node's data in data/<node> there.
      for (const id of Object.keys(NODES)) await disks?.mount(id, path.join(written.runtimeDir as string, id, 'data', id));
      return new LabPair(lab, dir, config, disks, options.hostClocks ? new HostClocks(dir) : undefined);
    } catch (error) {
      await lab.destroy();
      await disks?.release().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * A lab with the pair running: both agents started, sip-a (the higher
   * priority) primary and sip-b backup, both running. Destroys the lab if
   * the pair does not form in time.
   */
  static async start(options: Parameters<typeof LabPair.create>[0]): Promise<LabPair> {
    const pair = await LabPair.create(options);
    try {
      pair.startAgent('sip-a');
      pair.startAgent('sip-b');
      await pair.waitForRoles(0, 30_000, 'sip-a');
      return pair;
    } catch (error) {
      await pair.destroy();
      throw error;
    }
  }

  startAgent(id: NodeId): LabProcess {
    const agent = this.lab.spawn(NODES[id], [process.execPath, CLI, 'node', '--config', this.config, '--id', id], {
      env: this.clocks?.envFor(NODES[id]),
      logFile: path.join(this.dir, `agent-${id}.out`),
      label: `agent ${id}`,
    });
    this.agents.set(id, agent);
    return agent;
  }

  /** `switchyard <args>` in the client namespace. */
  cli(args: string[], timeoutMs = 15_000) {
    return this.lab.run('client', [process.execPath, CLI, ...args, '--config', this.config], { timeoutMs });
  }

  async status(): Promise<ClusterStatusView | undefined> {
    const r = await this.cli(['status', '--json']);
    if (r.code !== 0) return undefined;
    try {
      return JSON.parse(r.stdout) as ClusterStatusView;
    } catch {
      return undefined;
    }
  }

  /** Waits until one node is a running primary and the other a running backup, at a term above `minTerm`. */
  async waitForRoles(minTerm: number, timeoutMs: number, primary?: NodeId) {
    return waitFor(async () => {
      const v = await this.status();
      if (!v) return undefined;
      const p = v.nodes.find((n) => n.role === 'primary' && n.status === 'running');
      const b = v.nodes.find((n) => n.role === 'backup' && n.status === 'running');
      if (!p || !b || v.arbiter.term <= minTerm || v.arbiter.primary !== p.id) return undefined;
      if (primary && p.id !== primary) return undefined;
      return { view: v, primary: p as NodeStatusView & { id: NodeId }, backup: b as NodeStatusView & { id: NodeId } };
    }, timeoutMs, `a running primary and backup at a term above ${minTerm}`);
  }

  /** Starts the OPTIONS prober in `where`, sending from `from` to `targets` every `intervalMs`. */
  probe(where: 'client' | 'h1' | 'h2', from: string, targets: string[], intervalMs: number, seconds: number): Probe {
    return startProbe(this.lab, where, from, targets, intervalMs, seconds);
  }

  /** SIPp in the client namespace: `calls` calls of the scenario file at 250/s, bounded to 40 s. */
  async sipp(scenarioFile: string, target: string, calls: number, extra: string[] = []) {
    const scenario = path.basename(scenarioFile);
    return this.lab.run(
      'client',
      [
        'sipp', '-sf', scenarioFile, '-key', 'user', 'user', '-key', 'expires', '3600',
        '-m', String(calls), '-r', '250', '-l', '200', '-i', '198.51.100.254', '-p', '0', '-nostdin',
        '-timeout', '40s', '-timeout_error', '-recv_timeout', '4000', '-trace_err',
        '-error_file', path.join(this.dir, `${scenario}.errors.log`), ...extra, target,
      ],
      { timeoutMs: 60_000 },
    );
  }

  /**
   * The JSON log lines of `node` as its agent writes them
   * (`<runtimeDir>/<node>/logs/<node>.log`), read from this machine's file
   * system: it works while the node's host is cut off from the client.
   */
  nodeLog(node: NodeId): LogLine[] {
    const runtimeDir = (JSON.parse(fs.readFileSync(this.config, 'utf8')) as { runtimeDir: string }).runtimeDir;
    return readNodeLog(path.join(runtimeDir, node), node);
  }

  /** Waits for a line with `eventId` in `node`'s log after line `from`, and returns it. */
  logged(node: NodeId, from: number, eventId: string, timeoutMs = 15_000): Promise<LogLine> {
    return waitFor(() => this.nodeLog(node).slice(from).find((l) => l.eventId === eventId), timeoutMs, `${eventId} in the log of ${node}`);
  }

  /** Whether `address` is on interface `dev` of `node`'s host, read inside the host's namespace. */
  async holdsAddress(node: NodeId, address: string, dev = 'sip0'): Promise<boolean> {
    const r = await this.lab.run(NODES[node], ['ip', '-json', 'addr', 'show', 'dev', dev]);
    if (r.code !== 0) throw new Error(`ip addr show dev ${dev} on ${NODES[node]} failed: ${r.stderr}`);
    const links = JSON.parse(r.stdout) as { addr_info: { local: string }[] }[];
    return links.some((l) => l.addr_info.some((a) => a.local === address));
  }

  /** Waits until `address` is on `node`'s host and not on the other's. */
  addressOnlyOn(node: NodeId, address: string, timeoutMs = 15_000, dev = 'sip0'): Promise<true> {
    const other: NodeId = node === 'sip-a' ? 'sip-b' : 'sip-a';
    return waitFor(
      async () => ((await this.holdsAddress(node, address, dev)) && !(await this.holdsAddress(other, address, dev)) ? true : undefined),
      timeoutMs,
      `${address} on ${NODES[node]} only`,
    );
  }

  /** SIPp's error log of a scenario, for a failing test's message. */
  sippErrors(scenario: string): string {
    const file = path.join(this.dir, `${scenario}.errors.log`);
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(0, 4000) : '(no SIPp error log)';
  }

  /** The agents' output, for a failing test's message. */
  agentOutput(): string {
    return [...this.agents.keys()]
      .map((id) => {
        const file = path.join(this.dir, `agent-${id}.out`);
        return `--- agent ${id}\n${fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-400).join('\n') : '(no output)'}`;
      })
      .join('\n');
  }

  async destroy(): Promise<void> {
    if (process.env.SWITCHYARD_LAB_DEBUG) process.stderr.write(this.agentOutput());
    try {
      await this.lab.destroy();
    } finally {
      // After the lab: no process of the pair holds a file on the disks any more.
      await this.disks?.release();
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** The node process pid of `id`, as its agent reports it. */
export function nodePid(view: ClusterStatusView, id: NodeId): number {
  const pid = view.nodes.find((n) => n.id === id)?.pid;
  if (typeof pid !== 'number') throw new Error(`no pid for ${id} in ${JSON.stringify(view.nodes)}`);
  return pid;
}
