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
  /** When the node last reported its HA link up with the peer confirming it is backup, without an echo; null if never. */
  linkConfirmedAt: number | null;
  /** How long such a confirmation holds: {@link linkSlackMs}. */
  linkSlackMs: number;
  /** The send time of the node's latest heartbeat the backup echoed while confirming (see LocalNode.linkEchoedAt); null if none. */
  linkEchoedAt: number | null;
  /** How long after that send time the grant may run: {@link echoSlackMs}. */
  echoSlackMs: number;
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
 * How long a backup that heard from its primary over the HA link waits,
 * from the moment it last heard, before it campaigns while the link is
 * down: `2 × missedHeartbeats + 1` heartbeat intervals (0.7 s at the
 * defaults). Measured by the backup's host from its node's report, so a slow
 * backup only waits longer.
 */
export function peerSilenceHoldMs(haLink: { heartbeatInterval: number; missedHeartbeats: number }): number {
  return (2 * haLink.missedHeartbeats + 1) * haLink.heartbeatInterval * 1000;
}

/**
 * How long after the send time of a heartbeat the backup echoed the
 * primary may serve on that echo: one heartbeat interval less than
 * {@link peerSilenceHoldMs}. The backup heard that heartbeat after it was
 * sent and waits {@link peerSilenceHoldMs} from its last hearing, so this
 * ends before it can campaign, whatever delays either side had; the
 * interval covers the two hosts' clock rates and the backup agent's tick.
 */
export function echoSlackMs(haLink: { heartbeatInterval: number; missedHeartbeats: number }): number {
  return peerSilenceHoldMs(haLink) - haLink.heartbeatInterval * 1000;
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
  const byEcho = i.linkEchoedAt !== null ? i.linkEchoedAt + i.echoSlackMs : Number.NEGATIVE_INFINITY;
  return Math.min(Math.max(byLease, byLink, byEcho), i.now + i.windowMs);
}
