import { PrimarySockets } from './primary-sockets';
import os from 'node:os';
import path from 'node:path';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { SystemClock, type Clock } from '../clock';
import { SwitchyardError, describeError, isSwitchyardError } from '../errors';
import { LogEventCatalogue, type LogEventRecord } from '../events/catalogue';
import { CORE_EVENTS, CoreEvent } from '../events/core-events';
import { silentLogger, type Logger } from '../logging/logger';
import type { Plugin } from '../plugin/define';
import { hookError } from '../plugin/hook-view';
import { createPluginFacade } from '../plugin/plugin-facade';
import { orderByRequirements } from '../plugin/plugin-order';
import { CoreTokens, type ArbiterClient } from '../core-tokens';
import { tokenName } from '../tokens';
import { createEngineHooks, type EngineHooks, type HookName } from './hooks';
import { MonitorRegistry } from './monitors';
import { PrimaryGrant } from './primary-grant';
import { ServiceOwners } from '../plugin/service-registry';
import { StatusMachine } from './status-machine';
import { MemoryRelease, type FullGc } from '../node/memory-release';
import { SlowWork } from '../node/loop-lag';
import type { SwitchoverResult } from '../management/types';
import type { Alarm, HealthVerdict, NodeState, NodeStatus, Role, RoleOrder, SwitchoverProposal, SwitchoverVerdict } from './types';

export interface EngineOptions {
  nodeId: string;
  cluster: string;
  clock?: Clock;
  logger?: Logger;
  catalogue?: LogEventCatalogue;
  /** Parent container; the engine always works in its own child. */
  container?: DependencyContainer;
  /** Seconds each plugin's start/stop tap may take. Default 10. */
  lifecycleTimeout?: number;
  /** Called for every log event after the `logEvent` hook (log files, IPC). */
  onEvent?: (record: LogEventRecord) => void;
  /** The node's configured address (`nodes[].host`). Default 127.0.0.1. */
  host?: string;
  /** Folder for this node's persistent data; each plugin gets `<dataDir>/<plugin>`. Default: a folder in the OS temp dir. */
  dataDir?: string;
  /** This node's `nodes[].priority`. Default 0. */
  priority?: number;
  /** The other node of the pair (`nodes[]`), if there is one. */
  peer?: { id: string; priority: number };
  /** The full garbage collection `releaseMemory` runs; default `globalThis.gc` (present with `--expose-gc`), none otherwise. */
  fullGc?: FullGc;
  /** Sockets the agent binds and hands to the primary (`switchyard up`); default: none offered. */
  primarySockets?: PrimarySockets;
}

interface AppliedPlugin {
  plugin: Plugin;
  options: unknown;
  nodeOptions: unknown;
}

type Phase = 'assembling' | 'applied' | 'started' | 'stopped';

/**
 * One engine per node: owns the hooks, the node's status, role and term, the
 * monitors and the plugins. Core alone calls the hooks.
 */
export class Engine {
  readonly hooks: EngineHooks = createEngineHooks();
  readonly nodeId: string;
  readonly cluster: string;
  readonly clock: Clock;
  readonly catalogue: LogEventCatalogue;
  readonly container: DependencyContainer;
  readonly logger: Logger;
  readonly dataDir: string;
  readonly host: string;
  readonly priority: number;
  readonly peer: { readonly id: string; readonly priority: number } | null;
  /** Who registered which service token: plugins go through it; core registers in `container` directly. */
  readonly services: ServiceOwners;
  /** Returns memory to the OS after bulk work (plugins: `engine.releaseMemory`). */
  readonly memory: MemoryRelease;
  /** The slowest synchronous plugin work lately (hook taps), named by slow-loop reports. */
  readonly slowWork: SlowWork;
  /** The agent's primary sockets on this node (plugins: `engine.primarySockets`). */
  readonly primarySockets: PrimarySockets;

  private readonly statusMachine = new StatusMachine();
  private readonly monitors: MonitorRegistry;
  private readonly plugins: AppliedPlugin[] = [];
  private readonly lifecycleTimeout: number;
  private readonly onEvent?: (record: LogEventRecord) => void;
  private readonly stateListeners = new Set<(state: NodeState) => void>();
  private roleValue: Role = 'backup';
  private termValue = 0;
  private phase: Phase = 'assembling';
  private inLogEvent = false;
  private lastReasons: string[] = [];
  private peerStateValue: NodeState | null = null;
  private arbiterConnectedValue = true;
  /** Until when the arbiter lets this node serve as primary (no limit under the embedded arbiter). */
  private readonly primaryGrant: PrimaryGrant;

