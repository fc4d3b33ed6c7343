import net from 'node:net';
import type { EndpointContext } from './endpoint';
import { SipTransportError, describeError } from './errors';
import { canonicalAddress, sameAddress, type RemoteAddress } from './remote';
import { SipTcpConnection } from './tcp-connection';

/** A TCP client the endpoint turned away (`refused` on arrival) or disconnected (`cut`). */
export interface TcpRefusal {
  kind: 'refused' | 'cut';
  remote: { address: string; port: number };
  reason: string;
}

/** Limits of the TCP side of the listener. */
export interface TcpEndpointOptions {
  /** A connection with no traffic either way for this long is closed, ms. */
  idleTimeoutMs: number;
  /** A message not complete this long after its first byte arrived: the connection is closed, ms. */
  messageTimeoutMs: number;
  /** Accepted connections open at once, in all. At the cap, the least recently active one makes room (see `accept`). */
  maxConnections: number;
  /** Accepted connections open at once from one source address; more are closed on arrival. */
  maxConnectionsPerSource: number;
  /** How long a dial for an outgoing message may take, ms. */
  connectTimeoutMs: number;
  /** Told about each client refused or cut off (called synchronously; must not throw). */
  onRefused?(info: TcpRefusal): void;
}

/**
 * The TCP server of the SIP listener plus the connections it accepted or
 * dialed. Sends go over the connection a request came on while it is open,
 * else over any open connection to the same address and port, else a new one.
 */
export class TcpEndpoint {
  private server: net.Server | undefined;
  private readonly connections = new Map<string, SipTcpConnection>();
  private readonly dialing = new Map<string, Promise<SipTcpConnection>>();
  /** Accepted (not dialed) connections, and how many each source address has open. */
  private readonly inbound = new Set<SipTcpConnection>();
  private readonly perSource = new Map<string, number>();
  private nextId = 1;

  constructor(
    private readonly host: string,
    private readonly ctx: EndpointContext,
    private readonly options: TcpEndpointOptions,
  ) {}

  /** True while the server is listening. */
  get bound(): boolean {
    return this.server !== undefined;
  }

