/** Hosts and ports as RFC 3261 §25.1 writes them (`hostname / IPv4address / IPv6reference`). */
import { isIPv4, isIPv6 } from 'node:net';
import { trimLws } from './scan';

const LABEL_RE = /^[A-Za-z0-9-]+$/;

/** RFC 3261 hostname: dot-separated labels, no label starting or ending with `-`, top label starting with a letter. */
export function isHostname(text: string): boolean {
  if (text.length === 0 || text.length > 255) return false;
  const labels = text.endsWith('.') ? text.slice(0, -1).split('.') : text.split('.');
  for (const label of labels) {
    if (!LABEL_RE.test(label) || label.startsWith('-') || label.endsWith('-')) return false;
  }
  return /^[A-Za-z]/.test(labels[labels.length - 1]);
}

/** `[IPv6address]`. */
export function isIPv6Reference(text: string): boolean {
  return text.length > 2 && text.startsWith('[') && text.endsWith(']') && isIPv6(text.slice(1, -1));
}

/** Hostname, dotted IPv4 or bracketed IPv6. */
export function isHost(text: string): boolean {
  return isIPv4(text) || isIPv6Reference(text) || isHostname(text);
}

/** A port of 1–5 digits, 0–65535. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
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
