import type { FaultKind, FaultRole } from '@switchyard/lab';

/**
 * The documented bounds the invariants hold the pair to, from its config.
 * Each names the document that states it.
 */
export interface Bounds {
  /**
   * Two primaries never serve at once (docs/operator/deploy.md, "The
   * failsafe rule, and its bound"). The check allows one probe interval:
   * answers are timestamped on arrival, so two answers within one round of
   * probes cannot be ordered.
   */
  doublePrimaryMs: number;
  /** A node silent this long is no longer counted as serving (see servingSpans). */
  maxSilenceMs: number;
  /** A reply with a longer round trip (from a node not frozen meanwhile) was held by the network: it counts when its request was sent. */
  heldReplyMs: number;
  /** Failover: SIGSTOP and a link cut switch within leaseTtl + 1 s (deploy.md, the two-host lab). */
  failoverMs: number;
  /** Faults that need no switchover (the backup's, etcd's): no outage, up to the measurement slack. */
  noOutageMs: number;
  /** VIP removed: put back within checkInterval × attempts, else the node is unavailable and the pair fails over (network-monitoring.md). */
  vipRepairMs: number;
  /** How long a healed pair may take to be settled again before the run calls it stuck. */
  settleMs: number;
}

export function boundsFor(config: { leaseTtl: number; probeIntervalMs: number; vipCheckInterval: number; vipAttempts: number }): Bounds {
  const failoverMs = (config.leaseTtl + 1) * 1000;
  return {
    doublePrimaryMs: config.probeIntervalMs,
    maxSilenceMs: 1_000,
    heldReplyMs: 500,
    failoverMs,
    noOutageMs: 500,
    vipRepairMs: config.vipCheckInterval * config.vipAttempts * 1000 + failoverMs,
    settleMs: 60_000,
  };
}

/**
 * The longest VIP outage allowed for one fault, from its injection until the
 * pair is settled again after the heal (and the pause after it).
 */
export function outageBound(bounds: Bounds, kind: FaultKind, role: FaultRole | undefined): number {
  switch (kind) {
    case 'vip-removed':
      return bounds.vipRepairMs;
    case 'etcd-member':
    case 'etcd-all':
      // "Losing etcd alone never causes an outage" (deploy.md).
      return bounds.noOutageMs;
    case 'ha-link-cut':
      // Either side may end up switching over.
      return bounds.failoverMs;
    case 'disk-full':
    case 'clock-step':
      // Bindings stay in memory and replicated; roles and leases run on monotonic time: no reason to switch.
      return bounds.noOutageMs;
    default:
      return role === 'backup' ? bounds.noOutageMs : bounds.failoverMs;
  }
}
