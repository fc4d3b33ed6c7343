import type { Clock } from '@switchyard/core';
import type { IpLink } from './nic-state';

/** A running change feed of an {@link InterfaceSource}. */
export interface InterfaceFeed {
  stop(): Promise<void>;
}

/** What a watcher hears from its feed. */
export interface InterfaceFeedListener {
  /** Something about links or addresses changed (or may have: the feed restarted after missing changes). */
  changed(): void;
  /** The feed had a problem (it restarts by itself). */
  error(message: string): void;
}

/**
 * Where an {@link InterfaceWatcher} reads interfaces from: iproute2 on this
 * host ({@link Iproute2Interfaces}), or {@link ManualInterfaces} in tests.
 */
export interface InterfaceSource {
  /** The interfaces with their flags, state and addresses, now. Rejects when they cannot be read. */
  read(): Promise<IpLink[]>;
  /** Starts a feed that calls `listener.changed()` soon after any link or address change. */
  watch(listener: InterfaceFeedListener, clock: Clock): InterfaceFeed;
}
