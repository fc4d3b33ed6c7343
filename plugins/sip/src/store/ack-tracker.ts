import type { Clock, TimerHandle } from '@switchyard/sdk';

/**
 * How a local change reached the backup:
 * - `acked`: the backup applied it (sync mode);
 * - `async`: sent, not waited for (async mode);
 * - `fallback`: sync mode, but the backup did not acknowledge within
 *   `syncTimeout` (or replication is stalled): it is still sent, asynchronously;
 * - `rejected`: the same, with `onTimeout: 'reject'`: the change stays here and
 *   is still sent, but it must not be answered as accepted (the REGISTER gets
 *   a retryable 500); it never counts as acknowledged;
 * - `skipped`: nothing was sent (this node is not primary, or the change was a no-op).
 */
export type ReplicationOutcome = 'acked' | 'async' | 'fallback' | 'rejected' | 'skipped';

interface Sent {
  seq: number;
  /** Changes the message carries (a batch), 1 for a base part. */
  count: number;
  sentAt: number;
  resolve?: (outcome: ReplicationOutcome) => void;
}

export interface AckTrackerOptions {
  clock: Clock;
  /** Milliseconds the peer may take to acknowledge a message before replication counts as stalled. */
  timeoutMs: number;
  /** What a waiter gets when its message is not acknowledged in time (or replication is stalled); default `fallback`. */
  timeoutOutcome?: 'fallback' | 'rejected';
  /** Replication just stalled: the oldest unacknowledged message waited `timeoutMs`. */
  onStall: (unacked: number) => void;
  /** The peer acknowledges in time again (or has acknowledged everything). */
  onRecover: () => void;
}

/**
 * The primary's view of what the backup has acknowledged: messages sent and
 * not yet acknowledged (in sequence order), sync-mode waiters, and one
 * watchdog timer on the oldest of them. Once stalled, new waiters resolve
 * `fallback` at once instead of each waiting out the timeout, until the peer
 * catches up.
 */
export class AckTracker {
  private entries: Sent[] = [];
  private head = 0;
  private ackedSeq = 0;
  private unacked = 0;
  private stalledFlag = false;
  private watchdog: { entry: Sent; handle: TimerHandle } | undefined;

  constructor(private readonly options: AckTrackerOptions) {}

  /** Changes sent and not yet acknowledged (a base part counts as one). */
  get lag(): number {
    return this.unacked;
  }

  get stalled(): boolean {
    return this.stalledFlag;
  }

  /** Highest sequence number acknowledged. */
  get acked(): number {
    return this.ackedSeq;
  }

  /** Tracks message `seq`, carrying `count` changes; with `wait`, returns a promise settled by its ack or the timeout. */
  track(seq: number, wait: boolean, count = 1): Promise<ReplicationOutcome> | undefined {
    // A synchronous link (loopback) can deliver the ack before send() returned.
    if (seq <= this.ackedSeq) return wait ? Promise.resolve('acked') : undefined;
    const entry: Sent = { seq, count, sentAt: this.options.clock.monotonic() };
    this.entries.push(entry);
    this.unacked += count;
    let promise: Promise<ReplicationOutcome> | undefined;
    if (wait) {
      if (this.stalledFlag) promise = Promise.resolve(this.timeoutOutcome);
      else promise = new Promise((resolve) => (entry.resolve = resolve));
    }
    this.arm();
    return promise;
  }

  /** The peer acknowledged everything up to `seq`. Returns true when that was progress. */
  ack(seq: number): boolean {
    if (seq <= this.ackedSeq) return false;
    this.ackedSeq = seq;
    while (this.head < this.entries.length && this.entries[this.head]!.seq <= seq) {
      const entry = this.entries[this.head]!;
      entry.resolve?.('acked');
      this.unacked -= entry.count;
      this.head++;
    }
    this.compact();
    if (this.stalledFlag && (this.lag === 0 || !this.overdue(this.entries[this.head]!))) {
      this.stalledFlag = false;
      this.options.onRecover();
    }
    this.arm();
    return true;
  }

  /** Forgets everything (role change, stop); waiters resolve with `outcome`. */
  reset(outcome: ReplicationOutcome): void {
    for (let i = this.head; i < this.entries.length; i++) this.entries[i]!.resolve?.(outcome);
    this.entries = [];
    this.head = 0;
    this.unacked = 0;
    this.stalledFlag = false;
    this.disarm();
  }

  private get timeoutOutcome(): ReplicationOutcome {
    return this.options.timeoutOutcome ?? 'fallback';
  }

  private overdue(entry: Sent): boolean {
    return this.options.clock.monotonic() - entry.sentAt >= this.options.timeoutMs;
  }

  /** Watches the oldest unacknowledged message, unless already stalled. */
  private arm(): void {
    const oldest = this.entries[this.head];
    if (this.stalledFlag || !oldest) {
      this.disarm();
      return;
    }
    if (this.watchdog?.entry === oldest) return;
    this.disarm();
    const delay = Math.max(0, oldest.sentAt + this.options.timeoutMs - this.options.clock.monotonic());
    const watchdog = {
      entry: oldest,
      handle: this.options.clock.setTimeout(() => {
        if (this.watchdog !== watchdog) return;
        this.watchdog = undefined;
        this.stall();
      }, delay),
    };
    this.watchdog = watchdog;
  }

  private disarm(): void {
    this.watchdog?.handle.cancel();
    this.watchdog = undefined;
  }

  private stall(): void {
    this.stalledFlag = true;
    for (let i = this.head; i < this.entries.length; i++) {
      const entry = this.entries[i]!;
      entry.resolve?.(this.timeoutOutcome);
      delete entry.resolve;
    }
    this.options.onStall(this.lag);
  }

  private compact(): void {
    if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}
