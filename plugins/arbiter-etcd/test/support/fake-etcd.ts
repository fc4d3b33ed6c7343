import type { Clock, TimerHandle } from '@switchyard/sdk';
import type { LeaderRecord } from '../../src/cluster-view';
import type { CampaignResult } from '../../src/election';
import type { EtcdElectionOptions } from '../../src/election-options';
import type { ElectionPort } from '../../src/etcd-arbiter';

/** A call an agent made to the fake etcd, with the (virtual) time it was made. */
export interface EtcdCall {
  at: number;
  node: string;
  call: 'campaign' | 'resign' | 'revoke' | 'send';
  /** For campaign: whether it won. */
  won?: boolean;
}

/**
 * A tiny in-memory etcd for the arbiter's unit tests: one leader key created
 * under a lease (its create revision is the term), each node's published
 * state under its lease, and an inbox per node. Leases expire on the
 * (virtual) clock `ttl` after their last keepalive; an agent can be cut off
 * (`cut`): its calls fail, its keepalives stop reaching the server and its
 * view of the cluster freezes, as with the real EtcdElection.
 */
export class FakeEtcd {
  /** Every campaign, resign, revoke and send, in order. */
  readonly calls: EtcdCall[] = [];
  private revision = 1;
  private nextLease = 1;
  private leaderKey: { nodeId: string; lease: string; term: number } | null = null;
  private readonly states = new Map<string, { value: unknown; lease: string }>();
  private readonly leases = new Map<string, { owner: string; expiry: TimerHandle }>();
  private readonly inboxes = new Map<string, { from: string; body: unknown; lease: string }[]>();
  private readonly clients = new Map<string, FakeElection>();
  private readonly unreachable = new Set<string>();

  constructor(private readonly clock: Clock) {}

  /** The `createElection` an EtcdArbiter takes: an election of this etcd. */
  readonly createElection = (options: EtcdElectionOptions): FakeElection => {
    const election = new FakeElection(this, options);
    this.clients.set(options.nodeId, election);
    return election;
  };

  /** The election of agent `nodeId`. */
  election(nodeId: string): FakeElection {
    const election = this.clients.get(nodeId);
    if (!election) throw new Error(`no election for ${nodeId}`);
    return election;
  }

  /** The leader key as etcd itself has it (not as an agent last saw it). */
  get leader(): LeaderRecord | null {
    return this.leaderKey && { nodeId: this.leaderKey.nodeId, term: this.leaderKey.term };
  }

  /** Agent `nodeId` can no longer reach etcd. */
  cut(nodeId: string): void {
    this.unreachable.add(nodeId);
    this.clients.get(nodeId)?.reachabilityChanged();
  }

  /**
   * Agent `nodeId` reaches etcd again. With `readAfterMs`, its first calls
   * (keepalive, lease) succeed at once but it reads the keys only that much
   * later, as the real one does when its keepalive comes back before its
   * watches and its once-a-second read.
   */
  heal(nodeId: string, opts: { readAfterMs?: number } = {}): void {
    this.unreachable.delete(nodeId);
    this.clients.get(nodeId)?.reachabilityChanged(opts.readAfterMs);
  }

  reachable(nodeId: string): boolean {
    return !this.unreachable.has(nodeId);
  }

  // --- the server side; every call fails for an agent that is cut off ----

  grantLease(nodeId: string, ttlSeconds: number): string {
    this.check(nodeId);
    const id = String(this.nextLease++);
    this.leases.set(id, { owner: nodeId, expiry: this.clock.setTimeout(() => this.endLease(id), ttlSeconds * 1000) });
    return id;
  }

  /** Restarts the lease's TTL; false when etcd no longer has it. */
  keepAlive(nodeId: string, lease: string, ttlSeconds: number): boolean {
    this.check(nodeId);
    const held = this.leases.get(lease);
    if (!held) return false;
    held.expiry.cancel();
    held.expiry = this.clock.setTimeout(() => this.endLease(lease), ttlSeconds * 1000);
    return true;
  }

  revoke(nodeId: string, lease: string): void {
    this.check(nodeId);
    this.record(nodeId, 'revoke');
    this.endLease(lease);
  }

