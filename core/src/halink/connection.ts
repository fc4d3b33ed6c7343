import type { Socket } from 'node:net';
import { afterIo } from '../after-io';
import type { Clock, TimerHandle } from '../clock';
import { SwitchyardError, describeError, isSwitchyardError } from '../errors';
import { CoreEvent } from '../events/core-events';
import { FrameDecoder, encodeFrame, type Frame } from './frame';
import { ClientHandshake, ServerHandshake, type HandshakeIdentity } from './handshake';
import { FrameType, readString } from './protocol';
import { FrameOpener, FrameSealer, type SessionKeys } from './session';

export type Direction = 'dialed' | 'accepted';

/** What every connection of one HaLink shares. */
export interface ConnectionContext {
  readonly identity: HandshakeIdentity;
  readonly clock: Clock;
  readonly maxFrameBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** No frame from the peer for this long and the connection is dead. */
  readonly silenceLimitMs: number;
  emit(eventId: string, fields: Record<string, unknown>): void;
  /** Logs a refused, dropped or failed connection from `source`, rate-limited per address. */
  report(source: string, eventId: string, fields: Record<string, unknown>): void;
  /** The heartbeat to send now; undefined skips this one. */
  heartbeat(): Frame | undefined;
}

/** How a connection reports to its HaLink. Called synchronously; none may throw. */
export interface ConnectionHandlers {
  /** The handshake succeeded; false refuses the connection (the link logs why). */
  established(connection: LinkConnection): boolean;
  /** An authenticated frame other than the handshake; throws SwitchyardError to drop the peer. */
  frame(connection: LinkConnection, frame: Frame): void;
  /** Called once per connection, whatever ended it. */
  closed(connection: LinkConnection, reason: string): void;
}

/** How long a refused peer gets to read our `deny` before the socket is destroyed. */
const DENY_LINGER_MS = 1000;
const ERROR_CODE_FORMAT = /^SWY_ERR_[A-Z_]{1,40}$/;
/**
 * Bytes of frames handled in one turn of the event loop, at least one frame:
 * a backlog (a peer's resync, what queued while this process was stopped)
 * is read a slice a turn, with the socket paused between slices, so it never
 * blocks the loop (SIP answers, heartbeats) for more than a few milliseconds.
 */
export const RECEIVE_TURN_BYTES = 256 * 1024;

/**
 * One TCP connection to the peer, from connect to close: framing, the
 * handshake and its deadline, then sealed frames (sequence number and MAC,
 * see session.ts), heartbeats and silence detection. Any misbehaviour of the
 * peer ends this connection only, with a log event.
 */
export class LinkConnection {
  private readonly decoder: FrameDecoder;
  private readonly server: ServerHandshake | undefined;
  private readonly client: ClientHandshake | undefined;
  private state: 'handshake' | 'established' | 'closed' = 'handshake';
  private tcpConnected: boolean;
  private lastFrameAt = 0;
  private handshakeTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private silenceTimer: TimerHandle | undefined;
  private sealer: FrameSealer | undefined;
  /** Frames left for the next turn (the socket is paused until they are handled). */
  private nextTurn: NodeJS.Immediate | undefined;

