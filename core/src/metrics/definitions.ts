/**
 * Every metric the agent itself exports (the `switchyard_` names computed
 * from the arbiter's view and the nodes' status reports). Plugins add
 * theirs through `engine.metrics`; prom-client's default process metrics
 * (`process_*`, `nodejs_*`) come from each process, labelled by `node`.
 * The metric table of docs/operator/api.md is checked against this list.
 */
export interface MetricDefinition {
  name: string;
  type: 'gauge' | 'counter' | 'histogram';
  labels: readonly string[];
  help: string;
}

export const AGENT_METRICS = [
  { name: 'switchyard_node_role', type: 'gauge', labels: ['node', 'role'], help: '1 for the role the node holds (primary or backup), 0 for the other.' },
  { name: 'switchyard_node_status', type: 'gauge', labels: ['node', 'status'], help: '1 for the status the node reports (starting, running, unavailable, stopping, stopped, down, unresponsive).' },
  { name: 'switchyard_node_term', type: 'gauge', labels: ['node'], help: 'The term the node last reported.' },
  { name: 'switchyard_node_restarts_total', type: 'counter', labels: ['node'], help: 'Times the agent restarted the node process.' },
  { name: 'switchyard_node_heartbeat_age_seconds', type: 'gauge', labels: ['node'], help: 'Seconds since the agent heard the node.' },
  { name: 'switchyard_arbiter_term', type: 'gauge', labels: [], help: 'The newest term the arbiter knows.' },
  { name: 'switchyard_arbiter_connected', type: 'gauge', labels: [], help: '1 while the agent reaches its arbiter.' },
  { name: 'switchyard_switchovers_total', type: 'counter', labels: ['reason'], help: 'Role changes decided by the arbiter, by reason (node_exited, unavailable, operator, node_request, other).' },
  { name: 'switchyard_last_switchover_timestamp_seconds', type: 'gauge', labels: [], help: 'Unix time of the last switchover (0 before the first).' },
  { name: 'switchyard_ha_link_up', type: 'gauge', labels: ['node'], help: '1 while the node\'s HA link to its peer is connected.' },
  { name: 'switchyard_monitor_ok', type: 'gauge', labels: ['node', 'plugin', 'monitor'], help: '1 while the monitor reports ok, 0 while it reports a failure.' },
  { name: 'switchyard_alarms_active', type: 'gauge', labels: ['severity'], help: 'Active alarms by severity.' },
  { name: 'switchyard_sip_listening', type: 'gauge', labels: ['node'], help: '1 while the node\'s SIP port is open.' },
  { name: 'switchyard_sip_bindings', type: 'gauge', labels: ['node'], help: 'Registered contact bindings the node holds.' },
  { name: 'switchyard_sip_replication_lag', type: 'gauge', labels: ['node'], help: 'Replicated changes the backup has not acknowledged yet.' },
  { name: 'switchyard_sip_replication_in_sync', type: 'gauge', labels: ['node'], help: '1 while the node\'s replication is in sync with its peer.' },
] as const satisfies readonly MetricDefinition[];

export type AgentMetricName = (typeof AGENT_METRICS)[number]['name'];

/** The roles and statuses a `switchyard_node_role` / `switchyard_node_status` series exists for. */
/** Metrics each node process defines in its own registry (labelled `node` by the agent), beside its plugins'. */
export const NODE_METRICS = [
  {
    name: 'switchyard_event_loop_lag_seconds',
    type: 'histogram',
    labels: ['node'],
    help: 'How late the node\'s event loop ran a 20-ms timer, per turn: the time it was blocked (01-10047 reports long ones).',
  },
] as const satisfies readonly MetricDefinition[];

/** Buckets of `switchyard_event_loop_lag_seconds`. */
export const LOOP_LAG_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2];

export const ROLES = ['primary', 'backup'] as const;
export const STATUSES = ['starting', 'running', 'unavailable', 'stopping', 'stopped', 'down', 'unresponsive'] as const;
export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;
/** The `reason` label values of `switchyard_switchovers_total` (see `classifySwitchover`). */
export const SWITCHOVER_CAUSES = ['node_exited', 'unavailable', 'operator', 'node_request', 'other'] as const;
