import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type winston from 'winston';
import { SystemClock, type Clock, type TimerHandle } from '../clock';
import { AlarmEngine, type ConfiguredReaction } from '../alarms/alarm-engine';
import { AlarmStore } from '../alarms/alarm-store';
import type { ValidatedConfig } from '../config/validate';
import type { Engine } from '../engine/engine';
import { describeError } from '../errors';
import { LogEventCatalogue, type LogEventRecord } from '../events/catalogue';
import { CORE_EVENTS, CoreEvent } from '../events/core-events';
import type { NodeState, SwitchoverVerdict } from '../engine/types';
import type { NodeMessage } from '../ipc/messages';
import { deferredLogger } from '../logging/logger';
import { closeWinstonLogger, createWinstonLogger, writeLogEvent } from '../logging/winston-logger';
import { alarmRoutes } from '../management/alarm-routes';
import type { MetricJson } from '../metrics/cluster-metrics';
import { scrapeAgent } from './agent-metrics';
import { OperatorView } from './operator-view';
import { hostPort } from '../management/address';
import { ManagementServer } from '../management/server';
import { loadServerTls } from '../management/tls';
import { createTokenFile, removeTokenFile } from '../management/token';
import type { ClusterStatusView, NodeStatusView, SupervisorControl, SwitchoverResult } from '../management/types';
import type { Arbiter } from './arbiter';
import { NodeProcess } from './node-process';
import { RestartBackoff } from './restart-policy';
import { ExitWatch, type StatReader } from './exit-watch';
import { PrimarySocketHandover } from './primary-socket-handover';
import { bindPrimarySocket, PrimarySocketBindError, type BoundPrimarySocket } from './primary-sockets-bind';
import { agentStateDir, managementHost, prepareAgentStateDir } from './agent-paths';
import { createReactions, createSupervisorEngine, switchoverAwayFrom, SUPERVISOR_ID } from './supervisor-engine';

export interface SupervisorOptions {
  clock?: Clock;
  /** Called for every log event of the supervisor and of its nodes (console view, tests). */
  onEvent?: (record: LogEventRecord) => void;
  /** Called when a node's view changes (console view). */
  onNodes?: (nodes: NodeStatusView[]) => void;
  /** A node process printed a line. */
  onOutput?: (node: string, line: string) => void;
  /** Node entry point (tests may point elsewhere). */
  nodeEntry?: string;
  /**
   * The nodes this agent runs: both (`switchyard up`, the default) or one
   * (`switchyard node`, the other host's agent runs the other).
   */
  localNodes?: readonly string[];
  /** How node processes' kernel state is read (tests); `/proc` by default. */
  statReader?: StatReader;
}

interface NodeSlot {
  id: string;
  process: NodeProcess;
  backoff: RestartBackoff;
  restarts: number;
  state: NodeState | null;
  restartTimer: TimerHandle | null;
  /** What the node was last told of the arbiter's reachability (null: nothing yet in this process). */
  arbiterSent: boolean | null;
  /** Whether the node's HA link was up at its last heartbeat (null: no heartbeat from this process yet). */
  linkUp: boolean | null;
  /** The pid the kernel is tearing down, its role already given up (its exit is not reported yet); null otherwise. */
  exiting: number | null;
}

/** Milliseconds the supervisor waits for a node to answer a consult or status request. */
const ASK_TIMEOUT_MS = 500;

/**
 * The agent of a host: forks its node processes, hosts the arbiter
 * strategy they answer to, restarts dead nodes as backup with backoff,
 * serves the management API, and runs the alarm engine over the events of
 * its nodes and its own (with its own engine for plugins of scope
 * `supervisor`). `switchyard up` is the agent of both nodes with the
 * embedded arbiter; `switchyard node` the agent of one node with a remote
 * arbiter (etcd), which it can tell at once when its node dies.
 */
