import {
  CoreEvent,
  type Arbiter,
  type ArbiterContext,
  type ArbiterNodeView,
  type LinkView,
  type NodeState,
  type SwitchoverResult,
  type TimerHandle,
} from '@switchyard/sdk';
import { EtcdElection } from './election';
import type { EtcdElectionOptions } from './election-options';
import { EtcdArbiterEvent } from './events';
import type { EtcdArbiterOptions } from './options';
import { grantDeadline } from './grant';

/** What an agent publishes about its node under `<prefix>nodes/<id>` (the other host reads it). */
interface PublishedNode {
  status: NodeState['status'] | null;
  role: NodeState['role'] | null;
  term: number;
  priority: number;
  /**
   * Set by an agent just before it revokes its lease because its node cannot
   * serve (dead, or frozen past its grant): the term it held. The other agent
   * then need not wait out the HA-link hold-off before campaigning.
   */
  released?: number;
}

/** What the arbiter uses of {@link EtcdElection} (a test may hand it another). */
export type ElectionPort = Pick<
  EtcdElection,
  'connected' | 'leaseId' | 'leaseConfirmedAt' | 'leader' | 'highestTerm' | 'peers' | 'start' | 'stop' | 'campaign' | 'resign' | 'revoke' | 'publish' | 'send'
>;

interface LocalNode {
  id: string;
  priority: number;
  alive: boolean;
  responsive: boolean;
  state: NodeState | null;
  link: LinkView | null;
  lastHeartbeat: number | null;
  /** Monotonic ms at which the agent last heard the node say the HA link is up with the peer confirming backup. */
  linkConfirmedAt: number | null;
  /** Monotonic ms at which the node last reported its HA link up. */
  linkUpAt: number | null;
  /** Largest deadline granted so far: the node may serve until then even if the agent stops hearing from it. */
  grantedUntil: number | null;
}

type Message =
  | { t: 'switchover'; id: string; reason: string; by: string }
  | { t: 'switchover-result'; id: string; result: SwitchoverResult };

/**
 * The etcd arbiter, as one host's agent runs it for its one node. The
 * primary is the node whose agent holds `<prefix>leader` under its etcd
 * lease; the term is that key's create revision, so it only grows across
 * the cluster. The agent campaigns while its node runs, resigns when its
 * node reports `unavailable` and the peer runs, revokes its lease at once
 * when its node dies, and grants its primary node a deadline it may serve
 * until — bounded by the lease, so a primary cut off from etcd and from its
 * peer stops serving before the other host can be elected.
 */
export class EtcdArbiter implements Arbiter {
  readonly kind = 'etcd';
  private readonly election: ElectionPort;
  private readonly local: LocalNode;
  private readonly peerId: string;
  private readonly peerPriority: number;
  private readonly pending = new Map<string, (result: SwitchoverResult) => void>();
  private ticker: TimerHandle | null = null;
  private published = '';
  private campaigning = false;
  private deciding = false;
  /** After resigning on purpose, do not campaign again before this (monotonic ms), unless another leader appeared. */
  private yieldUntil = 0;
  private vetoedUntil = 0;
  private stopped = false;
  private nextId = 1;
  private firstWaitAt: number | null = null;
  /** The last leader seen (the `from` of the next switchover). */
  private lastLeader: { nodeId: string; term: number } | null = null;
  /** The term the peer's agent said its node gave up (it cannot serve): see {@link PublishedNode.released}. */
  private peerReleased = 0;
  /** Monotonic ms since which etcd has been unreachable (null: reachable). */
  private unreachableSince: number | null = null;
  private reportedUnreachable = false;
  private lastOrder: { role: 'primary' | 'backup'; term: number; at: number } | null = null;
  private startedAt = 0;

