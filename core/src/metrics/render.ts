/**
 * One scrape: the agent's own metrics, its own process metrics and each
 * node's registry (as prom-client JSON over IPC), every series of a node
 * labelled `node="<id>"`, merged with prom-client's
 * `AggregatorRegistry.aggregate` into the Prometheus text format.
 */
import { AggregatorRegistry, collectDefaultMetrics, Registry } from 'prom-client';
import type { MetricJson } from './cluster-metrics';
import { LOOP_LAG_BUCKETS } from './definitions';

/** The content type Prometheus expects for the text format. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * Adds prom-client's default process metrics (`process_*`, `nodejs_*`) of
 * this process to `register`; `nodejs_gc_duration_seconds` on the buckets
 * of `switchyard_event_loop_lag_seconds`, so a slow turn can be set beside
 * the garbage collections of the same time.
 */
export function collectProcessMetrics<R extends Registry>(register: R): R {
  collectDefaultMetrics({ register, gcDurationBuckets: LOOP_LAG_BUCKETS });
  return register;
}

/** A registry with this process's default process metrics ({@link collectProcessMetrics}). */
export function processRegistry(): Registry {
  return collectProcessMetrics(new Registry());
}

/**
 * Adds `node` to every value and makes every metric summable: series of
 * different nodes never collide, so aggregation only concatenates them
 * (prom-client would otherwise average or omit some default metrics).
 */
export function labelNode(metrics: readonly MetricJson[], node: string): MetricJson[] {
  return metrics.map((m) => ({
    ...m,
    aggregator: 'sum',
    values: m.values.map((v) => ({ ...v, labels: { ...v.labels, node } })),
  }));
}

/**
 * prom-client's default `nodejs_active_{handles,requests,resources}_total`
 * are gauges with a counter's suffix (`promtool check metrics` rejects them);
 * the same figures are there by type without the suffix, so they are dropped.
 */
function conventional(metric: MetricJson): boolean {
  return metric.type === 'counter' || !metric.name.endsWith('_total');
}

/** Renders the merged metrics as Prometheus text. */
export async function renderMetrics(parts: readonly (readonly MetricJson[])[]): Promise<string> {
  return AggregatorRegistry.aggregate(parts.map((p) => p.filter(conventional))).metrics();
}
