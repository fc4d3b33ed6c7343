import type { NodeState, RoleOrder, SwitchoverProposal, SwitchoverVerdict } from '../engine/types';
import type { SwitchoverResult } from '../management/types';

/** How an arbiter talks to the nodes it decides for. */
export interface ArbiterPort {
  /** Delivers an order to a node (best effort; a dead node misses it and is reconciled later). */
  order(nodeId: string, order: RoleOrder): void;
  /** Asks the primary's `beforeSwitchover` taps; undefined = go ahead. Must settle within its own timeout. */
  consult(nodeId: string, proposal: SwitchoverProposal): Promise<SwitchoverVerdict | undefined>;
  /** Log events about decisions. */
  emit(eventId: string, fields: Record<string, unknown>): void;
}

/** What a node process looks like to the arbiter. */
export interface ArbiterNodeView {
  id: string;
  priority: number;
  alive: boolean;
  responsive: boolean;
  status: NodeState['status'] | null;
  role: NodeState['role'] | null;
  lastHeartbeat: number | null;
}

/**
 * The arbiter strategy: decides roles, carries the term. Implementations:
 * embedded (the supervisor, one host) and, later, etcd.
 */
export interface Arbiter {
  readonly kind: string;
  readonly term: number;
  readonly primary: string | null;
  start(): void;
  stop(): void;
  /** A node process started (or restarted). */
  nodeSpawned(nodeId: string): void;
  /** A node's heartbeat: its own view of its state. */
  heartbeat(nodeId: string, state: NodeState): void;
  /** A node process exited. */
  nodeExited(nodeId: string, reason: string): void;
  /**
   * Moves the primary role away. From an operator (no `from`): the primary's
   * `beforeSwitchover` taps are asked first. From a node (`from` = the
   * asking node, which must be the primary): the node decided itself.
   */
  requestSwitchover(reason: string, by: string, from?: string): Promise<SwitchoverResult>;
  nodes(): ArbiterNodeView[];
}
