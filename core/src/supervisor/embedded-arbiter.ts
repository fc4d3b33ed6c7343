import { afterIo, type AfterIo } from '../after-io';
import type { Clock, TimerHandle } from '../clock';
import { CoreEvent } from '../events/core-events';
import type { NodeState, SwitchoverProposal } from '../engine/types';
import type { SwitchoverResult } from '../management/types';
import type { Arbiter, ArbiterNodeView, ArbiterPort } from './arbiter';

export interface EmbeddedArbiterOptions {
  nodes: readonly { id: string; priority: number }[];
  clock: Clock;
  port: ArbiterPort;
  /** Seconds without a heartbeat before a node counts as down. */
  switchTimeout: number;
  /** Seconds to wait for every node at start before assigning roles to whoever is up. */
  startupTimeout: number;
  /** Seconds to wait before re-proposing a vetoed health switchover. Default 5. */
  vetoRetry?: number;
  /**
   * Fence a primary that stopped sending heartbeats (frozen, not exited)
   * when the role is handed to the other node: `port.fence` kills it before
   * the new primary's order goes out. Default false (it is demoted when it
   * thaws).
   */
  fence?: boolean;
  /**
   * Runs `fn` once this turn's I/O is read (default {@link afterIo}): how
   * a look that found a node silent is confirmed. Tests pass their own.
   */
  afterIo?: AfterIo;
}

interface Member extends ArbiterNodeView {
  reportedTerm: number;
  lastOrderAt: number | null;
}

/**
 * The supervisor's arbiter for a single-host pair. It hears heartbeats over
 * IPC, assigns the first roles by priority, and switches over when the
 * primary reports `unavailable` while the backup runs, when the primary
 * process exits, or when it misses heartbeats for `switchTimeout`.
 * Pure decision logic: time comes from the injected clock.
 */
export class EmbeddedArbiter implements Arbiter {
  readonly kind = 'embedded';
  /** The arbiter is this process: always reachable. */
  readonly connected = true;
  private termValue = 0;
  private primaryId: string | null = null;
  private readonly members = new Map<string, Member>();
  private ticker: TimerHandle | null = null;
  private startupTimer: TimerHandle | null = null;
  private startupExpired = false;
  private deciding = false;
  private vetoedUntil = 0;
  /** Milliseconds between two looks at the heartbeats. */
  private tickMs = 0;
  /** When this arbiter last looked (monotonic), null before its first look. */
  private lastLookAt: number | null = null;
  /** A look that found silence, confirmed once this turn's I/O is read ({@link checkHeartbeats}). */
  private confirming: { cancel(): void } | null = null;

  constructor(private readonly options: EmbeddedArbiterOptions) {
    for (const node of options.nodes) {
      this.members.set(node.id, {
        id: node.id,
        priority: node.priority,
        alive: false,
        responsive: false,
        status: null,
        role: null,
        lastHeartbeat: null,
        reportedTerm: 0,
        lastOrderAt: null,
      });
    }
  }

  get term(): number {
    return this.termValue;
  }
  get primary(): string | null {
    return this.primaryId;
  }

  start(): void {
    const { clock, switchTimeout, startupTimeout } = this.options;
    this.tickMs = Math.max(10, (switchTimeout * 1000) / 10);
    this.lastLookAt = clock.monotonic();
    this.ticker = clock.setInterval(() => this.checkHeartbeats(), this.tickMs);
    this.startupTimer = clock.setTimeout(() => {
      this.startupExpired = true;
      this.evaluate();
    }, startupTimeout * 1000);
  }

  stop(): void {
    this.ticker?.cancel();
    this.startupTimer?.cancel();
    this.confirming?.cancel();
    this.confirming = null;
    this.ticker = null;
    this.startupTimer = null;
  }

  nodes(): ArbiterNodeView[] {
    return [...this.members.values()].map(({ reportedTerm: _t, lastOrderAt: _o, ...view }) => ({ ...view }));
  }

  nodeSpawned(nodeId: string): void {
    const m = this.member(nodeId);
    m.alive = true;
    m.responsive = true;
    m.status = 'starting';
    m.lastOrderAt = null;
    m.reportedTerm = 0;
    m.lastHeartbeat = this.options.clock.monotonic();
  }

  heartbeat(nodeId: string, state: NodeState): void {
    const m = this.member(nodeId);
    if (!m.alive) return;
    m.lastHeartbeat = this.options.clock.monotonic();
    if (!m.responsive) {
      m.responsive = true;
      this.options.port.emit(CoreEvent.HeartbeatsResumed, { node: nodeId });
    }
    m.status = state.status;
    m.reportedTerm = state.term;
    this.reconcile(m, state);
    this.evaluate();
  }

  nodeExited(nodeId: string, reason: string): void {
    const m = this.member(nodeId);
    m.alive = false;
    m.responsive = false;
    m.status = null;
    if (this.primaryId === nodeId) this.failover(nodeId, `primary ${nodeId} exited (${reason})`);
  }

