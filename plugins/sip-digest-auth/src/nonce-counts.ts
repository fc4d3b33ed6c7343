/** What a nonce-count is worth for a valid nonce. */
export type CountVerdict =
  /** Higher than any count seen with this nonce: accept. */
  | 'fresh'
  /** The same count as the last accepted request, for the same request (a UDP retransmission): accept again. */
  | 'retransmission'
  /** Not higher than a count already accepted: a replay, re-challenge. */
  | 'replay'
  /** A nonce this node cannot vouch for (issued before it started tracking, or its entry was evicted): re-challenge with `stale=true`. */
  | 'forgotten';

interface Entry {
  issuedAt: number;
  nc: number;
  /** Call-ID, CSeq and Via branch of the request that used `nc`. */
  request: string;
}

/**
 * The highest nonce-count accepted for each nonce (RFC 7616 §3.4: the
 * server must not accept a count twice). Memory is bounded: past `max`
 * nonces the least recently used one is forgotten, and the issue time of
 * everything forgotten is kept as a watermark — a nonce issued at or before
 * it that is not tracked is `forgotten`, never trusted afresh. Expired
 * nonces are dropped (they are refused as stale before their count matters).
 */
export class NonceCounts {
  private readonly entries = new Map<string, Entry>();
  /** Issue time of the newest nonce forgotten by eviction (inclusive). */
  private evictedUpTo = Number.NEGATIVE_INFINITY;

  /**
   * @param trackedSince clock ms from which this node saw every accepted
   *   nonce (its start): nonces issued before it are `forgotten`.
   */
  constructor(
    private readonly max: number,
    private readonly lifetimeMs: number,
    private readonly trackedSince: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  check(nonce: string, issuedAt: number, nc: number, request: string): CountVerdict {
    const entry = this.entries.get(nonce);
    if (!entry) return issuedAt < this.trackedSince || issuedAt <= this.evictedUpTo ? 'forgotten' : 'fresh';
    if (nc > entry.nc) return 'fresh';
    if (nc === entry.nc && request === entry.request) return 'retransmission';
    return 'replay';
  }

  /** Records an accepted count; `now` (clock ms) drops expired entries on the way. */
  record(nonce: string, issuedAt: number, nc: number, request: string, now: number): void {
    const entry = this.entries.get(nonce);
    this.entries.delete(nonce); // re-inserted last: the map's order is least recently used first
    this.entries.set(nonce, { issuedAt, nc: Math.max(nc, entry?.nc ?? 0), request });
    this.dropExpired(now);
    while (this.entries.size > this.max) {
      const [oldest, evicted] = this.entries.entries().next().value as [string, Entry];
      this.entries.delete(oldest);
      this.evictedUpTo = Math.max(this.evictedUpTo, evicted.issuedAt);
    }
  }

  /** Drops a few expired entries from the front (amortised O(1) per record). */
  private dropExpired(now: number): void {
    let budget = 4;
    for (const [nonce, entry] of this.entries) {
      if (budget-- === 0) break;
      if (now - entry.issuedAt > this.lifetimeMs) this.entries.delete(nonce);
    }
  }
}
