/** One Via element (`via-parm`, RFC 3261 §20.42, RFC 3581 rport). */
import { isIPv4, isIPv6 } from 'node:net';
import { isIPv6Reference, parseHostPort } from './host';
import { formatHeaderParams, parseHeaderParams } from './params';
import { trimLws } from './scan';
import type { Via } from './types';

const TOKEN = "[A-Za-z0-9\\-.!%*_+`'~]+";
/** sent-protocol LWS sent-by; SLASH = SWS "/" SWS (RFC 4475 wsinv folds around the slashes). */
const SENT_RE = new RegExp(`^(${TOKEN})[ \\t]*/[ \\t]*(${TOKEN})[ \\t]*/[ \\t]*(${TOKEN})[ \\t]+([^;]+)$`);

function validParams(params: Via['params']): boolean {
  const { received, rport, ttl } = params;
  if (received !== undefined && (received === null || !(isIPv4(received) || isIPv6(received) || isIPv6Reference(received)))) return false;
  if (rport !== undefined && rport !== null && !/^\d{1,5}$/.test(rport)) return false;
  if (ttl !== undefined && (ttl === null || !/^\d{1,3}$/.test(ttl) || Number(ttl) > 255)) return false;
  return true;
}

/**
 * Parses one Via value (`SIP/2.0/UDP host:port;branch=…;rport`); for a
 * header line holding several, split it first (`headerValues`). The
 * transport is upper-cased, the host kept as written (IPv6 in brackets);
 * `received` must be an IP address, `rport` empty or a port number.
 * Undefined when malformed or not SIP/2.0.
 */
export function parseVia(text: string): Via | undefined {
  const source = trimLws(text);
  const semi = source.indexOf(';');
  const match = SENT_RE.exec(semi < 0 ? source : source.slice(0, semi));
  if (match === null) return undefined;
  const [, protocol, version, transport, sentBy] = match;
  if (protocol.toUpperCase() !== 'SIP' || version !== '2.0') return undefined;
  const hostPort = parseHostPort(sentBy, true);
  const params = parseHeaderParams(semi < 0 ? '' : source.slice(semi));
  if (hostPort === undefined || params === undefined || !validParams(params)) return undefined;
  const via: Via = { transport: transport.toUpperCase(), host: hostPort.host, params };
  if (hostPort.port !== undefined) via.port = hostPort.port;
  return via;
}

/** Writes `SIP/2.0/TRANSPORT host[:port];params`. */
export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `SIP/2.0/${via.transport} ${via.host}${port}${formatHeaderParams(via.params)}`;
}