  constructor(
    private readonly options: EtcdArbiterOptions,
    private readonly context: ArbiterContext,
    createElection: (options: EtcdElectionOptions) => ElectionPort = (o) => new EtcdElection(o),
  ) {
    const selfId = context.localNodes[0];
    const self = context.nodes.find((n) => n.id === selfId);
    const peer = context.nodes.find((n) => n.id !== selfId);
    if (!self || !peer || context.localNodes.length !== 1) {
      throw new RangeError('the etcd arbiter runs in the agent of exactly one node (`switchyard node`)');
    }
    this.peerId = peer.id;
    this.peerPriority = peer.priority;
    this.local = {
      id: self.id,
      priority: self.priority,
      alive: false,
      responsive: false,
      state: null,
      link: null,
      lastHeartbeat: null,
      linkConfirmedAt: null,
      linkUpAt: null,
      grantedUntil: null,
    };
    this.election = createElection({
      endpoints: options.endpoints,
      prefix: options.prefix ?? `/switchyard/${context.cluster}/`,
      nodeId: self.id,
      leaseTtl: options.leaseTtl,
      ...(options.tls ? { tls: options.tls } : {}),
      clock: context.clock,
      ...(options.keepaliveInterval !== undefined ? { keepaliveInterval: options.keepaliveInterval } : {}),
      requestTimeout: Math.round(options.requestTimeout * 1000),
      onChange: () => this.evaluate(),
      onMessage: (from, body) => this.onMessage(from, body),
    });
  }

  get term(): number {
    return Math.max(this.election.highestTerm, this.election.leader?.term ?? 0);
  }

  get primary(): string | null {
    return this.election.leader?.nodeId ?? null;
  }

  get connected(): boolean {
    return this.election.connected;
  }

  async start(): Promise<void> {
    this.startedAt = this.context.clock.monotonic();
    await this.election.start();
    this.ticker = this.context.clock.setInterval(() => this.evaluate(), this.tickMs);
  }

  async stop(options?: { graceful: boolean }): Promise<void> {
    this.stopped = true;
    this.ticker?.cancel();
    this.ticker = null;
    for (const resolve of this.pending.values()) resolve({ ok: false, term: this.term, primary: this.primary, reason: 'the agent is stopping' });
    this.pending.clear();
    // A graceful stop gives the role away at once; a crash leaves it to the lease TTL.
    await this.election.stop({ revoke: options?.graceful ?? false });
  }

  nodeSpawned(nodeId: string): void {
    if (nodeId !== this.local.id) return;
    this.lastOrder = null;
    Object.assign(this.local, { alive: true, responsive: true, state: null, link: null, linkConfirmedAt: null, linkUpAt: null, grantedUntil: null });
    this.local.lastHeartbeat = this.context.clock.monotonic();
    this.evaluate();
  }

  heartbeat(nodeId: string, state: NodeState, link?: LinkView): void {
    if (nodeId !== this.local.id || !this.local.alive) return;
    const now = this.context.clock.monotonic();
    this.local.lastHeartbeat = now;
    if (!this.local.responsive) {
      this.local.responsive = true;
      this.context.port.emit(CoreEvent.HeartbeatsResumed, { node: nodeId, pid: '?' });
    }
    this.local.state = state;
    this.local.link = link ?? null;
    if (link?.connected) {
      this.local.linkUpAt = now;
      if (link.peer && link.peer.role === 'backup' && link.peer.term <= Math.max(state.term, this.term)) this.local.linkConfirmedAt = now;
    }
    this.evaluate();
  }

  nodeExited(nodeId: string, reason: string): void {
    if (nodeId !== this.local.id) return;
    Object.assign(this.local, { alive: false, responsive: false, state: null, link: null, grantedUntil: null });
    // A dead process serves nobody: give the lease up now, so the other host is elected in milliseconds.
    this.giveUpLease(`node ${nodeId} exited (${reason})`);
  }