export class Supervisor implements SupervisorControl {
  private readonly clock: Clock;
  private readonly catalogue = new LogEventCatalogue();
  private readonly slots = new Map<string, NodeSlot>();
  private readonly arbiter: Arbiter;
  private readonly pending = new Map<number, (value: unknown) => void>();
  private nextRequestId = 1;
  private logger: winston.Logger | null = null;
  private management: ManagementServer | null = null;
  private secret = '';
  private stopping = false;
  private viewTimer: TimerHandle | null = null;
  private readonly engine: Engine;
  private engineStarted = false;
  private readonly reactions = new Map<string, ConfiguredReaction>();
  /** Token, alarm state, data and logs: the runtime dir, or `<runtimeDir>/<node>` for a one-node agent. */
  readonly stateDir: string;
  private readonly localNodes: readonly string[];
  /** Active and recently cleared alarms (tests read it; operators use the API). */
  readonly alarms: AlarmEngine;
  /** Plugins' primary sockets this agent bound (one host only), and who holds them. */
  private primarySockets: BoundPrimarySocket[] = [];
  private handover = new PrimarySocketHandover([], () => undefined);
  /** Sees a node's death as it starts (`supervisor.exitPoll`). */
  private readonly exitWatch: ExitWatch;
  /** Whether a node's role may go when it starts exiting: not while a socket it holds can only be freed by its exit. */
  private earlyExits = true;
  /** Events emitted inside {@link holdingEvents}, recorded once it returns. */
  private heldEvents: LogEventRecord[] | undefined;
  /** The switchover history, the console and its event stream, process metrics. */
  readonly operators: OperatorView;

  constructor(
    private readonly validated: ValidatedConfig,
    private readonly options: SupervisorOptions = {},
  ) {
    this.clock = options.clock ?? new SystemClock();
    this.exitWatch = new ExitWatch(this.clock, validated.config.supervisor.exitPoll * 1000, options.statReader);
    this.catalogue.register(CORE_EVENTS, 'core');
    // Every enabled plugin's declared events: reactions of any plugin may emit theirs here.
    for (const { plugin } of validated.plugins) this.catalogue.register(plugin.events ?? [], plugin.name);
    // The arbiter kind's own events, also when its plugin is enabled: a kind may declare ids its plugin's `events` lacks
    // (the same definition twice is a no-op).
    this.catalogue.register(validated.arbiter.definition.events ?? [], validated.arbiter.plugin);
    const { config } = validated;
    this.localNodes = options.localNodes ?? config.nodes.map((n) => n.id);
    this.stateDir = agentStateDir(validated, this.localNodes);
    const logger = deferredLogger(() => this.logger);
    this.engine = createSupervisorEngine(validated, {
      clock: this.clock,
      catalogue: this.catalogue,
      logger,
      onEvent: (record) => this.record(record),
      arbiter: () => this.arbiter,
    });
    this.alarms = new AlarmEngine({
      conditions: config.alarms.conditions,
      reactions: this.reactions,
      clock: this.clock,
      emit: (id, fields) => this.emit(id, fields),
      reactionTimeout: config.alarms.reactionTimeout,
      historySize: config.alarms.historySize,
      store: new AlarmStore(this.stateDir),
      notify: (change, alarm) => {
        this.operators.alarmsChanged(this.alarms.list());
        return this.engine.notifyAlarm(change, alarm);
      },
      logger,
    });
    this.operators = new OperatorView(this.stateDir, this.clock);
    for (const node of config.nodes.filter((n) => this.localNodes.includes(n.id))) {
      const slot: NodeSlot = {
        id: node.id,
        backoff: new RestartBackoff(config.supervisor.restartDelay, config.supervisor.restartMaxDelay),
        restarts: 0,
        state: null,
        restartTimer: null,
        arbiterSent: null,
        linkUp: null,
        exiting: null,
        process: new NodeProcess(
          node.id,
          {
            message: (m) => this.onNodeMessage(slot, m),
            exit: (reason, pid) => this.onNodeExit(slot, reason, pid),
            output: (line) => this.options.onOutput?.(node.id, line),
          },
          options.nodeEntry,
        ),
      };
      this.slots.set(node.id, slot);
    }
    const { definition, options: arbiterOptions } = validated.arbiter;
    this.arbiter = definition.create(arbiterOptions, {
      cluster: config.cluster,
      nodes: config.nodes,
      localNodes: this.localNodes,
      clock: this.clock,
      logger: logger.child({ node: SUPERVISOR_ID, arbiter: validated.arbiter.kind }),
      haLink: config.haLink,
      port: {
        order: (nodeId, order) => {
          // A new primary's go for the sockets no one holds travels in its order's message, so the
          // node serves them in the turn it takes the role (two messages could wake it twice).
          if (order.role !== 'primary') this.handover.demoted(nodeId);
          const go = order.role === 'primary' ? this.handover.promoted(nodeId) : [];
          this.slot(nodeId).process.send(go.length > 0 ? { t: 'order', order, go } : { t: 'order', order });
        },
        grant: (nodeId, until) => this.slot(nodeId).process.send({ t: 'grant', until }),
        consult: (nodeId, proposal) =>
          this.ask<SwitchoverVerdict | null>(this.slot(nodeId), (id) => ({ t: 'consult', id, proposal }), null).then(
            (v) => v ?? undefined,
          ),
        // The arbiter knows nodes, not processes: a local node's pid is added for templates that name it (01-10042).
        emit: (id, fields) => {
          const slot = typeof fields.node === 'string' ? this.slots.get(fields.node) : undefined;
          this.emit(id, fields.pid === undefined && slot?.process.pid ? { ...fields, pid: slot.process.pid } : fields);
        },
        fence: (nodeId, reason, to) => this.fence(nodeId, reason, to),
      },
    });
  }

