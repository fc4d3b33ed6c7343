import type { Clock, TimerHandle } from '@switchyard/sdk';
import { DEFAULT_PARSE_LIMITS, serializeMessage, type ParseLimits, type SipMessage, type SipParseError } from '../message';
import type { EndpointContext } from './endpoint';
import { SipTransportError, describeError, errnoOf } from './errors';
import type { InboundMessage, RemoteAddress, SipTransport } from './remote';
import { TcpEndpoint, type TcpRefusal } from './tcp-endpoint';
import { UdpEndpoint } from './udp-endpoint';

/** A transport that could not bind. */
export interface SipBindFailure {
  address: string;
  port: number;
  transport: SipTransport;
  /** The system error code, e.g. `EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`. */
  errno: string;
  message: string;
  /** 1 for the first failure of this transport, then counting each failed retry. */
  attempt: number;
}

/** Both transports are bound. */
export interface SipBound {
  address: string;
  port: number;
  /** True when a bind attempt failed before. */
  recovered: boolean;
  /** Failed bind attempts (both transports) before this. */
  failedAttempts: number;
}

/**
 * Options of {@link SipListener}. The callbacks are called synchronously
 * from socket events and must not throw.
 */
export interface SipListenerOptions {
  /** IP address to bind (IPv4 or IPv6; `0.0.0.0` / `::` for all). */
  host: string;
  /** UDP and TCP port; 0 picks one free port for both. */
  port: number;
  clock: Clock;
  /** Seconds between bind attempts of a transport that failed to bind. */
  bindRetryInterval: number;
  /** Sockets bound elsewhere (handles of the agent's primary socket on `host:port`) to serve instead of binding. */
  adopt?: { udp: unknown; tcp: unknown };
  limits?: Partial<ParseLimits>;
  /** Seconds without traffic after which a TCP connection is closed. Default 60. */
  tcpIdleTimeout?: number;
  /** Inbound TCP connections allowed at once; at the cap the least recently active one makes room. Default 1024. */
  maxTcpConnections?: number;
  /** Inbound TCP connections allowed at once from one source address; more are closed on arrival. Default 32. */
  maxTcpConnectionsPerSource?: number;
  /** Seconds a TCP message may take to arrive once its first byte did; a slower sender is disconnected. Default 10. */
  tcpMessageTimeout?: number;
  /** A TCP client was refused on arrival or cut off (per-source cap, room made, slow sender). */
  onTcpRefused?(info: TcpRefusal): void;
  onMessage(inbound: InboundMessage): void;
  /**
   * Bytes that are not a SIP message. For TCP framing errors the connection
   * is closed right after this returns; answer 400 from inside the call.
   */
  onParseError(info: { remote: RemoteAddress; error: SipParseError }): void;
  /** A transport failed to bind; called for every failed attempt (first bind and each retry). */
  onBindFailed(info: SipBindFailure): void;
  /** Both transports are bound (once per start); `recovered` when a bind failed before. */
  onBound(info: SipBound): void;
}

const DEFAULT_TCP_IDLE_TIMEOUT_S = 60;
const DEFAULT_MAX_TCP_CONNECTIONS = 1024;
const DEFAULT_MAX_TCP_CONNECTIONS_PER_SOURCE = 32;
const DEFAULT_TCP_MESSAGE_TIMEOUT_S = 10;
const TCP_CONNECT_TIMEOUT_MS = 10_000;
/** Tries at finding one port free for both UDP and TCP when port is 0. */
const EPHEMERAL_PORT_TRIES = 8;

/**
 * The SIP listener of a node: one UDP socket and one TCP server on the same
 * host:port. A transport that cannot bind is reported and retried every
 * `bindRetryInterval` until it binds, while the node stays up; `listening`
 * is true only while both are bound.
 */
export class SipListener {
  private readonly udp: UdpEndpoint;
  private readonly tcp: TcpEndpoint;
  private readonly retryTimers: Partial<Record<SipTransport, TimerHandle>> = {};
  private readonly failures: Record<SipTransport, number> = { udp: 0, tcp: 0 };
  private state: 'new' | 'started' | 'stopped' = 'new';
  private stopping: Promise<void> | undefined;
  private port: number;
  private boundReported = false;

  constructor(private readonly options: SipListenerOptions) {
    validate(options);
    this.port = options.port;
    const limits: ParseLimits = { ...DEFAULT_PARSE_LIMITS, ...options.limits };
    const ctx: EndpointContext = {
      clock: options.clock,
      limits,
      handlers: {
        onMessage: (inbound) => options.onMessage(inbound),
        onParseError: (info) => options.onParseError(info),
      },
    };
    this.udp = new UdpEndpoint(options.host, ctx);
    this.tcp = new TcpEndpoint(options.host, ctx, {
      idleTimeoutMs: (options.tcpIdleTimeout ?? DEFAULT_TCP_IDLE_TIMEOUT_S) * 1000,
      messageTimeoutMs: (options.tcpMessageTimeout ?? DEFAULT_TCP_MESSAGE_TIMEOUT_S) * 1000,
      maxConnections: options.maxTcpConnections ?? DEFAULT_MAX_TCP_CONNECTIONS,
      maxConnectionsPerSource: options.maxTcpConnectionsPerSource ?? DEFAULT_MAX_TCP_CONNECTIONS_PER_SOURCE,
      connectTimeoutMs: TCP_CONNECT_TIMEOUT_MS,
      onRefused: (info) => options.onTcpRefused?.(info),
    });
  }

