import type {
  Arbiter,
  ArbiterContext,
  ArbiterNodeView,
  NodeState,
  Role,
  SwitchoverRecord,
  SwitchoverResult,
  TimerHandle,
} from '@switchyard/sdk';
import { ArbiterEvent } from './events';

export interface PriorityArbiterOptions {
  /** Seconds without a heartbeat before a node counts as gone. */
  switchTimeout: number;
  /** Seconds to wait at start for both nodes before giving roles to whoever runs. */
  startupTimeout: number;
}

interface Member {
  id: string;
  priority: number;
  alive: boolean;
  /** `clock.monotonic()` ms of the last heartbeat (or of the spawn). */
  lastHeartbeat: number | null;
  state: NodeState | null;
  role: Role | null;
  lastOrderAt: number | null;
}

/**
 * Decides roles for the nodes of one host: at start the running node with
 * the highest priority is primary; the backup takes over when the primary
 * reports unavailable, exits or misses heartbeats for `switchTimeout`. Every
 * change raises the term, and an order carries it, so a node never obeys an
 * older decision. An operator's switchover asks the primary's
 * `beforeSwitchover` taps first.
 */
export class PriorityArbiter implements Arbiter {
  readonly kind = '__PLUGIN__';
  private termValue = 0;
  private primaryId: string | null = null;
  private readonly members = new Map<string, Member>();
  private ticker: TimerHandle | null = null;
  private startedAt = 0;

  constructor(
    private readonly options: PriorityArbiterOptions,
    private readonly ctx: ArbiterContext,
  ) {
    for (const node of ctx.nodes) {
      this.members.set(node.id, { id: node.id, priority: node.priority, alive: false, lastHeartbeat: null, state: null, role: null, lastOrderAt: null });
    }
  }

  get term(): number {
    return this.termValue;
  }
  get primary(): string | null {
    return this.primaryId;
  }
  /** In the agent's own process: always reachable. */
  get connected(): boolean {
    return true;
  }

  start(): void {
    this.startedAt = this.ctx.clock.monotonic();
    this.ticker = this.ctx.clock.setInterval(() => this.evaluate(), 100);
  }

  stop(): void {
    this.ticker?.cancel();
    this.ticker = null;
  }

  nodeSpawned(nodeId: string): void {
    const m = this.member(nodeId);
    Object.assign(m, { alive: true, state: null, lastHeartbeat: this.ctx.clock.monotonic(), lastOrderAt: null });
  }

  heartbeat(nodeId: string, state: NodeState): void {
    const m = this.member(nodeId);
    if (!m.alive) return;
    m.lastHeartbeat = this.ctx.clock.monotonic();
    m.state = state;
    this.reconcile(m);
    this.evaluate();
  }

  nodeExited(nodeId: string, reason: string): void {
    const m = this.member(nodeId);
    Object.assign(m, { alive: false, state: null });
    if (this.primaryId === nodeId) this.failover(m, `primary ${nodeId} exited (${reason})`);
  }

  async requestSwitchover(reason: string, by: string, from?: string): Promise<SwitchoverResult> {
    const refuse = (why: string): SwitchoverResult => {
      this.ctx.port.emit(ArbiterEvent.REFUSED, { reason: why });
      return { ok: false, term: this.termValue, primary: this.primaryId, reason: why };
    };
    const primary = this.primaryId === null ? undefined : this.member(this.primaryId);
    const backup = primary && this.other(primary);
    if (!primary || !backup) return refuse('there is no primary yet');
    if (from !== undefined && from !== primary.id) return refuse(`${from} is not the primary`);
    if (!this.running(backup)) return refuse(`backup ${backup.id} is not running`);
    if (from === undefined) {
      // An operator's request: the primary's plugins may veto or delay it.
      const verdict = await this.ctx.port.consult(primary.id, { from: primary.id, to: backup.id, reason, kind: 'manual' });
      if (verdict) return refuse('veto' in verdict ? verdict.veto : verdict.reason);
      if (this.primaryId !== primary.id || !this.running(backup)) return refuse('the pair changed while the primary was asked');
    }
    this.switchTo(backup, `${reason} (by ${by})`);
    return { ok: true, term: this.termValue, primary: backup.id };
  }

  nodes(): ArbiterNodeView[] {
    return [...this.members.values()].map((m) => ({
      id: m.id,
      priority: m.priority,
      alive: m.alive,
      responsive: this.responsive(m),
      status: m.state?.status ?? null,
      role: m.role,
      lastHeartbeat: m.lastHeartbeat,
    }));
  }

