import path from 'node:path';
import type winston from 'winston';
import { SystemClock, type Clock, type TimerHandle } from '../clock';
import { validateConfig } from '../config/validate';
import { CoreTokens } from '../core-tokens';
import { Engine } from '../engine/engine';
import { PrimarySockets } from '../engine/primary-sockets';
import { SwitchyardError, describeError } from '../errors';
import { CoreEvent } from '../events/core-events';
import { HaLink } from '../halink/link';
import { runsIn } from '../plugin/define';
import type { MetricJson } from '../metrics/cluster-metrics';
import { nodeRegistry } from '../metrics/plugin-metrics';
import { Histogram } from 'prom-client';
import { collectProcessMetrics } from '../metrics/render';
import type { NodeMessage, SupervisorMessage } from '../ipc/messages';
import type { SwitchoverResult } from '../management/types';
import { closeWinstonLogger, createWinstonLogger, writeLogEvent } from '../logging/winston-logger';
import { LAG_CHECK_MS, LoopLagMonitor, SLOW_WORK_MS } from './loop-lag';
import { observeGcPauses } from './gc-pauses';
import { resumeOptimisingCompiler } from './startup-tiering';
import { LOOP_LAG_BUCKETS, NODE_METRICS } from '../metrics/definitions';

type InitMessage = Extract<SupervisorMessage, { t: 'init' }>;

/**
 * One node of the pair, inside its own OS process: the engine with its
 * plugins, the HA link to the peer, and heartbeats to the supervisor.
 */
export class NodeRuntime {
  private engine: Engine | null = null;
  private haLink: HaLink | null = null;
  private logger: winston.Logger | null = null;
  private heartbeat: TimerHandle | null = null;
  private loopLag: LoopLagMonitor | null = null;
  /** Stops naming long garbage collections as a slow loop's culprit. */
  private stopGcWatch: (() => void) | null = null;
  private stopping: Promise<void> | null = null;
  private readonly pendingSwitchovers = new Map<number, (result: SwitchoverResult) => void>();
  private nextRequestId = 1;

  /** The agent's primary sockets on this node: copies may arrive while the node is still starting. */
  private readonly primarySockets: PrimarySockets;

  constructor(
    private readonly init: InitMessage,
    private readonly send: (message: NodeMessage) => void,
    /** Tests: virtual time. */
    private readonly clock: Clock = new SystemClock(),
  ) {
    this.primarySockets = new PrimarySockets(init.primarySockets ?? [], (name) => this.send({ t: 'primary-socket-released', name }));
  }

  async start(): Promise<void> {
    const { init } = this;
    const validated = await validateConfig(init.config, { file: init.file, configDir: init.configDir });
    const { config } = validated;
    const self = config.nodes.find((n) => n.id === init.nodeId);
    const peer = config.nodes.find((n) => n.id !== init.nodeId);
    if (!self || !peer) throw new SwitchyardError('SWY_ERR_CONFIG_INVALID', `Node ${init.nodeId} is not in the config.`);
    const logDir = config.logging.dir ? path.resolve(init.configDir, config.logging.dir) : path.join(init.runtimeDir, 'logs');
    this.logger = createWinstonLogger({
      node: self.id,
      level: config.logging.level,
      file: path.join(logDir, `${self.id}.log`),
      logging: config.logging,
      clock: this.clock,
      // Its events reach the agent over IPC; in stdout mode the agent writes them, once.
      relayed: true,
    });
    const logger = this.logger;
    const engine = new Engine({
      nodeId: self.id,
      cluster: config.cluster,
      clock: this.clock,
      logger,
      host: self.host,
      priority: self.priority,
      peer: { id: peer.id, priority: peer.priority },
      dataDir: path.join(init.runtimeDir, 'data', self.id),
      primarySockets: this.primarySockets,
      onEvent: (record) => {
        writeLogEvent(logger, record);
        this.send({ t: 'event', record });
      },
    });
    this.engine = engine;
    // Process metrics of this node, beside the ones its plugins define (engine.metrics).
    collectProcessMetrics(nodeRegistry(engine));
    this.haLink = new HaLink({
      nodeId: self.id,
      cluster: config.cluster,
      listen: { host: self.host, port: self.haPort },
      peer: { id: peer.id, host: peer.host, port: peer.haPort },
      secret: init.secret,
      heartbeatInterval: config.haLink.heartbeatInterval,
      missedHeartbeats: config.haLink.missedHeartbeats,
      maxFrameBytes: config.haLink.maxFrameBytes,
      handshakeTimeout: config.haLink.handshakeTimeout,
      clock: this.clock,
      emit: (id, fields) => engine.emit(id, fields),
      localState: () => engine.state,
    });
    engine.container.register(CoreTokens.HaChannels, { useValue: this.haLink });
    engine.container.register(CoreTokens.ArbiterClient, {
      useValue: {
        requestSwitchover: (reason: string, by: string) =>
          new Promise<SwitchoverResult>((resolve) => {
            const id = this.nextRequestId++;
            this.pendingSwitchovers.set(id, resolve);
            this.send({ t: 'switchover-request', id, reason, by });
          }),
      },
    });
    // Plugins of scope `supervisor` run in the supervisor's own engine, not here.
    for (const resolved of validated.plugins.filter((p) => runsIn(p.plugin, 'node'))) {
      const key = resolved.plugin.nodeOptions?.key;
      engine.use(resolved.plugin, resolved.options, key === undefined ? undefined : self[key]);
    }
    await engine.apply();
    // Fencing: a newer term in the peer's heartbeats means a decision this node missed.
    this.haLink.onPeerState((peerState) => {
      engine.observePeer(peerState);
      this.sendHeartbeat();
    });
    this.haLink.onConnectionChange(() => {
      if (!this.haLink?.connected) engine.observePeer(null);
      this.sendHeartbeat();
    });
    await this.haLink.start();
    engine.onStateChange(() => this.sendHeartbeat());
    this.heartbeat = this.clock.setInterval(() => this.sendHeartbeat(), config.haLink.heartbeatInterval * 1000);
    // Modules loaded: TurboFan is back before the plugins start (a journal of 1M bindings loads at start; see startup-tiering.ts).
    resumeOptimisingCompiler();
    await engine.start();
    engine.memory.watchIdle(); // returns the memory a burst of load left behind, once it is over
    // A blocked loop sends no heartbeat: say so (01-10047) at a third of the silence the peer counts as down.
    const budgetMs = config.haLink.heartbeatInterval * config.haLink.missedHeartbeats * 1000;
    const [lagMetric] = NODE_METRICS;
    const lagHistogram = new Histogram({ name: lagMetric.name, help: lagMetric.help, buckets: LOOP_LAG_BUCKETS, registers: [nodeRegistry(engine)] });
    this.loopLag = new LoopLagMonitor(this.clock, {
      warnMs: Math.max(LAG_CHECK_MS, budgetMs / 3),
      budgetMs,
      slowWork: engine.slowWork,
      observe: (lagMs) => lagHistogram.observe(lagMs / 1000),
      report: (report) => engine.emit(CoreEvent.LoopBlocked, { ...report }),
    });
    // Every scavenge is reported (tens a second under load): only a long one makes a culprit string.
    this.stopGcWatch = observeGcPauses((kind, ms) => {
      if (ms >= SLOW_WORK_MS) engine.slowWork.note(`garbage collection (${kind})`, ms);
    });
    this.loopLag.start();
    engine.emit(CoreEvent.NodeStarted, { pid: process.pid });
    this.sendHeartbeat();
  }

