import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { Clock, TimerHandle } from '../clock';
import type { NodeState } from '../engine/types';
import { SwitchyardError, describeError } from '../errors';
import { CoreEvent } from '../events/core-events';
import { Backoff } from './backoff';
import type { Channel, ChannelOptions, ChannelTransport, HaChannels } from './channel';
import { ChannelRouter } from './channel-router';
import { LinkConnection, type ConnectionContext, type ConnectionHandlers } from './connection';
import type { Frame } from './frame';
import { FrameType, peerValue, protocolError, readHeartbeat, type HeartbeatState, type HeartbeatTiming } from './protocol';
import { PeerAddressCheck, dialFrom, plainAddress, type HostLookup } from './peer-address';
import { RefusalLog } from './refusal-log';
import { escapePeerText } from '../text/escape-peer-text';

export interface HaLinkOptions {
  nodeId: string;
  cluster: string;
  listen: { host: string; port: number };
  peer: { id: string; host: string; port: number };
  /** Shared HMAC secret; never sent. */
  secret: string;
  /** Seconds between heartbeats. */
  heartbeatInterval: number;
  /** The link is down after this many intervals with no frame from the peer. */
  missedHeartbeats: number;
  /** Largest frame accepted from (and sent to) the peer, in bytes. */
  maxFrameBytes: number;
  /** Seconds a new connection has to complete authentication. */
  handshakeTimeout: number;
  /** Unauthenticated connections held at once, all addresses together; default 8. */
  maxPendingHandshakes?: number;
  /** Unauthenticated connections held at once from one address; default 2. */
  maxPendingPerAddress?: number;
  /**
   * Seconds between two log lines about refused or dropped connections from
   * one address (the others are counted in a summary line); default 60, 0
   * logs each one.
   */
  refusalLogInterval?: number;
  /** Every timer (heartbeats, silence detection, handshake deadline, reconnect backoff). */
  clock: Clock;
  /** Log events (CoreEvent ids). */
  emit(eventId: string, fields: Record<string, unknown>): void;
  /** What our heartbeats carry. */
  localState(): NodeState;
  /** Resolves a peer configured by name, for the address check; default: the system resolver. */
  lookup?: HostLookup;
}

/** Unauthenticated connections held at once; a new one makes room by dropping the oldest. */
export const DEFAULT_MAX_PENDING_HANDSHAKES = 8;
/** Of those, from one address: one host cannot take every slot. */
export const DEFAULT_MAX_PENDING_PER_ADDRESS = 2;
/** One log line per address per this many seconds about refused connections. */
export const DEFAULT_REFUSAL_LOG_INTERVAL = 60;
/** A connection up this long counts as a success for the reconnect backoff. */
const STABLE_CONNECTION_MS = 1000;
/** Addresses whose refusals are counted apart; the rest share one count. */
const REFUSAL_LOG_SOURCES = 1024;
/** Longest text field of an HA-link log event: peer text is cut and escaped. */
const EVENT_FIELD_MAX = 512;

/**
 * The TCP link between the two nodes of a pair: one authenticated
 * connection, heartbeats both ways, and the replication channels over it.
 * The node whose id sorts first dials; the other accepts. Nothing the peer
 * sends can make it throw; misbehaviour ends that connection with a log event.
 */
export class HaLink implements HaChannels {
  /** This instance's sender epoch, carried by channel catch-ups. */
  readonly epoch = randomBytes(8).toString('hex');
  private readonly options: HaLinkOptions;
  private readonly dialer: boolean;
  private readonly context: ConnectionContext;
  private readonly handlers: ConnectionHandlers;
  private readonly router: ChannelRouter;
  private readonly refusals: RefusalLog;
  private readonly peerAddress: PeerAddressCheck;
  private waitingForLookup = 0;
  private readonly maxPending: number;
  private readonly maxPendingPerAddress: number;
  // Redial quickly: two nodes, one peer; at most ~1.2 s apart (1 s + jitter) so a returning link is back soon.
  private readonly backoff = new Backoff(100, 1000);
  /**
   * Dials that never reached the peer's port (refused, unreachable): at
   * `switchyard up` and after a crash the peer starts listening a few
   * hundred ms after this node first dials, and retrying from 100 ms would
   * add up to 200 ms to the pair's start. A connection that was made and
   * then cut uses {@link backoff}.
   */
  private readonly refusedBackoff = new Backoff(20, 1000);
  /** Whether the dial in progress reached the peer's port (its TCP connection was made). */
  private dialReached = false;
  private activeSince = 0;
  private readonly connections = new Set<LinkConnection>();
  private readonly inboundSockets = new Set<net.Socket>();
  private readonly peerStateListeners = new Set<(state: NodeState) => void>();
  private readonly connectionListeners = new Set<(up: boolean) => void>();
  private lifecycle: Promise<void> = Promise.resolve();
  private started = false;
  private server: net.Server | undefined;
  private active: LinkConnection | undefined;
  private dialing: LinkConnection | undefined;
  private reconnectTimer: TimerHandle | undefined;
  private peer: NodeState | undefined;
  /** When the last frame arrived on the last connection that went down (the active one keeps its own). */
  private lastHeardAt: number | null = null;
  /** On the current connection: the peer's latest `sent`, the first and latest of ours, and our latest that the peer echoed. */
  private peerSent: number | null = null;
  private firstSent: number | null = null;
  private lastSent: number | null = null;
  private echoed: number | null = null;

