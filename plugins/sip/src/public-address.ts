import type { Clock } from '@switchyard/sdk';
import type { SipBindFailure, SipListener } from './transport';

/** Seconds between bind attempts while the old primary releases the public address (or is fenced). */
export const TAKEOVER_RETRY_S = 0.002;

/** How to reach the listener factory and report what happens; see {@link PublicAddress}. */
export interface PublicAddressOptions {
  host: string;
  port: number;
  clock: Clock;
  /** Milliseconds of quick retries after taking the role before a failure counts (00-04200). */
  takeoverWindowMs: number;
  /** Seconds between bind attempts once the takeover window has passed (`bindRetryInterval`). */
  retryInterval: number;
  /** A listener on the public address wired into the service's message path, retrying every `retryInterval` seconds. */
  create(retryInterval: number, handlers: { onBindFailed(failure: SipBindFailure): void; onBound(): void }): SipListener;
  /** A bind attempt failed after the takeover window (each one, at `retryInterval`), with why it matters. */
  bindFailed(failure: SipBindFailure & { reason: string }): void;
  /** Both transports are bound: this node serves the public address now. */
  bound(info: { address: string; port: number; attempts: number; ms: number }): void;
  /** Called when `held` or `failing` changes. */
  changed(): void;
}

const REASONS: Record<string, string> = {
  EADDRINUSE:
    'another socket holds it: the old primary has not released it (a frozen one is killed only with arbiter.fence) or another program uses that port',
  EADDRNOTAVAIL: 'the address is not on this host',
  EACCES: 'this user may not bind that port',
};

/**
 * The pair's one public SIP address (`plugins.sip.public`), held by the
 * primary only: opened when the node becomes primary, closed (at once,
 * before anything else of the demotion) when it stops being primary.
 *
 * A new primary may be ordered before the old one has released the address
 * (a manual switchover sends both orders at once; a fenced primary takes a
 * moment to die), so binds are retried every {@link TAKEOVER_RETRY_S} for
 * `takeoverWindowMs` without a word; after that a failure is the
 * listener-bind critical condition (00-04200, with the reason) and is
 * retried every `retryInterval`, like the node's own port.
 */
export class PublicAddress {
  private listener: SipListener | null = null;
  private generation = 0;
  private heldSince = 0;
  private attempts = 0;
  private slow = false;
  private isHeld = false;

  constructor(private readonly options: PublicAddressOptions) {}

  /** Whether both transports are bound now. */
  get held(): boolean {
    return this.isHeld;
  }

  /** Whether this node is trying to hold it (primary) and the takeover window has passed without success. */
  get failing(): boolean {
    return this.listener !== null && !this.isHeld && this.slow;
  }

  /** Starts taking the address (the node became primary). Idempotent. */
  hold(): void {
    if (this.listener) return;
    const generation = ++this.generation;
    this.heldSince = this.options.clock.monotonic();
    this.attempts = 0;
    this.slow = false;
    this.open(generation, TAKEOVER_RETRY_S);
  }

  /** Closes the address (the node is no longer primary, or stops); resolves once its sockets are closed. */
  release(): Promise<void> {
    this.generation += 1;
    const listener = this.listener;
    this.listener = null;
    this.setHeld(false);
    return listener ? listener.stop() : Promise.resolve();
  }

  private open(generation: number, retryInterval: number): void {
    const listener = this.options.create(retryInterval, {
      onBindFailed: (failure) => this.failed(generation, failure),
      onBound: () => {
        if (generation !== this.generation) return;
        this.setHeld(true);
        const ms = this.options.clock.monotonic() - this.heldSince;
        this.options.bound({ address: this.options.host, port: this.options.port, attempts: this.attempts, ms: Math.round(ms * 10) / 10 });
      },
    });
    this.listener = listener;
    void listener.start();
  }

  private failed(generation: number, failure: SipBindFailure): void {
    if (generation !== this.generation) return;
    this.attempts += 1;
    if (this.slow) {
      this.report(failure);
      return;
    }
    if (this.options.clock.monotonic() - this.heldSince < this.options.takeoverWindowMs) return;
    // The window has passed: retry at the operator's interval instead of every few ms; the first of those reports.
    this.slow = true;
    const quick = this.listener;
    void quick?.stop().then(() => {
      if (generation === this.generation && this.listener === quick) this.open(generation, this.options.retryInterval);
    });
  }

  private report(failure: SipBindFailure): void {
    const why = REASONS[failure.errno] ?? failure.message;
    this.options.bindFailed({ ...failure, reason: `the pair's public address, which only the primary holds: ${why}` });
    this.options.changed();
  }

  private setHeld(held: boolean): void {
    if (this.isHeld === held) return;
    this.isHeld = held;
    this.options.changed();
  }
}
