import {
  AsyncParallelHook,
  AsyncSeriesBailHook,
  AsyncSeriesHook,
  SyncHook,
  SyncWaterfallHook,
} from 'tapable';
import type { LogEventRecord } from '../events/catalogue';
import type {
  Alarm,
  HealthSignal,
  HealthVerdict,
  NodeState,
  RoleChange,
  StatusChange,
  SwitchoverProposal,
  SwitchoverRecord,
  SwitchoverVerdict,
} from './types';

/** What `start`/`stop` taps receive. */
export interface LifecycleContext {
  nodeId: string;
  /** Why the node stops (`signal`, `order`, `error`). Empty at start. */
  reason: string;
}

/**
 * Every hook of an engine. The hook class says what a tap may do:
 * AsyncSeries for lifecycle steps, SyncWaterfall to transform a value,
 * AsyncSeriesBail for a yes/no (veto) question, AsyncParallel for fan-out.
 */
export interface EngineHooks {
  /** After all plugins are applied; open sockets and timers here. In plugin order. */
  readonly start: AsyncSeriesHook<[LifecycleContext]>;
  /** Before the process exits; close what `start` opened. In reverse plugin order. */
  readonly stop: AsyncSeriesHook<[LifecycleContext]>;
  /** Monitor signals → node status. A tap may return another verdict. */
  readonly health: SyncWaterfallHook<[HealthVerdict, readonly HealthSignal[]]>;
  /** After the node's status changed. */
  readonly statusChange: AsyncSeriesHook<[StatusChange]>;
  /** After the node's role changed (VIP scripts, SIP service mode). */
  readonly roleChange: AsyncSeriesHook<[RoleChange]>;
  /** Before this (primary) node gives up its role. Return a verdict to veto or delay. */
  readonly beforeSwitchover: AsyncSeriesBailHook<[SwitchoverProposal], SwitchoverVerdict | undefined>;
  /** After a switchover that involved this node, on both nodes. */
  readonly afterSwitchover: AsyncSeriesHook<[SwitchoverRecord]>;
  /** Every log event this node emits (the alarm engine taps it). */
  readonly logEvent: SyncHook<[LogEventRecord]>;
  readonly alarmRaised: AsyncParallelHook<[Alarm]>;
  readonly alarmCleared: AsyncParallelHook<[Alarm]>;
  /** Builds this node's status JSON; each plugin adds its own section. */
  readonly statusReport: SyncWaterfallHook<[Record<string, unknown>]>;
  /** Each heartbeat of the peer on the HA link (its role, status, term), before core's own term check. */
  readonly peerState: SyncHook<[NodeState]>;
  /** The node's agent lost (false) or regained (true) its arbiter (etcd; always true for `embedded`). */
  readonly arbiterConnection: SyncHook<[boolean]>;
}

export type HookName = keyof EngineHooks;

export function createEngineHooks(): EngineHooks {
  return Object.freeze({
    start: new AsyncSeriesHook<[LifecycleContext]>(['context']),
    stop: new AsyncSeriesHook<[LifecycleContext]>(['context']),
    health: new SyncWaterfallHook<[HealthVerdict, readonly HealthSignal[]]>(['verdict', 'signals']),
    statusChange: new AsyncSeriesHook<[StatusChange]>(['change']),
    roleChange: new AsyncSeriesHook<[RoleChange]>(['change']),
    beforeSwitchover: new AsyncSeriesBailHook<[SwitchoverProposal], SwitchoverVerdict | undefined>(['proposal']),
    afterSwitchover: new AsyncSeriesHook<[SwitchoverRecord]>(['switchover']),
    logEvent: new SyncHook<[LogEventRecord]>(['event']),
    alarmRaised: new AsyncParallelHook<[Alarm]>(['alarm']),
    alarmCleared: new AsyncParallelHook<[Alarm]>(['alarm']),
    statusReport: new SyncWaterfallHook<[Record<string, unknown>]>(['report']),
    peerState: new SyncHook<[NodeState]>(['peer']),
    arbiterConnection: new SyncHook<[boolean]>(['connected']),
  });
}

/** Tap order, as stage numbers (lower runs first). Use these, never bare numbers. */
export const HookStage = Object.freeze({
  FIRST: -1000,
  EARLY: -100,
  NORMAL: 0,
  LATE: 100,
  LAST: 1000,
});