  /** Handles one message from the supervisor (`handle`: the socket handle a `primary-socket` carries). Never throws. */
  async handle(message: SupervisorMessage, handle?: unknown): Promise<void> {
    const engine = this.engine;
    switch (message.t) {
      case 'primary-socket':
        if (handle !== undefined) this.primarySockets.receive(message.name, message.transport, handle);
        return;
      case 'primary-socket-go':
        this.primarySockets.go(message.name);
        return;
      case 'order':
        for (const name of message.go ?? []) this.primarySockets.go(name);
        if (!engine) return;
        await engine.applyOrder(message.order).catch(() => undefined); // a stale order is logged by the engine
        this.sendHeartbeat();
        return;
      case 'grant':
        engine?.grant(message.until);
        return;
      case 'arbiter':
        engine?.observeArbiter(message.connected);
        return;
      case 'consult': {
        const verdict = engine ? await engine.consultSwitchover(message.proposal) : undefined;
        this.send({ t: 'consult-reply', id: message.id, verdict: verdict ?? null });
        return;
      }
      case 'status-request':
        this.send({ t: 'status-reply', id: message.id, report: engine ? engine.report() : {} });
        return;
      case 'metrics-request': {
        const metrics = engine ? ((await nodeRegistry(engine).getMetricsAsJSON()) as unknown as MetricJson[]) : [];
        this.send({ t: 'metrics-reply', id: message.id, metrics });
        return;
      }
      case 'stop':
        await this.stop(message.reason);
        return;
      case 'switchover-reply':
        this.pendingSwitchovers.get(message.id)?.(message.result);
        this.pendingSwitchovers.delete(message.id);
        return;
      case 'init':
        return;
    }
  }

  /**
   * The IPC channel to the supervisor closed without a `stop` (it was
   * killed or crashed): logs 01-10046 to the node's own log, then stops
   * cleanly rather than serve with nobody to arbitrate or restart it.
   */
  supervisorLost(): Promise<void> {
    if (!this.stopping) this.engine?.emit(CoreEvent.SupervisorLost, { pid: process.pid });
    return this.stop('supervisor lost');
  }

  /** Stops plugins, the HA link and logging; idempotent. */
  stop(reason: string): Promise<void> {
    this.stopping ??= (async () => {
      this.heartbeat?.cancel();
      this.loopLag?.stop();
      this.stopGcWatch?.();
      try {
        await this.engine?.stop(reason);
      } catch (error) {
        this.logger?.error(`stop failed: ${describeError(error)}`);
      }
      this.sendHeartbeat();
      await this.haLink?.stop();
      if (this.logger) await closeWinstonLogger(this.logger);
    })();
    return this.stopping;
  }

  private sendHeartbeat(): void {
    if (!this.engine) return;
    const link = this.haLink;
    this.send({
      t: 'hb',
      state: this.engine.state,
      link: { connected: link?.connected ?? false, peer: link?.peerState() ?? null, heardAt: link?.heardAt() ?? null, echoedSent: link?.echoedSent() ?? null },
    });
  }
}
