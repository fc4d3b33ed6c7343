export { AGENT_METRICS, NODE_METRICS, type MetricDefinition } from './definitions';
export { clusterMetrics, type ClusterSnapshot, type MetricJson, type NodeSnapshot } from './cluster-metrics';
export { collectProcessMetrics, labelNode, METRICS_CONTENT_TYPE, processRegistry, renderMetrics } from './render';
export {
  createPluginMetrics,
  nodeRegistry,
  type MetricCounter,
  type MetricGauge,
  type MetricHistogram,
  type MetricSpec,
  type PluginMetrics,
} from './plugin-metrics';
export { METRIC_ERROR_CODES, MetricError } from './errors';