  constructor(
    private readonly socket: Socket,
    readonly direction: Direction,
    /** `host:port` of the other end, for log events. */
    readonly remote: string,
    /** The other end's address alone: what per-source limits count. */
    readonly source: string,
    private readonly ctx: ConnectionContext,
    private readonly handlers: ConnectionHandlers,
  ) {
    this.decoder = new FrameDecoder({ maxFrameBytes: ctx.maxFrameBytes });
    this.tcpConnected = direction === 'accepted';
    socket.setNoDelay(true);
    socket.on('error', (error) => this.finish(`socket error: ${describeError(error)}`));
    socket.on('close', () => {
      this.drain(Number.POSITIVE_INFINITY); // what the peer sent before it closed is read, not dropped
      this.finish('the peer closed the connection');
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.handshakeTimer = ctx.clock.setTimeout(() => this.onHandshakeTimeout(), ctx.handshakeTimeoutMs);
    if (direction === 'accepted') {
      this.server = new ServerHandshake(ctx.identity);
      this.send(this.server.hello());
    } else {
      this.client = new ClientHandshake(ctx.identity);
      socket.once('connect', () => (this.tcpConnected = true));
    }
  }

  /** CLOCK_MONOTONIC (ms) when the last frame from the peer arrived (the handshake's included). */
  get lastHeard(): number {
    return this.lastFrameAt;
  }

  get authenticated(): boolean {
    return this.state === 'established';
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Writes a frame (or an already encoded one); false once the connection is closed. */
  send(frame: Frame | Buffer): boolean {
    if (this.state === 'closed' || this.socket.destroyed) return false;
    let bytes: Buffer;
    try {
      bytes = Buffer.isBuffer(frame) ? frame : encodeFrame(frame, this.ctx.maxFrameBytes);
    } catch {
      return false; // only our own control frames are encoded here; they always fit
    }
    const sealer = this.sealer;
    if (!sealer) {
      this.socket.write(bytes);
      return true;
    }
    // One write per piece, corked into one segment: the payload is not copied.
    this.socket.cork();
    for (const piece of sealer.seal(bytes)) this.socket.write(piece);
    this.socket.uncork();
    return true;
  }

  /** Ends the connection for a local reason (stop, refusal); logs nothing. */
  close(reason: string): void {
    this.finish(reason);
  }

  /** Ends the connection because the peer misbehaved; logs HaLinkPeerDropped. */
  drop(error: SwitchyardError): void {
    if (this.state === 'closed') return;
    this.ctx.report(this.source, CoreEvent.HaLinkPeerDropped, { remote: this.remote, code: error.code, reason: error.message });
    this.finish(`peer dropped (${error.code}): ${error.message}`);
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    try {
      this.decoder.feed(chunk);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (!this.nextTurn) this.drain(RECEIVE_TURN_BYTES);
  }

  /**
   * Handles the buffered frames, frame by frame (the handshake's last frame
   * switches the decoder to sealed frames before the next one in the same
   * chunk is read), until `budget` bytes of them are handled; the rest waits
   * for the next turn, with the socket paused until it is handled.
   */
  private drain(budget: number): void {
    if (this.nextTurn) {
      clearImmediate(this.nextTurn);
      this.nextTurn = undefined;
    }
    if (this.state === 'closed') return;
    let handled = 0;
    try {
      for (;;) {
        const before = this.decoder.bufferedBytes;
        const frame = this.decoder.next();
        if (!frame) break;
        this.lastFrameAt = this.ctx.clock.monotonic();
        this.onFrame(frame);
        if (this.closed) return;
        handled += before - this.decoder.bufferedBytes;
        if (handled >= budget && this.decoder.bufferedBytes > 0) {
          this.socket.pause();
          this.nextTurn = setImmediate(() => {
            this.drain(RECEIVE_TURN_BYTES);
            if (!this.nextTurn && !this.closed) this.socket.resume();
          });
          return;
        }
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private onFrame(frame: Frame): void {
    if (this.state === 'established') {
      this.handlers.frame(this, frame);
    } else if (this.server) {
      const welcome = this.server.accept(frame);
      this.send(welcome);
      this.establish(this.server.sessionKeys());
    } else if (this.client) {
      if (frame.t === FrameType.Deny) this.onDeny(frame);
      else if (!this.client.answered) this.send(this.client.answer(frame));
      else {
        this.client.confirm(frame);
        this.establish(this.client.sessionKeys());
      }
    }
  }

  private establish(keys: SessionKeys): void {
    this.handshakeTimer?.cancel();
    this.sealer = new FrameSealer(keys.send);
    this.decoder.useOpener(new FrameOpener(keys.receive));
    this.state = 'established';
    this.lastFrameAt = this.ctx.clock.monotonic();
    if (!this.handlers.established(this)) {
      this.finish('refused: another HA-link connection is up');
      return;
    }
    if (this.closed) return; // a listener closed us meanwhile
    this.sendHeartbeat();
    this.heartbeatTimer = this.ctx.clock.setInterval(() => this.sendHeartbeat(), this.ctx.heartbeatIntervalMs);
    this.silenceTimer = this.ctx.clock.setTimeout(() => this.checkSilence(), this.ctx.silenceLimitMs);
  }

  private sendHeartbeat(): void {
    const frame = this.ctx.heartbeat();
    if (frame) this.send(frame);
  }

  // One timer re-armed to the deadline, rather than one per received frame.
  private checkSilence(confirming = false): void {
    if (this.state !== 'established') return;
    // Frames waiting for the next turn (a backlog read a slice a turn) are the peer's: it is not silent.
    const quiet = this.nextTurn ? 0 : this.ctx.clock.monotonic() - this.lastFrameAt;
    const limit = this.ctx.silenceLimitMs;
    if (quiet < limit) {
      this.silenceTimer = this.ctx.clock.setTimeout(() => this.checkSilence(), limit - quiet);
    } else if (!confirming) {
      // Timers run before the loop reads its sockets: after a long turn of this process (bulk work),
      // the peer's frames may be waiting unread. Look again once this turn's I/O is read.
      this.silenceTimer = afterIo(() => this.checkSilence(true));
    } else {
      this.finish(`no frame from the peer for ${(quiet / 1000).toFixed(2)} s (missed heartbeats)`);
    }
  }

  private onHandshakeTimeout(): void {
    if (this.state !== 'handshake') return;
    const seconds = this.ctx.handshakeTimeoutMs / 1000;
    if (!this.tcpConnected) {
      this.finish(`could not connect within ${seconds} s`); // unreachable peer: the dialer just retries
      return;
    }
    this.drop(new SwitchyardError('SWY_ERR_HALINK_TIMEOUT', `the peer did not complete the handshake within ${seconds} s`));
  }

  private onDeny(frame: Frame): void {
    // Both are the peer's words, unauthenticated: only a code-shaped code is believed.
    const sentCode = readString(frame, 'code');
    const code = ERROR_CODE_FORMAT.test(sentCode) ? sentCode : 'an unknown code';
    const reason = readString(frame, 'reason');
    if (code === 'SWY_ERR_HALINK_AUTH') {
      this.ctx.report(this.source, CoreEvent.HaLinkAuthFailed, {
        remote: this.remote,
        code,
        reason: `the peer refused our authentication: ${reason}`,
      });
    } else {
      this.ctx.report(this.source, CoreEvent.HaLinkPeerDropped, {
        remote: this.remote,
        code: 'SWY_ERR_HALINK_PROTOCOL',
        reason: `the peer refused the connection (${code}): ${reason}`,
      });
    }
    this.finish(`refused by the peer (${code}): ${reason}`);
  }

  private fail(error: unknown): void {
    if (this.state === 'closed') return; // a handler closed it, then threw: nothing more to report
    const failure = isSwitchyardError(error)
      ? error
      : new SwitchyardError('SWY_ERR_HALINK_PROTOCOL', `unexpected failure handling a frame: ${describeError(error)}`, { cause: error });
    if (failure.code !== 'SWY_ERR_HALINK_AUTH') {
      this.drop(failure);
      return;
    }
    this.ctx.report(this.source, CoreEvent.HaLinkAuthFailed, { remote: this.remote, code: failure.code, reason: failure.message });
    if (this.state === 'established') {
      // A sealed frame did not open: someone on the path, not the peer. Close; the dialer reconnects.
      this.finish(`a frame failed authentication: ${failure.message}`);
    } else if (this.server) {
      // Tell the dialer why, so both logs show the failure; then let the bytes drain.
      this.send({ t: FrameType.Deny, code: failure.code, reason: failure.message });
      this.finish(`authentication failed: ${failure.message}`, true);
    } else {
      this.finish(`authentication failed: ${failure.message}`);
    }
  }

  private finish(reason: string, flush = false): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.handshakeTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.silenceTimer?.cancel();
    if (this.nextTurn) clearImmediate(this.nextTurn);
    this.nextTurn = undefined;
    if (flush && !this.socket.destroyed) {
      this.socket.end();
      const linger = this.ctx.clock.setTimeout(() => this.socket.destroy(), DENY_LINGER_MS);
      this.socket.once('close', () => linger.cancel());
    } else {
      this.socket.destroy();
    }
    this.handlers.closed(this, reason);
  }
}
