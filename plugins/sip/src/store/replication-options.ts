/** Options and status of the BindingReplicator (replication.ts). */
import type { Clock, HaChannels, Logger } from '@switchyard/sdk';
import type { ContactStore } from './contact-store';

/** `async`: answer REGISTER at once; `sync`: wait for the backup's ack, up to `syncTimeout`. */
export type ReplicationMode = 'async' | 'sync';
/**
 * Sync mode, when the backup has not acknowledged a change within `syncTimeout`:
 * `async` answers the REGISTER anyway (the change follows asynchronously);
 * `reject` never answers it as accepted (the caller answers a retryable error).
 */
export type ReplicationTimeoutPolicy = 'async' | 'reject';
/** A node's role, as the engine knows it. */
export type ReplicationRole = 'primary' | 'backup';

/** Log-event ids the replicator emits (the plugin registers them). */
export interface ReplicationEvents {
  /** Sync mode: the backup did not acknowledge within `syncTimeout`; REGISTERs are answered without waiting. Fields: `timeout`, `unacked`. */
  syncFallback: string;
  /** Replication is in sync with the peer again. Fields: `role`. */
  inSync: string;
  /** Replication fell out of sync. Fields: `role`, `reason`. */
  outOfSync: string;
  /** Content from the peer was refused for its older term, once per burst. Fields: `count`, `peer`, `term`, `current`. */
  staleRefused: string;
}

export interface BindingReplicatorOptions {
  channels: HaChannels;
  store: ContactStore;
  clock: Clock;
  /** `async`: answer at once; `sync`: wait for the backup's ack (up to `syncTimeout`). Set the same on both nodes. */
  mode: ReplicationMode;
  /** Seconds a change may wait for the backup's ack before replication counts as stalled (both modes). */
  syncTimeout: number;
  /**
   * Sync mode: what a change not acknowledged within `syncTimeout` resolves to:
   * `async` (default) → `fallback`, `reject` → `rejected`. Ignored in async mode.
   */
  onTimeout?: ReplicationTimeoutPolicy;
  /** This node's role now; asked at every decision, so a role change takes effect by itself. */
  role: () => ReplicationRole;
  /**
   * This node's term now (the highest it has seen). Sent with every message;
   * content from the peer at an older term is refused (not applied, not acknowledged).
   */
  term: () => number;
  /** This node's id, named in its stream id so the peer's refusal events can name it. */
  node?: string;
  emit: (eventId: string, fields: Record<string, unknown>) => void;
  events: ReplicationEvents;
  /** Seconds between batched acks of the backup in async mode; default 0.05. */
  ackInterval?: number;
  /** Messages retained for a resume after a reconnect (channel option); default the channel's (10000). */
  retain?: number;
  /** Largest HA-link frame (`haLink.maxFrameBytes`); default 1 MiB. Sizes snapshots and `base` parts. */
  maxFrameBytes?: number;
  /** Whether the HA link is up now; default always. Only `status()` uses it. */
  connected?: () => boolean;
  /**
   * Runs `flush` at the end of this turn of the event loop; default
   * `setImmediate`. The local changes made until then travel in one
   * message (one frame, one write); each part of a `base` after the first
   * is sent in a turn of its own, through the same call. Tests pass `(flush) => flush()` for a
   * message per change, or hold flushes to play a turn's end themselves.
   */
  defer?: (flush: () => void) => void;
  /**
   * Called after bulk work (the whole content sent or adopted, at least
   * {@link BULK_BINDINGS} bindings) with what it was: the plugin asks the
   * node to return the memory it left behind (`engine.releaseMemory`).
   */
  onBulkWork?: (reason: string) => void;
  /** Debug lines (ignored or malformed messages); an error for a peer of another replication format. */
  logger?: Logger;
}

/** What `status()` reports. */
export interface ReplicationStatus {
  mode: ReplicationMode;
  role: ReplicationRole;
  /** Primary: the backup acknowledged everything. Backup: caught up with the primary and connected. */
  inSync: boolean;
  /** Primary: changes sent but not yet acknowledged. Backup: 0. */
  lag: number;
  /** Sequence number (in the peer's stream) of the last change, snapshot or base applied here. */
  lastAppliedSeq: number;
  /** Sequence number of the last message this node sent on the channel. */
  lastSentSeq: number;
}

/** A resync of at least this many bindings counts as bulk work (see {@link BindingReplicatorOptions.onBulkWork}). */
export const BULK_BINDINGS = 10_000;
