import type { ArbiterNodeView, NodeState } from '@switchyard/sdk';

/** What an agent publishes about its node under `<prefix>nodes/<id>` (the other host reads it). */
export interface PublishedNode {
  status: NodeState['status'] | null;
  role: NodeState['role'] | null;
  term: number;
  priority: number;
  /**
   * Set by an agent just before it revokes its lease because its node cannot
   * serve (dead, or frozen past its grant): the term it held. The other agent
   * then need not wait out the HA-link hold-off before campaigning.
   */
  released?: number;
}

const STATUSES = ['starting', 'running', 'unavailable', 'stopping', 'stopped'];

/**
 * A peer's published value as read from etcd (null: it publishes none).
 * Anyone with write access to the prefix can put anything there, so a field
 * of the wrong type reads as unknown instead of being trusted.
 */
export function parsePublishedNode(raw: unknown): PublishedNode | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const p = raw as Partial<PublishedNode>;
  return {
    status: typeof p.status === 'string' && STATUSES.includes(p.status) ? p.status : null,
    role: p.role === 'primary' || p.role === 'backup' ? p.role : null,
    term: typeof p.term === 'number' ? p.term : 0,
    priority: typeof p.priority === 'number' ? p.priority : 0,
    ...(typeof p.released === 'number' ? { released: p.released } : {}),
  };
}

/** The peer as this agent shows it: known through what its agent publishes (null: nothing, so not alive). */
export function peerNodeView(id: string, priority: number, peer: PublishedNode | null): ArbiterNodeView {
  return {
    id,
    priority,
    alive: peer !== null,
    responsive: peer !== null,
    status: peer?.status ?? null,
    role: peer?.role ?? null,
    lastHeartbeat: null,
    local: false,
  };
}
