/** One Via element (`via-parm`, RFC 3261 §20.42, RFC 3581 rport). */
import { isIPv6 } from 'node:net';
import { TOKEN_CHARS, isDigits } from './charset';
import { isIPv4, isIPv6Reference, parseHostPort } from './host';
import { formatHeaderParams, parseHeaderParams } from './params';
import { trimLws } from './scan';
import type { Via } from './types';

function validParams(params: Via['params']): boolean {
  const { received, rport, ttl } = params;
  if (received !== undefined && (received === null || !(isIPv4(received) || isIPv6(received) || isIPv6Reference(received)))) return false;
  if (rport !== undefined && rport !== null && !isDigits(rport, 5)) return false;
  if (ttl !== undefined && (ttl === null || !isDigits(ttl, 3) || Number(ttl) > 255)) return false;
  return true;
}

const isWsp = (code: number): boolean => code === 0x20 || code === 0x09;

/** End of the token starting at `from` (`from` itself when there is none). */
function tokenEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code >= 128 || TOKEN_CHARS[code] !== 1) break;
    i++;
  }
  return i;
}

/**
 * `sent-protocol LWS sent-by` (before any `;`): protocol, version and
 * transport tokens separated by SLASH = SWS "/" SWS (RFC 4475 wsinv folds
 * around the slashes), then whitespace and the sent-by text.
 */
function scanSentProtocol(text: string): [protocol: string, version: string, transport: string, sentBy: string] | undefined {
  const parts: string[] = [];
  let i = 0;
  for (let n = 0; n < 3; n++) {
    if (n > 0) {
      while (i < text.length && isWsp(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) !== 0x2f) return undefined;
      i++;
      while (i < text.length && isWsp(text.charCodeAt(i))) i++;
    }
    const end = tokenEnd(text, i);
    if (end === i) return undefined;
    parts.push(text.slice(i, end));
    i = end;
  }
  if (!isWsp(text.charCodeAt(i))) return undefined;
  while (i < text.length && isWsp(text.charCodeAt(i))) i++;
  if (i >= text.length) return undefined;
  return [parts[0]!, parts[1]!, parts[2]!, text.slice(i)];
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
  const sent = scanSentProtocol(semi < 0 ? source : source.slice(0, semi));
  if (sent === undefined) return undefined;
  const [protocol, version, transport, sentBy] = sent;
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
