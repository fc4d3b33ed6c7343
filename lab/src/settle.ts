import { waitFor } from '@switchyard/core/testing';
import type { ClusterStatusView } from '@switchyard/core';
import type { PairRoles } from './faults';
import type { LabPair, NodeId } from './pair';

const POLL_PAUSE_MS = 200;

interface SipSection {
  listening?: boolean;
  replication?: { inSync?: boolean };
}

/** A settled pair: the roles, the term, and how long settling took. */
export interface SettledPair extends PairRoles {
  term: number;
  view: ClusterStatusView;
}

function settledView(v: ClusterStatusView | undefined): (PairRoles & { term: number }) | undefined {
  if (!v || !v.arbiter.connected || !v.arbiter.primary) return undefined;
  const primary = v.nodes.find((n) => n.role === 'primary');
  const backup = v.nodes.find((n) => n.role === 'backup');
  if (!primary || !backup || primary.id !== v.arbiter.primary) return undefined;
  const ok = v.nodes.every((n) => {
    const sip = n.sip as SipSection | undefined;
    return n.status === 'running' && n.term === v.arbiter.term && typeof n.pid === 'number' && sip?.listening === true && sip.replication?.inSync === true;
  });
  if (!ok) return undefined;
  const pids = Object.fromEntries(v.nodes.map((n) => [n.id, n.pid])) as Record<NodeId, number>;
  return { primary: primary.id as NodeId, backup: backup.id as NodeId, pids, term: v.arbiter.term };
}

/**
 * Waits until the pair is settled: etcd reachable, one running primary and
 * one running backup at the arbiter's term, both listening for SIP and in
 * sync, and (with `vip`) the VIP on the primary's host only. This is the
 * steady state every fault starts from and every heal must return to.
 */
export async function waitForSettledPair(pair: LabPair, timeoutMs: number, vip?: { address: string; dev: string }): Promise<SettledPair> {
  return waitFor(
    async () => {
      const view = await pair.status();
      const roles = settledView(view);
      if (!roles || !view) {
        // Each status is a CLI run in the client namespace: do not spin on a 2-core machine.
        await new Promise((r) => setTimeout(r, POLL_PAUSE_MS));
        return undefined;
      }
      if (vip) {
        const other: NodeId = roles.primary === 'sip-a' ? 'sip-b' : 'sip-a';
        if (!(await pair.holdsAddress(roles.primary, vip.address, vip.dev)) || (await pair.holdsAddress(other, vip.address, vip.dev))) return undefined;
      }
      return { ...roles, view };
    },
    timeoutMs,
    `a settled pair (running primary and backup, listening, in sync${vip ? `, ${vip.address} on the primary's host only` : ''})`,
  );
}
