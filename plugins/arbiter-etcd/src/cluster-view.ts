/** The leader key as read: its value and its create revision (the term). */
export interface LeaderRecord {
  nodeId: string;
  term: number;
}

/**
 * What this node knows of the election: the leader, the highest term seen and
 * the other nodes' published state. Two sources feed it — watch events and
 * the periodic re-read — and either may arrive late, so each fact keeps the
 * etcd revision it was read at and an older reading never replaces a newer one.
 */
export class ClusterView {
  private currentLeader: LeaderRecord | null = null;
  private leaderRevision = 0;
  private highest = 0;
  private readonly peerValues = new Map<string, unknown>();
  /** Revision of the latest reading per peer, kept after a delete so an older put cannot resurrect it. */
  private readonly peerRevisions = new Map<string, number>();

  constructor(private readonly ownId: string) {}

  get leader(): LeaderRecord | null {
    return this.currentLeader;
  }

  get highestTerm(): number {
    return this.highest;
  }

  get peers(): ReadonlyMap<string, unknown> {
    return this.peerValues;
  }

  /** The leader key at `revision` (null: absent). Returns whether `leader` or `highestTerm` changed. */
  applyLeader(leader: LeaderRecord | null, revision: number): boolean {
    if (revision < this.leaderRevision) return false;
    this.leaderRevision = revision;
    let changed = false;
    if (leader !== null && leader.term > this.highest) {
      this.highest = leader.term;
      changed = true;
    }
    const same =
      leader === null ? this.currentLeader === null : this.currentLeader !== null && this.currentLeader.nodeId === leader.nodeId && this.currentLeader.term === leader.term;
    if (!same) {
      this.currentLeader = leader === null ? null : { nodeId: leader.nodeId, term: leader.term };
      changed = true;
    }
    return changed;
  }

  /** One node's state at `revision` (`undefined`: absent or unreadable). Returns whether `peers` changed. */
  applyPeer(id: string, value: unknown, revision: number): boolean {
    if (id === this.ownId || revision < (this.peerRevisions.get(id) ?? 0)) return false;
    this.peerRevisions.set(id, revision);
    if (value === undefined) return this.peerValues.delete(id);
    const before = this.peerValues.get(id);
    this.peerValues.set(id, value);
    return before === undefined || JSON.stringify(before) !== JSON.stringify(value);
  }

  /** Every node's state as read at `revision`: nodes missing from `values` are gone. */
  applyPeerSnapshot(values: ReadonlyMap<string, unknown>, revision: number): boolean {
    let changed = false;
    for (const [id, value] of values) changed = this.applyPeer(id, value, revision) || changed;
    for (const id of [...this.peerValues.keys()]) {
      if (!values.has(id)) changed = this.applyPeer(id, undefined, revision) || changed;
    }
    return changed;
  }
}