  async requestSwitchover(reason: string, by: string, asker?: string): Promise<SwitchoverResult> {
    this.options.port.emit(CoreEvent.SwitchoverRequested, { by, reason });
    const from = this.primaryId;
    const refuse = (why: string): SwitchoverResult => {
      this.options.port.emit(CoreEvent.SwitchoverImpossible, { from: from ?? 'none', reason: why });
      return { ok: false, term: this.termValue, primary: from, reason: why };
    };
    if (!from) return refuse('there is no primary yet');
    if (asker !== undefined && asker !== from) return refuse(`${asker} asked, but it is not the primary (${from} is)`);
    const to = this.otherThan(from);
    if (!to || !this.usable(to) || to.status !== 'running') {
      return refuse(`the backup ${to?.id ?? '?'} is not running (status ${to?.status ?? 'down'})`);
    }
    if (this.deciding) return refuse('another switchover is in progress');
    if (asker !== undefined) {
      this.switchTo(to.id, `requested by ${by}: ${reason}`);
      return { ok: true, term: this.termValue, primary: this.primaryId };
    }
    this.deciding = true;
    try {
      const verdict = await this.options.port.consult(from, { from, to: to.id, reason, kind: 'manual' });
      if (verdict) {
        const why = 'veto' in verdict ? verdict.veto : `delay ${verdict.delay}s requested: ${verdict.reason}`;
        this.options.port.emit(CoreEvent.SwitchoverVetoed, { from, by: 'beforeSwitchover', reason: why });
        return { ok: false, term: this.termValue, primary: from, reason: `vetoed: ${why}` };
      }
      if (this.primaryId !== from) return refuse('the primary changed while the switchover was considered');
      this.switchTo(to.id, `manual switchover by ${by}: ${reason}`);
      return { ok: true, term: this.termValue, primary: this.primaryId };
    } finally {
      this.deciding = false;
    }
  }

  /** Re-sends the order a node has not applied (a restart, a missed message, a thawed process). */
  private reconcile(m: Member, state: NodeState): void {
    if (!m.role || this.termValue === 0) return;
    if (state.term === this.termValue && state.role === m.role) return;
    const now = this.options.clock.monotonic();
    if (m.lastOrderAt !== null && now - m.lastOrderAt < this.options.switchTimeout * 500) return;
    this.send(m, m.role, 'reconciling with the arbiter');
  }

  /**
   * A look at the heartbeats (every tenth of `switchTimeout`). Silence is
   * what the nodes did not send while this process was running:
   * - Time this process itself was not running (its own long turn, or the
   *   host stopping or starving every process at once, nodes included) is
   *   not counted: when a look comes a tick or more late, every node's
   *   silence is credited with that lateness. A pair on one host must not
   *   switch over because the host, not the primary, stalled.
   * - Timers run before the loop reads its sockets, so heartbeats may be
   *   waiting unread on the IPC channels: a look that finds a node silent
   *   looks again once this turn's I/O is read, and only then counts it.
   */
  private checkHeartbeats(): void {
    const now = this.options.clock.monotonic();
    const late = this.lastLookAt === null ? 0 : now - this.lastLookAt - this.tickMs;
    this.lastLookAt = now;
    if (late >= this.tickMs) {
      for (const m of this.members.values()) if (m.lastHeartbeat !== null) m.lastHeartbeat = Math.min(now, m.lastHeartbeat + late);
      if (late >= (this.options.switchTimeout * 1000) / 3) this.options.port.emit(CoreEvent.ArbiterStalled, { late: Math.round(late) });
    }
    if (this.confirming || !this.silentMembers(now).length) return;
    this.confirming = (this.options.afterIo ?? afterIo)(() => {
      this.confirming = null;
      this.judgeSilence(this.options.clock.monotonic());
    });
  }

  /** Members alive and responsive whose silence reached their limit at `now`, with it. */
  private silentMembers(now: number): { m: Member; silence: number }[] {
    const silent: { m: Member; silence: number }[] = [];
    for (const m of this.members.values()) {
      if (!m.alive || !m.responsive || m.lastHeartbeat === null) continue;
      const silence = now - m.lastHeartbeat;
      // Startup grace: a node still starting (loading its modules and journal on a busy host) is not frozen
      // until startupTimeout; it holds no role to take over meanwhile.
      const limit = (m.status === 'starting' ? Math.max(this.options.startupTimeout, this.options.switchTimeout) : this.options.switchTimeout) * 1000;
      if (silence >= limit) silent.push({ m, silence });
    }
    return silent;
  }

  private judgeSilence(now: number): void {
    for (const { m, silence } of this.silentMembers(now)) {
      m.responsive = false;
      this.options.port.emit(CoreEvent.HeartbeatsMissed, { node: m.id, silence: (silence / 1000).toFixed(2) });
      if (this.primaryId === m.id) this.failover(m.id, `primary ${m.id} missed heartbeats for ${(silence / 1000).toFixed(2)}s`, true);
    }
  }

