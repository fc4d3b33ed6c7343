import fs from 'node:fs';
import { EventRateLimit, StepFreeClock, escapePeerText, type Channel, type Clock, type HaChannels, type PluginEngine } from '@switchyard/sdk';
import { SipEvent } from './events';
import type { SipMessage, SipParseError, SipRequest } from './message';
import type { SipNodeOptions, SipOptions } from './options';
import { Registrar } from './registrar';
import { routeRequest, type RouteDecision } from './request-router';
import { AnswerBudget } from './transport/answer-budget';
import { SipMetrics } from './metrics';
import type { SipApi, SipRequestOptions, SipRequestResult, SipStatus } from './sip-api';
import { createSipHooks, type InboundRequest, type SipHooks } from './sip-hooks';
import { BindingJournal, BindingReplicator, ContactStore, type BindingReplicatorOptions } from './store';
import { BULK_BINDINGS } from './store/replication-options';
import { BindPolicy } from './bind-policy';
import { ExtraListeners } from './extra-listeners';
import { PublicAddress } from './public-address';
import { StandbyWarmup } from './standby-warmup';
import { SipTransportError } from './transport/errors';
import {
  SipClient,
  SipListener,
  buildResponse,
  parsePartialForError,
  responseTarget,
  type InboundMessage,
  type RemoteAddress,
  type SipBindFailure,
  type SipListenerOptions,
} from './transport';

interface PeerState {
  listening: boolean;
}

/**
 * One node's SIP service: listener, registrar, contact store with its
 * journal and replication, the role gate (the backup answers 503), and the
 * listener-bind critical condition. Data flows one way: socket → listener →
 * `message` hook → (client | role gate → `request` hook → router) → reply
 * from the listener the request came in on (the node's own, or an extra
 * address opened with {@link SipService.listenOn}).
 */
export class SipService implements SipApi {
  readonly hooks: SipHooks = createSipHooks();
  readonly store: ContactStore;
  private readonly listener: SipListener;
  private readonly extras: ExtraListeners;
  /** The pair's public address (`plugins.sip.public`), held while primary; null when not configured. */
  private readonly publicAddress: PublicAddress | null;
  private readonly client: SipClient;
  /** Keeps the answer path compiled while this node is not primary (see standby-warmup.ts). */
  private readonly warmup: StandbyWarmup;
  private readonly registrar: Registrar;
  /**
   * Made in start(), once the journal is loaded: its channel opens then. A
   * replicator that ran during the load took the primary's content (or said
   * it held it) while the journal was still filling the store; the load then
   * replaced that content with the journal's, a change the primary had
   * acknowledged was gone, and the node still reported itself in sync (found
   * by the chaos suite: a REGISTER answered 200 was lost after the backup's
   * restart and a later failover).
   */
  private replicator: BindingReplicator | undefined;
  private readonly replicatorOptions: BindingReplicatorOptions;
  private readonly journal: BindingJournal | null;
  private readonly policy: BindPolicy;
  private readonly peerChannel: Channel<PeerState>;
  private readonly malformedLog: EventRateLimit;
  /** One rate limit per limit event, so a flood of refusals is one line a second plus a count. */
  private readonly limitLogs = new Map<string, EventRateLimit>();
  private readonly clock: Clock;
  private readonly metrics: SipMetrics;
  private readonly host: string;
  private readonly port: number;
  private bindFailures = 0;
  private switchoverPending = false;