  get runtimeDir(): string {
    return this.stateDir;
  }

  /**
   * Creates the alarm reactions, applies the supervisor's plugins, restores
   * the saved alarms, starts the management API, then both nodes. Rejects
   * (nothing left running) if any of that fails.
   */
  async start(): Promise<{ managementUrl: string }> {
    const { config } = this.validated;
    await prepareAgentStateDir(this.validated, this.localNodes);
    const logDir = config.logging.dir ? path.resolve(this.validated.configDir, config.logging.dir) : path.join(this.runtimeDir, 'logs');
    const logName = this.localNodes.length === config.nodes.length ? 'supervisor.log' : `agent-${this.localNodes.join('-')}.log`;
    this.logger = createWinstonLogger({ node: SUPERVISOR_ID, level: config.logging.level, file: path.join(logDir, logName), logging: config.logging, clock: this.clock });
    for (const [name, reaction] of createReactions(this.validated, (name) => this.reactionContext(name))) this.reactions.set(name, reaction);
    await this.engine.apply();
    await this.alarms.load();
    await this.operators.start(this.alarms.list());
    this.secret = config.haLink.secret ?? randomBytes(32).toString('hex');
    // Read and checked before the token is written or anything listens.
    const tls = config.management.tls ? await loadServerTls(config.management.tls, this.validated.configDir) : undefined;
    const token = await createTokenFile(this.runtimeDir);
    this.management = new ManagementServer({
      ...(tls ? { tls } : {}),
      host: managementHost(this.validated, this.localNodes),
      port: config.management.port,
      token,
      control: this,
      emit: (id, fields) => this.emit(id, fields),
      routes: [...alarmRoutes(this.alarms), ...this.operators.routes(() => this.metrics())],
    });
    let address: { host: string; port: number };
    try {
      address = await this.management.listen();
      await this.engine.start();
      this.engineStarted = true;
    } catch (error) {
      await this.management.close();
      await removeTokenFile(this.runtimeDir);
      throw error;
    }
    this.emit(CoreEvent.SupervisorStarted, { cluster: config.cluster, pid: process.pid });
    this.bindPrimarySockets();
    await this.arbiter.start();
    for (const slot of this.slots.values()) this.spawn(slot);
    this.viewTimer = this.clock.setInterval(() => this.publishNodes(), 250);
    this.alarms.resume();
    return { managementUrl: `${this.management.scheme}://${hostPort(address.host, address.port)}` };
  }