  constructor(options: EngineOptions) {
    this.nodeId = options.nodeId;
    this.cluster = options.cluster;
    this.clock = options.clock ?? new SystemClock();
    this.logger = (options.logger ?? silentLogger).child({ node: options.nodeId });
    this.catalogue = options.catalogue ?? new LogEventCatalogue();
    this.catalogue.register(CORE_EVENTS, 'core');
    this.container = (options.container ?? rootContainer).createChildContainer();
    this.lifecycleTimeout = options.lifecycleTimeout ?? 10;
    this.onEvent = options.onEvent;
    this.host = options.host ?? '127.0.0.1';
    this.priority = options.priority ?? 0;
    this.peer = options.peer ? Object.freeze({ ...options.peer }) : null;
    this.dataDir = options.dataDir ?? path.join(os.tmpdir(), `switchyard-${options.cluster}-${options.nodeId}`);
    this.primaryGrant = new PrimaryGrant(this.clock, (late) => void this.grantLapsed(late));
    this.memory = new MemoryRelease(this.clock, this.logger, options.fullGc);
    this.slowWork = new SlowWork(this.clock);
    this.primarySockets = options.primarySockets ?? new PrimarySockets([], () => undefined);
    this.monitors = new MonitorRegistry(this.clock, (signal, previous, eventFields) => {
      // The plugin's own event first (once, on the transition), then core's record of the monitor.
      if (!signal.ok && previous.ok && signal.eventId !== undefined) {
        this.emit(signal.eventId, { monitor: signal.monitor, reason: signal.reason ?? 'failed', ...eventFields }, signal.plugin);
      }
      if (!signal.ok) this.emit(CoreEvent.MonitorFailed, { monitor: signal.monitor, reason: signal.reason ?? 'failed' });
      else if (!previous.ok) this.emit(CoreEvent.MonitorRecovered, { monitor: signal.monitor });
      if (this.phase === 'started') void this.evaluateHealth();
    }, (id) => void this.catalogue.get(id));
    this.container.register(CoreTokens.Clock, { useValue: this.clock });
    this.container.register(CoreTokens.Catalogue, { useValue: this.catalogue });
    // Not the engine itself: whoever resolves it could give this node any role without the arbiter.
    this.services = new ServiceOwners(this.container);
  }

  get role(): Role {
    return this.roleValue;
  }
  get status(): NodeStatus {
    return this.statusMachine.current;
  }
  get term(): number {
    return this.termValue;
  }
  /**
   * Whether this node may act as primary right now: it holds the primary
   * role and the arbiter's grant (see {@link grant}) has not lapsed. Read
   * at the moment of answering, so a process thawed after a freeze never
   * answers as primary before its timers have run.
   */
  get serving(): boolean {
    return this.roleValue === 'primary' && this.primaryGrant.holds();
  }
  /** The peer's latest heartbeat while the HA link is up; null while it is down. */
  get peerState(): NodeState | null {
    return this.peerStateValue;
  }
  /** Whether this node's agent reaches its arbiter (as the agent last said; true until told otherwise). */
  get arbiterConnected(): boolean {
    return this.arbiterConnectedValue;
  }
  get state(): NodeState {
    return { nodeId: this.nodeId, role: this.roleValue, status: this.status, term: this.termValue };
  }
  /** Names of applied plugins, in order. */
  get pluginNames(): string[] {
    return this.plugins.map((p) => p.plugin.name);
  }

  /**
   * Adds a plugin with options already parsed by its schema, and this
   * node's section of the plugin (`nodes[].<key>`), if it has one. Only
   * before `apply()`.
   */
  use(plugin: Plugin, options: unknown = {}, nodeOptions?: unknown): this {
    if (this.phase !== 'assembling') {
      throw new SwitchyardError('SWY_ERR_ENGINE_STATE', `Plugin "${plugin.name}" added after the engine was assembled.`);
    }
    if (this.plugins.some((p) => p.plugin.name === plugin.name)) {
      throw new SwitchyardError('SWY_ERR_PLUGIN_DUPLICATE', `Plugin "${plugin.name}" is enabled twice on node ${this.nodeId}.`, {
        details: { plugin: plugin.name },
      });
    }
    this.plugins.push({ plugin, options, nodeOptions });
    return this;
  }