  async requestSwitchover(reason: string, by: string, from?: string): Promise<SwitchoverResult> {
    const { port } = this.context;
    port.emit(CoreEvent.SwitchoverRequested, { by, reason });
    const leader = this.election.leader;
    const refuse = (why: string): SwitchoverResult => {
      port.emit(CoreEvent.SwitchoverImpossible, { from: leader?.nodeId ?? 'none', reason: why });
      return { ok: false, term: this.term, primary: leader?.nodeId ?? null, reason: why };
    };
    if (!this.election.connected) return refuse('this host cannot reach etcd');
    if (!leader) return refuse('there is no primary yet');
    if (from !== undefined && from !== leader.nodeId) return refuse(`${from} asked, but it is not the primary (${leader.nodeId} is)`);
    if (leader.nodeId !== this.local.id) return this.forward(reason, by);
    const peer = this.peerView();
    if (!peer || peer.status !== 'running') return refuse(`the backup ${this.peerId} is not running (status ${peer?.status ?? 'down'})`);
    if (this.deciding) return refuse('another switchover is in progress');
    this.deciding = true;
    try {
      if (from === undefined) {
        const verdict = await port.consult(this.local.id, { from: this.local.id, to: this.peerId, reason, kind: 'manual' });
        if (verdict) {
          const why = 'veto' in verdict ? verdict.veto : `delay ${verdict.delay}s requested: ${verdict.reason}`;
          port.emit(CoreEvent.SwitchoverVetoed, { from: this.local.id, by: 'beforeSwitchover', reason: why });
          return { ok: false, term: this.term, primary: this.local.id, reason: `vetoed: ${why}` };
        }
      }
      await this.stepDown(`requested by ${by}: ${reason}`);
      const elected = await this.waitForLeader((l) => l.nodeId !== this.local.id, this.options.leaseTtl * 1000);
      if (!elected) return refuse(`${this.peerId} did not take the primary role within ${this.options.leaseTtl} s`);
      return { ok: true, term: elected.term, primary: elected.nodeId };
    } finally {
      this.deciding = false;
    }
  }

  nodes(): ArbiterNodeView[] {
    const local: ArbiterNodeView = {
      id: this.local.id,
      priority: this.local.priority,
      alive: this.local.alive,
      responsive: this.local.responsive,
      status: this.local.state?.status ?? (this.local.alive ? 'starting' : null),
      role: this.local.state?.role ?? null,
      lastHeartbeat: this.local.lastHeartbeat === null ? null : this.local.lastHeartbeat,
      local: true,
    };
    const peer = this.peerView();
    const remote: ArbiterNodeView = {
      id: this.peerId,
      priority: this.peerPriority,
      alive: peer !== null,
      responsive: peer !== null,
      status: peer?.status ?? null,
      role: peer?.role ?? null,
      lastHeartbeat: null,
      local: false,
    };
    return [local, remote].sort((a, b) => this.context.nodes.findIndex((n) => n.id === a.id) - this.context.nodes.findIndex((n) => n.id === b.id));
  }

  // decisions --------------------------------------------------------------

  private get tickMs(): number {
    return Math.max(20, this.context.haLink.heartbeatInterval * 1000);
  }