  constructor(
    private readonly engine: PluginEngine<SipOptions, SipNodeOptions>,
    channels: HaChannels,
    private readonly nodeHost: string,
  ) {
    const options = engine.options;
    const section = engine.nodeOptions;
    if (!section) throw new Error(`node ${engine.nodeId} has no "sip" section (nodes[].sip.port)`);
    // Expiries keep their distance from now when NTP steps the host's clock (chaos: clock-step).
    this.clock = new StepFreeClock(engine.clock);
    this.metrics = new SipMetrics(engine.metrics);
    this.host = section.host ?? nodeHost;
    this.port = section.port;
    this.malformedLog = new EventRateLimit(this.clock);
    this.store = new ContactStore(this.clock);
    this.registrar = new Registrar({ store: this.store, clock: this.clock, ...options.registrar });
    this.journal = options.persistence.enabled
      ? new BindingJournal({
          dir: engine.dataDir,
          clock: this.clock,
          flushInterval: options.persistence.flushInterval,
          onError: (error: unknown) => engine.events.emit(SipEvent.PersistenceFailed, { error: String(error) }),
        })
      : null;
    this.replicatorOptions = {
      channels,
      store: this.store,
      clock: this.clock,
      mode: options.replication.mode,
      syncTimeout: options.replication.syncTimeout,
      onTimeout: options.replication.onTimeout,
      role: () => engine.node.role,
      term: () => engine.node.term,
      node: engine.nodeId,
      connected: () => channels.connected,
      maxFrameBytes: channels.maxFrameBytes,
      onBulkWork: (reason: string) => engine.releaseMemory(reason),
      emit: (id: string, fields: Record<string, unknown>) => engine.events.emit(id, fields),
      events: {
        syncFallback: SipEvent.ReplicationSyncFallback,
        inSync: SipEvent.ReplicationInSync,
        outOfSync: SipEvent.ReplicationOutOfSync,
        staleRefused: SipEvent.ReplicationStaleRefused,
      },
    };
    this.listener = new SipListener({
      host: this.host,
      port: this.port,
      clock: this.clock,
      bindRetryInterval: options.bindRetryInterval,
      limits: { maxMessageBytes: options.maxMessageBytes },
      ...this.tcpLimits(),
      onMessage: (inbound) => void this.onInbound(inbound, this.listener),
      onParseError: (info) => void this.onParseError(info.remote, info.error, this.listener),
      onBindFailed: (info) => {
        this.bindFailures += 1;
        engine.events.emit(SipEvent.ListenerBindFailed, { ...info, reason: "this node's own SIP address (nodes[].sip)", retry: options.bindRetryInterval });
        this.monitorListening();
        this.policy.bindFailed();
      },
      onBound: (info) => {
        engine.events.emit(info.recovered ? SipEvent.ListenerRecovered : SipEvent.ListenerBound, {
          address: info.address,
          port: info.port,
          attempts: this.bindFailures,
        });
        this.bindFailures = 0;
        this.monitorListening();
      },
    });
    this.client = new SipClient({ listener: this.listener, clock: this.clock });
    this.extras = new ExtraListeners({
      main: this.listener,
      create: (host, port, onBindFailed) => this.extraListener(host, port, onBindFailed),
      debug: (message) => engine.logger.debug(message),
    });
    this.publicAddress = options.public ? this.createPublicAddress(options.public) : null;
    this.warmup = new StandbyWarmup({
      clock: this.clock,
      primary: () => engine.node.role === 'primary',
      ordered: () => engine.node.term > 0,
      limits: { maxMessageBytes: options.maxMessageBytes } });
    this.policy = new BindPolicy({
      clock: this.clock,
      retryInterval: options.bindRetryInterval,
      role: () => engine.node.role,
      listening: () => this.listener.listening,
      publicFailing: () => this.publicAddress?.failing ?? false,
      requestSwitchover: (why, address) => void this.giveUpPrimary(why, address),
    });
    this.peerChannel = channels.channel<PeerState>('sip.listener-state', { retain: 1 });
    this.peerChannel.onMessage((state) => this.policy.peerState(state.listening));
  }

  private readonly listenerMonitor = { last: undefined as boolean | undefined };

  async start(): Promise<void> {
    if (this.journal) {
      fs.mkdirSync(this.engine.dataDir, { recursive: true, mode: 0o700 });
      // Straight into the store (no second copy), then the journal records the store's changes.
      const count = await this.journal.loadInto(this.store, 'replica');
      this.engine.events.emit(SipEvent.BindingsLoaded, { count });
      if (count >= BULK_BINDINGS) this.engine.releaseMemory(`loaded ${count} bindings from the journal`);
    }
    this.replicator = new BindingReplicator(this.replicatorOptions);
    await this.listener.start();
    this.monitorListening();
    this.warmup.start();
  }

  async stop(): Promise<void> {
    this.warmup.stop();
    await Promise.all([this.listener.stop(), this.extras.stop(), this.releasePublic('the node stops')]);
    this.replicator?.stop();
    await this.journal?.close();
  }

  roleChanged(): void {
    // First: a demoted primary lets the public address go before anything else, so the new primary can take it.
    if (this.engine.node.role === 'primary') this.publicAddress?.hold();
    else void this.releasePublic(`now ${this.engine.node.role}`);
    this.switchoverPending = false;
    this.replicator?.roleChanged();
    this.policy.roleChanged();
  }

  readonly bindings: SipApi['bindings'] = {
    count: () => this.store.count,
    onChange: (listener) => this.store.onChange(listener),
  };

