import type { ElectionPort } from './election-port';
import type { LocalNode } from './local-node';
import type { PublishedNode } from './published-node';

/**
 * What this agent puts under `<prefix>nodes/<id>` about its node: its state
 * whenever that changes, and the term it releases before its lease goes.
 */
export class NodePublisher {
  /** The value last put and the lease it went under, so an unchanged value is not put again. */
  private published = '';

  constructor(private readonly election: Pick<ElectionPort, 'connected' | 'leaseId' | 'publish' | 'revoke'>) {}

  /** Puts the node's state if it changed (or the lease did); a failed put is tried again on the next call. */
  publish(node: Pick<LocalNode, 'alive' | 'state' | 'priority'>): void {
    if (!this.election.connected || this.election.leaseId === null) return;
    const value: PublishedNode = {
      status: node.alive ? (node.state?.status ?? 'starting') : null,
      role: node.state?.role ?? null,
      term: node.state?.term ?? 0,
      priority: node.priority,
    };
    const text = JSON.stringify(value) + this.election.leaseId;
    if (text === this.published) return;
    this.published = text;
    void this.election.publish(value).catch(() => {
      this.published = '';
    });
  }

  /** Revokes the lease, after publishing `marker` (the released term) if there is one. */
  revoke(marker: PublishedNode | null): void {
    // The marker first (one round trip), so the peer knows the old primary cannot serve; then the lease goes.
    const mark = marker ? this.election.publish(marker).catch(() => undefined) : Promise.resolve();
    void mark.then(() => this.election.revoke()).catch(() => undefined);
    this.published = '';
  }
}
