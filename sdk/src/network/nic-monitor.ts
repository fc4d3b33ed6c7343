import type { PluginEngine } from '@switchyard/core';
import type { InterfaceSource } from './interface-source';
import { InterfaceWatcher } from './interface-watcher';
import type { NicFailure } from './nic-state';

/** Event ids a NIC-monitoring plugin emits; both must be declared in its `events`. */
export interface NicEventIds {
  /** The interface stopped carrying traffic for the address. Fields: `interface`, `address`, `failure`, `reason`. */
  failed: string;
  /** It carries traffic again. Fields: `interface`, `address`, `downFor` (seconds). */
  restored: string;
}

export interface NicMonitorSpec {
  /** Monitor name: status reasons read `<plugin>/<name>: <reason>`. */
  name: string;
  /** The address to watch (a literal; checked here, so `apply()` fails on a bad one). */
  address: string;
  events: NicEventIds;
  /** Safety-net re-check, seconds. */
  checkInterval: number;
  /** Where interfaces are read; default iproute2 on this host. */
  source?: InterfaceSource;
}

/** A NIC monitor's section of `switchyard status --json`. */
export interface NicStatus {
  address: string;
  /** The interface carrying the address (or the last one that did); null before it was found. */
  interface: string | null;
  ok: boolean;
  failure: NicFailure | null;
  reason: string | null;
  /** Seconds since the verdict last changed (since start when it never did). */
  since: number;
  /** Seconds since the interfaces were last read; null before the first read. */
  lastCheck: number | null;
}

/** A problem line (no event id, so a debug line) at most this often when it repeats. */
const REPEAT_LOG_MS = 60_000;

/**
 * Watches the interface that carries `spec.address` on this node for the
 * plugin that owns `engine`: a monitor (it affects the service, so a failure
 * makes the node `unavailable` and the arbiter's health rule switches a
 * primary over), the failure/recovery events, and the watcher started and
 * stopped with the node. Call from `apply()`; add {@link NicMonitor.status}
 * to the status report under the plugin's key.
 */
export class NicMonitor {
  readonly watcher: InterfaceWatcher;
  private changedAt: number;
  private failedAt: number | null = null;

  constructor(
    private readonly engine: PluginEngine,
    private readonly spec: NicMonitorSpec,
  ) {
    let lastProblem = '';
    let lastProblemAt = -Infinity;
    this.watcher = new InterfaceWatcher({
      address: spec.address,
      clock: engine.clock,
      source: spec.source,
      checkIntervalMs: spec.checkInterval * 1000,
      onError: (message) => {
        const now = engine.clock.monotonic();
        if (message === lastProblem && now - lastProblemAt < REPEAT_LOG_MS) return;
        lastProblem = message;
        lastProblemAt = now;
        engine.logger.warn(`watching the interface of ${this.watcher.address}: ${message}`);
      },
    });
    this.changedAt = engine.clock.monotonic();
    const monitor = engine.monitors.register(spec.name, { affectsService: true });
    this.watcher.onChange((state) => {
      const now = engine.clock.monotonic();
      this.changedAt = now;
      const fields = { interface: state.interface ?? 'unknown', address: this.watcher.address };
      // The event before the monitor, so the log reads cause first, then the status change it brings.
      if (!state.ok) {
        // One failure event per outage; a changed reason while down (link down, then address gone) is a debug line.
        // The monitor logs the failure event on the transition to failed (once per outage).
        if (this.failedAt !== null) engine.logger.info(`still failing, now: ${state.reason}`, fields);
        this.failedAt ??= now;
        monitor.fail(`${state.reason}`, { id: spec.events.failed, fields: { ...fields, failure: state.failure } });
      } else if (this.failedAt !== null) {
        const downFor = Math.round(now - this.failedAt) / 1000;
        this.failedAt = null;
        engine.events.emit(spec.events.restored, { ...fields, downFor });
        monitor.ok();
      }
    });
    engine.hooks.start.tapPromise('nic-watch', async () => {
      this.changedAt = engine.clock.monotonic();
      await this.watcher.start();
    });
    engine.hooks.stop.tapPromise('nic-watch', () => this.watcher.stop());
  }

  status(): NicStatus {
    const state = this.watcher.current();
    const now = this.engine.clock.monotonic();
    const checked = this.watcher.lastCheckAt;
    return {
      address: this.watcher.address,
      interface: state.interface,
      ok: state.ok,
      failure: state.failure,
      reason: state.reason,
      since: Math.round(now - this.changedAt) / 1000,
      lastCheck: checked === null ? null : Math.round(now - checked) / 1000,
    };
  }
}
