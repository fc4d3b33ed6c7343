import { silentLogger } from '@switchyard/sdk';
import {
  ManualClock,
  type ArbiterPort,
  type LinkView,
  type NodeState,
  type NodeStatus,
  type RoleOrder,
  type SwitchoverProposal,
  type SwitchoverVerdict,
  type TimerHandle,
} from '@switchyard/sdk';
import { EtcdArbiter } from '../../src/etcd-arbiter';
import { etcdArbiterOptionsSchema, type EtcdArbiterOptionsInput } from '../../src/options';
import { FakeEtcd } from './fake-etcd';

/** One call an arbiter made on its agent's port, with the (virtual) time. */
type CallBody =
  | { call: 'order'; role: RoleOrder['role']; term: number; reason: string }
  | { call: 'grant'; until: number | null }
  | { call: 'consult'; proposal: SwitchoverProposal }
  | { call: 'emit'; id: string; fields: Record<string, unknown> };
export type PortCall = { at: number; node: string } & CallBody;

export const HA_LINK = { heartbeatInterval: 0.1, missedHeartbeats: 3 };
const NODES = [
  { id: 'sip-a', host: '192.0.2.1', priority: 100 },
  { id: 'sip-b', host: '192.0.2.2', priority: 50 },
] as const;
export type NodeId = (typeof NODES)[number]['id'];

/**
 * Two agents (sip-a priority 100 on one host, sip-b priority 50 on the
 * other), each running an EtcdArbiter for its one node against one shared
 * {@link FakeEtcd}, in virtual time. Every port call of both lands in
 * {@link calls}. Nodes are driven by hand (`arbiter.heartbeat(...)`) or by a
 * {@link SimNode} that obeys orders and grants and reports once per HA-link
 * heartbeat interval.
 */
export class ArbiterPair {
  readonly clock = new ManualClock();
  readonly etcd = new FakeEtcd(this.clock);
  readonly calls: PortCall[] = [];
  readonly arbiters = new Map<NodeId, EtcdArbiter>();
  readonly nodes = new Map<NodeId, SimNode>();
  /** What each agent's `beforeSwitchover` taps answer. */
  readonly verdicts = new Map<NodeId, (p: SwitchoverProposal) => SwitchoverVerdict | undefined>();
  /** The HA link between the two hosts (the cable, not a node's view of it). */
  linkUp = true;
  /**
   * Whether the nodes report HA-link echoes and when they last heard their
   * peer (`LinkView.echoedSent`, `heardAt`); false: nodes of the version
   * before echoes.
   */
  echoes = true;

  constructor(private readonly options: Partial<EtcdArbiterOptionsInput> = {}) {}

  /** Creates and starts the agent of `id` (its node not spawned yet). */
  async agent(id: NodeId): Promise<EtcdArbiter> {
    const port: ArbiterPort = {
      order: (node, order) => {
        this.log(node, { call: 'order', role: order.role, term: order.term, reason: order.reason });
        this.nodes.get(node as NodeId)?.ordered(order);
      },
      grant: (node, until) => {
        this.log(node, { call: 'grant', until });
        this.nodes.get(node as NodeId)?.granted(until);
      },
      consult: async (node, proposal) => {
        this.log(node, { call: 'consult', proposal });
        return this.verdicts.get(id)?.(proposal);
      },
      emit: (eventId, fields) => this.log(id, { call: 'emit', id: eventId, fields }),
    };
    const options = etcdArbiterOptionsSchema.parse({ endpoints: ['http://192.0.2.254:2379'], ...this.options });
    const arbiter = new EtcdArbiter(
      options,
      { cluster: 'demo', nodes: NODES, localNodes: [id], clock: this.clock, port, logger: silentLogger, haLink: HA_LINK },
      this.etcd.createElection,
    );
    this.arbiters.set(id, arbiter);
    await arbiter.start();
    return arbiter;
  }

  /** Spawns a simulated node under agent `id` (status `starting` until told otherwise). */
  spawn(id: NodeId): SimNode {
    const node = new SimNode(id, this);
    this.nodes.set(id, node);
    this.arbiter(id).nodeSpawned(id);
    node.startBeating();
    return node;
  }

  /** Both agents up, both nodes running, sip-a elected and sip-b its backup. */
  async established(): Promise<{ a: SimNode; b: SimNode }> {
    await this.agent('sip-a');
    await this.agent('sip-b');
    const a = this.spawn('sip-a');
    const b = this.spawn('sip-b');
    a.status = 'running';
    b.status = 'running';
    await this.clock.advance(1000);
    if (a.state.role !== 'primary' || b.state.role !== 'backup') throw new Error('the pair did not settle with sip-a primary');
    return { a, b };
  }

  arbiter(id: NodeId): EtcdArbiter {
    const arbiter = this.arbiters.get(id);
    if (!arbiter) throw new Error(`no agent for ${id}`);
    return arbiter;
  }

  peerOf(id: NodeId): SimNode | undefined {
    return this.nodes.get(id === 'sip-a' ? 'sip-b' : 'sip-a');
  }