  /** Re-reads everything and acts; called on every etcd change, node heartbeat and tick. Never throws. */
  private evaluate(): void {
    if (this.stopped) return;
    const { clock, port } = this.context;
    const now = clock.monotonic();
    this.noticeConnection();
    this.checkResponsive(now);
    const leader = this.election.leader;
    if (leader) this.lastLeader = leader;
    const released = this.peerView()?.released;
    if (released !== undefined && released > 0) this.peerReleased = released;
    const node = this.local;
    const state = node.state;
    this.publish();
    if (!node.alive || !node.responsive || !state) return;

    if (leader && leader.nodeId === this.local.id) {
      // The grant goes first, so the node never holds a primary order without a live deadline;
      // and no order at all while the deadline is past (the node stepped down by itself).
      const until = this.sendGrant(now);
      if (until > now && (state.role !== 'primary' || state.term !== leader.term)) this.order('primary', leader.term, 'elected through etcd');
      this.considerHealthSwitchover(now);
      return;
    }
    if (leader) {
      if (leader.nodeId !== this.local.id) this.yieldUntil = 0;
      if (state.role !== 'backup' || state.term < leader.term) this.order('backup', leader.term, `${leader.nodeId} is primary`);
      return;
    }
    // No leader key. Unknown while etcd is unreachable: keep the roles and let the grant decide (failsafe).
    if (!this.election.connected) {
      if (state.role === 'primary') this.sendGrant(now);
      return;
    }
    if (state.role === 'primary' && this.sendGrant(now) <= now) {
      // etcd answers, nobody holds the key (our lease expired while etcd was away) and the peer does not
      // confirm us either: stop serving until re-elected. With the peer confirming, serve on and campaign.
      this.order('backup', state.term, 'the primary key in etcd is gone');
      port.grant(this.local.id, 0);
    }
    if (this.mayCampaign(now)) void this.campaign();
  }

  /** The backup campaigns only while its node runs, and not while the peer is a running primary on the HA link. */
  private mayCampaign(now: number): boolean {
    const state = this.local.state;
    if (!state || state.status !== 'running' || this.campaigning || now < this.yieldUntil) return false;
    const link = this.local.link;
    if (link?.connected && link.peer?.role === 'primary' && link.peer.status === 'running') return false;
    // Just after the HA link went down the peer may still be serving on its peer's confirmation: wait until
    // it can have noticed too; unless its agent released the very term that ended (its node cannot serve).
    const released = this.lastLeader !== null && this.lastLeader.nodeId === this.peerId && this.peerReleased === this.lastLeader.term;
    const holdOff = this.context.haLink.heartbeatInterval * (this.context.haLink.missedHeartbeats + 1) * 1000;
    if (!released && this.local.linkUpAt !== null && link && !link.connected && now - this.local.linkUpAt < holdOff) return false;
    // At the first election the node of higher priority should win: the other waits a lease TTL for it,
    // unless it reports that it cannot serve.
    const peer = this.peerView();
    if (this.term === 0 && this.peerPriority > this.local.priority && peer?.status !== 'unavailable') {
      this.firstWaitAt ??= now;
      if (now - this.firstWaitAt < this.options.leaseTtl * 1000) return false;
    }
    return true;
  }

  private async campaign(): Promise<void> {
    this.campaigning = true;
    try {
      const result = await this.election.campaign();
      if (result.won && result.leader) {
        this.context.port.emit(CoreEvent.Switchover, {
          from: this.lastLeader !== null && this.lastLeader.nodeId !== this.local.id ? this.lastLeader.nodeId : 'none',
          to: this.local.id,
          term: result.leader.term,
          reason: 'won the etcd election',
        });
      }
    } catch {
      // etcd refused or is unreachable: the next evaluation tries again.
    } finally {
      this.campaigning = false;
    }
    this.evaluate();
  }

  private considerHealthSwitchover(now: number): void {
    const state = this.local.state;
    if (!state || state.status !== 'unavailable' || this.deciding || now < this.vetoedUntil) return;
    const peer = this.peerView();
    if (!peer || peer.status !== 'running') return;
    const reason = `primary ${this.local.id} reported unavailable while backup ${this.peerId} is running`;
    this.deciding = true;
    void (async () => {
      try {
        const verdict = await this.context.port.consult(this.local.id, { from: this.local.id, to: this.peerId, reason, kind: 'health' });
        if (verdict) {
          const seconds = 'delay' in verdict ? verdict.delay : 5;
          this.vetoedUntil = this.context.clock.monotonic() + seconds * 1000;
          this.context.port.emit(CoreEvent.SwitchoverVetoed, { from: this.local.id, by: 'beforeSwitchover', reason: 'veto' in verdict ? verdict.veto : verdict.reason });
          return;
        }
        if (this.local.state?.status === 'unavailable') await this.stepDown(reason);
      } finally {
        this.deciding = false;
      }
    })();
  }

