/**
 * What an agent shows operators besides status and alarms: the switchover
 * history (fed by the arbiter's 01-10010 and the new primary's first
 * `running` heartbeat), the live event stream of the console, the console
 * itself, and the process metrics of the agent.
 */
import type { Registry } from 'prom-client';
import type { Clock } from '../clock';
import type { NodeState } from '../engine/types';
import type { LogEventRecord } from '../events/catalogue';
import { CoreEvent } from '../events/core-events';
import { SwitchoverHistory } from '../history/switchover-history';
import { consoleRoutes } from '../management/console-routes';
import { EventFeed } from '../management/event-feed';
import { operatorRoutes, type HistoryView } from '../management/operator-routes';
import type { ManagementRoute } from '../management/router';
import type { AlarmListView, ClusterStatusView, NodeStatusView } from '../management/types';
import { processRegistry } from '../metrics/render';

export class OperatorView {
  /** Past switchovers (`GET /history`, `switchyard history`). */
  readonly history: SwitchoverHistory;
  /** `GET /events`: live nodes, alarms and history for the console. */
  private readonly feed = new EventFeed();
  /** This agent's own process metrics; created at start. */
  processMetrics: Registry | null = null;

  constructor(stateDir: string, clock: Clock) {
    this.history = new SwitchoverHistory(stateDir, clock);
  }

  /** Reads the saved history and starts the process metrics; `alarms` is the restored alarm list. */
  async start(alarms: AlarmListView): Promise<void> {
    await this.history.load();
    this.alarmsChanged(alarms);
    this.feed.publish('history', this.historyView());
    this.processMetrics = processRegistry();
  }

  /** Resolves once the history is on disk. */
  stop(): Promise<void> {
    return this.history.flush();
  }

  /** `GET /metrics`, `GET /history`, `GET /events` and the console's files. */
  routes(metrics: () => Promise<string>): ManagementRoute[] {
    return [...operatorRoutes({ metrics, history: () => this.history.list() }), this.feed.route(), ...consoleRoutes()];
  }

  alarmsChanged(alarms: AlarmListView): void {
    this.feed.publish('alarms', alarms);
  }

  nodesChanged(cluster: string, arbiter: ClusterStatusView['arbiter'], nodes: NodeStatusView[]): void {
    this.feed.publish('nodes', { cluster, arbiter, nodes });
  }

  /** Every log event of the agent and its nodes: a switchover (01-10010) is one entry of the history. */
  event(record: LogEventRecord): void {
    if (record.id !== CoreEvent.Switchover) return;
    const { from, to, reason, term } = record.fields as { from?: unknown; to?: unknown; reason?: unknown; term?: unknown };
    if (typeof to !== 'string') return;
    this.history.record({
      from: typeof from === 'string' ? from : 'none',
      to,
      // An arbiter that names the term it won (etcd) is exact; else the term the agent knew when it logged.
      term: typeof term === 'number' ? term : record.term,
      reason: typeof reason === 'string' ? reason : '',
    });
    this.feed.publish('history', this.historyView());
  }

  /** A local node's heartbeat: the new primary's first `running` closes its switchover's gap. */
  heartbeat(nodeId: string, state: NodeState): void {
    if (state.role === 'primary' && state.status === 'running' && this.history.primaryRunning(nodeId, state.term)) {
      this.feed.publish('history', this.historyView());
    }
  }

  private historyView(): HistoryView {
    return { switchovers: this.history.list() };
  }
}
