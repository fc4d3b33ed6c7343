/**
 * A registration binding (RFC 3261 §10): one Contact of one address-of-record,
 * as the registrar accepted it, and the changes that replicate and persist it.
 */

/** Where the REGISTER that made a binding came from. */
export interface BindingSource {
  address: string;
  port: number;
  transport: 'udp' | 'tcp';
}

/** One Contact registered for an address-of-record. */
export interface Binding {
  /** Canonical address-of-record, e.g. `sip:alice@example.com`. */
  aor: string;
  /** The Contact URI as registered (without display name or header parameters). */
  contact: string;
  /** When the binding expires, in epoch milliseconds on the injected clock. */
  expiresAt: number;
  /** Call-ID of the REGISTER that last refreshed the binding. */
  callId: string;
  /** CSeq number of the REGISTER that last refreshed the binding. */
  cseq: number;
  /** Contact preference (`;q=`), 0 to 1. */
  q?: number;
  source: BindingSource;
  /** When the binding was last written, in epoch milliseconds on the injected clock. */
  updatedAt: number;
}

/**
 * A change to the set of bindings: what the registrar makes, the HA link
 * replicates and the journal persists. Expiry is not a change: each node
 * expires bindings on its own clock.
 */
export type BindingChange =
  | { op: 'upsert'; binding: Binding }
  | { op: 'remove'; aor: string; contact: string }
  | { op: 'clear-aor'; aor: string };

/** True when `value` has the shape of a {@link Binding} (for data read from disk or the HA link). */
export function isBinding(value: unknown): value is Binding {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Record<string, unknown>;
  const source = b.source as Record<string, unknown> | null | undefined;
  return (
    typeof b.aor === 'string' &&
    typeof b.contact === 'string' &&
    Number.isFinite(b.expiresAt) &&
    typeof b.callId === 'string' &&
    Number.isFinite(b.cseq) &&
    (b.q === undefined || (typeof b.q === 'number' && b.q >= 0 && b.q <= 1)) &&
    Number.isFinite(b.updatedAt) &&
    typeof source === 'object' &&
    source !== null &&
    typeof source.address === 'string' &&
    Number.isInteger(source.port) &&
    (source.transport === 'udp' || source.transport === 'tcp')
  );
}

/** True when `value` has the shape of a {@link BindingChange}. */
export function isBindingChange(value: unknown): value is BindingChange {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  switch (c.op) {
    case 'upsert':
      return isBinding(c.binding);
    case 'remove':
      return typeof c.aor === 'string' && typeof c.contact === 'string';
    case 'clear-aor':
      return typeof c.aor === 'string';
    default:
      return false;
  }
}