  /** Stops serving, then releases the leader key so the peer's campaign wins. */
  private async stepDown(reason: string): Promise<void> {
    const term = this.term;
    this.yieldUntil = this.context.clock.monotonic() + this.options.leaseTtl * 2000;
    this.order('backup', term, reason);
    this.context.port.grant(this.local.id, 0);
    this.local.grantedUntil = null;
    try {
      await this.election.resign();
    } catch {
      // Unreachable etcd: the lease runs out by itself.
    }
  }

  private giveUpLease(reason: string): void {
    const leader = this.election.leader;
    const held = leader?.nodeId === this.local.id;
    this.context.port.emit(EtcdArbiterEvent.LeaseRevoked, { node: this.local.id, reason, held: held ? 'yes' : 'no' });
    const marker: PublishedNode = { status: null, role: null, term: leader?.term ?? 0, priority: this.local.priority, released: leader?.term ?? 0 };
    // The marker first (one round trip), so the peer knows the old primary cannot serve; then the lease goes.
    const mark = held ? this.election.publish(marker).catch(() => undefined) : Promise.resolve();
    void mark.then(() => this.election.revoke()).catch(() => undefined);
    this.published = '';
  }

  /** A frozen node: stop granting; once its last grant has passed it cannot serve, so the lease can go. */
  private checkResponsive(now: number): void {
    const node = this.local;
    // A node that has not reported yet is starting (loading plugins), not frozen; it holds no grant either.
    if (!node.alive || !node.responsive || node.lastHeartbeat === null || node.state === null) return;
    const limit = this.options.nodeTimeout * 1000;
    const silence = now - node.lastHeartbeat;
    if (silence < limit) return;
    node.responsive = false;
    this.context.port.emit(CoreEvent.HeartbeatsMissed, { node: node.id, pid: '?', silence: (silence / 1000).toFixed(2) });
    const until = node.grantedUntil ?? now;
    const wait = Math.max(0, until - now);
    this.context.clock.setTimeout(() => {
      if (!this.local.responsive && this.local.alive && !this.stopped) this.giveUpLease(`node ${node.id} missed heartbeats for ${(silence / 1000).toFixed(2)} s`);
    }, wait + 1);
  }

  private sendGrant(now: number): number {
    const until = grantDeadline({
      now,
      leaseTtlMs: this.options.leaseTtl * 1000,
      marginMs: this.options.failsafeMargin * 1000,
      windowMs: this.options.grantWindow * 1000,
      leaseConfirmedAt: this.election.leaseConfirmedAt,
      linkConfirmedAt: this.local.linkConfirmedAt,
      // Confirmations arrive once per heartbeat interval: two intervals of slack.
      linkSlackMs: this.context.haLink.heartbeatInterval * 2000,
    });
    this.local.grantedUntil = Math.max(this.local.grantedUntil ?? 0, until);
    this.context.port.grant(this.local.id, until);
    return until;
  }

  /** Sends an order, once: the same order again only after half a node timeout (a lost message). */
  private order(role: 'primary' | 'backup', term: number, reason: string): void {
    const now = this.context.clock.monotonic();
    const last = this.lastOrder;
    if (last && last.role === role && last.term === term && now - last.at < this.options.nodeTimeout * 500) return;
    this.lastOrder = { role, term, at: now };
    this.context.port.order(this.local.id, { role, term, reason });
  }

  /**
   * 01-30001 once etcd has been unreachable for a while (a failed call or a
   * member restarting is not yet news), 01-30002 when it answers again after that.
   */
  private noticeConnection(): void {
    const now = this.context.clock.monotonic();
    if (this.election.connected) {
      this.unreachableSince = null;
      if (this.reportedUnreachable) {
        this.reportedUnreachable = false;
        this.context.port.emit(EtcdArbiterEvent.Reachable, { endpoints: this.options.endpoints.join(',') });
      }
      return;
    }
    this.unreachableSince ??= Math.max(now, this.startedAt);
    if (!this.reportedUnreachable && now - this.unreachableSince >= Math.max(1000, this.options.requestTimeout * 2000)) {
      this.reportedUnreachable = true;
      this.context.port.emit(EtcdArbiterEvent.Unreachable, { endpoints: this.options.endpoints.join(',') });
    }
  }