  constructor(options: HaLinkOptions) {
    this.options = options;
    this.dialer = options.nodeId.localeCompare(options.peer.id) < 0;
    this.context = {
      identity: { nodeId: options.nodeId, cluster: options.cluster, peerId: options.peer.id, secret: options.secret },
      clock: options.clock,
      maxFrameBytes: options.maxFrameBytes,
      handshakeTimeoutMs: options.handshakeTimeout * 1000,
      heartbeatIntervalMs: options.heartbeatInterval * 1000,
      silenceLimitMs: options.heartbeatInterval * options.missedHeartbeats * 1000,
      emit: (id, fields) => this.emit(id, fields),
      report: (source, id, fields) => this.refusals.report(source, { id, fields }),
      heartbeat: () => this.heartbeat(),
    };
    this.peerAddress = new PeerAddressCheck(options.peer.host, options.clock, options.lookup);
    this.maxPending = Math.max(1, options.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES);
    this.maxPendingPerAddress = Math.max(1, options.maxPendingPerAddress ?? DEFAULT_MAX_PENDING_PER_ADDRESS);
    this.refusals = new RefusalLog({
      clock: options.clock,
      intervalMs: (options.refusalLogInterval ?? DEFAULT_REFUSAL_LOG_INTERVAL) * 1000,
      maxSources: REFUSAL_LOG_SOURCES,
      emit: (id, fields) => this.emit(id, fields),
    });
    this.handlers = {
      established: (connection) => this.onEstablished(connection),
      frame: (connection, frame) => this.onFrame(connection, frame),
      closed: (connection, reason) => this.onClosed(connection, reason),
    };
    const transport: ChannelTransport = {
      peerId: options.peer.id,
      epoch: this.epoch,
      maxFrameBytes: options.maxFrameBytes,
      write: (frames) => this.write(frames),
      emit: (id, fields) => this.emit(id, fields),
    };
    this.router = new ChannelRouter(transport);
  }

  /** True while an authenticated connection to the peer is up. */
  get maxFrameBytes(): number {
    return this.options.maxFrameBytes;
  }

  get connected(): boolean {
    return this.active !== undefined;
  }

  /** The peer's state from its last heartbeat on the current connection; undefined while down. */
  peerState(): NodeState | undefined {
    return this.peer;
  }

  /**
   * CLOCK_MONOTONIC (ms) when the last frame from the peer arrived, on any
   * connection so far; null before the first. The etcd arbiter's backup
   * waits from here before it campaigns after the link went down.
   */
  heardAt(): number | null {
    return this.active ? this.active.lastHeard : this.lastHeardAt;
  }

  /**
   * The send time (our CLOCK_MONOTONIC, ms) of our latest heartbeat that the
   * peer's latest heartbeat echoed, on the current connection: the peer had
   * heard from this node at or after that moment when it sent the state
   * {@link peerState} shows. Null while down, before the first echo, or from
   * a peer that does not echo (an older version).
   */
  echoedSent(): number | null {
    return this.echoed;
  }

  /** Called when the peer's role, status or term changes (and first on each connection). */
  onPeerState(listener: (state: NodeState) => void): () => void {
    this.peerStateListeners.add(listener);
    return () => this.peerStateListeners.delete(listener);
  }

