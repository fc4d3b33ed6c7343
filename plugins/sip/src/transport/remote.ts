import type { SipMessage } from '../message';

/** The transports the SIP listener serves. */
export type SipTransport = 'udp' | 'tcp';

/**
 * The other end of a SIP message: where it came from, or where to send one.
 * For TCP, `connectionId` names the connection a message arrived on; a send
 * with it goes over that connection while it is open, and otherwise opens a
 * new one to `address:port`.
 */
export interface RemoteAddress {
  address: string;
  port: number;
  transport: SipTransport;
  connectionId?: string;
}

/** A SIP message the listener received and parsed. */
export interface InboundMessage {
  message: SipMessage;
  /** The bytes it was parsed from (one datagram, or one TCP frame). */
  raw: Buffer;
  remote: RemoteAddress;
  /** `clock.now()` when it was received. */
  receivedAt: number;
}

/** `host:port` as written in SIP (IPv6 in brackets). */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Whether two IP addresses are the same host: brackets and case ignored, and
 * an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) equal to its IPv4 form.
 */
export function sameAddress(a: string, b: string): boolean {
  return canonicalAddress(a) === canonicalAddress(b);
}

/** An IP address as written in a `received` parameter: no brackets, IPv4-mapped IPv6 as IPv4, lower case. */
export function canonicalAddress(address: string): string {
  // A dotted IPv4 address (what nearly every datagram comes from) is already canonical.
  if (address.indexOf(':') < 0 && address.indexOf('[') < 0 && address === address.toLowerCase()) return address;
  return address
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '')
    .toLowerCase();
}
