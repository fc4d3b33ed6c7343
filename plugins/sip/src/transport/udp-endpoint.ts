import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIPv4 } from '../message/host';
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

/** A datagram waiting for the end of this event-loop turn. */
interface QueuedSend {
  data: Buffer;
  to: RemoteAddress;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * One UDP socket for SIP: receives datagrams and sends from the same socket,
 * so replies leave from the port requests arrived on.
 *
 * Sends leave together at the end of the event-loop turn (`setImmediate`),
 * after every datagram that turn read was answered. Measured on loopback
 * with SIPp at 8,000 REGISTER/s: the primary's CPU per request fell from
 * 212–237 µs to 146–155 µs, most of it the kernel's: one `sendmsg` after
 * another reaches a peer that is already awake, where a send between two
 * reads woke it for each answer.
 */
export class UdpEndpoint {
  private socket: dgram.Socket | undefined;
  private queue: QueuedSend[] = [];
  private flushScheduled = false;

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
    // Not net.isIPv6: its regular expression is compiled to machine code at its second use, which
    // took 2–6 ms of a promotion here (the primary's first bind). A host is an IP literal or a name.
    const socket = dgram.createSocket({ type: this.host.includes(':') ? 'udp6' : 'udp4', lookup: literalFirst });
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

  /** Sends one datagram from the bound socket, with the others of this event-loop turn; resolves once the kernel took it. */
  send(data: Buffer, to: RemoteAddress): Promise<void> {
    if (!this.socket) return Promise.reject(notListening());
    return new Promise((resolve, reject) => {
      this.queue.push({ data, to, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Closes the socket, after sending what is queued; idempotent. */
  async close(): Promise<void> {
    this.flush();
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private flush(): void {
    this.flushScheduled = false;
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    const socket = this.socket;
    for (const { data, to, resolve, reject } of queue) {
      if (!socket) {
        reject(notListening());
        continue;
      }
      socket.send(data, to.port, to.address, (error) => {
        if (!error) resolve();
        else {
          const target = `${to.address}:${to.port}`;
          reject(new SipTransportError('SWY_ERR_SIP_SEND_FAILED', `UDP send to ${target} failed: ${describeError(error)}`, { cause: error }));
        }
      });
    }
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

function notListening(): SipTransportError {
  return new SipTransportError('SWY_ERR_SIP_NOT_LISTENING', 'Cannot send over UDP: the UDP socket is not bound.');
}

/**
 * dgram's address lookup: an IP literal (every answer goes to the address a
 * request came from) as it is, at once, where `dns.lookup` would take a
 * process tick per datagram; a name through `dns.lookup`.
 */
function literalFirst(
  address: string,
  options: dns.LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const literal = literalFamily(address);
  if (literal !== 0) callback(null, address, literal);
  // dgram passes the socket's family as a number, which dns.lookup takes as well
  else dns.lookup(address, options, callback);
}

/**
 * 4 for a dotted-decimal IPv4 address (the message layer's scan, no regex),
 * 6 for text with a colon (no host name has one; if it is no address, the
 * kernel refuses the send and its callback says so), 0 for a name.
 */
export function literalFamily(address: string): 0 | 4 | 6 {
  if (isIPv4(address)) return 4;
  return address.includes(':') ? 6 : 0;
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // a socket whose bind failed may already count as closed
  }
}
