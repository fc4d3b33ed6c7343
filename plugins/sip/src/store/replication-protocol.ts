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
 */
export type ReplicationMessage =
  | { kind: 'change'; from: string; change: BindingChange }
  | { kind: 'ack'; from: string; of: string; seq: number }
  | { kind: 'resync'; from: string }
  | { kind: 'base'; from: string; part: number; last: boolean; bindings: Binding[] };

/** The channel snapshot: the content, or `null` when too large for one frame (the receiver then asks for `base`). */
export interface ReplicationSnapshot {
  from: string;
  bindings: Binding[] | null;
}

/** The one channel of binding replication. */
export const BINDINGS_CHANNEL = 'sip.bindings';

/** True when `value` is a well-formed {@link ReplicationMessage}. */
export function isReplicationMessage(value: unknown): value is ReplicationMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (typeof m.from !== 'string') return false;
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

/** True when `value` is a well-formed {@link ReplicationSnapshot}. */
export function isReplicationSnapshot(value: unknown): value is ReplicationSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return typeof s.from === 'string' && (s.bindings === null || (Array.isArray(s.bindings) && s.bindings.every(isBinding)));
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
