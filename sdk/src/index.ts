// tsyringe needs the Reflect metadata polyfill before anything of core loads: the SDK brings it,
// so a plugin's tests need no `setupFiles: ['reflect-metadata']`.
import 'reflect-metadata';

/**
 * @switchyard/sdk — what a plugin author needs: `definePlugin`, the public
 * types, the one script-safety check for commands a plugin runs, and a
 * test harness that runs a plugin in virtual time without sockets or
 * processes.
 */
export {
  definePlugin,
  defineConfig,
  createToken,
  HookStage,
  CoreTokens,
  CoreEvent,
  ManualClock,
  withTimeout,
  writeFileAtomic,
  LoopbackChannels,
  silentLogger,
  escapePeerText,
  PEER_TEXT_MAX_LENGTH,
  EventRateLimit,
  validateConfig,
  loadConfig,
  ConfigInvalidError,
  type ConfigIssue,
  Backoff,
  SystemClock,
  SwitchyardError,
  codedErrorClass,
  describeError,
  defineAlarmReaction,
  defineArbiter,
  type Arbiter,
  type ArbiterKind,
  type ArbiterContext,
  type ArbiterNode,
  type ArbiterPort,
  type ArbiterNodeView,
  type ArbiterCheckView,
  type ArbiterIssue,
  type LinkView,
  type Plugin,
  type PluginScope,
  type AlarmReaction,
  type AlarmReactionContext,
  type AlarmReactionKind,
  type AlarmSeverity,
  type AlarmClearReason,
  type PluginDefinition,
  type PluginEngine,
  type PluginHooks,
  type PluginRequirements,
  type PluginNodeOptions,
  type NodeSection,
  type NodeSectionIssue,
  type ArbiterClient,
  type SwitchoverResult,
  type ServiceToken,
  type Clock,
  type TimerHandle,
  type Logger,
  type LogEventDefinition,
  type LogEventRecord,
  type LogLevel,
  type MonitorFailureEvent,
  type MonitorHandle,
  type MonitorOptions,
  type Channel,
  type ChannelOptions,
  type HaChannels,
  type Role,
  type NodeStatus,
  type NodeState,
  type RoleOrder,
  type HealthSignal,
  type HealthVerdict,
  type SwitchoverProposal,
  type SwitchoverVerdict,
  type SwitchoverRecord,
  type Alarm,
  type SwitchyardConfigInput,
} from '@switchyard/core';
/** `engine.metrics`: the node's Prometheus counters, gauges and histograms (README: "Operator console, metrics and history"). */
export type PluginMetrics = import('@switchyard/core').PluginEngine['metrics'];
export { scriptSafetyProblem, assertSafeScript } from './scripts/script-safety';
export { createTestNode, type TestNode, type TestNodeOptions } from './test-node';
export { createTestPair, type TestPair, type TestPairOptions } from './test-pair';
export { PluginTester, PluginTesterError, PLUGIN_TESTER_CODES, type PluginTesterCases, type PluginTesterOptions, type OptionCase, type InvalidOptionCase, type BehaviourCase, type BehaviourStep, type BehaviourExpectation, type StimulusContext, type CaseContext, type CaseResult } from './plugin-tester';
export {
  createTestReactionContext,
  sampleAlarm,
  type TestReactionContext,
  type TestReactionContextOptions,
  type EmittedEvent,
} from './reaction-context';