  private publish(): void {
    if (!this.election.connected || this.election.leaseId === null) return;
    const value: PublishedNode = {
      status: this.local.alive ? (this.local.state?.status ?? 'starting') : null,
      role: this.local.state?.role ?? null,
      term: this.local.state?.term ?? 0,
      priority: this.local.priority,
    };
    const text = JSON.stringify(value) + this.election.leaseId;
    if (text === this.published) return;
    this.published = text;
    void this.election.publish(value).catch(() => {
      this.published = '';
    });
  }

  private peerView(): PublishedNode | null {
    const raw = this.election.peers.get(this.peerId);
    if (typeof raw !== 'object' || raw === null) return null;
    const p = raw as Partial<PublishedNode>;
    const statuses = ['starting', 'running', 'unavailable', 'stopping', 'stopped'];
    return {
      status: typeof p.status === 'string' && statuses.includes(p.status) ? p.status : null,
      role: p.role === 'primary' || p.role === 'backup' ? p.role : null,
      term: typeof p.term === 'number' ? p.term : 0,
      priority: typeof p.priority === 'number' ? p.priority : 0,
      ...(typeof p.released === 'number' ? { released: p.released } : {}),
    };
  }

  // switchover from the other host --------------------------------------

  private async forward(reason: string, by: string): Promise<SwitchoverResult> {
    const id = `${this.local.id}-${this.nextId++}-${Date.now()}`;
    const timeoutMs = 10_000;
    const result = new Promise<SwitchoverResult>((resolve) => {
      const timer = this.context.clock.setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, term: this.term, primary: this.primary, reason: `the primary's agent did not answer within ${timeoutMs / 1000} s` });
      }, timeoutMs);
      this.pending.set(id, (r) => {
        timer.cancel();
        this.pending.delete(id);
        resolve(r);
      });
    });
    try {
      await this.election.send(this.peerId, { t: 'switchover', id, reason, by } satisfies Message);
    } catch {
      this.pending.get(id)?.({ ok: false, term: this.term, primary: this.primary, reason: 'could not reach the primary through etcd' });
    }
    return result;
  }

  private onMessage(from: string, body: unknown): void {
    if (from !== this.peerId || typeof body !== 'object' || body === null) return;
    const m = body as Partial<Message>;
    if (m.t === 'switchover' && typeof m.id === 'string') {
      const reason = typeof m.reason === 'string' ? m.reason.slice(0, 500) : 'operator request';
      const by = typeof m.by === 'string' ? m.by.slice(0, 100) : 'operator';
      void this.requestSwitchover(reason, `${by} via ${from}`).then((result) =>
        this.election.send(from, { t: 'switchover-result', id: m.id!, result } satisfies Message).catch(() => undefined),
      );
      return;
    }
    if (m.t === 'switchover-result' && typeof m.id === 'string' && typeof m.result === 'object' && m.result !== null) {
      this.pending.get(m.id)?.(m.result as SwitchoverResult);
    }
  }

  private waitForLeader(match: (leader: { nodeId: string; term: number }) => boolean, timeoutMs: number) {
    return new Promise<{ nodeId: string; term: number } | null>((resolve) => {
      const started = this.context.clock.monotonic();
      const check = this.context.clock.setInterval(() => {
        const leader = this.election.leader;
        if (leader && match(leader)) {
          check.cancel();
          resolve(leader);
        } else if (this.context.clock.monotonic() - started > timeoutMs || this.stopped) {
          check.cancel();
          resolve(null);
        }
      }, 20);
    });
  }
}
