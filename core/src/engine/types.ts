/** Node role and status, as the arbiter and the status JSON know them. */
export type Role = 'primary' | 'backup';

/** `running` = SERVICE_RUNNING, `unavailable` = SERVICE_UNAVAILABLE. */
export type NodeStatus = 'starting' | 'running' | 'unavailable' | 'stopping' | 'stopped';

export const NODE_STATUSES: readonly NodeStatus[] = ['starting', 'running', 'unavailable', 'stopping', 'stopped'];

/** The part of a node's state every heartbeat carries. */
export interface NodeState {
  nodeId: string;
  role: Role;
  status: NodeStatus;
  term: number;
}

/** An order from the arbiter. A node refuses an order whose term is older than its own. */
export interface RoleOrder {
  role: Role;
  term: number;
  reason: string;
  /** Set when the order is part of a switchover. */
  switchover?: SwitchoverRecord;
}

export interface SwitchoverRecord {
  from: string;
  to: string;
  term: number;
  reason: string;
  /** Epoch ms. */
  at: number;
}

/** What a `beforeSwitchover` tap is asked about. */
export interface SwitchoverProposal {
  /** The node giving up the primary role (this node). */
  from: string;
  to: string;
  reason: string;
  kind: 'manual' | 'health' | 'request';
}

/** A tap's answer: veto (with reason) or delay (seconds) the switchover. */
export type SwitchoverVerdict = { veto: string } | { delay: number; reason: string };

/** One monitor's latest signal. */
export interface HealthSignal {
  monitor: string;
  plugin: string;
  ok: boolean;
  reason?: string;
  /** The plugin's event that reported this failure (emitted once, when the monitor went from ok to failed). */
  eventId?: string;
  affectsService: boolean;
  /** Epoch ms of the last report. */
  since: number;
}

/** The `health` waterfall's value: the status the signals add up to. */
export interface HealthVerdict {
  status: 'running' | 'unavailable';
  reasons: string[];
}

export interface StatusChange {
  from: NodeStatus;
  to: NodeStatus;
  reasons: string[];
}

export interface RoleChange {
  from: Role;
  to: Role;
  term: number;
  reason: string;
}

export type AlarmSeverity = 'critical' | 'major' | 'minor' | 'info';

/** Why an alarm was cleared: a cancel event, its `clearAfter` timeout, or an operator. */
export type AlarmClearReason = 'cancel' | 'clearAfter' | 'operator';

/**
 * An active or cleared alarm, as the alarm engine (in the supervisor) keeps
 * it. One active alarm per condition and node: `id` is `<condition>@<node>`.
 */
export interface Alarm {
  /** `<condition>@<node>`, e.g. `sip-listener-down@sip-a`. */
  id: string;
  condition: string;
  /** The node whose event raised it (`supervisor` for the supervisor's own events). */
  node: string;
  severity: AlarmSeverity;
  state: 'active' | 'cleared';
  /** The log-event id that raised it, and that event's message. */
  eventId: string;
  message: string;
  /** Detections so far (the first one and every repeat while active). */
  count: number;
  /** Epoch ms of the first and the latest detection. */
  firstSeen: number;
  lastSeen: number;
  /** Epoch ms; set once cleared. */
  clearedAt?: number;
  clearReason?: AlarmClearReason;
  /** Who or what cleared it: the operator's name, the cancel event id, or `clearAfter`. */
  clearedBy?: string;
}
