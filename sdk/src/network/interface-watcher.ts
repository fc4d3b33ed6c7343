import { coalescedRun, type CoalescedRun, type Clock, type TimerHandle } from '@switchyard/core';
import { canonicalAddress, isUnspecified } from './ip-address';
import type { InterfaceFeed, InterfaceSource } from './interface-source';
import { Iproute2Interfaces } from './iproute2';
import { NetworkError } from './errors';
import { judgeAddress, sameNicState, type NicState } from './nic-state';

export interface InterfaceWatcherOptions {
  /** The IPv4 or IPv6 address whose interface is watched. */
  address: string;
  /** Time for the periodic re-check and the feed's restarts (`engine.clock`). */
  clock: Clock;
  /** Where interfaces are read; default iproute2 on this host. */
  source?: InterfaceSource;
  /** Safety-net re-check, ms, on top of the change feed. Default 1000. */
  checkIntervalMs?: number;
  /**
   * Failed reads in a row after which the state becomes `unreadable`. The
   * first read failing does it at once (nothing is known yet). Default 3.
   */
  unreadableAfter?: number;
  /** Called with problems that do not change the verdict on their own (a failed read, the feed restarting). */
  onError?(message: string): void;
}

export type NicStateListener = (state: NicState, previous: NicState) => void;

const NOT_YET: NicState = Object.freeze({ ok: true, interface: null, failure: null, reason: null });

/**
 * Watches the interface that carries one address: `ok` while the address is
 * on an interface that is up with a carrier; otherwise why not (link down,
 * carrier lost, address gone). A change feed (`ip monitor`) triggers an
 * immediate re-read, so a change is seen within milliseconds; a periodic
 * re-read (default every second) covers anything the feed missed.
 *
 * ```ts
 * const watcher = new InterfaceWatcher({ address: '198.51.100.1', clock: engine.clock });
 * watcher.onChange((state) => (state.ok ? monitor.ok() : monitor.fail(state.reason!)));
 * await watcher.start();
 * ```
 */
export class InterfaceWatcher {
  /** The watched address, canonical (`2001:db8::1`). */
  readonly address: string;
  private readonly source: InterfaceSource;
  private readonly clock: Clock;
  private readonly checkIntervalMs: number;
  private readonly unreadableAfter: number;
  private state: NicState = NOT_YET;
  private readOnce = false;
  private failedReads = 0;
  private lastInterface: string | null = null;
  private readonly listeners = new Set<NicStateListener>();
  private feed: InterfaceFeed | undefined;
  private timer: TimerHandle | undefined;
  private active = false;
  private checkedAt: number | null = null;

  /** @throws NetworkError `SWY_ERR_NETWORK_ADDRESS` when `address` is not an IP literal or is unspecified. */
  constructor(private readonly options: InterfaceWatcherOptions) {
    const canonical = canonicalAddress(options.address);
    if (canonical === undefined || isUnspecified(canonical)) {
      throw new NetworkError(
        'SWY_ERR_NETWORK_ADDRESS',
        `"${options.address}" is not an address an interface can carry; give an IPv4 or IPv6 literal such as 198.51.100.1 (not a host name, not 0.0.0.0 or ::)`,
      );
    }
    this.address = canonical;
    this.clock = options.clock;
    this.source = options.source ?? new Iproute2Interfaces();
    this.checkIntervalMs = options.checkIntervalMs ?? 1000;
    this.unreadableAfter = options.unreadableAfter ?? 3;
  }

  /** The last verdict (ok with no interface before the first read). */
  current(): NicState {
    return this.state;
  }

  /** `clock.monotonic()` of the last completed read, or null. */
  get lastCheckAt(): number | null {
    return this.checkedAt;
  }

  /** Calls `listener` on every change of the verdict (not on reads that change nothing). Returns an unsubscribe. */
  onChange(listener: NicStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the feed and the periodic re-check; resolves with the first verdict. */
  async start(): Promise<NicState> {
    if (this.active) return this.state;
    this.active = true;
    this.feed = this.source.watch(
      {
        changed: () => void this.check(),
        error: (message) => this.options.onError?.(message),
      },
      this.clock,
    );
    this.timer = this.clock.setInterval(() => void this.check(), this.checkIntervalMs);
    await this.check();
    return this.state;
  }

  /** Stops the feed (its child process) and the re-check. No listener is called afterwards. */
  async stop(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.timer?.cancel();
    this.timer = undefined;
    const feed = this.feed;
    this.feed = undefined;
    await feed?.stop();
    await this.check.running;
  }

  /**
   * Reads the interfaces now and updates the verdict. Calls made while a read
   * runs share one more read after it, so the last change is always seen.
   */
  readonly check: CoalescedRun = coalescedRun(
    () => this.readAndJudge(),
    () => this.active,
  );

  private async readAndJudge(): Promise<void> {
    let next: NicState;
    try {
      const links = await this.source.read();
      this.failedReads = 0;
      next = judgeAddress(this.address, links, this.lastInterface);
    } catch (error) {
      this.failedReads++;
      const message = error instanceof Error ? error.message : String(error);
      this.options.onError?.(message);
      if (this.readOnce && this.failedReads < this.unreadableAfter) return;
      next = { ok: false, interface: this.lastInterface, failure: 'unreadable', reason: `the interfaces cannot be read: ${message}` };
    }
    this.readOnce = true;
    this.checkedAt = this.clock.monotonic();
    if (!this.active) return;
    if (next.interface !== null) this.lastInterface = next.interface;
    const previous = this.state;
    if (sameNicState(previous, next)) return;
    this.state = next;
    for (const listener of [...this.listeners]) listener(next, previous);
  }
}
