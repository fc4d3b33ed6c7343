/**
 * The metrics a plugin may define, in the registry of its node: counters,
 * gauges and histograms of prom-client. The agent collects every node's
 * registry on each scrape of `GET /metrics` and adds the `node` label.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MetricError } from './errors';

/** What a plugin metric is called and what it counts. */
export interface MetricSpec<Label extends string = string> {
  /** `switchyard_<area>_<what>_<unit>`; counters end in `_total`. */
  name: string;
  help: string;
  labelNames?: readonly Label[];
}

/** The operations a plugin uses on a counter. */
export interface MetricCounter<Label extends string = string> {
  inc(labels?: Partial<Record<Label, string | number>>, value?: number): void;
  /** The series of these label values, to keep on a hot path (no label lookup per increment). */
  labels(labels: Partial<Record<Label, string | number>>): { inc(value?: number): void };
}

/** The operations a plugin uses on a gauge. */
export interface MetricGauge<Label extends string = string> {
  set(labels: Partial<Record<Label, string | number>>, value: number): void;
  inc(labels?: Partial<Record<Label, string | number>>, value?: number): void;
  dec(labels?: Partial<Record<Label, string | number>>, value?: number): void;
}

/** The operations a plugin uses on a histogram (values in base units: seconds, bytes). */
export interface MetricHistogram<Label extends string = string> {
  observe(labels: Partial<Record<Label, string | number>>, value: number): void;
  /** Starts a timer; calling the returned function observes the seconds elapsed. */
  startTimer(labels?: Partial<Record<Label, string | number>>): () => number;
}

/** `engine.metrics`: defines metrics in this node's registry. A second definition of a name returns the first. */
export interface PluginMetrics {
  counter<Label extends string = never>(spec: MetricSpec<Label>): MetricCounter<Label>;
  gauge<Label extends string = never>(spec: MetricSpec<Label>): MetricGauge<Label>;
  histogram<Label extends string = never>(spec: MetricSpec<Label> & { buckets?: readonly number[] }): MetricHistogram<Label>;
}

const NAME = /^switchyard_[a-z][a-z0-9_]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The registry of each engine (one per node process; tests may hold several). */
const registries = new WeakMap<object, Registry>();

/** The node registry of `owner` (an engine), created on first use. */
export function nodeRegistry(owner: object): Registry {
  let registry = registries.get(owner);
  if (!registry) {
    registry = new Registry();
    registries.set(owner, registry);
  }
  return registry;
}

/** The `metrics` facade of one plugin over its node's registry. */
export function createPluginMetrics(registry: Registry, pluginName: string): PluginMetrics {
  const check = (spec: MetricSpec, kind: 'counter' | 'gauge' | 'histogram'): void => {
    const where = `plugin ${pluginName}: metric "${spec.name}"`;
    if (!NAME.test(spec.name)) throw new MetricError('SWY_ERR_METRIC_INVALID', `${where}: the name must match ${NAME.source}.`);
    if ((kind === 'counter') !== spec.name.endsWith('_total')) {
      throw new MetricError('SWY_ERR_METRIC_INVALID', `${where}: ${kind === 'counter' ? 'a counter ends in _total' : 'only counters end in _total'}.`);
    }
    for (const label of spec.labelNames ?? []) {
      if (label === 'node' || !LABEL.test(label) || label.startsWith('__')) {
        throw new MetricError('SWY_ERR_METRIC_INVALID', `${where}: label "${label}" is not allowed (node is the agent's; names match ${LABEL.source}).`);
      }
    }
  };
  const existing = <T>(name: string): T | undefined => registry.getSingleMetric(name) as T | undefined;
  return Object.freeze({
    counter<Label extends string>(spec: MetricSpec<Label>): MetricCounter<Label> {
      check(spec, 'counter');
      return existing<Counter<Label>>(spec.name) ?? new Counter<Label>({ name: spec.name, help: spec.help, labelNames: spec.labelNames ?? [], registers: [registry] });
    },
    gauge<Label extends string>(spec: MetricSpec<Label>): MetricGauge<Label> {
      check(spec, 'gauge');
      return existing<Gauge<Label>>(spec.name) ?? new Gauge<Label>({ name: spec.name, help: spec.help, labelNames: spec.labelNames ?? [], registers: [registry] });
    },
    histogram<Label extends string>(spec: MetricSpec<Label> & { buckets?: readonly number[] }): MetricHistogram<Label> {
      check(spec, 'histogram');
      return (
        existing<Histogram<Label>>(spec.name) ??
        new Histogram<Label>({
          name: spec.name,
          help: spec.help,
          labelNames: spec.labelNames ?? [],
          registers: [registry],
          ...(spec.buckets ? { buckets: [...spec.buckets] } : {}),
        })
      );
    },
  }) as PluginMetrics;
}