  /** Stops both nodes (gracefully, then by force), the API and the arbiter. */
  async stop(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // The nodes' shutdown events are no alarm condition.
    this.alarms.pause();
    this.emit(CoreEvent.SupervisorStopping, { reason });
    this.viewTimer?.cancel();
    this.exitWatch.stop();
    const timeout = this.validated.config.supervisor.stopTimeout * 1000;
    await Promise.all(
      [...this.slots.values()].map((slot) => {
        slot.restartTimer?.cancel();
        return slot.process.stop(reason, timeout);
      }),
    );
    // After the nodes: a graceful agent gives up its arbiter lease only once its node no longer serves.
    await this.arbiter.stop({ graceful: true });
    for (const socket of this.primarySockets.splice(0)) for (const handle of [socket.udp, socket.tcp]) handle.close();
    await this.management?.close();
    await this.alarms.stop();
    await this.operators.stop();
    if (this.engineStarted) await this.engine.stop(reason);
    await removeTokenFile(this.runtimeDir).catch(() => undefined);
    this.publishNodes();
    if (this.logger) await closeWinstonLogger(this.logger);
  }

  // SupervisorControl ------------------------------------------------------

  async status(): Promise<ClusterStatusView> {
    const views = this.nodeViews();
    const reports = await Promise.all(
      views.map(({ id }) => {
        const slot = this.slots.get(id);
        return slot?.process.running ? this.ask<Record<string, unknown> | null>(slot, (rid) => ({ t: 'status-request', id: rid }), null) : null;
      }),
    );
    const nodes = views.map((view, i) => {
      const { id: _id, role: _r, status: _s, term: _t, ...sections } = reports[i] ?? {};
      return { ...sections, ...view };
    });
    return {
      cluster: this.validated.config.cluster,
      arbiter: { kind: this.arbiter.kind, term: this.arbiter.term, primary: this.arbiter.primary, connected: this.arbiter.connected },
      nodes,
    };
  }

  healthy(): boolean {
    const primary = this.arbiter.primary;
    if (!primary) return false;
    const slot = this.slots.get(primary);
    if (!slot) return this.arbiter.nodes().some((n) => n.id === primary && n.status === 'running');
    return slot.state?.status === 'running' && slot.state?.role === 'primary';
  }

  /**
   * `GET /metrics`: the agent's metrics (from the arbiter's view and each
   * node's status report), its process metrics, and each local node's
   * registry, every node series labelled with its node.
   */
  async metrics(): Promise<string> {
    const running = [...this.slots.values()].filter((slot) => slot.process.running);
    return scrapeAgent({
      status: () => this.status(),
      running: new Map(
        running.map((slot) => [
          slot.id,
          { linkUp: slot.linkUp, metrics: () => this.ask<MetricJson[]>(slot, (id) => ({ t: 'metrics-request', id }), []) },
        ]),
      ),
      local: new Set(this.slots.keys()),
      agentId: SUPERVISOR_ID,
      processMetrics: this.operators.processMetrics,
      history: this.operators.history,
      activeAlarms: this.alarms.list().active,
    });
  }

  switchover(request: { reason: string; by: string }): Promise<SwitchoverResult> {
    return this.arbiter.requestSwitchover(request.reason, request.by);
  }

