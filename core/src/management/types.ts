import type { Alarm, NodeStatus, Role } from '../engine/types';

/** One node as `GET /status` and `switchyard status --json` show it. */
export interface NodeStatusView {
  id: string;
  role: Role | null;
  status: NodeStatus | 'down' | 'unresponsive';
  pid: number | null;
  term: number;
  /** Seconds since the last heartbeat the arbiter received, null before the first. */
  lastHeartbeat: number | null;
  restarts: number;
  /** Sections plugins added (e.g. `sip`), as the node last reported them. */
  [section: string]: unknown;
}

export interface ClusterStatusView {
  cluster: string;
  /** `connected`: whether the agent that answered reaches the arbiter (always true for `embedded`). */
  arbiter: { kind: string; term: number; primary: string | null; connected: boolean };
  nodes: NodeStatusView[];
}

export interface SwitchoverResult {
  ok: boolean;
  term: number;
  primary: string | null;
  /** Why it was refused or vetoed, when `ok` is false. */
  reason?: string;
}

/** What the management API needs from the supervisor. */
export interface SupervisorControl {
  status(): Promise<ClusterStatusView>;
  /** Healthy when a primary is `running`. */
  healthy(): boolean;
  switchover(request: { reason: string; by: string }): Promise<SwitchoverResult>;
}

/** `GET /alarms` and `switchyard alarms list --json`. */
export interface AlarmListView {
  active: Alarm[];
  /** Recently cleared alarms, the most recent first (bounded by `alarms.historySize`). */
  cleared: Alarm[];
}

/** `POST /alarms/<id>/clear`: the alarm as cleared. */
export interface AlarmClearResult {
  ok: true;
  alarm: Alarm;
}
