import net from 'node:net';
import { SipTransportError, type SipBindFailure, type SipListener } from './transport';
import { canonicalAddress, sameAddress } from './transport/remote';

/** What {@link ExtraListeners} needs from the SIP service. */
export interface ExtraListenersOptions {
  /** The node's own SIP listener: its host is never an extra one, its port is theirs. */
  main: SipListener;
  /**
   * A listener on `host:port` wired into the service's one message path
   * (parser, role gate, registrar, replies from that same listener);
   * `onBindFailed` replaces the main listener's alarm and switchover
   * handling: an extra address that cannot be bound concerns the caller only.
   */
  create(host: string, port: number, onBindFailed: (failure: SipBindFailure) => void): SipListener;
  /** Debug lines (an extra address opened or closed). */
  debug(message: string): void;
}

interface Entry {
  listener: SipListener;
  /** Resolves when UDP and TCP are bound; rejects (and the entry is dropped) when either cannot be. */
  ready: Promise<void>;
  bound: boolean;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * The addresses the SIP service listens on besides its own, on demand: a
 * virtual IP while this node holds it, so that a client sending to the VIP
 * gets its answers from the VIP (a socket bound to that address, not a
 * wildcard). Each is a full SipListener (UDP + TCP) on the node's SIP port.
 * Unlike the main listener, a bind failure is not retried: it is the
 * caller's answer (the address is not on the host yet, the port is taken).
 */
export class ExtraListeners {
  private readonly entries = new Map<string, Entry>();
  /** Listeners being closed, by host, so a new listenOn waits for the port to be free. */
  private readonly closing = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly options: ExtraListenersOptions) {}

  /** Hosts listened on now (both transports bound), in the order they were added. */
  hosts(): string[] {
    return [...this.entries].filter(([, entry]) => entry.bound).map(([host]) => host);
  }

  listenOn(host: string): Promise<void> {
    const problem = hostProblem(host);
    if (problem !== undefined) {
      return Promise.reject(new SipTransportError('SWY_ERR_SIP_OPTIONS', `Cannot listen on "${host}": ${problem}.`));
    }
    const { host: mainHost, port } = this.options.main.localAddress;
    if (this.stopped) {
      return Promise.reject(new SipTransportError('SWY_ERR_SIP_NOT_LISTENING', `Cannot listen on ${host}: the SIP service has stopped.`));
    }
    if (sameAddress(host, mainHost)) return Promise.resolve(); // the node's own listener already serves it
    if (port === 0) {
      return Promise.reject(
        new SipTransportError('SWY_ERR_SIP_NOT_LISTENING', `Cannot listen on ${host} yet: the node's SIP port (configured 0) is chosen when the plugin starts.`),
      );
    }
    const key = canonicalAddress(host);
    const existing = this.entries.get(key);
    if (existing) return existing.ready;
    const entry = this.open(key, port);
    this.entries.set(key, entry);
    return entry.ready;
  }

  /** Closes the listener on `host`; resolves once its sockets are closed. Idempotent; the node's own host is left alone. */
  stopListening(host: string): Promise<void> {
    const key = canonicalAddress(host);
    const entry = this.entries.get(key);
    if (!entry) return this.closing.get(key) ?? Promise.resolve();
    this.entries.delete(key);
    return this.close(key, entry);
  }

  /** Closes every extra listener; later listenOn calls are refused. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.entries.keys()].map((host) => this.stopListening(host)));
    await Promise.all(this.closing.values());
  }

  private open(host: string, port: number): Entry {
    let failure: SipBindFailure | undefined;
    const listener = this.options.create(host, port, (info) => (failure ??= info));
    const entry: Entry = { listener, bound: false, ready: Promise.resolve() };
    entry.ready = (async () => {
      await this.closing.get(host); // a previous listener on this host may still hold the port
      if (this.entries.get(host) !== entry) throw stoppedBeforeBound(host, port);
      await listener.start();
      if (listener.listening && this.entries.get(host) === entry) {
        entry.bound = true;
        this.options.debug(`SIP also listening on ${host}:${port} (udp+tcp)`);
        return;
      }
      if (this.entries.get(host) === entry) {
        this.entries.delete(host);
        await this.close(host, entry);
      }
      throw failure ? bindError(failure) : stoppedBeforeBound(host, port);
    })();
    entry.ready.catch(() => undefined); // the caller gets the rejection; this only keeps it from being unhandled
    return entry;
  }

  private close(host: string, entry: Entry): Promise<void> {
    const previous = this.closing.get(host);
    const closed = Promise.all([previous, entry.listener.stop()]).then(() => {
      if (this.closing.get(host) === closed) this.closing.delete(host);
      if (entry.bound) this.options.debug(`SIP no longer listening on ${host}`);
    });
    this.closing.set(host, closed);
    return closed;
  }
}

function hostProblem(host: string): string | undefined {
  if (net.isIP(host) === 0) {
    return host.includes('/') ? 'give the address without its prefix length (e.g. 198.51.100.100, not 198.51.100.100/24)' : 'it is not an IPv4 or IPv6 address';
  }
  if (WILDCARDS.has(canonicalAddress(host))) return 'a wildcard address would not make the answers leave from a given address; give the address itself';
  return undefined;
}

const HINTS: Record<string, string> = {
  EADDRNOTAVAIL: 'the address is not on this host; add it to an interface first',
  EADDRINUSE: 'another socket holds this address and port (a SIP host of 0.0.0.0 or :: holds the port on every address; give nodes[].sip.host a specific address)',
  EACCES: 'this user may not bind this port',
};

function bindError(failure: SipBindFailure): SipTransportError {
  const where = `${failure.address}:${failure.port}/${failure.transport}`;
  const hint = HINTS[failure.errno] ?? failure.message;
  const cause = Object.assign(new Error(failure.message), { code: failure.errno });
  return new SipTransportError('SWY_ERR_SIP_NOT_LISTENING', `Cannot listen on ${where} (${failure.errno}): ${hint}.`, { cause });
}

function stoppedBeforeBound(host: string, port: number): SipTransportError {
  return new SipTransportError('SWY_ERR_SIP_NOT_LISTENING', `Listening on ${host}:${port} was stopped before it was bound.`);
}
