import { CoreEvent, afterIo, type AfterIo, type ArbiterNodeView, type ArbiterPort, type Clock, type LinkView, type NodeState } from '@switchyard/sdk';

/** What a {@link LocalNode} needs from its arbiter. */
export interface LocalNodeOptions {
  id: string;
  priority: number;
  clock: Clock;
  port: Pick<ArbiterPort, 'emit' | 'order'>;
  /** Silence (s) after which a node that reported before counts as frozen. */
  nodeTimeout: number;
  /** The node froze and its last grant has passed: it cannot serve. */
  onFrozen(reason: string): void;
  /**
   * Runs `fn` once this turn's I/O is read (default `afterIo`): how a look
   * that found the node silent is confirmed. Tests pass their own.
   */
  afterIo?: AfterIo;
}

/**
 * The node this agent runs, as its agent knows it: whether it runs and
 * answers, its latest report and HA link, the grant it holds and the last
 * order it was sent.
 */
export class LocalNode {
  readonly id: string;
  readonly priority: number;
  alive = false;
  responsive = false;
  state: NodeState | null = null;
  link: LinkView | null = null;
  lastHeartbeat: number | null = null;
  /** Monotonic ms at which the agent last heard the node say the HA link is up with the peer confirming backup (a node that does not report echoes). */
  linkConfirmedAt: number | null = null;
  /**
   * The send time (monotonic ms) of the node's latest heartbeat that the
   * peer echoed while confirming it is backup: the peer had heard from the
   * node at or after this moment. Null until a confirming echo.
   */
  linkEchoedAt: number | null = null;
  /**
   * Monotonic ms at which the node last heard from its peer over the HA link,
   * as it reported; kept across restarts of the node (the agent's wait before
   * campaigning counts from it, and a new process has heard nothing yet).
   */
  peerHeardAt: number | null = null;
  /** Monotonic ms at which the node last reported its HA link up. */
  linkUpAt: number | null = null;
  /** Largest deadline granted so far: the node may serve until then even if the agent stops hearing from it. */
  grantedUntil: number | null = null;
  private lastOrder: { role: 'primary' | 'backup'; term: number; at: number } | null = null;
  /** A look found the node silent; confirmed once the turn's I/O is read ({@link checkResponsive}). */
  private confirming = false;

  constructor(private readonly options: LocalNodeOptions) {
    this.id = options.id;
    this.priority = options.priority;
  }

  /** A new process of the node: nothing it said before holds. */
  spawned(): void {
    this.lastOrder = null;
    Object.assign(this, { alive: true, responsive: true, state: null, link: null, linkConfirmedAt: null, linkEchoedAt: null, linkUpAt: null, grantedUntil: null });
    this.lastHeartbeat = this.options.clock.monotonic();
  }

  /** A heartbeat of the running node; `term` is the highest this agent has seen. */
  heard(state: NodeState, link: LinkView | undefined, term: number): void {
    const now = this.options.clock.monotonic();
    this.lastHeartbeat = now;
    if (!this.responsive) {
      this.responsive = true;
      this.options.port.emit(CoreEvent.HeartbeatsResumed, { node: this.id, pid: '?' });
    }
    this.state = state;
    this.link = link ?? null;
    if (typeof link?.heardAt === 'number') this.peerHeardAt = Math.max(this.peerHeardAt ?? link.heardAt, link.heardAt);
    if (link?.connected) {
      this.linkUpAt = now;
      if (link.peer && link.peer.role === 'backup' && link.peer.term <= Math.max(state.term, term)) {
        if (typeof link.echoedSent === 'number') this.linkEchoedAt = Math.max(this.linkEchoedAt ?? link.echoedSent, link.echoedSent);
        else this.linkConfirmedAt = now; // no echo (a peer or node of an older version, or none yet on this connection)
      }
    }
  }

  exited(): void {
    Object.assign(this, { alive: false, responsive: false, state: null, link: null, grantedUntil: null });
  }

  /**
   * A frozen node: stop granting; once its last grant has passed it cannot
   * serve, so the lease can go. Timers run before the loop reads its
   * sockets: after a long turn of the agent (or a stall of the host), the
   * node's heartbeats may be waiting unread, so a look that finds it silent
   * looks again once this turn's I/O is read, and only then counts it.
   */
  checkResponsive(now: number): void {
    if (this.confirming || this.silence(now) === null) return;
    this.confirming = true;
    (this.options.afterIo ?? afterIo)(() => {
      this.confirming = false;
      const at = this.options.clock.monotonic();
      const silence = this.silence(at);
      if (silence !== null) this.frozen(at, silence);
    });
  }

  /** Found silent and not yet confirmed (nor heard from since): granted nothing meanwhile. */
  suspected(now: number): boolean {
    return this.confirming && this.silence(now) !== null;
  }

  /** How long the node has been silent at `now` when that reaches nodeTimeout; null otherwise. */
  private silence(now: number): number | null {
    // A node that has not reported yet is starting (loading plugins), not frozen; it holds no grant either.
    if (!this.alive || !this.responsive || this.lastHeartbeat === null || this.state === null) return null;
    const silence = now - this.lastHeartbeat;
    return silence < this.options.nodeTimeout * 1000 ? null : silence;
  }

  private frozen(now: number, silence: number): void {
    this.responsive = false;
    this.options.port.emit(CoreEvent.HeartbeatsMissed, { node: this.id, pid: '?', silence: (silence / 1000).toFixed(2) });
    const until = this.grantedUntil ?? now;
    const wait = Math.max(0, until - now);
    this.options.clock.setTimeout(() => {
      if (!this.responsive && this.alive) this.options.onFrozen(`node ${this.id} missed heartbeats for ${(silence / 1000).toFixed(2)} s`);
    }, wait + 1);
  }

  /** Sends an order, once: the same order again only after half a node timeout (a lost message). */
  order(role: 'primary' | 'backup', term: number, reason: string): void {
    const now = this.options.clock.monotonic();
    const last = this.lastOrder;
    if (last && last.role === role && last.term === term && now - last.at < this.options.nodeTimeout * 500) return;
    this.lastOrder = { role, term, at: now };
    this.options.port.order(this.id, { role, term, reason });
  }

  view(): ArbiterNodeView {
    return {
      id: this.id,
      priority: this.priority,
      alive: this.alive,
      responsive: this.responsive,
      status: this.state?.status ?? (this.alive ? 'starting' : null),
      role: this.state?.role ?? null,
      lastHeartbeat: this.lastHeartbeat,
      local: true,
    };
  }
}
