import type { Clock } from '@switchyard/sdk';
import type { SipBindFailure, SipListener } from './transport';

/** The agent's bound UDP and TCP sockets of the public address (opaque handles). */
export interface PassedSockets {
  udp: unknown;
  tcp: unknown;
}

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
  /**
   * A listener on the public address wired into the service's message path,
   * retrying every `retryInterval` seconds, or serving `adopt` (sockets the
   * agent bound) instead of binding.
   */
  create(
    retryInterval: number,
    handlers: { onBindFailed(failure: SipBindFailure): void; onBound(): void },
    adopt?: PassedSockets,
  ): SipListener;
  /**
   * The agent binds the address once and hands it over (`switchyard up`):
   * `take` resolves with its sockets once this node is primary and the old
   * holder let go; `release` after closing them. Absent: bind it here.
   */
  passed?: { take(): Promise<PassedSockets>; release(): void };
  /** A bind attempt failed after the takeover window (each one, at `retryInterval`), with why it matters. */
  bindFailed(failure: SipBindFailure & { reason: string }): void;
  /** Both transports are bound: this node serves the public address now. */
  bound(info: { address: string; port: number; how: string; ms: number }): void;
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
 * Under `switchyard up` the agent binds the address once and hands its
 * sockets to the primary (`passed`): the node serves them when they come
 * and gives them back by closing them, and requests that arrive meanwhile
 * wait in the socket. Otherwise the node binds the address itself:
 *
 * a new primary may be ordered before the old one has released the address
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
  /** Waiting for the agent's sockets (passed mode). */
  private waiting = false;
  /** The current listener's start (its binds or adoptions, settled). */
  private starting: Promise<void> = Promise.resolve();

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
    if (this.listener || this.waiting) return;
    const generation = ++this.generation;
    this.heldSince = this.options.clock.monotonic();
    this.attempts = 0;
    this.slow = false;
    const passed = this.options.passed;
    if (!passed) {
      this.open(generation, TAKEOVER_RETRY_S);
      return;
    }
    this.waiting = true;
    void passed.take().then((sockets) => {
      if (generation !== this.generation) {
        // Released before they came: close them unread, and let the agent hand them on.
        for (const handle of [sockets.udp, sockets.tcp]) (handle as { close?: () => void }).close?.();
        passed.release();
        return;
      }
      this.waiting = false;
      this.open(generation, this.options.retryInterval, sockets);
    });
  }

  /** Closes the address (the node is no longer primary, or stops); resolves once its sockets are closed. */
  release(): Promise<void> {
    this.generation += 1;
    this.waiting = false;
    const listener = this.listener;
    this.listener = null;
    const wasHeld = this.isHeld;
    const starting = this.starting;
    this.setHeld(false);
    const closed = listener ? listener.stop() : Promise.resolve();
    const passed = this.options.passed;
    if (!passed) return closed;
    if (wasHeld || !listener) {
      // stop() closed both sockets' descriptors before it returned (their close events come later, and the
      // TCP server's callback only once its connections ended): this process cannot read them any more, so
      // the agent may give them to the other node at once.
      passed.release();
      return closed;
    }
    // Still adopting them: the listener closes what it opened once its start settles; release after that.
    return Promise.all([closed, starting]).then(() => passed.release());
  }

  private open(generation: number, retryInterval: number, adopt?: PassedSockets): void {
    const listener = this.options.create(retryInterval, {
      onBindFailed: (failure) => this.failed(generation, failure),
      onBound: () => {
        if (generation !== this.generation) return;
        this.setHeld(true);
        const ms = this.options.clock.monotonic() - this.heldSince;
        const how = adopt ? 'handed over by the agent' : `bound after ${this.attempts} retries`;
        // Requests waiting in the socket come first: the event is written after the next poll of the
        // event loop has read them (writing it first held them 4-5 ms on a failover).
        afterNextPoll(() => {
          if (generation === this.generation) this.options.bound({ address: this.options.host, port: this.options.port, how, ms: Math.round(ms * 10) / 10 });
        });
      },
    }, adopt);
    this.listener = listener;
    this.starting = listener.start();
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

/**
 * Runs `fn` once the event loop has polled for I/O again: an immediate set
 * from an immediate runs in the next turn's check phase, after its poll.
 */
function afterNextPoll(fn: () => void): void {
  setImmediate(() => setImmediate(fn));
}
