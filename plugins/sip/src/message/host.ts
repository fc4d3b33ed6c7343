/** Hosts and ports as RFC 3261 §25.1 writes them (`hostname / IPv4address / IPv6reference`). */
import { isIPv6 } from 'node:net';
import { isDigits } from './charset';
import { trimLws } from './scan';

const isLetter = (code: number): boolean => (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a;
const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;

/** RFC 3261 hostname: dot-separated labels, no label starting or ending with `-`, top label starting with a letter. */
export function isHostname(text: string): boolean {
  if (text.length === 0 || text.length > 255) return false;
  // One scan: each label non-empty, of letters, digits and inner dashes.
  const end = text.charCodeAt(text.length - 1) === 0x2e ? text.length - 1 : text.length;
  let labelStart = 0;
  for (let i = 0; i <= end; i++) {
    const code = i === end ? 0x2e : text.charCodeAt(i);
    if (code === 0x2e) {
      if (i === labelStart || text.charCodeAt(i - 1) === 0x2d) return false;
      if (i === end) return isLetter(text.charCodeAt(labelStart));
      labelStart = i + 1;
    } else if (code === 0x2d) {
      if (i === labelStart) return false;
    } else if (!isLetter(code) && !isDigit(code)) {
      return false;
    }
  }
  return false;
}

/** Dotted-decimal IPv4 as `net.isIPv4` accepts it: four 0–255 octets, no leading zeros. */
export function isIPv4(text: string): boolean {
  let octets = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const code = i === text.length ? 0x2e : text.charCodeAt(i);
    if (code === 0x2e) {
      const length = i - start;
      if (length === 0 || length > 3 || (length > 1 && text.charCodeAt(start) === 0x30)) return false;
      if (length === 3 && Number(text.slice(start, i)) > 255) return false;
      if (++octets > 4) return false;
      start = i + 1;
    } else if (!isDigit(code)) {
      return false;
    }
  }
  return octets === 4;
}

/** `[IPv6address]`. */
export function isIPv6Reference(text: string): boolean {
  return text.length > 2 && text.startsWith('[') && text.endsWith(']') && isIPv6(text.slice(1, -1));
}

/** Hostname, dotted IPv4 or bracketed IPv6. */
export function isHost(text: string): boolean {
  return isHostname(text) || isIPv4(text) || isIPv6Reference(text);
}

/** A port of 1–5 digits, 0–65535. */
export function parsePort(text: string): number | undefined {
  if (!isDigits(text, 5)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/**
 * `host [":" port]`. The host is returned as written (IPv6 keeps its
 * brackets). With `lws`, SP/HT may surround the colon (Via sent-by).
 */
export function parseHostPort(text: string, lws: boolean): { host: string; port?: number } | undefined {
  const source = lws ? trimLws(text) : text;
  let host: string;
  let rest: string;
  if (source.startsWith('[')) {
    const close = source.indexOf(']');
    if (close < 0) return undefined;
    host = source.slice(0, close + 1);
    rest = source.slice(close + 1);
  } else {
    const colon = source.indexOf(':');
    host = colon < 0 ? source : source.slice(0, colon);
    rest = colon < 0 ? '' : source.slice(colon);
  }
  if (lws) {
    host = trimLws(host);
    rest = trimLws(rest);
  }
  if (!isHost(host)) return undefined;
  if (rest === '') return { host };
  if (!rest.startsWith(':')) return undefined;
  const port = parsePort(lws ? trimLws(rest.slice(1)) : rest.slice(1));
  return port === undefined ? undefined : { host, port };
}