  campaign(nodeId: string, lease: string): CampaignResult {
    this.check(nodeId);
    if (!this.leases.has(lease)) throw new Error(`lease ${lease} not found`);
    if (this.leaderKey === null) {
      this.leaderKey = { nodeId, lease, term: ++this.revision };
      this.record(nodeId, 'campaign', true);
      this.broadcast();
      return { won: true, leader: this.leader };
    }
    const won = this.leaderKey.lease === lease;
    this.record(nodeId, 'campaign', won);
    return { won, leader: this.leader };
  }

  resign(nodeId: string, lease: string): boolean {
    this.check(nodeId);
    this.record(nodeId, 'resign');
    if (this.leaderKey?.nodeId !== nodeId || this.leaderKey.lease !== lease) return false;
    this.leaderKey = null;
    this.revision++;
    this.broadcast();
    return true;
  }

  putState(nodeId: string, lease: string, value: unknown): void {
    this.check(nodeId);
    if (!this.leases.has(lease)) throw new Error(`lease ${lease} not found`);
    this.states.set(nodeId, { value: structuredClone(value), lease });
    this.revision++;
    this.broadcast();
  }

  send(from: string, lease: string, to: string, body: unknown): void {
    this.check(from);
    if (!this.leases.has(lease)) throw new Error(`lease ${lease} not found`);
    this.record(from, 'send');
    const inbox = this.inboxes.get(to) ?? [];
    inbox.push({ from, body: structuredClone(body), lease });
    this.inboxes.set(to, inbox);
    this.revision++;
    this.broadcast();
  }

  /** What agent `nodeId` reads: the leader, the other nodes' states, and its inbox (taken). */
  read(nodeId: string): { leader: LeaderRecord | null; peers: Map<string, unknown>; messages: { from: string; body: unknown }[] } {
    this.check(nodeId);
    const peers = new Map<string, unknown>();
    for (const [id, { value }] of this.states) if (id !== nodeId) peers.set(id, structuredClone(value));
    const messages = (this.inboxes.get(nodeId) ?? []).map(({ from, body }) => ({ from, body }));
    this.inboxes.delete(nodeId);
    return { leader: this.leader, peers, messages };
  }

  /** A lease ends (revoked or expired): every key under it goes. */
  private endLease(lease: string): void {
    const held = this.leases.get(lease);
    if (!held) return;
    held.expiry.cancel();
    this.leases.delete(lease);
    if (this.leaderKey?.lease === lease) this.leaderKey = null;
    for (const [id, state] of this.states) if (state.lease === lease) this.states.delete(id);
    for (const [to, inbox] of this.inboxes) this.inboxes.set(to, inbox.filter((m) => m.lease !== lease));
    this.revision++;
    this.broadcast();
  }

  /** The watches: every agent that reaches etcd sees the change. */
  private broadcast(): void {
    for (const [id, client] of this.clients) if (this.reachable(id)) client.refresh();
  }

  private check(nodeId: string): void {
    if (this.unreachable.has(nodeId)) throw new Error(`${nodeId} cannot reach etcd`);
  }

  private record(node: string, call: EtcdCall['call'], won?: boolean): void {
    this.calls.push({ at: this.clock.monotonic(), node, call, ...(won === undefined ? {} : { won }) });
  }
}

/**
 * An in-memory stand-in for EtcdElection, talking to a {@link FakeEtcd}:
 * keeps a lease alive every keepalive interval (a fresh one, with the
 * published state re-put, when it was lost), and calls `onChange` once per
 * batch of changes from a microtask, as the real one does.
 */
export class FakeElection implements ElectionPort {
  private phase: 'new' | 'running' | 'stopped' = 'new';
  private lease: string | null = null;
  private confirmed: number | null = null;
  private view: { leader: LeaderRecord | null; peers: Map<string, unknown> } = { leader: null, peers: new Map() };
  private highest = 0;
  private isConnected = false;
  private leaderFresh = false;
  /** Keys are not read before this (monotonic ms): see FakeEtcd.heal's `readAfterMs`. */
  private readBlockedUntil = 0;
  private state: unknown = undefined;
  private keepalive: TimerHandle | null = null;
  private notifyPending = false;
  private readonly nodeId: string;
  private readonly ttl: number;
  private readonly clock: Clock;

  constructor(
    private readonly etcd: FakeEtcd,
    private readonly options: EtcdElectionOptions,
  ) {
    this.nodeId = options.nodeId;
    this.ttl = options.leaseTtl;
    this.clock = options.clock;
  }

