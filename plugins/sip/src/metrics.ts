/**
 * The SIP plugin's Prometheus metrics, defined in its node's registry
 * (`engine.metrics`); the agent serves them at `GET /metrics` with a `node`
 * label. Bindings and replication figures come from the status report
 * (`switchyard_sip_bindings`, `switchyard_sip_replication_*`, core).
 */
import type { PluginEngine } from '@switchyard/sdk';

/** Methods counted by name; anything else a peer sends is `other`, so a peer cannot grow the label set. */
const KNOWN_METHODS = new Set([
  'INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'UPDATE', 'PRACK', 'MESSAGE', 'REFER',
]);

/** Seconds; a REGISTER is answered in well under a millisecond unless it waits for the backup's acknowledgement. */
export const REGISTER_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The names, for the metric table of docs/operator/api.md (a docs test compares them). */
export const SIP_METRIC_NAMES = [
  'switchyard_sip_requests_total',
  'switchyard_sip_responses_total',
  'switchyard_sip_register_duration_seconds',
] as const;

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : 'other';
}

export class SipMetrics {
  private readonly requests;
  private readonly responses;
  private readonly registerSeconds;

  constructor(metrics: PluginEngine['metrics']) {
    this.requests = metrics.counter({
      name: 'switchyard_sip_requests_total',
      help: 'SIP requests received, by method.',
      labelNames: ['method'],
    });
    this.responses = metrics.counter({
      name: 'switchyard_sip_responses_total',
      help: 'SIP responses sent, by the method of the request and the status code.',
      labelNames: ['method', 'code'],
    });
    this.registerSeconds = metrics.histogram({
      name: 'switchyard_sip_register_duration_seconds',
      help: 'Seconds from a REGISTER\'s arrival to its answer being sent (replication to the backup included).',
      buckets: REGISTER_SECONDS_BUCKETS,
    });
  }

  /** Series by method and by `method code`, resolved once each (the label lookup is not on every message). */
  private readonly requestSeries = new Map<string, { inc(): void }>();
  private readonly responseSeries = new Map<string, { inc(): void }>();

  /** A request arrived. */
  request(method: string): void {
    let series = this.requestSeries.get(method);
    if (!series) {
      series = this.requests.labels({ method: methodLabel(method) });
      // Unknown methods share `other`; the map keeps only known names, so a peer cannot grow it.
      if (KNOWN_METHODS.has(method)) this.requestSeries.set(method, series);
    }
    series.inc();
  }

  /** A response was sent for a request of `method`. */
  response(method: string, status: number): void {
    const key = `${method} ${status}`;
    let series = this.responseSeries.get(key);
    if (!series) {
      series = this.responses.labels({ method: methodLabel(method), code: String(status) });
      if (KNOWN_METHODS.has(method)) this.responseSeries.set(key, series);
    }
    series.inc();
  }

  /** Times a REGISTER from now until `answered` settles (sent or failed). */
  timeRegister(answered: Promise<unknown>): void {
    const done = this.registerSeconds.startTimer();
    answered.then(done, done);
  }
}