  request(options: SipRequestOptions): Promise<SipRequestResult> {
    return this.client.request(options);
  }

  listenOn(host: string): Promise<void> {
    return this.extras.listenOn(host);
  }

  stopListening(host: string): Promise<void> {
    return this.extras.stopListening(host);
  }

  /** A listener on another address of this host, feeding the same message path; its bind failures go to the caller, not to the 00-04200 alarm or the bind policy. */
  private extraListener(host: string, port: number, onBindFailed: (failure: SipBindFailure) => void): SipListener {
    const options = this.engine.options;
    const listener: SipListener = new SipListener({
      host,
      port,
      clock: this.clock,
      bindRetryInterval: options.bindRetryInterval,
      limits: { maxMessageBytes: options.maxMessageBytes },
      ...this.tcpLimits(),
      onMessage: (inbound) => void this.onInbound(inbound, listener),
      onParseError: (info) => void this.onParseError(info.remote, info.error, listener),
      onBindFailed,
      onBound: () => undefined,
    });
    return listener;
  }

  /** The public address, its listener wired into the same message path as the node's own (replies leave from it). */
  private createPublicAddress(address: { host: string; port: number }): PublicAddress {
    if (sameEndpoint(address, { host: this.host, port: this.port })) {
      throw new SipTransportError(
        'SWY_ERR_SIP_OPTIONS',
        `plugins.sip.public ${address.host}:${address.port} is node ${this.engine.nodeId}'s own SIP address (nodes[].sip); give the public address a port of its own`,
      );
    }
    const options = this.engine.options;
    return new PublicAddress({
      ...address,
      clock: this.clock,
      takeoverWindowMs: PUBLIC_TAKEOVER_WINDOW_MS,
      retryInterval: options.bindRetryInterval,
      ...(this.engine.primarySockets.offered(PUBLIC_SOCKET)
        ? { passed: { take: () => this.engine.primarySockets.take(PUBLIC_SOCKET), release: () => this.engine.primarySockets.release(PUBLIC_SOCKET) } }
        : {}),
      create: (retryInterval, handlers, adopt) => {
        const listener: SipListener = new SipListener({
          ...address,
          ...(adopt ? { adopt } : {}),
          clock: this.clock,
          bindRetryInterval: retryInterval,
          limits: { maxMessageBytes: options.maxMessageBytes },
          ...this.tcpLimits(),
          onMessage: (inbound) => void this.onInbound(inbound, listener),
          onParseError: (info) => void this.onParseError(info.remote, info.error, listener),
          onBindFailed: handlers.onBindFailed,
          onBound: handlers.onBound,
        });
        return listener;
      },
      bindFailed: (failure) => {
        const { attempt: _attempt, message: _message, ...fields } = failure;
        this.engine.events.emit(SipEvent.ListenerBindFailed, { ...fields, retry: options.bindRetryInterval });
        this.policy.bindFailed();
      },
      bound: (info) => this.engine.events.emit(SipEvent.PublicAddressHeld, info),
      changed: () => undefined,
    });
  }

  /** Closes the public address (the sockets stop reading at once; resolves once closed). */
  private releasePublic(why: string): Promise<void> {
    const publicAddress = this.publicAddress;
    if (!publicAddress) return Promise.resolve();
    const held = publicAddress.held;
    const closed = publicAddress.release();
    if (held) this.engine.events.emit(SipEvent.PublicAddressReleased, { ...this.engine.options.public, why });
    return closed;
  }

  status(): SipStatus {
    const replication = this.replicator?.status() ?? { mode: this.replicatorOptions.mode, inSync: false, lag: 0 };
    const pub = this.engine.options.public;
    return {
      host: this.host,
      port: this.port,
      listening: this.listener.listening,
      ...(pub && this.publicAddress ? { public: { host: pub.host, port: pub.port, held: this.publicAddress.held } } : {}),
      extraHosts: this.extras.hosts(),
      bindings: this.store.count,
      replication: { mode: replication.mode, inSync: replication.inSync, lag: replication.lag },
    };
  }

  /** Tells the peer whether we listen, and keeps the `listener` monitor current (informational: status stays running). */
  private monitorListening(): void {
    const listening = this.listener.listening;
    if (this.listenerMonitor.last === listening) return;
    this.listenerMonitor.last = listening;
    this.peerChannel.send({ listening });
  }

