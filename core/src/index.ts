/**
 * @switchyard/core — the engine, hooks, HA link, embedded arbiter,
 * supervisor, config and log-event catalogue. Plugin authors import from
 * `@switchyard/sdk`, which re-exports what they need from here.
 */
export * from './errors';
export * from './clock';
export { Backoff } from './halink/backoff';
export { escapePeerText, PEER_TEXT_MAX_LENGTH } from './text/escape-peer-text';
export { EventRateLimit } from './events/event-rate-limit';
export * from './tokens';
export { CoreTokens, type ArbiterClient } from './core-tokens';
export * from './events/catalogue';
export { CoreEvent, CORE_EVENTS, alarmRaisedEvent } from './events/core-events';
export * from './engine/types';
export { Engine, type EngineOptions } from './engine/engine';
export { HookStage, type EngineHooks, type HookName, type LifecycleContext } from './engine/hooks';
export type { MonitorFailureEvent, MonitorHandle, MonitorOptions } from './engine/monitors';
export {
  definePlugin,
  isPlugin,
  runsIn,
  type PluginScope,
  type Plugin,
  type PluginDefinition,
  type PluginRequirements,
  type PluginNodeOptions,
  type NodeSection,
  type NodeSectionIssue,
} from './plugin/define';
export type { PluginEngine, ServiceRegistry } from './plugin/plugin-engine';
export type { PluginHooks, TapOptions, SyncTapView, AsyncTapView } from './plugin/hook-view';
export type { Logger } from './logging/logger';
export { silentLogger } from './logging/logger';
export * from './config/index';
export type { Channel, ChannelOptions, HaChannels } from './halink/channel';
export { HaLink, type HaLinkOptions } from './halink/link';
export { LoopbackChannels } from './halink/loopback';
export type { Arbiter, ArbiterPort, ArbiterNodeView, LinkView } from './supervisor/arbiter';
export {
  defineArbiter,
  type ArbiterKind,
  type ArbiterContext,
  type ArbiterNode,
  type ArbiterCheckView,
  type ArbiterIssue,
} from './supervisor/arbiter-kind';
export { embeddedArbiterKind } from './supervisor/embedded-kind';
export { EmbeddedArbiter, type EmbeddedArbiterOptions } from './supervisor/embedded-arbiter';
export { Supervisor, type SupervisorOptions } from './supervisor/supervisor';
export type {
  AlarmClearResult,
  AlarmListView,
  ClusterStatusView,
  NodeStatusView,
  SwitchoverResult,
  SupervisorControl,
} from './management/types';
export { ManagementClient } from './management/client';
export * from './alarms/index';
export { writeFileAtomic, syncDirectory, type AtomicWriteOptions } from './fs/atomic-file';
export { coalescedRun, type CoalescedRun } from './coalesced-run';
export { afterIo, type AfterIo } from './after-io';
export {
  METRIC_ERROR_CODES,
  MetricError,
  type MetricCounter,
  type MetricGauge,
  type MetricHistogram,
  type MetricSpec,
  type PluginMetrics,
} from './metrics/index';
export { renderHistoryTable, type SwitchoverEntry, type SwitchoverActor, type SwitchoverCause } from './history/index';
