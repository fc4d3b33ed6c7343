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
  /** How long a link confirmation holds: {@link linkSlackMs}. */
  linkSlackMs: number;
}

/**
 * How long a confirmation from the peer over the HA link holds the
 * primary's grant: `max(2, missedHeartbeats − 1)` heartbeat intervals. A
 * confirmation crosses two hops that each run once an interval (the peer's
 * HA-link heartbeat, the node's heartbeat to its agent), so two intervals
 * is the least; with more missed heartbeats allowed it holds longer, so a
 * busy machine's slow turn during an etcd outage does not end the
 * primary's service. It stays shorter than the backup's wait after an
 * HA-link loss (`missedHeartbeats` intervals to notice it, then
 * `missedHeartbeats + 1` more before it campaigns), so a primary cut off
 * from its peer has stopped before the other can be elected.
 */
export function linkSlackMs(haLink: { heartbeatInterval: number; missedHeartbeats: number }): number {
  return Math.max(2, haLink.missedHeartbeats - 1) * haLink.heartbeatInterval * 1000;
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
