import type { LogEventRecord } from '../events/catalogue';
import type { NodeState, RoleOrder, SwitchoverProposal, SwitchoverVerdict } from '../engine/types';
import type { SwitchyardConfig } from '../config/schema';
import type { SwitchoverResult } from '../management/types';
import type { MetricJson } from '../metrics/cluster-metrics';

/** Supervisor → node, over the fork IPC channel. */
export type SupervisorMessage =
  | {
      t: 'init';
      nodeId: string;
      /** The validated config (defaults filled), so both nodes run what the supervisor checked. */
      config: SwitchyardConfig;
      configDir: string;
      file?: string;
      runtimeDir: string;
      /** HA-link secret: the configured one, or one generated for this run. */
      secret: string;
      /** Names of the primary sockets the agent bound and hands to the primary (plugins' `primarySockets`). */
      primarySockets?: string[];
    }
  /** A copy of one bound socket of a primary socket (the handle travels with the message), kept ready and unread. */
  | { t: 'primary-socket'; name: string; transport: 'udp' | 'tcp' }
  /** The node, ordered primary, may read the primary socket now: the previous holder let go. */
  | { t: 'primary-socket-go'; name: string }
  /** `go`: primary sockets this node may read from now on, in the order's own message (see `primary-socket-go`). */
  | { t: 'order'; order: RoleOrder; go?: string[] }
  /** The arbiter's grant: serve as primary until `until` (host CLOCK_MONOTONIC ms); null = no limit. */
  | { t: 'grant'; until: number | null }
  /** Whether the agent reaches its arbiter now; sent when it changes (and once after start). */
  | { t: 'arbiter'; connected: boolean }
  | { t: 'consult'; id: number; proposal: SwitchoverProposal }
  | { t: 'status-request'; id: number }
  /** `GET /metrics`: the node's registry (plugin metrics, process metrics) as prom-client JSON. */
  | { t: 'metrics-request'; id: number }
  | { t: 'stop'; reason: string }
  | { t: 'switchover-reply'; id: number; result: SwitchoverResult };

/** What a node knows of its HA link: whether it is up, and the peer's last heartbeat. */
export interface LinkView {
  connected: boolean;
  peer: NodeState | null;
  /**
   * CLOCK_MONOTONIC (ms, the host's clock, as the agent reads it) when the
   * last frame from the peer arrived, on any connection; null before the
   * first. Absent from a node of an older version.
   */
  heardAt?: number | null;
  /**
   * The send time (CLOCK_MONOTONIC ms) of this node's latest heartbeat that
   * `peer`'s heartbeat echoed: the peer had heard from this node at or after
   * it when it reported `peer`. Null while down or from a peer that does not
   * echo; absent from a node of an older version.
   */
  echoedSent?: number | null;
}

/** Node → supervisor. */
export type NodeMessage =
  | { t: 'hb'; state: NodeState; link: LinkView }
  | { t: 'event'; record: LogEventRecord }
  | { t: 'consult-reply'; id: number; verdict: SwitchoverVerdict | null }
  | { t: 'status-reply'; id: number; report: Record<string, unknown> }
  | { t: 'metrics-reply'; id: number; metrics: MetricJson[] }
  | { t: 'fatal'; code: string; message: string }
  | { t: 'switchover-request'; id: number; reason: string; by: string }
  /** The node closed its copies of a primary socket: the agent may hand it to the next primary. */
  | { t: 'primary-socket-released'; name: string };

export function isNodeMessage(value: unknown): value is NodeMessage {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}

export function isSupervisorMessage(value: unknown): value is SupervisorMessage {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}
