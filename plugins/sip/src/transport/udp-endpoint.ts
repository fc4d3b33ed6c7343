import dgram from 'node:dgram';
import net from 'node:net';
import { deliver, type EndpointContext } from './endpoint';
import { SipTransportError, describeError } from './errors';
import type { RemoteAddress } from './remote';

/**
 * Receive buffer asked of the kernel: at several thousand requests a second,
 * the default (about 200 KiB, some 400 REGISTERs) overflows during any pause
 * of the event loop (a GC, a journal write) and every datagram dropped is a
 * client retransmission later. Linux caps it at `net.core.rmem_max`.
 */
export const UDP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * One UDP socket for SIP: receives datagrams and sends from the same socket,
 * so replies leave from the port requests arrived on.
 */
export class UdpEndpoint {
  private socket: dgram.Socket | undefined;

  constructor(
    private readonly host: string,
    private readonly ctx: EndpointContext,
  ) {}

  /** True while the socket is bound. */
  get bound(): boolean {
    return this.socket !== undefined;
  }

  /** Binds `host:port` (port 0: any free one), or adopts a bound UDP handle; resolves with the bound port, rejects with the system error. */
  async bind(port: number, handle?: unknown): Promise<number> {
    if (this.socket) return this.socket.address().port;
    const socket = dgram.createSocket(net.isIPv6(this.host) ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        // `handle`: a socket bound elsewhere (the agent's primary socket); dgram takes it in place of a port.
        const target = (handle ?? { address: this.host, port }) as dgram.BindOptions;
        socket.bind(target, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      closeQuietly(socket);
      throw error;
    }
    try {
      socket.setRecvBufferSize(UDP_RECEIVE_BUFFER_BYTES);
    } catch {
      // the system refused the size; the default buffer still works, with more drops under load
    }
    // Once bound, a socket error concerns one datagram (sends report theirs to the caller).
    socket.on('error', () => undefined);
    socket.on('message', (data, rinfo) => this.onDatagram(data, rinfo));
    this.socket = socket;
    return socket.address().port;
  }

  /** Sends one datagram from the bound socket. */
  send(data: Buffer, to: RemoteAddress): Promise<void> {
    const socket = this.socket;
    if (!socket) {
      return Promise.reject(new SipTransportError('SWY_ERR_SIP_NOT_LISTENING', 'Cannot send over UDP: the UDP socket is not bound.'));
    }
    return new Promise((resolve, reject) => {
      socket.send(data, to.port, to.address, (error) => {
        if (!error) resolve();
        else {
          const target = `${to.address}:${to.port}`;
          reject(new SipTransportError('SWY_ERR_SIP_SEND_FAILED', `UDP send to ${target} failed: ${describeError(error)}`, { cause: error }));
        }
      });
    });
  }

  /** Closes the socket; idempotent. */
  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private onDatagram(data: Buffer, rinfo: dgram.RemoteInfo): void {
    const remote: RemoteAddress = { address: rinfo.address, port: rinfo.port, transport: 'udp' };
    if (data.length > this.ctx.limits.maxMessageBytes) {
      this.ctx.handlers.onParseError({
        remote,
        error: {
          code: 'SIP_PARSE_TOO_LARGE',
          message: `UDP datagram of ${data.length} bytes is over the ${this.ctx.limits.maxMessageBytes}-byte limit; dropped unparsed.`,
        },
      });
      return;
    }
    deliver(this.ctx, data, remote);
  }
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // a socket whose bind failed may already count as closed
  }
}