  /**
   * Applies every plugin (dependencies first) and checks requirements.
   * Nothing opens a socket or a timer here.
   */
  async apply(): Promise<void> {
    if (this.phase !== 'assembling') throw new SwitchyardError('SWY_ERR_ENGINE_STATE', 'apply() called twice.');
    const ordered = orderByRequirements(this.plugins);
    this.plugins.splice(0, this.plugins.length, ...ordered);
    // Every plugin's declared events first, so any plugin may emit any declared id from apply() on.
    // A clash throws SWY_ERR_EVENT_DUPLICATE / _ID_FORMAT naming the plugin.
    for (const { plugin } of this.plugins) this.catalogue.register(plugin.events ?? [], plugin.name);
    for (const { plugin, options, nodeOptions } of this.plugins) {
      try {
        await plugin.apply(createPluginFacade(this, plugin, options, nodeOptions, this.lifecycleTimeout));
      } catch (error) {
        // A refused registration already names both plugins; its own code says what to do.
        if (isSwitchyardError(error, 'SWY_ERR_SERVICE_TAKEN')) throw error;
        throw hookError(plugin.name, 'apply', error);
      }
      this.emit(CoreEvent.PluginLoaded, { plugin: plugin.name, version: plugin.version });
    }
    for (const { plugin } of this.plugins) {
      for (const token of plugin.requires?.services ?? []) {
        if (!this.container.isRegistered(token, true)) {
          throw new SwitchyardError(
            'SWY_ERR_PLUGIN_REQUIREMENT',
            `Plugin "${plugin.name}" requires service "${tokenName(token)}", which no enabled plugin registers.`,
            { details: { plugin: plugin.name, service: tokenName(token) } },
          );
        }
      }
    }
    this.phase = 'applied';
  }

  /** Runs `start` taps, then reports `running` or `unavailable` from the monitors. */
  async start(): Promise<void> {
    if (this.phase === 'assembling') await this.apply();
    if (this.phase !== 'applied') throw new SwitchyardError('SWY_ERR_ENGINE_STATE', 'start() called twice.');
    await this.hooks.start.promise({ nodeId: this.nodeId, reason: '' });
    this.phase = 'started';
    await this.evaluateHealth();
  }

  /** Runs `stop` taps (reverse order). Failures are logged, never thrown: stopping must finish. */
  async stop(reason = 'stop'): Promise<void> {
    if (this.phase === 'stopped' || this.status === 'stopping') return;
    const wasStarted = this.phase === 'started';
    this.phase = 'stopped';
    await this.setStatus('stopping', [reason]);
    if (wasStarted) {
      try {
        await this.hooks.stop.promise({ nodeId: this.nodeId, reason });
      } catch (error) {
        this.reportHookFailure('stop', error);
      }
    }
    await this.setStatus('stopped', [reason]);
    this.primaryGrant.cancel();
    this.memory.close();
    this.emit(CoreEvent.NodeStopped, {});
  }

  /**
   * Applies an arbiter's order. An order from an older term is refused
   * (SWY_ERR_ROLE_STALE_TERM); the same term and role again is a no-op.
   */
  async applyOrder(order: RoleOrder): Promise<void> {
    if (order.term < this.termValue) {
      this.emit(CoreEvent.StaleOrderRefused, { role: order.role, orderTerm: order.term });
      throw new SwitchyardError(
        'SWY_ERR_ROLE_STALE_TERM',
        `Order "${order.role}" from term ${order.term} refused; node ${this.nodeId} is at term ${this.termValue}.`,
        { details: { orderTerm: order.term, term: this.termValue } },
      );
    }
    this.termValue = order.term;
    await this.changeRole(order.role, order.reason);
    this.armGrant();
    if (order.switchover) {
      const record = order.switchover;
      await this.callAsync('afterSwitchover', () => this.hooks.afterSwitchover.promise(record));
    }
  }