  private async giveUpPrimary(why: string, address: 'own' | 'public'): Promise<void> {
    if (this.switchoverPending) return;
    this.switchoverPending = true;
    this.engine.events.emit(SipEvent.BindSwitchover, { why });
    const where = address === 'public' && this.engine.options.public ? this.engine.options.public : { host: this.host, port: this.port };
    const result = await this.engine.requestSwitchover(`SIP ${address === 'public' ? 'public address' : 'port'} ${where.host}:${where.port} cannot be opened; ${why}`);
    if (!result.ok) this.switchoverPending = false;
  }

  private onInbound(inbound: InboundMessage, via: SipListener): void {
    try {
      this.hooks.message.call(inbound);
    } catch (error) {
      this.engine.logger.error(`a "message" tap failed: ${String(error)}`);
    }
    const message = inbound.message;
    if (message.kind === 'response') {
      this.client.handleResponse(inbound);
      return;
    }
    this.metrics.request(message.method);
    if (message.method === 'ACK') return;
    let answered: Promise<void>;
    try {
      answered = this.answer(inbound as InboundRequest, via);
    } catch (error) {
      this.answerFailed(inbound as InboundRequest, via, error);
      return;
    }
    answered.catch((error: unknown) => this.answerFailed(inbound as InboundRequest, via, error));
    if (message.method === 'REGISTER') this.metrics.timeRegister(answered);
  }

  private answerFailed(inbound: InboundRequest, via: SipListener, error: unknown): void {
    this.engine.logger.error(`answering ${inbound.message.method} failed: ${String(error)}`);
    this.reply(via, inbound.message, inbound.remote, 500, 'Server Internal Error').catch(() => undefined);
  }

  /**
   * Answers a request. Without a `request` tap and without a binding change
   * to replicate (OPTIONS, a redirect, a refused REGISTER) it runs straight
   * through to the send: no async function, no hook promise per request.
   */
  private answer(inbound: InboundRequest, via: SipListener): Promise<void> {
    // The role gate, read again after each wait (a tap, the backup's ack):
    // the grant can lapse, or a newer term appear, in between.
    if (!this.serving()) return this.answerUnavailable(inbound, via);
    if (this.hooks.request.taps.length > 0) return this.answerTapped(inbound, via);
    return this.route(inbound, via);
  }

  private async answerTapped(inbound: InboundRequest, via: SipListener): Promise<void> {
    const request = inbound.message;
    const tapped = await this.hooks.request.promise(inbound);
    if (!this.serving()) return this.answerUnavailable(inbound, via);
    if (tapped) {
      await this.reply(via, request, inbound.remote, tapped.status, tapped.reason, tapped.headers ?? []);
      return;
    }
    await this.route(inbound, via);
  }

  /** The built-in handling; waits only when there are changes to replicate. */
  private route(inbound: InboundRequest, via: SipListener): Promise<void> {
    const request = inbound.message;
    const decision = routeRequest(request, this.registrar, inbound.remote, AnswerBudget.for(request, inbound.remote));
    this.reportLimits(inbound, decision);
    if (decision.changes.length > 0) return this.replicateThenReply(inbound, via, decision);
    return this.reply(via, request, inbound.remote, decision.status, decision.reason, decision.headers);
  }

  private async replicateThenReply(inbound: InboundRequest, via: SipListener, decision: RouteDecision): Promise<void> {
    const request = inbound.message;
    const replicator = this.replicator;
    if (!replicator) return this.answerUnavailable(inbound, via); // still starting (an extra listener may open first)
    let unacknowledged = false;
    for (const change of decision.changes) if ((await replicator.replicate(change)) === 'rejected') unacknowledged = true;
    if (!this.serving()) return this.answerUnavailable(inbound, via);
    // sync + onTimeout 'reject': the backup did not acknowledge in time; never 200, the client retries.
    if (unacknowledged) {
      const retry = [{ name: 'Retry-After', value: String(this.engine.options.retryAfter) }];
      return this.reply(via, request, inbound.remote, 500, 'Server Internal Error', retry);
    }
    await this.reply(via, request, inbound.remote, decision.status, decision.reason, decision.headers);
  }

