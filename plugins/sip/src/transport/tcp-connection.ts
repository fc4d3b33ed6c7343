import type { Socket } from 'node:net';
import type { TimerHandle } from '@switchyard/sdk';
import { SipStreamFramer } from '../message';
import { deliver, type EndpointContext } from './endpoint';
import { SipTransportError, describeError } from './errors';
import type { RemoteAddress } from './remote';

/** Time limits of one connection, ms. */
export interface TcpConnectionTimeouts {
  /** No byte either way for this long: closed. */
  idleMs: number;
  /** A message begun (its first byte arrived) but not complete this long after: closed, as a slow sender. */
  messageMs: number;
}

/**
 * One SIP-over-TCP connection, accepted or dialed: frames the byte stream
 * into messages, closes itself after a framing error, when idle, or when a
 * message it began is not complete within the message deadline (a slow
 * sender holding a slot), and writes outgoing messages.
 */
export class SipTcpConnection {
  /** The connection's view as a message source/target. */
  readonly remote: RemoteAddress;
  private readonly framer: SipStreamFramer;
  private lastActivityAt: number;
  private idleTimer: TimerHandle | undefined;
  private messageTimer: TimerHandle | undefined;
  private delivered = 0;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    readonly id: string,
    private readonly ctx: EndpointContext,
    private readonly timeouts: TcpConnectionTimeouts,
    private readonly onClosed: (connection: SipTcpConnection, cut?: string) => void,
  ) {
    this.remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: 'tcp', connectionId: id };
    this.framer = new SipStreamFramer(ctx.limits);
    this.lastActivityAt = ctx.clock.monotonic();
    socket.setNoDelay(true);
    socket.on('error', () => this.close()); // reset by the peer, write after close, …: the connection is gone
    socket.on('close', () => this.close());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.idleTimer = ctx.clock.setTimeout(() => this.checkIdle(), timeouts.idleMs);
  }

  /** `clock.monotonic()` of the last byte either way. */
  get lastActivity(): number {
    return this.lastActivityAt;
  }

  /** Whole messages received so far. */
  get messagesReceived(): number {
    return this.delivered;
  }

  /** True while the connection can carry a message. */
  get open(): boolean {
    return !this.closed && this.socket.writable;
  }

  /** Writes one message; the write is queued synchronously, the promise settles when it is flushed. */
  write(data: Buffer): Promise<void> {
    this.lastActivityAt = this.ctx.clock.monotonic();
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => {
        if (!error) resolve();
        else {
          const target = `${this.remote.address}:${this.remote.port}`;
          reject(new SipTransportError('SWY_ERR_SIP_SEND_FAILED', `TCP send to ${target} failed: ${describeError(error)}`, { cause: error }));
        }
      });
    });
  }

  /** Closes at once; idempotent. `cut` says why, when we cut a client off (reported as an event). */
  close(cut?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.idleTimer?.cancel();
    this.messageTimer?.cancel();
    this.socket.destroy();
    this.onClosed(this, cut);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastActivityAt = this.ctx.clock.monotonic();
    const { frames, error } = this.framer.push(chunk);
    for (const frame of frames) {
      if (this.closed) return; // a handler closed us meanwhile
      this.delivered++;
      // A complete message restarts the deadline: it runs from the first byte of each message.
      this.messageTimer?.cancel();
      this.messageTimer = undefined;
      deliver(this.ctx, frame, this.remote);
    }
    if (!this.closed && this.framer.bufferedBytes > 0 && this.messageTimer === undefined) {
      this.messageTimer = this.ctx.clock.setTimeout(() => this.messageOverdue(), this.timeouts.messageMs);
    }
    if (error && !this.closed) {
      this.ctx.handlers.onParseError({ remote: this.remote, error });
      this.endAfterFlush();
    }
  }

  // The stream cannot be resynchronised after a framing error. End (not
  // destroy) so that a 400 written by the error handler still goes out.
  private endAfterFlush(): void {
    if (this.closed) return;
    this.socket.pause();
    this.socket.end(() => this.close());
  }

  private messageOverdue(): void {
    this.messageTimer = undefined;
    if (this.closed || this.framer.bufferedBytes === 0) return;
    const seconds = this.timeouts.messageMs / 1000;
    this.close(`a message begun ${seconds} s ago is still incomplete (${this.framer.bufferedBytes} bytes); tcp.messageTimeout is ${seconds} s`);
  }

  // One timer re-armed to the deadline, rather than one per chunk.
  private checkIdle(): void {
    if (this.closed) return;
    const idle = this.ctx.clock.monotonic() - this.lastActivityAt;
    if (idle >= this.timeouts.idleMs) this.close();
    else this.idleTimer = this.ctx.clock.setTimeout(() => this.checkIdle(), this.timeouts.idleMs - idle);
  }
}