  /**
   * The primary is gone: promote the other node if it is up, whatever its
   * status. A silent (not exited) primary is fenced first when `fence` is on:
   * its kill is under way before the new primary's order is sent.
   */
  private failover(from: string, reason: string, silent = false): void {
    const to = this.otherThan(from);
    if (to && this.usable(to) && to.status !== 'starting') {
      if (silent && this.options.fence) this.options.port.fence?.(from, reason, to.id);
      this.switchTo(to.id, reason);
      return;
    }
    this.primaryId = null;
    this.member(from).role = 'backup';
    this.options.port.emit(CoreEvent.SwitchoverImpossible, { from, reason: `${reason}; no live backup to take over` });
  }

  private evaluate(): void {
    if (this.deciding) return;
    if (this.termValue === 0) {
      this.assignInitialRoles();
      return;
    }
    if (this.primaryId === null) {
      const candidate = this.best([...this.members.values()].filter((m) => this.usable(m) && m.status !== 'starting'));
      if (candidate) this.switchTo(candidate.id, 'no primary; promoting the live node');
      return;
    }
    const primary = this.member(this.primaryId);
    const backup = this.otherThan(primary.id);
    if (primary.status !== 'unavailable' || !backup || !this.usable(backup) || backup.status !== 'running') return;
    if (this.options.clock.monotonic() < this.vetoedUntil) return;
    void this.healthSwitchover(primary.id, backup.id);
  }

  private async healthSwitchover(from: string, to: string): Promise<void> {
    const reason = `primary ${from} reported unavailable while backup ${to} is running`;
    const proposal: SwitchoverProposal = { from, to, reason, kind: 'health' };
    this.deciding = true;
    try {
      const verdict = await this.options.port.consult(from, proposal);
      if (verdict) {
        const seconds = 'delay' in verdict ? verdict.delay : (this.options.vetoRetry ?? 5);
        const why = 'veto' in verdict ? verdict.veto : verdict.reason;
        this.vetoedUntil = this.options.clock.monotonic() + seconds * 1000;
        this.options.port.emit(CoreEvent.SwitchoverVetoed, { from, by: 'beforeSwitchover', reason: why });
        return;
      }
      const primary = this.member(from);
      const backup = this.member(to);
      if (this.primaryId === from && primary.status === 'unavailable' && this.usable(backup) && backup.status === 'running') {
        this.switchTo(to, reason);
      }
    } finally {
      this.deciding = false;
    }
  }

  private assignInitialRoles(): void {
    const all = [...this.members.values()];
    const ready = all.filter((m) => this.usable(m) && m.status !== null && m.status !== 'starting');
    if (ready.length === 0) return;
    if (ready.length < all.length && !this.startupExpired) return;
    const primary = this.best(ready);
    if (!primary) return;
    this.termValue = 1;
    this.primaryId = primary.id;
    const backup = this.otherThan(primary.id);
    if (backup) backup.role = 'backup';
    primary.role = 'primary';
    this.options.port.emit(CoreEvent.RolesAssigned, { primary: primary.id, backup: backup?.id ?? 'none', term: this.termValue });
    if (backup && this.usable(backup)) this.send(backup, 'backup', 'initial role by priority');
    this.send(primary, 'primary', 'initial role by priority');
  }

  private switchTo(to: string, reason: string): void {
    const from = this.primaryId;
    this.termValue += 1;
    this.primaryId = to;
    const record = { from: from ?? 'none', to, term: this.termValue, reason, at: this.options.clock.now() };
    const target = this.member(to);
    target.role = 'primary';
    const old = from ? this.member(from) : this.otherThan(to);
    if (old) old.role = 'backup';
    this.options.port.emit(CoreEvent.Switchover, { from: record.from, to, reason });
    // Demote first so the pair never has two primaries by our orders.
    if (old && old.alive) this.send(old, 'backup', reason, record);
    this.send(target, 'primary', reason, record);
  }

  private send(m: Member, role: 'primary' | 'backup', reason: string, switchover?: { from: string; to: string; term: number; reason: string; at: number }): void {
    m.lastOrderAt = this.options.clock.monotonic();
    this.options.port.order(m.id, { role, term: this.termValue, reason, switchover });
  }

  private usable(m: Member): boolean {
    return m.alive && m.responsive;
  }

  /** Running before unavailable, then higher priority, then id. */
  private best(candidates: Member[]): Member | undefined {
    return [...candidates].sort(
      (a, b) =>
        Number(b.status === 'running') - Number(a.status === 'running') || b.priority - a.priority || a.id.localeCompare(b.id),
    )[0];
  }

  private otherThan(id: string): Member | undefined {
    return [...this.members.values()].find((m) => m.id !== id);
  }

  private member(id: string): Member {
    const m = this.members.get(id);
    if (!m) throw new RangeError(`unknown node ${id}`);
    return m;
  }
}