  get connected(): boolean {
    return this.isConnected;
  }
  get leaseId(): string | null {
    return this.lease;
  }
  get leaseConfirmedAt(): number | null {
    return this.lease === null ? null : this.confirmed;
  }
  get leader(): LeaderRecord | null {
    return this.view.leader;
  }
  get leaderCurrent(): boolean {
    return this.isConnected && this.leaderFresh;
  }
  get highestTerm(): number {
    return this.highest;
  }
  get peers(): ReadonlyMap<string, unknown> {
    return this.view.peers;
  }

  async start(): Promise<void> {
    this.phase = 'running';
    const ms = Math.round(1000 * (this.options.keepaliveInterval ?? Math.min(this.ttl / 6, 0.5)));
    this.keepalive = this.clock.setInterval(() => this.keepLease(), ms);
    this.keepLease();
  }

  async stop(options: { revoke?: boolean } = {}): Promise<void> {
    if (this.phase === 'stopped') return;
    this.keepalive?.cancel();
    if (options.revoke && this.lease !== null && this.etcd.reachable(this.nodeId)) this.etcd.revoke(this.nodeId, this.lease);
    this.phase = 'stopped';
  }

  async campaign(): Promise<CampaignResult> {
    const result = this.etcd.campaign(this.nodeId, this.requireLease());
    this.refresh();
    return result;
  }

  async resign(): Promise<boolean> {
    if (this.lease === null) return false;
    const resigned = this.etcd.resign(this.nodeId, this.lease);
    this.refresh();
    return resigned;
  }

  async revoke(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    this.changed();
    try {
      if (lease !== null) this.etcd.revoke(this.nodeId, lease);
    } finally {
      // The real one grants a fresh lease in the background at once.
      queueMicrotask(() => this.keepLease());
    }
  }

  async publish(state: unknown): Promise<void> {
    this.state = state;
    this.etcd.putState(this.nodeId, this.requireLease(), state);
  }

  async send(to: string, body: unknown): Promise<void> {
    this.etcd.send(this.nodeId, this.requireLease(), to, body);
  }

  /** The cluster changed (a watch event) or etcd became reachable: read it again. */
  refresh(): void {
    if (this.phase !== 'running' || !this.etcd.reachable(this.nodeId) || this.clock.monotonic() < this.readBlockedUntil) return;
    const { leader, peers, messages } = this.etcd.read(this.nodeId);
    if (!this.leaderFresh) {
      this.leaderFresh = true;
      this.changed();
    }
    const before = JSON.stringify([this.view.leader, [...this.view.peers], this.highest]);
    this.view = { leader, peers };
    this.highest = Math.max(this.highest, leader?.term ?? 0);
    if (JSON.stringify([leader, [...peers], this.highest]) !== before) this.changed();
    for (const m of messages) queueMicrotask(() => this.options.onMessage?.(m.from, m.body));
  }

  /** FakeEtcd.cut / heal: the next call fails or succeeds; the real one notices within a request timeout. */
  reachabilityChanged(readAfterMs = 0): void {
    if (this.phase !== 'running') return;
    const reachable = this.etcd.reachable(this.nodeId);
    if (reachable && readAfterMs > 0) {
      this.readBlockedUntil = this.clock.monotonic() + readAfterMs;
      this.clock.setTimeout(() => this.refresh(), readAfterMs);
    }
    this.setConnected(reachable);
    if (reachable) this.keepLease();
  }

  private keepLease(): void {
    if (this.phase !== 'running') return;
    const now = this.clock.monotonic();
    try {
      if (this.lease === null || !this.etcd.keepAlive(this.nodeId, this.lease, this.ttl)) {
        this.lease = this.etcd.grantLease(this.nodeId, this.ttl);
        if (this.state !== undefined) this.etcd.putState(this.nodeId, this.lease, this.state);
        this.changed();
      }
      this.confirmed = now;
      this.setConnected(true);
      this.refresh();
    } catch {
      this.setConnected(false);
    }
  }

  private setConnected(connected: boolean): void {
    if (this.isConnected === connected) return;
    this.isConnected = connected;
    if (!connected) this.leaderFresh = false;
    this.changed();
  }

  private requireLease(): string {
    if (this.lease === null) throw new Error(`${this.nodeId} has no lease`);
    return this.lease;
  }

  private changed(): void {
    if (this.notifyPending || this.phase !== 'running') return;
    this.notifyPending = true;
    queueMicrotask(() => {
      this.notifyPending = false;
      if (this.phase === 'running') this.options.onChange?.();
    });
  }
}