  /**
   * The arbiter's grant: this node may serve as primary until `until`
   * (`clock.monotonic()` ms, the same clock in every process of the host);
   * null lifts the limit. When a primary's grant lapses it steps down to
   * backup by itself (01-10006) and answers like a backup until the arbiter
   * orders it again.
   */
  grant(until: number | null): void {
    this.primaryGrant.set(until);
    this.armGrant();
  }

  /**
   * A term seen from the peer (HA-link heartbeats). A newer term means a
   * newer arbiter decision this node has not heard of: it adopts the term,
   * and a primary steps down, so a thawed or reconnected old primary never
   * serves beside the new one.
   */
  async observeTerm(seen: number, peer: string): Promise<void> {
    if (seen <= this.termValue || this.phase === 'stopped') return;
    const wasPrimary = this.roleValue === 'primary';
    this.emit(CoreEvent.HigherTermSeen, { seen, peer, action: wasPrimary ? 'stepping down to backup' : 'adopting it' });
    this.termValue = seen;
    await this.changeRole('backup', `${peer} holds the newer term ${seen}`);
  }

  /**
   * A heartbeat of the peer on the HA link (null: the link went down). The
   * `peerState` taps hear it first, then the term check ({@link observeTerm}).
   */
  observePeer(state: NodeState | null): void {
    this.peerStateValue = state;
    if (state === null || this.phase === 'stopped') return;
    try {
      this.hooks.peerState.call(state);
    } catch (error) {
      this.reportHookFailure('peerState', error);
    }
    void this.observeTerm(state.term, state.nodeId);
  }

  /** The agent's word on its arbiter: reachable or not. Calls `arbiterConnection` taps on a change. */
  observeArbiter(connected: boolean): void {
    if (connected === this.arbiterConnectedValue || this.phase === 'stopped') return;
    this.arbiterConnectedValue = connected;
    try {
      this.hooks.arbiterConnection.call(connected);
    } catch (error) {
      this.reportHookFailure('arbiterConnection', error);
    }
  }

  /**
   * A plugin gives up the primary role on its own (the split-brain rule of
   * `control-vip-scripts`): only ever demotes, never promotes. Resolves
   * false when this node was not primary.
   */
  async yieldPrimary(reason: string, by: string): Promise<boolean> {
    if (this.roleValue !== 'primary' || this.phase === 'stopped') return false;
    this.emit(CoreEvent.PrimaryYielded, { by, reason });
    await this.changeRole('backup', reason);
    this.armGrant();
    return true;
  }

  /** Asks `beforeSwitchover` taps whether this node may give up the primary role now. */
  async consultSwitchover(proposal: SwitchoverProposal): Promise<SwitchoverVerdict | undefined> {
    try {
      return await this.hooks.beforeSwitchover.promise(proposal);
    } catch (error) {
      this.reportHookFailure('beforeSwitchover', error);
      return undefined;
    }
  }

  /** Emits a log event: the `logEvent` hook, then the sink (files, supervisor). */
  emit(id: string, fields: Record<string, unknown> = {}, owner?: string): LogEventRecord {
    const def = this.catalogue.get(id);
    const all = { node: this.nodeId, term: this.termValue, ...fields };
    const record: LogEventRecord = {
      id,
      level: def.level,
      message: this.catalogue.format(id, all),
      fields,
      node: this.nodeId,
      term: this.termValue,
      time: this.clock.now(),
      owner: owner ?? def.owner,
    };
    // The guard stays up until the failure of a tap has been reported: the report is
    // itself an event, and a tap that always throws would otherwise recurse without end.
    let failed = false;
    let failure: unknown;
    if (!this.inLogEvent) {
      this.inLogEvent = true;
      try {
        this.hooks.logEvent.call(record);
      } catch (error) {
        failed = true;
        failure = error;
      } finally {
        if (!failed) this.inLogEvent = false;
      }
    }
    this.onEvent?.(record);
    if (failed) {
      try {
        this.reportHookFailure('logEvent', failure);
      } finally {
        this.inLogEvent = false;
      }
    }
    return record;
  }

  /**
   * Calls `alarmRaised` or `alarmCleared` (the supervisor's engine, for the
   * alarm engine). A failing tap is reported as 01-10030; never throws.
   */
  async notifyAlarm(change: 'raised' | 'cleared', alarm: Alarm): Promise<void> {
    const hook = change === 'raised' ? 'alarmRaised' : 'alarmCleared';
    await this.callAsync(hook, () => this.hooks[hook].promise(alarm));
  }