  onConnectionChange(listener: (up: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  channel<T>(name: string, opts?: ChannelOptions): Channel<T> {
    return this.router.channel<T>(name, opts);
  }

  /**
   * Listens on `listen.host:port` and, on the dialing side, connects to the
   * peer (retrying with backoff while started). Rejects with
   * `SWY_ERR_HALINK_LISTEN` when the address cannot be bound. Idempotent.
   */
  start(): Promise<void> {
    return this.serialise(() => this.doStart());
  }

  /** Closes the server, the connection and every timer. Idempotent. */
  stop(): Promise<void> {
    return this.serialise(() => this.doStop());
  }

  private serialise(step: () => Promise<void>): Promise<void> {
    const run = this.lifecycle.then(step);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }

  private async doStart(): Promise<void> {
    if (this.started) return;
    const { host, port } = this.options.listen;
    const server = net.createServer((socket) => this.onInbound(socket));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (cause) {
      throw new SwitchyardError('SWY_ERR_HALINK_LISTEN', `The HA link cannot listen on ${host}:${port}: ${describeError(cause)}.`, { cause });
    }
    server.on('error', () => undefined); // after listen() succeeded nothing is left to fail that we could act on
    this.server = server;
    this.started = true;
    this.backoff.reset();
    this.refusedBackoff.reset();
    if (this.dialer) this.dial();
  }

  private async doStop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = undefined;
    for (const connection of [...this.connections]) connection.close('this node is stopping');
    for (const socket of this.inboundSockets) socket.destroy();
    this.refusals.flush();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onInbound(socket: net.Socket): void {
    socket.on('error', () => undefined); // the connection reports its own errors
    if (!this.started) {
      socket.destroy();
      return;
    }
    this.inboundSockets.add(socket);
    socket.once('close', () => this.inboundSockets.delete(socket));
    const allowed = this.peerAddress.allows(socket.remoteAddress);
    if (typeof allowed === 'boolean') {
      this.admit(socket, allowed);
    } else if (this.waitingForLookup >= this.maxPending) {
      this.admit(socket, false); // no more sockets parked on a slow name lookup than there are handshake slots
    } else {
      this.waitingForLookup++;
      void allowed.then((ok) => {
        this.waitingForLookup--;
        this.admit(socket, ok);
      });
    }
  }

  private admit(socket: net.Socket, fromPeer: boolean): void {
    if (socket.destroyed) return; // gone while the peer's name was looked up
    if (!this.started) {
      socket.destroy(); // stopped meanwhile: nothing left to log it to
      return;
    }
    const source = plainAddress(socket.remoteAddress ?? 'unknown');
    const remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const refusal = !fromPeer
      ? `only the peer's configured address ${this.peerAddress.describe()} may connect`
      : this.dialer
        ? `this node dials ${this.options.peer.id}; it accepts no HA-link connection`
        : this.active
          ? 'an authenticated HA-link connection is already up'
          : undefined;
    if (refusal) {
      this.refusals.report(source, { id: CoreEvent.HaLinkPeerDropped, fields: { remote, code: 'SWY_ERR_HALINK_PROTOCOL', reason: refusal } });
      socket.destroy();
      return;
    }
    this.makeRoom(source);
    this.connections.add(new LinkConnection(socket, 'accepted', remote, source, this.context, this.handlers));
  }

  /**
   * Keeps the pending handshakes within both caps by dropping the oldest
   * (from this address first): connections that say nothing cannot hold the
   * slots, and the real peer, which completes its handshake in one round
   * trip, still gets in.
   */
  private makeRoom(source: string): void {
    const pending = [...this.connections].filter((c) => c.direction === 'accepted' && !c.authenticated);
    const fromSource = pending.filter((c) => c.source === source);
    const [oldest, why] =
      fromSource.length >= this.maxPendingPerAddress
        ? [fromSource[0], `${fromSource.length} handshakes already pending from ${source} (at most ${this.maxPendingPerAddress} per address)`]
        : pending.length >= this.maxPending
          ? [pending[0], `${pending.length} handshakes already pending (at most ${this.maxPending})`]
          : [undefined, ''];
    oldest?.drop(new SwitchyardError('SWY_ERR_HALINK_PROTOCOL', `${why}; the oldest was dropped to make room`));
  }

  private dial(): void {
    this.reconnectTimer = undefined;
    if (!this.started || this.active || this.dialing) return;
    const { host, port } = this.options.peer;
    const socket = net.connect({ host, port, ...dialFrom(this.options.listen.host, host) });
    this.dialReached = false;
    socket.once('connect', () => (this.dialReached = true));
    this.dialing = new LinkConnection(socket, 'dialed', `${host}:${port}`, plainAddress(host), this.context, this.handlers);
    this.connections.add(this.dialing);
  }

  private onEstablished(connection: LinkConnection): boolean {
    if (!this.started || this.active) {
      if (this.active) {
        this.refusals.report(connection.source, {
          id: CoreEvent.HaLinkPeerDropped,
          fields: { remote: connection.remote, code: 'SWY_ERR_HALINK_PROTOCOL', reason: 'an authenticated HA-link connection is already up' },
        });
      }
      return false;
    }
    this.active = connection;
    this.activeSince = this.options.clock.monotonic();
    this.resetTiming();
    this.refusedBackoff.reset();
    // The other handshakes in flight lost the race.
    for (const other of [...this.connections]) if (other !== connection) other.close('another connection authenticated first');
    this.emit(CoreEvent.HaLinkUp, { peer: this.options.peer.id, direction: connection.direction });
    this.router.linkUp();
    this.notify('onConnectionChange', this.connectionListeners, true);
    return true;
  }

  private onFrame(connection: LinkConnection, frame: Frame): void {
    if (connection !== this.active) return;
    if (frame.t === FrameType.Heartbeat) {
      this.onHeartbeat(readHeartbeat(frame));
      return;
    }
    if (!this.router.handle(frame)) throw protocolError(`unknown frame type "${peerValue(frame.t)}"`);
  }

  private onHeartbeat({ sent, echo, ...hb }: HeartbeatState & HeartbeatTiming): void {
    if (sent !== null && (this.peerSent === null || sent > this.peerSent)) this.peerSent = sent;
    // Only a time this node sent on this connection counts: anything else proves nothing about hearing us.
    const ours = echo !== null && this.firstSent !== null && this.lastSent !== null && echo >= this.firstSent && echo <= this.lastSent;
    this.echoed = ours ? Math.max(echo, this.echoed ?? echo) : null;
    const previous = this.peer;
    const state: NodeState = { nodeId: this.options.peer.id, ...hb };
    this.peer = state;
    if (previous && previous.role === state.role && previous.status === state.status && previous.term === state.term) return;
    this.notify('onPeerState', this.peerStateListeners, state);
  }

  private onClosed(connection: LinkConnection, reason: string): void {
    this.connections.delete(connection);
    let refused = false;
    if (connection === this.dialing) {
      this.dialing = undefined;
      refused = !this.dialReached;
    }
    if (connection === this.active) {
      // Only a connection that stayed up resets the reconnect delay: one cut at
      // once, again and again (frames injected on the path), backs off instead.
      if (this.options.clock.monotonic() - this.activeSince >= STABLE_CONNECTION_MS) this.backoff.reset();
      this.lastHeardAt = connection.lastHeard;
      this.active = undefined;
      this.peer = undefined;
      this.resetTiming();
      this.emit(CoreEvent.HaLinkDown, { peer: this.options.peer.id, reason });
      this.router.linkDown();
      this.notify('onConnectionChange', this.connectionListeners, false);
    }
    if (this.started && this.dialer && !this.active && !this.dialing && !this.reconnectTimer) {
      this.reconnectTimer = this.options.clock.setTimeout(() => this.dial(), refused ? this.refusedBackoff.next() : this.backoff.next());
    }
  }

  private write(frames: readonly Buffer[]): boolean {
    const connection = this.active;
    if (!connection) return false;
    for (const frame of frames) if (!connection.send(frame)) return false;
    return true;
  }

  private heartbeat(): Frame | undefined {
    let state: NodeState;
    try {
      state = this.options.localState();
    } catch {
      return undefined; // no state to report this time; the next interval tries again
    }
    const { role, status, term } = state;
    // Whole ms, never behind the last one: the peer echoes the latest it got.
    const sent = Math.max(Math.floor(this.options.clock.monotonic()), this.lastSent ?? 0);
    this.firstSent ??= sent;
    this.lastSent = sent;
    return { t: FrameType.Heartbeat, role, status, term, sent, ...(this.peerSent !== null ? { echo: this.peerSent } : {}) };
  }

  private resetTiming(): void {
    this.peerSent = null;
    this.firstSent = null;
    this.lastSent = null;
    this.echoed = null;
  }

  /** Every text field escaped: reasons and ids may quote what the peer sent. */
  private emit(eventId: string, fields: Record<string, unknown>): void {
    const safe: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) safe[key] = typeof value === 'string' ? escapePeerText(value, EVENT_FIELD_MAX) : value;
    try {
      this.options.emit(eventId, safe);
    } catch {
      // Logging must never take the link down.
    }
  }

  /** A listener's failure is reported, never allowed to break the link. */
  private notify<A>(hook: string, listeners: Set<(arg: A) => void>, arg: A): void {
    for (const listener of [...listeners]) {
      try {
        listener(arg);
      } catch (error) {
        this.emit(CoreEvent.PluginHookFailed, { plugin: 'HA-link listener', hook, error: describeError(error) });
      }
    }
  }
}