  /** True only while both UDP and TCP are bound. */
  get listening(): boolean {
    return this.udp.bound && this.tcp.bound;
  }

  /** Open TCP connections, accepted and dialed. */
  get tcpConnections(): number {
    return this.tcp.connectionCount;
  }

  /** The configured host and the bound port (the chosen one when configured as 0). */
  get localAddress(): { host: string; port: number } {
    return { host: this.options.host, port: this.port };
  }

  /**
   * Binds UDP and TCP. Resolves once each has bound or failed; a failure is
   * reported through `onBindFailed` and retried, never thrown. Once only.
   */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'started';
    if (this.port === 0) await this.pickPort();
    await Promise.all([this.attempt('udp'), this.attempt('tcp')]);
  }

  /** Closes sockets and connections and cancels bind retries; idempotent. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.state = 'stopped';
      for (const timer of Object.values(this.retryTimers)) timer?.cancel();
      this.stopping = Promise.all([this.udp.close(), this.tcp.close()]).then(() => undefined);
    }
    return this.stopping;
  }

  /**
   * Serialises and sends a message. UDP leaves from the listener's socket;
   * TCP goes over `to.connectionId` while open, else an open connection to
   * the same address:port, else a new connection. Rejects with a
   * SipTransportError (`SWY_ERR_SIP_SEND_FAILED`, `SWY_ERR_SIP_NOT_LISTENING`),
   * or the message layer's error when the message cannot be serialised.
   */
  send(message: SipMessage, to: RemoteAddress): Promise<void> {
    // Synchronous up to the write, so a 400 sent from onParseError goes out
    // before the broken TCP connection is ended.
    let data: Buffer;
    try {
      data = serializeMessage(message);
    } catch (error) {
      return Promise.reject(error as Error); // a message that cannot be written is the caller's bug (SipMessageError)
    }
    return to.transport === 'udp' ? this.udp.send(data, to) : this.tcp.send(data, to);
  }

  private endpoint(transport: SipTransport): UdpEndpoint | TcpEndpoint {
    return transport === 'udp' ? this.udp : this.tcp;
  }

  private async attempt(transport: SipTransport): Promise<void> {
    this.retryTimers[transport] = undefined;
    const endpoint = this.endpoint(transport);
    if (this.state !== 'started') return;
    if (!endpoint.bound) {
      let port: number;
      try {
        port = await endpoint.bind(this.port, this.options.adopt?.[transport]);
      } catch (error) {
        if (this.state !== 'started') return;
        this.reportFailure(transport, error);
        const retryMs = this.options.bindRetryInterval * 1000;
        this.retryTimers[transport] = this.options.clock.setTimeout(() => void this.attempt(transport), retryMs);
        return;
      }
      if (this.state !== 'started') {
        await endpoint.close(); // stopped while binding
        return;
      }
      if (this.port === 0) this.port = port;
    }
    if (this.listening && !this.boundReported) {
      this.boundReported = true;
      const failedAttempts = this.failures.udp + this.failures.tcp;
      this.options.onBound({ address: this.options.host, port: this.port, recovered: failedAttempts > 0, failedAttempts });
    }
  }

  private reportFailure(transport: SipTransport, error: unknown): void {
    const attempt = ++this.failures[transport];
    const { host: address } = this.options;
    this.options.onBindFailed({ address, port: this.port, transport, errno: errnoOf(error), message: describeError(error), attempt });
  }

  // Port 0: take a free UDP port and keep it if TCP can have it too.
  private async pickPort(): Promise<void> {
    for (let i = 0; i < EPHEMERAL_PORT_TRIES && this.state === 'started'; i++) {
      let port: number;
      try {
        port = await this.udp.bind(0);
      } catch {
        return; // attempt() reports it
      }
      if (this.state !== 'started') {
        await this.udp.close(); // stopped meanwhile
        return;
      }
      try {
        await this.tcp.bind(port);
        this.port = port;
      } catch {
        await this.udp.close();
        continue;
      }
      if (this.state !== 'started') await Promise.all([this.udp.close(), this.tcp.close()]); // stopped meanwhile
      return;
    }
  }
}

function validate(options: SipListenerOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) problems.push(`port must be an integer 0..65535 (got ${options.port})`);
  if (!(options.bindRetryInterval > 0)) problems.push(`bindRetryInterval must be > 0 seconds (got ${options.bindRetryInterval})`);
  if (options.tcpIdleTimeout !== undefined && !(options.tcpIdleTimeout > 0)) problems.push(`tcpIdleTimeout must be > 0 seconds (got ${options.tcpIdleTimeout})`);
  if (options.maxTcpConnections !== undefined && !(Number.isInteger(options.maxTcpConnections) && options.maxTcpConnections > 0)) {
    problems.push(`maxTcpConnections must be a positive integer (got ${options.maxTcpConnections})`);
  }
  if (options.tcpMessageTimeout !== undefined && !(options.tcpMessageTimeout > 0)) problems.push(`tcpMessageTimeout must be > 0 seconds (got ${options.tcpMessageTimeout})`);
  if (options.maxTcpConnectionsPerSource !== undefined && !(Number.isInteger(options.maxTcpConnectionsPerSource) && options.maxTcpConnectionsPerSource > 0)) {
    problems.push(`maxTcpConnectionsPerSource must be a positive integer (got ${options.maxTcpConnectionsPerSource})`);
  }
  if (problems.length > 0) throw new SipTransportError('SWY_ERR_SIP_OPTIONS', `Invalid SipListener options: ${problems.join('; ')}.`);
}
