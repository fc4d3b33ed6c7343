import type { Socket } from 'node:net';
import type { TimerHandle } from '@switchyard/sdk';
import { SipStreamFramer } from '../message';
import { deliver, type EndpointContext } from './endpoint';
import { SipTransportError, describeError } from './errors';
import type { RemoteAddress } from './remote';

/**
 * One SIP-over-TCP connection, accepted or dialed: frames the byte stream
 * into messages, closes itself after a framing error or when idle, and
 * writes outgoing messages.
 */
export class SipTcpConnection {
  /** The connection's view as a message source/target. */
  readonly remote: RemoteAddress;
  private readonly framer: SipStreamFramer;
  private lastActivity: number;
  private idleTimer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    readonly id: string,
    private readonly ctx: EndpointContext,
    private readonly idleTimeoutMs: number,
    private readonly onClosed: (connection: SipTcpConnection) => void,
  ) {
    this.remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: 'tcp', connectionId: id };
    this.framer = new SipStreamFramer(ctx.limits);
    this.lastActivity = ctx.clock.monotonic();
    socket.setNoDelay(true);
    socket.on('error', () => this.close()); // reset by the peer, write after close, …: the connection is gone
    socket.on('close', () => this.close());
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.idleTimer = ctx.clock.setTimeout(() => this.checkIdle(), idleTimeoutMs);
  }

  /** True while the connection can carry a message. */
  get open(): boolean {
    return !this.closed && this.socket.writable;
  }

  /** Writes one message; the write is queued synchronously, the promise settles when it is flushed. */
  write(data: Buffer): Promise<void> {
    this.lastActivity = this.ctx.clock.monotonic();
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

  /** Closes at once; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.idleTimer?.cancel();
    this.socket.destroy();
    this.onClosed(this);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastActivity = this.ctx.clock.monotonic();
    const { frames, error } = this.framer.push(chunk);
    for (const frame of frames) {
      if (this.closed) return; // a handler closed us meanwhile
      deliver(this.ctx, frame, this.remote);
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

  // One timer re-armed to the deadline, rather than one per chunk.
  private checkIdle(): void {
    if (this.closed) return;
    const idle = this.ctx.clock.monotonic() - this.lastActivity;
    if (idle >= this.idleTimeoutMs) this.close();
    else this.idleTimer = this.ctx.clock.setTimeout(() => this.checkIdle(), this.idleTimeoutMs - idle);
  }
}