  /** Open connections, accepted and dialed. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Listens on `host:port` (port 0: any free one), or on a bound TCP handle; resolves with the port, rejects with the system error. */
  async bind(port: number, handle?: unknown): Promise<number> {
    if (this.server) return (this.server.address() as net.AddressInfo).port;
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const done = () => {
        server.off('error', reject);
        resolve();
      };
      // `handle`: a TCP socket bound elsewhere (the agent's primary socket); listening on it makes it accept.
      if (handle !== undefined) server.listen(handle as net.ListenOptions, done);
      else server.listen({ host: this.host, port }, done);
    });
    server.on('error', () => undefined); // after listen() succeeded nothing is left to fail that we could act on
    this.server = server;
    return (server.address() as net.AddressInfo).port;
  }

  /** Sends one serialised message (see the class comment for which connection carries it). */
  async send(data: Buffer, to: RemoteAddress): Promise<void> {
    // No await before the write on an open connection: a 400 sent from inside
    // onParseError must be queued before the connection is ended.
    const existing = this.connectionFor(to);
    if (existing) return existing.write(data);
    if (!this.server) {
      throw new SipTransportError('SWY_ERR_SIP_NOT_LISTENING', 'Cannot send over TCP: the TCP server is not listening.');
    }
    const connection = await this.dial(to.address, to.port);
    return connection.write(data);
  }

  /** Closes the server and every connection; idempotent. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const connection of [...this.connections.values()]) connection.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private connectionFor(to: RemoteAddress): SipTcpConnection | undefined {
    if (to.connectionId !== undefined) {
      const byId = this.connections.get(to.connectionId);
      if (byId?.open) return byId;
    }
    for (const connection of this.connections.values()) {
      if (connection.open && sameAddress(connection.remote.address, to.address) && connection.remote.port === to.port) return connection;
    }
    return undefined;
  }

  /**
   * Admits a client unless its source address has `maxConnectionsPerSource`
   * open. At `maxConnections`, the least recently active accepted connection
   * is closed to make room, one that never completed a message first: slots
   * held by silent or slow clients cannot lock new clients out.
   */
  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined); // the connection handles errors once registered
    if (!this.server) {
      socket.destroy();
      return;
    }
    const source = canonicalAddress(socket.remoteAddress ?? '');
    const remote = { address: source, port: socket.remotePort ?? 0 };
    const fromSource = this.perSource.get(source) ?? 0;
    if (fromSource >= this.options.maxConnectionsPerSource) {
      socket.destroy();
      this.options.onRefused?.({ kind: 'refused', remote, reason: `${fromSource} connections from ${source} already open (tcp.maxConnectionsPerSource)` });
      return;
    }
    if (this.inbound.size >= this.options.maxConnections) {
      const victim = this.leastUseful();
      if (!victim) {
        socket.destroy();
        return;
      }
      victim.close(`made room for a new client: ${this.inbound.size} connections open (tcp.maxConnections), this one the least recently active`);
    }
    this.perSource.set(source, fromSource + 1);
    const connection = this.register(socket, () => {
      this.inbound.delete(connection);
      const left = (this.perSource.get(source) ?? 1) - 1;
      if (left > 0) this.perSource.set(source, left);
      else this.perSource.delete(source);
    });
    this.inbound.add(connection);
  }

  /** The accepted connection to give up first: one that never completed a message, else the least recently active. */
  private leastUseful(): SipTcpConnection | undefined {
    let pick: SipTcpConnection | undefined;
    for (const connection of this.inbound) {
      if (
        !pick ||
        (connection.messagesReceived === 0) > (pick.messagesReceived === 0) ||
        ((connection.messagesReceived === 0) === (pick.messagesReceived === 0) && connection.lastActivity < pick.lastActivity)
      ) {
        pick = connection;
      }
    }
    return pick;
  }

  private register(socket: net.Socket, onClosed?: () => void): SipTcpConnection {
    const id = `tcp-${this.nextId++}`;
    const timeouts = { idleMs: this.options.idleTimeoutMs, messageMs: this.options.messageTimeoutMs };
    const connection = new SipTcpConnection(socket, id, this.ctx, timeouts, (closed, cut) => {
      this.connections.delete(id);
      onClosed?.();
      if (cut !== undefined) this.options.onRefused?.({ kind: 'cut', remote: { address: closed.remote.address, port: closed.remote.port }, reason: cut });
    });
    this.connections.set(id, connection);
    return connection;
  }

  // Concurrent sends to one target share one dial.
  private dial(address: string, port: number): Promise<SipTcpConnection> {
    const key = `${address}|${port}`;
    let pending = this.dialing.get(key);
    if (!pending) {
      pending = this.connect(address, port).finally(() => this.dialing.delete(key));
      this.dialing.set(key, pending);
    }
    return pending;
  }

  private connect(address: string, port: number): Promise<SipTcpConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: address, port });
      const seconds = this.options.connectTimeoutMs / 1000;
      const fail = (detail: string, cause?: unknown): void => {
        timer.cancel();
        socket.destroy();
        reject(new SipTransportError('SWY_ERR_SIP_SEND_FAILED', `TCP connect to ${address}:${port} failed: ${detail}`, { cause }));
      };
      const timer = this.ctx.clock.setTimeout(() => fail(`no answer within ${seconds} s`), this.options.connectTimeoutMs);
      socket.once('error', (error) => fail(describeError(error), error));
      socket.once('connect', () => {
        timer.cancel();
        socket.removeAllListeners('error');
        if (!this.server) {
          fail('the listener stopped meanwhile');
          return;
        }
        resolve(this.register(socket));
      });
    });
  }
}
