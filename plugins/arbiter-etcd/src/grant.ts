/** What the grant of a primary node is computed from (all times `clock.monotonic()` ms). */
export interface GrantInputs {
  now: number;
  leaseTtlMs: number;
  /** Safety margin kept before the lease could expire on the etcd server. */
  marginMs: number;
  /** Longest grant handed out at once, so a frozen node's grant runs out soon. */
  windowMs: number;
  /** When the latest keepalive that etcd confirmed was sent; null before the first. */
  leaseConfirmedAt: number | null;
  /** When the node last reported its HA link up with the peer confirming it is backup; null if never. */
  linkConfirmedAt: number | null;
  /** How long a link confirmation holds (two HA-link heartbeat intervals: confirmations come once per interval). */
  linkSlackMs: number;
}

/**
 * The deadline until which a primary node may serve. The lease bound: etcd
 * keeps our lease at least `leaseTtl` after the latest confirmed keepalive
 * was sent, and no other node can be elected before it expires, so serving
 * until `confirmed + leaseTtl − margin` never overlaps another primary.
 * A fresh confirmation from the peer over the HA link extends it (the peer
 * is backup, and it does not campaign while it sees this primary running,
 * nor for a hold-off after the link went down): losing etcd alone, or
 * etcd coming back before the next keepalive is confirmed, causes no
 * outage. Never more than `windowMs` ahead, so a node that stops hearing
 * grants stops serving soon.
 */
export function grantDeadline(i: GrantInputs): number {
  const byLease = i.leaseConfirmedAt === null ? i.now - 1 : i.leaseConfirmedAt + i.leaseTtlMs - i.marginMs;
  const byLink = i.linkConfirmedAt !== null ? i.linkConfirmedAt + i.linkSlackMs : i.now - 1;
  return Math.min(Math.max(byLease, byLink), i.now + i.windowMs);
}
