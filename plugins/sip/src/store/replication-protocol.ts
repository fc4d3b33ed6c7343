import { CODEC_VERSION } from './binding-codec';

/**
 * Messages of the `sip.bindings` HA-link channel, format version 2. Each
 * node sends its own ordered stream on the channel; `from` names the
 * sender's stream (one per replicator instance), so a receiver notices a
 * restarted peer and an ack is never taken for one of an earlier life of
 * its sender.
 *
 * - `changes` (primary → backup): the binding changes the primary made in
 *   one turn of its event loop, in order, as lines of the binding codec
 *   (binding-codec.ts): the very strings its store and journal hold.
 * - `ack` (backup → primary): everything of stream `of` up to `seq` is applied.
 * - `resync` (backup → primary): "my copy cannot be trusted, send `base`";
 *   `digest`: the content's digest (ContactStore.digest) when it was sent;
 *   `of`/`seen`: the last message of the primary's stream seen then (a
 *   base the primary sent after it answers the request already).
 * - `base` (primary → backup): the primary's whole content as upsert lines,
 *   in parts small enough for one frame; the last part replaces the
 *   backup's content. Or, when the resync's digest was the primary's own,
 *   one empty part with `same`: the primary's digest at that point of its
 *   stream; the backup keeps its copy if its digest there is the same (a
 *   node restarting with its journal is not sent a million bindings it holds).
 *
 * Every message, and the snapshot, carries the sender's `term` when it was
 * sent (a retained message replayed after a reconnect keeps its term): a
 * receiver refuses content from a term older than its own, so a thawed or
 * reconnected old primary never overwrites the new primary's bindings.
 * Content messages and the snapshot carry `v` (2); version 1 (a JSON
 * object per change) is refused with `SWY_ERR_SIP_REPLICATION_VERSION`.
 */
export type ReplicationMessage =
  | { kind: 'changes'; v: typeof CODEC_VERSION; from: string; term: number; changes: string[] }
  | { kind: 'ack'; from: string; term: number; of: string; seq: number }
  | { kind: 'resync'; from: string; term: number; digest?: string; of?: string; seen?: number }
  | { kind: 'base'; v: typeof CODEC_VERSION; from: string; term: number; part: number; last: boolean; bindings: string[]; same?: string };

/**
 * The channel snapshot: the content as upsert lines, or `null` when too
 * large for one frame (the receiver then asks for `base`) or when the
 * sender is not primary. `needsBase`: the sender is a backup without the
 * primary's content — a standing `resync`, since the snapshot replaces the
 * messages (a `resync` among them) that the receiver missed. `digest`, with
 * `needsBase`: the sender's content's digest, as in a `resync`: a primary
 * holding the same content answers with `same` instead of all of it (two
 * nodes started from the same journal exchange no bindings).
 */
export interface ReplicationSnapshot {
  v: typeof CODEC_VERSION;
  from: string;
  term: number;
  bindings: string[] | null;
  needsBase?: boolean;
  digest?: string;
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

/** The code of the refusal of a peer that speaks another replication format. */
export const REPLICATION_VERSION_ERROR = 'SWY_ERR_SIP_REPLICATION_VERSION';

/** True when `value` is a well-formed {@link ReplicationMessage} (with or without a term). Lines are checked when applied. */
export function isReplicationMessage(value: unknown): value is ReceivedReplicationMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (typeof m.from !== 'string' || !isTerm(m.term)) return false;
  switch (m.kind) {
    case 'changes':
      return m.v === CODEC_VERSION && isLines(m.changes);
    case 'ack':
      return typeof m.of === 'string' && Number.isSafeInteger(m.seq) && (m.seq as number) >= 0;
    case 'resync':
      return (
        (m.digest === undefined || typeof m.digest === 'string') &&
        (m.of === undefined || typeof m.of === 'string') &&
        (m.seen === undefined || (Number.isSafeInteger(m.seen) && (m.seen as number) >= 0))
      );
    case 'base':
      return (
        m.v === CODEC_VERSION &&
        Number.isSafeInteger(m.part) &&
        typeof m.last === 'boolean' &&
        isLines(m.bindings) &&
        (m.same === undefined || (typeof m.same === 'string' && m.part === 0 && m.last === true && (m.bindings as string[]).length === 0))
      );
    default:
      return false;
  }
}

/** True when `value` is a well-formed {@link ReplicationSnapshot} (with or without a term). */
export function isReplicationSnapshot(value: unknown): value is ReceivedReplicationSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    s.v === CODEC_VERSION &&
    typeof s.from === 'string' &&
    isTerm(s.term) &&
    (s.needsBase === undefined || typeof s.needsBase === 'boolean') &&
    (s.digest === undefined || typeof s.digest === 'string') &&
    (s.bindings === null || isLines(s.bindings))
  );
}

/**
 * The format version a message or snapshot of another version says it is
 * (1 for the JSON changes of earlier releases), or undefined when it is not
 * recognisably a message of another version.
 */
export function otherVersion(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (typeof m.v === 'number' && m.v !== CODEC_VERSION) return m.v;
  if (m.v !== undefined || typeof m.from !== 'string') return undefined;
  if (m.kind === 'change' || m.kind === 'base' || (m.kind === undefined && 'bindings' in m)) return 1;
  return undefined;
}

function isLines(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (const line of value) if (typeof line !== 'string') return false;
  return true;
}

function isTerm(value: unknown): boolean {
  return value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
}

/** Bytes `line` takes in a frame: as JSON string, plus its comma. */
export function lineBytes(line: string): number {
  return Buffer.byteLength(line) + 3;
}
