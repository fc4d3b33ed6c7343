import { isBinding, isBindingChange, type Binding, type BindingChange } from './binding';

/**
 * Messages of the `sip.bindings` HA-link channel. Each node sends its own
 * ordered stream on the channel; `from` names the sender's stream (one per
 * replicator instance), so a receiver notices a restarted peer and an ack is
 * never taken for one of an earlier life of its sender.
 *
 * - `change` (primary → backup): one binding change, in order.
 * - `ack` (backup → primary): everything of stream `of` up to `seq` is applied.
 * - `resync` (backup → primary): "my copy cannot be trusted, send `base`".
 * - `base` (primary → backup): the primary's whole content, in parts small
 *   enough for one frame; the last part replaces the backup's content.
 *
 * Every message, and the snapshot, carries the sender's `term` when it was
 * sent (a retained message replayed after a reconnect keeps its term): a
 * receiver refuses content from a term older than its own, so a thawed or
 * reconnected old primary never overwrites the new primary's bindings.
 */
export type ReplicationMessage =
  | { kind: 'change'; from: string; term: number; change: BindingChange }
  | { kind: 'ack'; from: string; term: number; of: string; seq: number }
  | { kind: 'resync'; from: string; term: number }
  | { kind: 'base'; from: string; term: number; part: number; last: boolean; bindings: Binding[] };

/**
 * The channel snapshot: the content, or `null` when too large for one frame
 * (the receiver then asks for `base`) or when the sender is not primary.
 * `needsBase`: the sender is a backup without the primary's content — a
 * standing `resync`, since the snapshot replaces the messages (a `resync`
 * among them) that the receiver missed.
 */
export interface ReplicationSnapshot {
  from: string;
  term: number;
  bindings: Binding[] | null;
  needsBase?: boolean;
}

/** `term` as received: a sender from before term fencing sends none (read as term 0, see {@link termOf}). */
type Received<M> = M extends { term: number } ? Omit<M, 'term'> & { term?: number } : never;
/** A message as received from the peer. */
export type ReceivedReplicationMessage = Received<ReplicationMessage>;
/** A snapshot as received from the peer. */
export type ReceivedReplicationSnapshot = Received<ReplicationSnapshot>;

/** The sender's term of a received message or snapshot; 0 when it carries none. */
export function termOf(received: { term?: number }): number {
  return received.term ?? 0;
}

/** The one channel of binding replication. */
export const BINDINGS_CHANNEL = 'sip.bindings';

/** True when `value` is a well-formed {@link ReplicationMessage} (with or without a term). */
export function isReplicationMessage(value: unknown): value is ReceivedReplicationMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (typeof m.from !== 'string' || !isTerm(m.term)) return false;
  switch (m.kind) {
    case 'change':
      return isBindingChange(m.change);
    case 'ack':
      return typeof m.of === 'string' && Number.isSafeInteger(m.seq) && (m.seq as number) >= 0;
    case 'resync':
      return true;
    case 'base':
      return Number.isSafeInteger(m.part) && typeof m.last === 'boolean' && Array.isArray(m.bindings) && m.bindings.every(isBinding);
    default:
      return false;
  }
}

/** True when `value` is a well-formed {@link ReplicationSnapshot} (with or without a term). */
export function isReplicationSnapshot(value: unknown): value is ReceivedReplicationSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s.from === 'string' &&
    isTerm(s.term) &&
    (s.needsBase === undefined || typeof s.needsBase === 'boolean') &&
    (s.bindings === null || (Array.isArray(s.bindings) && s.bindings.every(isBinding)))
  );
}

function isTerm(value: unknown): boolean {
  return value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
}

/** Splits `bindings` into parts whose JSON stays under `maxBytes` (one binding over it gets a part of its own). */
export function chunkBindings(bindings: readonly Binding[], maxBytes: number): Binding[][] {
  const parts: Binding[][] = [];
  let part: Binding[] = [];
  let bytes = 0;
  for (const binding of bindings) {
    const size = Buffer.byteLength(JSON.stringify(binding)) + 1;
    if (part.length > 0 && bytes + size > maxBytes) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(binding);
    bytes += size;
  }
  if (part.length > 0 || parts.length === 0) parts.push(part);
  return parts;
}
