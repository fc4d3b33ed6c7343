import { Backoff } from '@switchyard/sdk';
import type { Clock, TimerHandle } from '@switchyard/sdk';
import { EtcdLeaseInvalidError, isRecoverableError, type Etcd3, type Lease } from 'etcd3';

/** What the keeper needs from its election. */
export interface LeaseKeeperOptions {
  client: Etcd3;
  clock: Clock;
  /** Whole seconds. */
  ttl: number;
  keepaliveIntervalMs: number;
  requestTimeoutMs: number;
  /**
   * How many endpoints etcd has: a keepalive whose stream failed to reach one
   * (connection refused, reset) is sent again, up to this many times in all.
   */
  endpoints: number;
  /** Runs one etcd call within its budget and records whether etcd answered (see EtcdElection.connected). */
  call<T>(what: string, run: () => Promise<T>): Promise<T>;
  /** Lease id or confirmation changed. */
  changed(): void;
  /** A new lease was granted (re-put what lives under it). */
  granted(leaseId: string): void;
}

/**
 * Holds this node's etcd lease: grants one (retrying 100 ms → 1 s while etcd
 * is unreachable), sends one keepalive at a time every `keepaliveIntervalMs`,
 * and grants a fresh lease when etcd says the old one is gone.
 *
 * The keepalive is driven by hand (`autoKeepAlive: false`): etcd3's own loop
 * survives `client.close()`, and it does not tell when a keepalive was sent,
 * which {@link confirmedAt} needs.
 */
export class LeaseKeeper {
  private lease: Lease | null = null;
  private id: string | null = null;
  private confirmed: number | null = null;
  /** Bumped whenever the current lease is abandoned: answers for an older generation are ignored. */
  private generation = 0;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private readonly retry = new Backoff(100, 1000);

  constructor(private readonly options: LeaseKeeperOptions) {}

  /** The current lease's id (decimal), or null while there is none. */
  get leaseId(): string | null {
    return this.id;
  }

  /**
   * `clock.monotonic()` when the latest keepalive (or the grant) that etcd
   * confirmed was sent: etcd keeps the lease at least until
   * `confirmedAt + ttl * 1000`, since the TTL restarted no earlier than the send.
   */
  get confirmedAt(): number | null {
    return this.confirmed;
  }

  start(): void {
    this.schedule(0, () => this.grant());
  }

  /** etcd answered "lease not found" for `leaseId` (a put or txn under it): grant a new one. */
  lost(leaseId: string): void {
    if (this.stopped || this.id !== leaseId) return;
    this.abandon();
    this.options.changed();
    this.schedule(0, () => this.grant());
  }

  /** Revokes the current lease now (its keys go with it), then grants a fresh one in the background. */
  async revoke(): Promise<void> {
    const lease = this.lease;
    this.abandon();
    this.options.changed();
    try {
      if (lease) await this.revokeLease(lease);
    } finally {
      if (!this.stopped) this.schedule(0, () => this.grant());
    }
  }

  /** Stops every timer; with `revoke`, revokes the lease first (errors ignored: it expires on its TTL anyway). */
  async stop(revoke: boolean): Promise<void> {
    this.stopped = true;
    const lease = this.lease;
    this.timer?.cancel();
    this.timer = null;
    this.generation++;
    if (lease && revoke) {
      try {
        await this.revokeLease(lease);
        this.id = null;
        this.confirmed = null;
        this.lease = null;
      } catch {
        /* unreachable etcd: the lease ends on its TTL */
      }
    }
    lease?.release();
  }

  private async grant(): Promise<void> {
    const generation = this.generation;
    const { client, ttl, requestTimeoutMs } = this.options;
    const sentAt = this.options.clock.monotonic();
    let lease: Lease | undefined;
    let id: string;
    try {
      id = await this.options.call('lease grant', () => {
        // The Lease constructor sends the grant request at once.
        lease = client.lease(ttl, { autoKeepAlive: false, deadline: Date.now() + requestTimeoutMs });
        return lease.grant();
      });
    } catch {
      if (generation === this.generation) this.schedule(this.retry.next(), () => this.grant());
      return;
    }
    if (!lease) return; // unreachable: `call` resolved, so the lease was created
    if (generation !== this.generation) {
      // Stopped or revoked while the grant was on its way: nothing may live under this lease.
      void lease.revoke({ deadline: Date.now() + requestTimeoutMs }).catch(() => undefined);
      return;
    }
    this.retry.reset();
    this.lease = lease;
    this.id = id;
    this.confirmed = sentAt;
    this.options.changed();
    this.options.granted(id);
    this.scheduleKeepalive(sentAt);
  }

  private async keepalive(): Promise<void> {
    const generation = this.generation;
    const lease = this.lease;
    const id = this.id;
    if (!lease || id === null) return;
    const sentAt = this.options.clock.monotonic();
    try {
      await this.options.call('lease keepalive', () => this.keepaliveOnce(lease));
      if (generation !== this.generation) return;
      // One keepalive in flight at a time, so answers come in send order; still, never move the bound back.
      if (this.confirmed === null || sentAt > this.confirmed) this.confirmed = sentAt;
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof EtcdLeaseInvalidError) {
        this.lost(id);
        return;
      }
      // etcd unreachable: keep trying at the same pace; the lease may still be alive there
      // (a new etcd leader even restarts its TTL), and only etcd can say it is gone.
    }
    this.scheduleKeepalive(sentAt);
  }

  /**
   * A keepalive is a stream opened on one endpoint, picked at random, and
   * etcd3 does not retry a stream on another: with one member of three down,
   * every third keepalive would fail and `connected` flap. etcd3 marks the
   * failed endpoint, so the next attempt goes to another one; all within one
   * deadline.
   */
  private async keepaliveOnce(lease: Lease): Promise<unknown> {
    const deadline = Date.now() + this.options.requestTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await lease.keepaliveOnce({ deadline });
      } catch (error) {
        const again = attempt < this.options.endpoints && error instanceof Error && isRecoverableError(error) && Date.now() < deadline;
        if (!again || this.stopped) throw error;
      }
    }
  }

  private scheduleKeepalive(lastSentAt: number): void {
    const due = lastSentAt + this.options.keepaliveIntervalMs - this.options.clock.monotonic();
    this.schedule(Math.max(0, due), () => this.keepalive());
  }

  private revokeLease(lease: Lease): Promise<void> {
    return this.options.call('lease revoke', () => lease.revoke({ deadline: Date.now() + this.options.requestTimeoutMs }));
  }

  /** Forgets the current lease without telling etcd (it expires there on its TTL unless revoked). */
  private abandon(): void {
    this.generation++;
    this.timer?.cancel();
    this.timer = null;
    this.lease?.release();
    this.lease = null;
    this.id = null;
    this.confirmed = null;
  }

  private schedule(ms: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    this.timer?.cancel();
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      void run();
    }, ms);
  }
}