  /** The TCP limits of `plugins.sip.tcp`, and the event a cut or refused connection logs. */
  private tcpLimits(): Pick<SipListenerOptions, 'tcpIdleTimeout' | 'maxTcpConnections' | 'maxTcpConnectionsPerSource' | 'tcpMessageTimeout' | 'onTcpRefused'> {
    const tcp = this.engine.options.tcp;
    return {
      tcpIdleTimeout: tcp.idleTimeout,
      maxTcpConnections: tcp.maxConnections,
      maxTcpConnectionsPerSource: tcp.maxConnectionsPerSource,
      tcpMessageTimeout: tcp.messageTimeout,
      onTcpRefused: (info) =>
        this.emitLimited(info.kind === 'cut' ? SipEvent.TcpSlowSenderCut : SipEvent.TcpConnectionRefused, {
          remote: `${info.remote.address}:${info.remote.port}`,
          reason: info.reason,
        }),
    };
  }

  /** Logs the registrar limit or answer-size event a decision carries (rate-limited per event id). */
  private reportLimits(inbound: InboundRequest, decision: RouteDecision): void {
    const remote = `${inbound.remote.address}:${inbound.remote.port}`;
    const refused = decision.refused;
    if (refused?.kind === 'contacts-per-aor') {
      this.emitLimited(SipEvent.ContactLimitRefused, { remote, aor: escapePeerText(refused.aor), count: refused.count, limit: refused.limit });
    } else if (refused?.kind === 'bindings') {
      this.emitLimited(SipEvent.BindingTableFull, { remote, count: refused.count, limit: refused.limit });
    } else if (refused?.kind === 'too-large' || decision.truncated) {
      const size = refused?.kind === 'too-large' ? refused : decision.truncated!;
      const action =
        refused !== undefined
          ? 'answered 513, nothing stored'
          : decision.status === 302
            ? `redirect cut to the contacts that fit (${decision.truncated!.omitted} left out)`
            : 'answered 513';
      this.emitLimited(SipEvent.AnswerTooLarge, {
        method: inbound.message.method,
        remote,
        transport: inbound.remote.transport,
        bytes: size.bytes,
        limit: size.limit,
        action,
      });
    }
  }

  /** Emits `id` unless its rate limit is spent; the next one let through carries `suppressed`. */
  private emitLimited(id: string, fields: Record<string, unknown>): void {
    let log = this.limitLogs.get(id);
    if (!log) this.limitLogs.set(id, (log = new EventRateLimit(this.clock, 5, 1000)));
    const suppressed = log.admit();
    if (suppressed === null) return;
    this.engine.events.emit(id, suppressed > 0 ? { ...fields, suppressed } : fields);
  }

  /** Whether this node may answer as primary at this moment (`primary` only while the arbiter's grant holds). */
  private serving(): boolean {
    return this.engine.node.role === 'primary';
  }

  /** The backup's answer: 503 with Retry-After. */
  private answerUnavailable(inbound: InboundRequest, via: SipListener): Promise<void> {
    return this.reply(via, inbound.message, inbound.remote, 503, 'Service Unavailable', [
      { name: 'Retry-After', value: String(this.engine.options.retryAfter) },
    ]);
  }

  /** Answers from `via`, the listener the request came in on: its address is the answer's source. Never throws; rejects instead. */
  private reply(
    via: SipListener,
    request: SipRequest,
    remote: RemoteAddress,
    status: number,
    reason: string,
    headers: { name: string; value: string }[] = [],
  ): Promise<void> {
    try {
      const response = buildResponse(request, status, reason, { remote, headers });
      this.metrics.response(request.method, status);
      return via.send(response, responseTarget(response, remote));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  private async onParseError(remote: RemoteAddress, error: SipParseError, via: SipListener): Promise<void> {
    const suppressed = this.malformedLog.admit();
    if (suppressed !== null) {
      this.engine.events.emit(SipEvent.MalformedMessage, {
        remote: `${remote.address}:${remote.port}`,
        transport: remote.transport,
        code: error.code,
        reason: escapePeerText(error.message) + (suppressed > 0 ? ` (${suppressed} more suppressed)` : ''),
      });
    }
    const request = parsePartialForError(error.partial);
    if (request) await this.reply(via, request, remote, 400, 'Bad Request').catch(() => undefined);
  }
}

/** The name of the public address among the agent's primary sockets (`engine.primarySockets`). */
export const PUBLIC_SOCKET = 'sip.public';

/** Milliseconds a new primary retries the public address quietly while the old one releases it (or is fenced). */
const PUBLIC_TAKEOVER_WINDOW_MS = 2000;

function sameEndpoint(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  return a.port === b.port && (a.host === b.host || ['0.0.0.0', '::'].includes(b.host));
}

export type { SipMessage };