  /**
   * Advances virtual time until `promise` settles (a switchover waits on
   * timers), at most `maxMs`; then returns what it resolved to.
   */
  async settle<T>(promise: Promise<T>, maxMs = 15_000): Promise<T> {
    let done = false;
    void promise.then(
      () => (done = true),
      () => (done = true),
    );
    for (let waited = 0; waited < maxMs; waited += 100) {
      await this.clock.advance(0);
      if (done) return promise;
      await this.clock.advance(100);
    }
    throw new Error(`still pending after ${maxMs} ms of virtual time`);
  }

  now(): number {
    return this.clock.monotonic();
  }

  /** The port calls of node `node` (orders, grants, consults) or agent `node` (emits), of one kind. */
  of<K extends PortCall['call']>(node: NodeId, call: K, since = -Infinity): Extract<PortCall, { call: K }>[] {
    return this.calls.filter((c): c is Extract<PortCall, { call: K }> => c.node === node && c.call === call && c.at >= since);
  }

  /** Orders to `node` to become `role`. */
  orders(node: NodeId, role: RoleOrder['role'], since = -Infinity) {
    return this.of(node, 'order', since).filter((o) => o.role === role);
  }

  /**
   * The latest deadline `node` was ever allowed to serve until (null: none).
   * A grant already past when sent (the agent's "stop now") extends nothing.
   */
  lastDeadline(node: NodeId): number | null {
    const untils = this.of(node, 'grant').flatMap((g) => (g.until === null ? [Infinity] : g.until > g.at ? [g.until] : []));
    return untils.length === 0 ? null : Math.max(...untils);
  }

  emitted(node: NodeId, eventId: string) {
    return this.of(node, 'emit').filter((e) => e.id === eventId);
  }

  async stop(): Promise<void> {
    for (const node of this.nodes.values()) node.stopBeating();
    for (const arbiter of this.arbiters.values()) await arbiter.stop();
  }

  private log(node: string, body: CallBody): void {
    this.calls.push({ at: this.clock.monotonic(), node, ...body });
  }
}

/**
 * A node process as its agent sees it: it takes orders of a term at least
 * its own, steps down by itself when its grant lapses (or is 0), and reports
 * its state and its view of the HA link once per heartbeat interval. The
 * link is up while the cable is and the peer's process runs and is not frozen.
 */
export class SimNode {
  state: NodeState;
  status: NodeStatus = 'starting';
  private beat: TimerHandle | null = null;
  private lapse: TimerHandle | null = null;
  frozen = false;
  exited = false;

  constructor(
    readonly id: NodeId,
    private readonly pair: ArbiterPair,
  ) {
    this.state = { nodeId: id, role: 'backup', status: 'starting', term: 0 };
  }

  /** Whether this node sends HA-link heartbeats (a frozen or dead one does not). */
  get beating(): boolean {
    return !this.frozen && !this.exited;
  }

  /** When this node last heard its peer over the HA link (kept across link losses, not across a restart). */
  private heardAt: number | null = null;

  /**
   * The node's view of the link. Heartbeats cross the cable at once; the
   * peer's latest heartbeat echoes one of ours sent one interval ago.
   */
  link(): LinkView {
    const peer = this.pair.peerOf(this.id);
    const connected = this.pair.linkUp && this.beating && peer !== undefined && peer.beating;
    const view: LinkView = { connected, peer: connected ? { ...peer.state, status: peer.status } : null };
    if (!this.pair.echoes) return view;
    const now = this.pair.now();
    if (connected) this.heardAt = now;
    return { ...view, heardAt: this.heardAt, echoedSent: connected ? now - HA_LINK.heartbeatInterval * 1000 : null };
  }

  /** Reports to the agent are lost until then (virtual ms): a slow agent or pipe; the HA link is not affected. */
  reportsLostUntil = 0;

  /** Sends one heartbeat to the agent now. */
  report(): void {
    if (this.pair.now() < this.reportsLostUntil) return;
    this.state = { ...this.state, status: this.status };
    this.pair.arbiter(this.id).heartbeat(this.id, { ...this.state }, this.link());
  }

  startBeating(): void {
    this.beat = this.pair.clock.setInterval(() => this.report(), HA_LINK.heartbeatInterval * 1000);
  }

  stopBeating(): void {
    this.beat?.cancel();
    this.lapse?.cancel();
  }

  /** SIGSTOP: no more heartbeats, orders or grants are acted on. */
  freeze(): void {
    this.frozen = true;
    this.stopBeating();
  }

  /** The process dies: its agent hears it exit. */
  exit(reason = 'killed by SIGKILL'): void {
    this.exited = true;
    this.stopBeating();
    this.pair.arbiter(this.id).nodeExited(this.id, reason);
  }

  ordered(order: RoleOrder): void {
    if (!this.beating || order.term < this.state.term) return;
    this.state = { ...this.state, role: order.role, term: order.term };
  }

  granted(until: number | null): void {
    if (!this.beating) return;
    this.lapse?.cancel();
    this.lapse = null;
    if (until === null) return;
    const stepDown = () => {
      if (this.state.role === 'primary') this.state = { ...this.state, role: 'backup' };
    };
    if (until <= this.pair.now()) stepDown();
    else this.lapse = this.pair.clock.setTimeout(stepDown, until - this.pair.now());
  }
}