  /**
   * Fencing (`arbiter.fence`): kills a node that stopped answering, by its
   * pid, before the arbiter orders the other node primary. SIGKILL reaches
   * a stopped process too; its sockets are closed as it exits, and its exit
   * restarts it as backup like a crash.
   */
  private fence(nodeId: string, reason: string, to: string): void {
    const slot = this.slot(nodeId);
    const pid = slot.process.pid;
    if (pid === null) return;
    this.emit(CoreEvent.NodeFenced, { node: nodeId, pid, to, reason });
    slot.process.kill('SIGKILL');
    // A killed process never runs again, not even to read a socket: what it held may go to the new primary now.
    this.handover.gone(nodeId);
  }

  /**
   * On one host (all nodes local), binds every primary socket the enabled
   * plugins declare, once, and hands each to the primary (when the previous
   * holder let go). An address that cannot be bound here (01-10049) is left
   * to the primary to bind itself.
   */
  private bindPrimarySockets(): void {
    if (this.localNodes.length !== this.validated.config.nodes.length) return;
    for (const { plugin, options } of this.validated.plugins) {
      for (const spec of plugin.primarySockets?.(options) ?? []) {
        try {
          this.primarySockets.push(bindPrimarySocket(spec));
        } catch (error) {
          const { transport, errno } = error instanceof PrimarySocketBindError ? error : { transport: '?', errno: String(error) };
          this.emit(CoreEvent.PrimarySocketUnbound, { name: spec.name, address: spec.host, port: spec.port, transport, errno });
          // The primary binds this one itself; a dying primary holds it until its exit is reported.
          this.earlyExits = false;
        }
      }
    }
    // Each node keeps a copy ready (sent at spawn and after each release); the holder is told when it may read.
    this.handover = new PrimarySocketHandover(
      this.primarySockets.map((s) => s.name),
      (nodeId, name) => this.slot(nodeId).process.send({ t: 'primary-socket-go', name }),
    );
  }

  /** Sends a node copies of the primary sockets to keep ready, unread (they are read only after a go). */
  private positionPrimarySockets(slot: NodeSlot, only?: string): void {
    for (const socket of this.primarySockets) {
      if (only !== undefined && socket.name !== only) continue;
      slot.process.send({ t: 'primary-socket', name: socket.name, transport: 'udp' }, socket.udp);
      slot.process.send({ t: 'primary-socket', name: socket.name, transport: 'tcp' }, socket.tcp);
    }
  }

  /** Sends a signal to a node process (tests, `kill` from the CLI later). */
  signal(nodeId: string, signal: NodeJS.Signals): void {
    this.slot(nodeId).process.kill(signal);
  }

  nodeViews(): NodeStatusView[] {
    const now = this.clock.monotonic();
    return this.arbiter.nodes().map((a) => {
      const slot = this.slots.get(a.id);
      if (!slot) {
        // Another host's node, as the arbiter knows it.
        return {
          id: a.id,
          role: a.role,
          status: !a.alive ? 'down' : !a.responsive ? 'unresponsive' : (a.status ?? 'starting'),
          pid: null,
          term: 0,
          lastHeartbeat: null,
          restarts: 0,
          local: false,
        };
      }
      const alive = slot.process.running && slot.exiting === null;
      const status: NodeStatusView['status'] = !alive ? 'down' : !a.responsive ? 'unresponsive' : (slot.state?.status ?? 'starting');
      return {
        id: a.id,
        role: slot.state?.role && alive ? slot.state.role : a.role,
        status,
        pid: slot.process.pid,
        term: slot.state?.term ?? 0,
        lastHeartbeat: a.lastHeartbeat === null || !alive ? null : Math.max(0, (now - a.lastHeartbeat) / 1000),
        restarts: slot.restarts,
      };
    });
  }

  // internals --------------------------------------------------------------

  private reactionContext(name: string) {
    return {
      name,
      logger: deferredLogger(() => this.logger, { node: SUPERVISOR_ID, reaction: name }),
      emit: (id: string, fields: Record<string, unknown> = {}) => void this.engine.emit(id, fields),
      clock: this.clock,
      requestSwitchover: (awayFrom: string, reason: string) =>
        switchoverAwayFrom(this.arbiter, awayFrom, reason, `alarm reaction ${name}`),
    };
  }

