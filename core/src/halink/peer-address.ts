import { promises as dns } from 'node:dns';
import net from 'node:net';
import type { Clock } from '../clock';
import { describeError } from '../errors';

/** An address as the kernel reports it: IPv4-mapped IPv6 unwrapped, `localhost` as 127.0.0.1. */
export function plainAddress(address: string): string {
  const a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (a === 'localhost') return '127.0.0.1';
  return a.startsWith('::ffff:') && net.isIPv4(a.slice(7)) ? a.slice(7) : a;
}

/**
 * Where the dialer calls from: its own configured address, so the peer's
 * check ({@link PeerAddressCheck}) sees that address whatever source the
 * kernel would pick (another address of a host with several, or 127.0.0.1
 * for a pair on 127.0.0.1 and 127.0.0.2). Not for a wildcard or a name, nor
 * when the peer's address is of the other family.
 */
export function dialFrom(listenHost: string, peerHost: string): { localAddress: string; family: number } | undefined {
  const local = plainAddress(listenHost);
  const family = net.isIP(local);
  if (family === 0 || local === '0.0.0.0' || local === '::') return undefined;
  const peerFamily = net.isIP(plainAddress(peerHost));
  return peerFamily === 0 || peerFamily === family ? { localAddress: local, family } : undefined;
}

/** Resolves a host name to its addresses (default: the system resolver, as `net.connect` would). */
export type HostLookup = (host: string) => Promise<string[]>;

export const systemLookup: HostLookup = async (host) => (await dns.lookup(host, { all: true })).map((entry) => entry.address);

/** A name is looked up again, on a connection from an unknown address, at most this often. */
const RELOOKUP_MS = 30_000;

/**
 * Whether a connection comes from the peer's configured address. A peer
 * configured by name is looked up; a connection from an address the name
 * did not give triggers a new lookup at most every 30 s (the peer may have
 * moved), and while the name does not resolve nobody is accepted.
 */
export class PeerAddressCheck {
  private readonly peer: string;
  private readonly byName: boolean;
  private addresses = new Set<string>();
  private lookedUpAt: number | undefined;
  private lookupFailure: string | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    peerHost: string,
    private readonly clock: Clock,
    private readonly lookup: HostLookup = systemLookup,
  ) {
    this.peer = plainAddress(peerHost);
    this.byName = net.isIP(this.peer) === 0;
    if (!this.byName) this.addresses.add(this.peer);
  }

  /** Synchronous when the answer is known (always, for a peer configured by address). */
  allows(remote: string | undefined): boolean | Promise<boolean> {
    const address = remote === undefined ? undefined : plainAddress(remote);
    if (address !== undefined && this.addresses.has(address)) return true;
    if (!this.byName || address === undefined) return false;
    const fresh = this.lookedUpAt !== undefined && this.clock.monotonic() - this.lookedUpAt < RELOOKUP_MS;
    if (fresh && !this.inFlight) return false;
    return this.refresh().then(() => this.addresses.has(address));
  }

  /** Why a connection was refused, for the log. */
  describe(): string {
    if (!this.byName) return this.peer;
    const found = this.lookupFailure ? `the lookup failed: ${this.lookupFailure}` : [...this.addresses].join(', ') || 'no address';
    return `${this.peer} (${found})`;
  }

  private refresh(): Promise<void> {
    this.inFlight ??= this.lookup(this.peer)
      .then(
        (addresses) => {
          this.addresses = new Set(addresses.map(plainAddress));
          this.lookupFailure = undefined;
        },
        (error: unknown) => {
          this.addresses = new Set();
          this.lookupFailure = describeError(error);
        },
      )
      .finally(() => {
        this.lookedUpAt = this.clock.monotonic();
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
