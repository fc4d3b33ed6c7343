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
import { currentTerm, waitForLeader, type ElectionPort } from './election-port';
import { ETCD_LOSS_POLICY, EtcdArbiterEvent } from './events';
import { echoSlackMs, grantDeadline, linkSlackMs, peerSilenceHoldMs } from './grant';
import { LocalNode } from './local-node';
import { NodePublisher } from './node-publisher';
import type { EtcdArbiterOptions } from './options';
import { parsePublishedNode, peerNodeView, type PublishedNode } from './published-node';
import { ReachabilityReport } from './reachability';
import { SwitchoverRelay } from './switchover-relay';

export type { ElectionPort } from './election-port';

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
  private readonly relay: SwitchoverRelay;
  private readonly reachability: ReachabilityReport;
  private readonly publisher: NodePublisher;
  private ticker: TimerHandle | null = null;
  private campaigning = false;
  private deciding = false;
  /** After resigning on purpose, do not campaign again before this (monotonic ms), unless another leader appeared. */
  private yieldUntil = 0;
  /** A resign is on its way to etcd. */
  private resigning = false;
  private vetoedUntil = 0;
  private stopped = false;
  private firstWaitAt: number | null = null;
  /** The last leader seen (the `from` of the next switchover). */
  private lastLeader: { nodeId: string; term: number } | null = null;
  /** The term the peer's agent said its node gave up (it cannot serve): see {@link PublishedNode.released}. */
  private peerReleased = 0;

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
    this.local = new LocalNode({
      id: self.id,
      priority: self.priority,
      clock: context.clock,
      port: context.port,
      nodeTimeout: options.nodeTimeout,
      onFrozen: (reason) => {
        if (!this.stopped) this.giveUpLease(reason);
      },
    });
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
      onMessage: (from, body) => this.relay.onMessage(from, body),
    });
    this.relay = new SwitchoverRelay({
      election: this.election,
      clock: context.clock,
      localId: self.id,
      peerId: peer.id,
      switchoverLocally: (reason, by) => this.requestSwitchover(reason, by),
    });
    this.reachability = new ReachabilityReport(context.clock, context.port, options.endpoints, options.requestTimeout, ETCD_LOSS_POLICY[options.onEtcdLoss]);
    this.publisher = new NodePublisher(this.election);
  }

  get term(): number {
    return currentTerm(this.election);
  }

  get primary(): string | null {
    return this.election.leader?.nodeId ?? null;
  }

  get connected(): boolean {
    return this.election.connected;
  }

  async start(): Promise<void> {
    this.reachability.start();
    await this.election.start();
    this.ticker = this.context.clock.setInterval(() => this.evaluate(), this.tickMs);
  }

  async stop(options?: { graceful: boolean }): Promise<void> {
    this.stopped = true;
    this.ticker?.cancel();
    this.ticker = null;
    this.relay.cancelAll('the agent is stopping');
    // A graceful stop gives the role away at once; a crash leaves it to the lease TTL.
    await this.election.stop({ revoke: options?.graceful ?? false });
  }

  nodeSpawned(nodeId: string): void {
    if (nodeId !== this.local.id) return;
    this.local.spawned();
    this.evaluate();
  }

  heartbeat(nodeId: string, state: NodeState, link?: LinkView): void {
    if (nodeId !== this.local.id || !this.local.alive) return;
    this.local.heard(state, link, this.term);
    this.evaluate();
  }

  nodeExited(nodeId: string, reason: string): void {
    if (nodeId !== this.local.id) return;
    this.local.exited();
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
    if (leader.nodeId !== this.local.id) return this.relay.forward(reason, by);
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
      const elected = await waitForLeader(this.election, this.context.clock, (l) => l.nodeId !== this.local.id, this.options.leaseTtl * 1000, () => this.stopped);
      if (!elected) return refuse(`${this.peerId} did not take the primary role within ${this.options.leaseTtl} s`);
      return { ok: true, term: elected.term, primary: elected.nodeId };
    } finally {
      this.deciding = false;
    }
  }

  nodes(): ArbiterNodeView[] {
    const local = this.local.view();
    const remote = peerNodeView(this.peerId, this.peerPriority, this.peerView());
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
    this.reachability.notice(this.election.connected);
    this.local.checkResponsive(now);
    const leader = this.election.leader;
    if (leader) this.lastLeader = leader;
    const released = this.peerView()?.released;
    if (released !== undefined && released > 0) this.peerReleased = released;
    const node = this.local;
    const state = node.state;
    this.publisher.publish(this.local);
    if (!node.alive || !node.responsive || !state || node.suspected(now)) return;

    if (leader && leader.nodeId === this.local.id && now < this.yieldUntil) {
      // This node stepped down on purpose and the key is on its way out (or etcd could not be told yet):
      // it stays backup until another node is elected or the yield ends, never flipping back meanwhile.
      if (state.role === 'primary') this.local.order('backup', leader.term, 'stepped down; waiting for the peer to be elected');
      // A resign etcd did not hear (cut off when it stepped down) is said again once etcd answers: else the
      // lease, kept alive again, holds the key until the yield ends and nobody serves meanwhile.
      if (this.election.connected) this.resignAgain();
      return;
    }
    if (leader && leader.nodeId === this.local.id) {
      // The grant goes first, so the node never holds a primary order without a live deadline;
      // and no order at all while the deadline is past (the node stepped down by itself).
      const until = this.sendGrant(now);
      // While etcd is away the leader key seen is only the last known one: a node that left the primary
      // role meanwhile (grant lapsed, stepped down on its own) is not made primary again until etcd answers.
      // And just after etcd came back, not before the leader key was read again: the one known may be long gone
      // (this node was cut off past its lease and the peer elected meanwhile).
      const mayOrder = this.election.leaderCurrent || (state.role === 'primary' && state.term === leader.term);
      if (mayOrder && until > now && (state.role !== 'primary' || state.term !== leader.term)) this.local.order('primary', leader.term, 'elected through etcd');
      this.considerHealthSwitchover(now);
      return;
    }
    if (leader) {
      if (leader.nodeId !== this.local.id) this.yieldUntil = 0;
      if (state.role !== 'backup' || state.term < leader.term) this.local.order('backup', leader.term, `${leader.nodeId} is primary`);
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
      this.local.order('backup', state.term, 'the primary key in etcd is gone');
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
    // Two waits, both kept: from the agent's last report of the link up (a peer that does not echo holds its grant
    // from that report), and from the node's last hearing of the peer (an echoed heartbeat holds the peer's grant).
    const holdOff = this.context.haLink.heartbeatInterval * (this.context.haLink.missedHeartbeats + 1) * 1000;
    if (!released && this.local.linkUpAt !== null && link && !link.connected && now - this.local.linkUpAt < holdOff) return false;
    const heard = this.local.peerHeardAt;
    if (!released && heard !== null && !link?.connected && now - heard < peerSilenceHoldMs(this.context.haLink)) return false;
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
    if (!this.peerRunning()) return;
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

  /**
   * Whether the peer runs, as fresh as this agent can know: from the HA link
   * while it is up, else from etcd while etcd answers (a published state read
   * before etcd was lost may be stale), else unknown (no).
   */
  private peerRunning(): boolean {
    const link = this.local.link;
    if (link?.connected && link.peer) return link.peer.status === 'running';
    return this.election.connected && this.peerView()?.status === 'running';
  }

  /** Stops serving, then releases the leader key so the peer's campaign wins. */
  private async stepDown(reason: string): Promise<void> {
    const term = this.term;
    this.yieldUntil = this.context.clock.monotonic() + this.options.leaseTtl * 2000;
    this.local.order('backup', term, reason);
    this.context.port.grant(this.local.id, 0);
    this.local.grantedUntil = null;
    try {
      await this.election.resign();
    } catch {
      // Unreachable etcd: the lease runs out by itself.
    }
  }

  /** One resign at a time, for {@link evaluate}'s retry after a step-down etcd did not hear. */
  private resignAgain(): void {
    if (this.resigning) return;
    this.resigning = true;
    void this.election
      .resign()
      .catch(() => false) // still unreachable: the next evaluation tries again
      .finally(() => {
        this.resigning = false;
      });
  }

  private giveUpLease(reason: string): void {
    const leader = this.election.leader;
    const held = leader?.nodeId === this.local.id;
    this.context.port.emit(EtcdArbiterEvent.LeaseRevoked, { node: this.local.id, reason, held: held ? 'yes' : 'no' });
    const marker: PublishedNode = { status: null, role: null, term: leader?.term ?? 0, priority: this.local.priority, released: leader?.term ?? 0 };
    this.publisher.revoke(held ? marker : null);
  }

  private sendGrant(now: number): number {
    // keep-serving: while etcd is away, a node that is primary keeps serving, one grant window at a time
    // (so a frozen node still stops soon). Never a reason to make a backup primary again.
    const keepServing = this.options.onEtcdLoss === 'keep-serving' && !this.election.connected && this.local.state?.role === 'primary';
    const until = keepServing ? now + this.options.grantWindow * 1000 : grantDeadline({
      now,
      leaseTtlMs: this.options.leaseTtl * 1000,
      marginMs: this.options.failsafeMargin * 1000,
      windowMs: this.options.grantWindow * 1000,
      leaseConfirmedAt: this.election.leaseConfirmedAt,
      linkConfirmedAt: this.local.linkConfirmedAt,
      linkSlackMs: linkSlackMs(this.context.haLink),
      linkEchoedAt: this.local.linkEchoedAt,
      echoSlackMs: echoSlackMs(this.context.haLink),
    });
    this.local.grantedUntil = Math.max(this.local.grantedUntil ?? 0, until);
    this.context.port.grant(this.local.id, until);
    return until;
  }

  private peerView(): PublishedNode | null {
    return parsePublishedNode(this.election.peers.get(this.peerId));
  }
}