  private spawn(slot: NodeSlot): void {
    const { validated } = this;
    slot.state = null;
    slot.exiting = null;
    const pid = slot.process.spawn({
      t: 'init',
      nodeId: slot.id,
      config: validated.config,
      configDir: validated.configDir,
      file: validated.file,
      runtimeDir: this.stateDir,
      secret: this.secret,
      primarySockets: this.primarySockets.map((s) => s.name),
    });
    this.positionPrimarySockets(slot);
    if (this.earlyExits) this.exitWatch.watch(pid, (reason) => this.onNodeExiting(slot, pid, reason));
    slot.arbiterSent = null;
    slot.linkUp = null;
    this.arbiter.nodeSpawned(slot.id);
    this.emit(CoreEvent.ProcessSpawned, { node: slot.id, pid });
    this.publishNodes();
  }

  /** Tells a node whether its agent reaches the arbiter, when that changed (checked at each of its heartbeats). */
  private tellArbiterConnection(slot: NodeSlot): void {
    const connected = this.arbiter.connected;
    if (slot.arbiterSent === connected) return;
    slot.arbiterSent = connected;
    slot.process.send({ t: 'arbiter', connected });
  }

  private onNodeMessage(slot: NodeSlot, message: NodeMessage): void {
    switch (message.t) {
      case 'hb':
        // A beat the dying process wrote before the signal, read after it: it is no sign of life.
        if (slot.exiting !== null) return;
        slot.state = message.state;
        slot.linkUp = message.link.connected;
        this.operators.heartbeat(slot.id, message.state);
        this.arbiter.heartbeat(slot.id, message.state, message.link);
        this.tellArbiterConnection(slot);
        this.publishNodes();
        return;
      case 'event':
        this.record(message.record);
        return;
      case 'consult-reply':
        this.pending.get(message.id)?.(message.verdict);
        return;
      case 'status-reply':
        this.pending.get(message.id)?.(message.report);
        return;
      case 'metrics-reply':
        this.pending.get(message.id)?.(message.metrics);
        return;
      case 'switchover-request':
        void this.arbiter.requestSwitchover(message.reason, message.by, slot.id).then((result) =>
          slot.process.send({ t: 'switchover-reply', id: message.id, result }),
        );
        return;
      case 'primary-socket-released':
        this.handover.released(slot.id, message.name);
        this.positionPrimarySockets(slot, message.name); // ready for its next turn
        return;
      case 'fatal':
        this.options.onOutput?.(slot.id, `fatal ${message.code}: ${message.message}`);
        this.logger?.error(`node ${slot.id} fatal: ${message.message}`, { node: slot.id, code: message.code });
        return;
    }
  }

  /**
   * The kernel is tearing the node down (seen in /proc, before its exit is
   * reported): it runs no code any more, so its role and sockets go now.
   */
  private onNodeExiting(slot: NodeSlot, pid: number, reason: string): void {
    if (this.stopping || slot.process.pid !== pid) return;
    slot.exiting = pid;
    slot.state = null;
    this.holdingEvents(() => {
      this.emit(CoreEvent.ProcessExiting, { node: slot.id, pid, reason });
      this.giveUpRole(slot, reason);
    });
    this.publishNodes();
  }

