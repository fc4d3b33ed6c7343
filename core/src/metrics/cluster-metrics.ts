/**
 * The agent's own metrics, computed at each scrape from what it knows: the
 * arbiter's view, the nodes' heartbeats and status reports, the switchover
 * counts and the active alarms. Returned in prom-client's JSON form so they
 * merge with the nodes' registries ({@link renderMetrics}).
 */
import type { AlarmSeverity, HealthSignal } from '../engine/types';
import { AGENT_METRICS, ROLES, SEVERITIES, STATUSES, SWITCHOVER_CAUSES, type AgentMetricName } from './definitions';

/** One metric in prom-client's JSON form (`registry.getMetricsAsJSON()`), as it travels over IPC. */
export interface MetricJson {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
}

/** One node, as the agent sees it when Prometheus scrapes. */
export interface NodeSnapshot {
  id: string;
  role: string | null;
  status: string;
  term: number;
  restarts: number;
  /** Only for nodes this agent runs. */
  local: boolean;
  heartbeatAge: number | null;
  /** Null when unknown (the node is not local, or down). */
  linkUp: boolean | null;
  /** From the node's status report (`monitors`); empty when it did not answer. */
  monitors: readonly HealthSignal[];
  /** The sip plugin's section of the status report, when present. */
  sip?: { listening?: unknown; bindings?: unknown; replication?: { inSync?: unknown; lag?: unknown } };
}

export interface ClusterSnapshot {
  arbiter: { term: number; connected: boolean };
  nodes: readonly NodeSnapshot[];
  /** Switchovers since the agent started, by reason category. */
  switchovers: Readonly<Record<string, number>>;
  /** Epoch ms of the last switchover (from the history, so it survives restarts), or null. */
  lastSwitchoverAt: number | null;
  activeAlarms: readonly { severity: AlarmSeverity }[];
}

const DEFINITIONS = new Map<string, (typeof AGENT_METRICS)[number]>(AGENT_METRICS.map((m) => [m.name, m]));

function metric(name: AgentMetricName, values: MetricJson['values']): MetricJson {
  const def = DEFINITIONS.get(name)!;
  return { name, help: def.help, type: def.type, aggregator: 'sum', values };
}

const bool = (v: boolean): number => (v ? 1 : 0);

/** Every agent metric for one snapshot (series with unknown values are left out, not zeroed). */
export function clusterMetrics(s: ClusterSnapshot): MetricJson[] {
  const local = s.nodes.filter((n) => n.local);
  const sip = (pick: (n: NodeSnapshot) => unknown) =>
    s.nodes.flatMap((n) => {
      const v = pick(n);
      const value = typeof v === 'boolean' ? bool(v) : typeof v === 'number' && Number.isFinite(v) ? v : undefined;
      return value === undefined ? [] : [{ labels: { node: n.id }, value }];
    });
  const severities = new Map<string, number>(SEVERITIES.map((sev) => [sev, 0]));
  for (const alarm of s.activeAlarms) severities.set(alarm.severity, (severities.get(alarm.severity) ?? 0) + 1);
  return [
    metric(
      'switchyard_node_role',
      s.nodes.flatMap((n) => (n.role === null ? [] : ROLES.map((role) => ({ labels: { node: n.id, role }, value: bool(n.role === role) })))),
    ),
    metric(
      'switchyard_node_status',
      s.nodes.flatMap((n) => STATUSES.map((status) => ({ labels: { node: n.id, status }, value: bool(n.status === status) }))),
    ),
    metric('switchyard_node_term', local.map((n) => ({ labels: { node: n.id }, value: n.term }))),
    metric('switchyard_node_restarts_total', local.map((n) => ({ labels: { node: n.id }, value: n.restarts }))),
    metric(
      'switchyard_node_heartbeat_age_seconds',
      local.flatMap((n) => (n.heartbeatAge === null ? [] : [{ labels: { node: n.id }, value: n.heartbeatAge }])),
    ),
    metric('switchyard_arbiter_term', [{ labels: {}, value: s.arbiter.term }]),
    metric('switchyard_arbiter_connected', [{ labels: {}, value: bool(s.arbiter.connected) }]),
    metric(
      'switchyard_switchovers_total',
      // Every cause from 0, so that rate() and increase() see the first switchover of each.
      Object.entries({ ...Object.fromEntries(SWITCHOVER_CAUSES.map((c) => [c, 0])), ...s.switchovers }).map(([reason, value]) => ({ labels: { reason }, value })),
    ),
    metric('switchyard_last_switchover_timestamp_seconds', [{ labels: {}, value: s.lastSwitchoverAt === null ? 0 : s.lastSwitchoverAt / 1000 }]),
    metric('switchyard_ha_link_up', local.flatMap((n) => (n.linkUp === null ? [] : [{ labels: { node: n.id }, value: bool(n.linkUp) }]))),
    metric(
      'switchyard_monitor_ok',
      s.nodes.flatMap((n) => n.monitors.map((m) => ({ labels: { node: n.id, plugin: m.plugin, monitor: m.monitor }, value: bool(m.ok) }))),
    ),
    metric('switchyard_alarms_active', [...severities].map(([severity, value]) => ({ labels: { severity }, value }))),
    metric('switchyard_sip_listening', sip((n) => n.sip?.listening)),
    metric('switchyard_sip_bindings', sip((n) => n.sip?.bindings)),
    metric('switchyard_sip_replication_lag', sip((n) => n.sip?.replication?.lag)),
    metric('switchyard_sip_replication_in_sync', sip((n) => n.sip?.replication?.inSync)),
  ];
}
