/**
 * Operator reads: `GET /metrics` (Prometheus text format) and `GET /history`
 * (switchovers, the newest first). Reads follow the API's rules: no token
 * on loopback, the token (and TLS) off it.
 */
import type { SwitchoverEntry } from '../history/switchover-history';
import { METRICS_CONTENT_TYPE } from '../metrics/render';
import type { ManagementRoute } from './router';

export interface OperatorControl {
  /** The whole scrape: agent, nodes, processes. */
  metrics(): Promise<string>;
  history(): SwitchoverEntry[];
}

/** `GET /history` and `switchyard history --json`. */
export interface HistoryView {
  switchovers: SwitchoverEntry[];
}

export function operatorRoutes(control: OperatorControl): ManagementRoute[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      requiresToken: false,
      handler: async () => ({ status: 200, body: null, raw: { contentType: METRICS_CONTENT_TYPE, text: await control.metrics() } }),
    },
    {
      method: 'GET',
      path: '/history',
      requiresToken: false,
      handler: () => {
        const view: HistoryView = { switchovers: control.history() };
        return { status: 200, body: view };
      },
    },
  ];
}
