/**
 * One `GET /metrics` scrape of an agent: its own figures (from the status
 * view, the history and the alarms), its process metrics, and the registry
 * of each node process it runs, every node series labelled with its node.
 */
import type { Registry } from 'prom-client';
import type { Alarm, HealthSignal } from '../engine/types';
import type { SwitchoverHistory } from '../history/switchover-history';
import type { ClusterStatusView } from '../management/types';
import { clusterMetrics, type MetricJson, type NodeSnapshot } from '../metrics/cluster-metrics';
import { labelNode, renderMetrics } from '../metrics/render';

export interface AgentScrapeSource {
  /** The status view with the nodes' reports (plugin sections, monitors); asked alongside the nodes' registries. */
  status(): Promise<ClusterStatusView>;
  /** The node processes this agent runs now: HA link at the last heartbeat, and their registry over IPC. */
  running: ReadonlyMap<string, { linkUp: boolean | null; metrics(): Promise<MetricJson[]> }>;
  /** Nodes this agent runs, running or not. */
  local: ReadonlySet<string>;
  /** This agent's own id in the `node` label of its process metrics. */
  agentId: string;
  processMetrics: Registry | null;
  history: SwitchoverHistory;
  activeAlarms: readonly Alarm[];
}

export async function scrapeAgent(source: AgentScrapeSource): Promise<string> {
  // Both ask the nodes (each bounded by the agent's request timeout): in parallel, so a frozen node costs one timeout.
  const [status, nodeMetrics] = await Promise.all([
    source.status(),
    Promise.all([...source.running].map(async ([id, node]) => labelNode(await node.metrics(), id))),
  ]);
  const snapshots: NodeSnapshot[] = status.nodes.map((view) => ({
    id: view.id,
    role: view.role,
    status: view.status,
    term: view.term,
    restarts: view.restarts,
    local: source.local.has(view.id),
    heartbeatAge: view.lastHeartbeat,
    linkUp: source.running.get(view.id)?.linkUp ?? null,
    monitors: Array.isArray(view['monitors']) ? (view['monitors'] as HealthSignal[]) : [],
    ...(typeof view['sip'] === 'object' && view['sip'] !== null ? { sip: view['sip'] as NodeSnapshot['sip'] } : {}),
  }));
  const own = source.processMetrics ? labelNode((await source.processMetrics.getMetricsAsJSON()) as unknown as MetricJson[], source.agentId) : [];
  const cluster = clusterMetrics({
    arbiter: { term: status.arbiter.term, connected: status.arbiter.connected },
    nodes: snapshots,
    switchovers: source.history.countsByCause(),
    lastSwitchoverAt: source.history.lastAt(),
    activeAlarms: source.activeAlarms,
  });
  return renderMetrics([cluster, own, ...nodeMetrics]);
}
