import type { NodeState, RoleOrder, SwitchoverProposal, SwitchoverVerdict } from '../engine/types';
import type { LinkView } from '../ipc/messages';
import type { SwitchoverResult } from '../management/types';

export type { LinkView } from '../ipc/messages';

/** How an arbiter talks to the node processes its agent runs. */
export interface ArbiterPort {
  /** Delivers an order to a local node (best effort; a dead node misses it and is reconciled later). */
  order(nodeId: string, order: RoleOrder): void;
  /**
   * Lets a local node serve as primary until `until` (`clock.monotonic()` ms,
   * the host's CLOCK_MONOTONIC); null lifts the limit. A primary whose grant
   * lapses steps down by itself.
   */
  grant(nodeId: string, until: number | null): void;
  /** Asks a local primary's `beforeSwitchover` taps; undefined = go ahead. Must settle within its own timeout. */
  consult(nodeId: string, proposal: SwitchoverProposal): Promise<SwitchoverVerdict | undefined>;
  /** Log events about decisions. */
  emit(eventId: string, fields: Record<string, unknown>): void;
  /**
   * Kills a local node that stopped answering (frozen, not crashed) before
   * `to` is ordered primary, so it keeps nothing only the primary may hold
   * and never answers again after a thaw. The agent restarts it as backup.
   * Optional: an agent that cannot fence leaves it out.
   */
  fence?(nodeId: string, reason: string, to: string): void;
}

/** A node as the arbiter sees it. */
export interface ArbiterNodeView {
  id: string;
  priority: number;
  alive: boolean;
  responsive: boolean;
  status: NodeState['status'] | null;
  role: NodeState['role'] | null;
  /** Monotonic ms of the last heartbeat this agent saw (local nodes), or null. */
  lastHeartbeat: number | null;
  /** False for a node run by another host's agent (known through the arbiter). */
  local?: boolean;
}

/**
 * The arbiter strategy: decides roles, carries the term. It lives in the
 * agent (the process of `switchyard up` or `switchyard node`) and hears the
 * agent's local nodes. Kinds: `embedded` (core; one host, it sees both
 * nodes) and those plugins offer (e.g. `etcd`, one agent per host).
 */
export interface Arbiter {
  readonly kind: string;
  /** The newest term this arbiter knows. */
  readonly term: number;
  readonly primary: string | null;
  /** Whether the arbiter itself is reachable (always true for `embedded`). */
  readonly connected: boolean;
  start(): void | Promise<void>;
  /** `graceful`: the agent is shutting down on purpose (an etcd arbiter gives up its lease at once). */
  stop(options?: { graceful: boolean }): void | Promise<void>;
  /** A local node process started (or restarted). */
  nodeSpawned(nodeId: string): void;
  /** A local node's heartbeat: its own view of its state and of its HA link. */
  heartbeat(nodeId: string, state: NodeState, link?: LinkView): void;
  /** A local node process exited. */
  nodeExited(nodeId: string, reason: string): void;
  /**
   * Moves the primary role away. From an operator (no `from`): the primary's
   * `beforeSwitchover` taps are asked first. From a node (`from` = the
   * asking node, which must be the primary): the node decided itself.
   */
  requestSwitchover(reason: string, by: string, from?: string): Promise<SwitchoverResult>;
  nodes(): ArbiterNodeView[];
}