  private onNodeExit(slot: NodeSlot, reason: string, pid: number | null): void {
    if (pid !== null) this.exitWatch.unwatch(pid);
    const uptime = (Date.now() - slot.process.startedAt) / 1000;
    const seenExiting = pid !== null && slot.exiting === pid;
    slot.exiting = null;
    // An exit the supervisor asked for is not a failure (and must not look like one to alarm conditions).
    if (this.stopping) {
      this.emit(CoreEvent.ProcessStopped, { node: slot.id, pid: pid ?? '?', reason });
      this.publishNodes();
      return;
    }
    slot.state = null;
    // The orders go out first; the events of the exit and the switchover are written right after, in order, with their times.
    this.holdingEvents(() => {
      this.emit(CoreEvent.ProcessExited, { node: slot.id, pid: pid ?? '?', reason });
      if (!seenExiting) this.giveUpRole(slot, reason); // else they went when it started exiting
    });
    this.publishNodes();
    const delay = slot.backoff.next(uptime);
    this.emit(CoreEvent.ProcessRestarting, { node: slot.id, delay, attempt: slot.backoff.attempts });
    slot.restartTimer = this.clock.setTimeout(() => {
      slot.restartTimer = null;
      if (this.stopping) return;
      slot.restarts += 1;
      this.spawn(slot);
    }, delay * 1000);
  }

  /** A node that runs no code any more: what it held is free (before the arbiter picks the new primary), then its role goes. */
  private giveUpRole(slot: NodeSlot, reason: string): void {
    this.handover.gone(slot.id);
    this.arbiter.nodeExited(slot.id, reason);
  }

  /** Sends a request to a node and waits for its reply, or `fallback` after ASK_TIMEOUT_MS. */
  private ask<T>(slot: NodeSlot, build: (id: number) => Parameters<NodeProcess['send']>[0], fallback: T): Promise<T> {
    const id = this.nextRequestId++;
    return new Promise<T>((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(id);
        resolve(fallback);
      }, ASK_TIMEOUT_MS);
      this.pending.set(id, (value) => {
        timer.cancel();
        this.pending.delete(id);
        resolve(value as T);
      });
      slot.process.send(build(id));
    });
  }

  private emit(id: string, fields: Record<string, unknown>): void {
    const def = this.catalogue.get(id);
    const all = { node: 'supervisor', term: this.arbiter?.term ?? 0, ...fields };
    this.record({
      id,
      level: def.level,
      message: this.catalogue.format(id, all),
      fields,
      node: typeof fields.node === 'string' ? fields.node : 'supervisor',
      term: this.arbiter?.term ?? 0,
      time: this.clock.now(),
      owner: 'supervisor',
    });
  }

  /**
   * Runs `fn` with the events it emits held back, then records them in
   * order (each with the time it was emitted): what `fn` sends to the nodes
   * leaves before any log write, alarm rule or event subscriber runs.
   */
  private holdingEvents(fn: () => void): void {
    const held: LogEventRecord[] = [];
    this.heldEvents = held;
    try {
      fn();
    } finally {
      this.heldEvents = undefined;
      for (const record of held) this.record(record);
    }
  }

  private record(record: LogEventRecord): void {
    if (this.heldEvents) {
      this.heldEvents.push(record);
      return;
    }
    // The console prints info events whose definition is notable (a plugin's, e.g. where the service is reachable).
    if (record.level === 'info' && this.catalogue.has(record.id) && this.catalogue.get(record.id).notable) record = { ...record, notable: true };
    if (this.logger) {
      try {
        writeLogEvent(this.logger, record);
      } catch (error) {
        process.stderr.write(`switchyard: log write failed: ${describeError(error)}\n`);
      }
    }
    this.options.onEvent?.(record);
    this.operators.event(record);
    this.alarms.consume(record);
  }

  private publishNodes(): void {
    const nodes = this.nodeViews();
    this.options.onNodes?.(nodes);
    const { arbiter } = this;
    // The constructor's arbiter may publish before it is assigned.
    if (arbiter === undefined) return;
    this.operators.nodesChanged(
      this.validated.config.cluster,
      { kind: arbiter.kind, term: arbiter.term, primary: arbiter.primary, connected: arbiter.connected },
      nodes,
    );
  }

  private slot(nodeId: string): NodeSlot {
    const slot = this.slots.get(nodeId);
    if (!slot) throw new RangeError(`unknown node ${nodeId}`);
    return slot;
  }
}