  private evaluate(): void {
    if (this.termValue === 0) {
      this.assignInitialRoles();
      return;
    }
    const primary = this.primaryId === null ? undefined : this.member(this.primaryId);
    if (!primary) {
      const candidate = this.best([...this.members.values()].filter((m) => this.running(m)));
      if (candidate) this.switchTo(candidate, 'no primary; promoting the running node');
      return;
    }
    if (!this.responsive(primary)) {
      this.failover(primary, `primary ${primary.id} sent no heartbeat for ${this.options.switchTimeout} s`);
      return;
    }
    const backup = this.other(primary);
    if (primary.state?.status === 'unavailable' && backup && this.running(backup)) {
      this.switchTo(backup, `primary ${primary.id} is unavailable and ${backup.id} is running`);
    }
  }

  private assignInitialRoles(): void {
    const all = [...this.members.values()];
    const ready = all.filter((m) => this.responsive(m) && m.state !== null && m.state.status !== 'starting');
    const waited = this.ctx.clock.monotonic() - this.startedAt >= this.options.startupTimeout * 1000;
    if (ready.length === 0 || (ready.length < all.length && !waited)) return;
    const primary = this.best(ready)!;
    const backup = this.other(primary);
    this.termValue = 1;
    this.primaryId = primary.id;
    primary.role = 'primary';
    if (backup) backup.role = 'backup';
    this.ctx.port.emit(ArbiterEvent.ROLES, { primary: primary.id, backup: backup?.id ?? 'none', term: this.termValue });
    if (backup?.alive) this.send(backup, 'initial role by priority');
    this.send(primary, 'initial role by priority');
  }

  /** The primary is gone: the other node takes over if it runs; otherwise there is no primary until one does. */
  private failover(from: Member, reason: string): void {
    const to = this.other(from);
    if (to && this.running(to)) {
      this.switchTo(to, reason);
      return;
    }
    this.primaryId = null;
    from.role = 'backup';
    this.ctx.port.emit(ArbiterEvent.NO_PRIMARY, { reason });
  }

  private switchTo(to: Member, reason: string): void {
    const from = this.primaryId === null ? undefined : this.member(this.primaryId);
    this.termValue += 1;
    this.primaryId = to.id;
    const record: SwitchoverRecord = { from: from?.id ?? 'none', to: to.id, term: this.termValue, reason, at: this.ctx.clock.now() };
    to.role = 'primary';
    const old = from ?? this.other(to);
    if (old) old.role = 'backup';
    this.ctx.port.emit(ArbiterEvent.SWITCHOVER, { from: record.from, to: to.id, term: this.termValue, reason });
    // Demote first, so our orders never make two primaries.
    if (old?.alive) this.send(old, reason, record);
    this.send(to, reason, record);
  }

  /** Re-sends the order a node has not applied (it restarted, or missed it), at most twice per switchTimeout. */
  private reconcile(m: Member): void {
    if (m.role === null || m.state === null || this.termValue === 0) return;
    if (m.state.term === this.termValue && m.state.role === m.role) return;
    if (m.lastOrderAt !== null && this.ctx.clock.monotonic() - m.lastOrderAt < this.options.switchTimeout * 500) return;
    this.send(m, 'reconciling with the arbiter');
  }

  private send(m: Member, reason: string, switchover?: SwitchoverRecord): void {
    m.lastOrderAt = this.ctx.clock.monotonic();
    this.ctx.port.order(m.id, { role: m.role ?? 'backup', term: this.termValue, reason, ...(switchover ? { switchover } : {}) });
  }

  private responsive(m: Member): boolean {
    return m.alive && m.lastHeartbeat !== null && this.ctx.clock.monotonic() - m.lastHeartbeat < this.options.switchTimeout * 1000;
  }

  private running(m: Member): boolean {
    return this.responsive(m) && m.state?.status === 'running';
  }

  /** Running first, then the higher priority, then the id. */
  private best(candidates: Member[]): Member | undefined {
    return [...candidates].sort(
      (a, b) => Number(this.running(b)) - Number(this.running(a)) || b.priority - a.priority || a.id.localeCompare(b.id),
    )[0];
  }

  private other(m: Member): Member | undefined {
    return [...this.members.values()].find((x) => x.id !== m.id);
  }

  private member(id: string): Member {
    const m = this.members.get(id);
    if (!m) throw new RangeError(`unknown node ${id}`);
    return m;
  }
}