  /** This node's status JSON: core fields plus each plugin's section. */
  report(): Record<string, unknown> {
    const base: Record<string, unknown> = {
      id: this.nodeId,
      role: this.roleValue,
      status: this.status,
      term: this.termValue,
      reasons: this.lastReasons,
      monitors: this.monitors.list(),
      plugins: this.pluginNames,
    };
    try {
      return this.hooks.statusReport.call(base);
    } catch (error) {
      this.reportHookFailure('statusReport', error);
      return base;
    }
  }

  /** Called with the new state whenever role, status or term changes. */
  onStateChange(listener: (state: NodeState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Monitors as the engine itself (core parts, tests) registers them. */
  registerMonitor(owner: string, name: string, options?: { affectsService?: boolean }) {
    return this.monitors.register(owner, name, options);
  }

  private async changeRole(to: Role, reason: string): Promise<void> {
    const from = this.roleValue;
    if (from === to) {
      this.notifyState();
      return;
    }
    this.roleValue = to;
    this.emit(CoreEvent.RoleChanged, { from, to, reason });
    this.notifyState();
    await this.callAsync('roleChange', () => this.hooks.roleChange.promise({ from, to, term: this.termValue, reason }));
  }

  /** Watches the grant's deadline while this node is primary. */
  private armGrant(): void {
    this.primaryGrant.arm(this.roleValue === 'primary' && this.phase !== 'stopped');
  }

  private async grantLapsed(late: number): Promise<void> {
    if (this.roleValue !== 'primary') return;
    this.emit(CoreEvent.GrantLapsed, { late: Math.round(late), why: 'neither the arbiter nor the peer confirmed this primary in time' });
    await this.changeRole('backup', 'grant lapsed');
  }

  private async evaluateHealth(): Promise<void> {
    if (this.phase !== 'started') return;
    const signals = this.monitors.list();
    const failed = signals.filter((s) => !s.ok && s.affectsService);
    let verdict: HealthVerdict = {
      status: failed.length > 0 ? 'unavailable' : 'running',
      reasons: failed.map((s) => `${s.monitor}: ${s.reason ?? 'failed'}`),
    };
    try {
      verdict = this.hooks.health.call(verdict, signals);
    } catch (error) {
      this.reportHookFailure('health', error);
    }
    if (verdict.status !== this.status) await this.setStatus(verdict.status, verdict.reasons);
    else this.lastReasons = verdict.reasons;
  }

  private async setStatus(to: NodeStatus, reasons: string[]): Promise<void> {
    const from = this.statusMachine.transition(to);
    this.lastReasons = reasons;
    this.emit(CoreEvent.StatusChanged, { from, to, reasons: reasons.join('; ') || undefined });
    this.notifyState();
    await this.callAsync('statusChange', () => this.hooks.statusChange.promise({ from, to, reasons }));
  }

  private notifyState(): void {
    const state = this.state;
    for (const listener of this.stateListeners) listener(state);
  }

  private async callAsync(hook: HookName, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.reportHookFailure(hook, error);
    }
  }

  private reportHookFailure(hook: HookName, error: unknown): void {
    const wrapped = hookError(String((error as SwitchyardError)?.details?.plugin ?? 'unknown'), hook, error);
    const plugin = String(wrapped.details.plugin ?? 'unknown');
    const cause = wrapped.cause instanceof Error ? wrapped.cause.message : describeError(wrapped.cause ?? error);
    this.emit(CoreEvent.PluginHookFailed, { plugin, hook: String(wrapped.details.hook ?? hook), error: cause });
  }

  /**
   * Asks the arbiter (through the ArbiterClient service) to move the primary
   * role away from this node. Never throws: a missing arbiter or a refusal
   * comes back as `{ ok: false, reason }`.
   */
  async requestSwitchover(reason: string, by: string): Promise<SwitchoverResult> {
    if (!this.container.isRegistered(CoreTokens.ArbiterClient, true)) {
      return { ok: false, term: this.termValue, primary: null, reason: 'no arbiter is connected to this node' };
    }
    try {
      return await this.container.resolve<ArbiterClient>(CoreTokens.ArbiterClient).requestSwitchover(reason, by);
    } catch (error) {
      return { ok: false, term: this.termValue, primary: null, reason: describeError(error) };
    }
  }
}
