/**
 * SIP, SIPS (RFC 3261 §19.1, §25.1) and tel (RFC 3966) URIs: parse and
 * format. Components are kept as written (escapes intact); comparison
 * lives in uri-equals.ts.
 */
import { allIn, allInEscaped, charClass } from './charset';
import { parseHostPort } from './host';
import { setOwn } from './scan';
import type { SipUri } from './types';

// Character classes of RFC 3261 §25.1; `%XX` escapes allowed throughout.
const USER_CHARS = charClass("-_.!~*'()&=+$,;?/");
const PASSWORD_CHARS = charClass("-_.!~*'()&=+$,");
const PARAM_CHARS = charClass("-_.!~*'()[]/:&+$");
const HEADER_CHARS = charClass("-_.!~*'()[]/?:+$");
const TEL_PNAME_CHARS = charClass('-');
const SCHEME_CHARS = charClass('+.-');

const isParamText = (text: string): boolean => allInEscaped(text, PARAM_CHARS);
const isTelParamName = (text: string): boolean => allIn(text, TEL_PNAME_CHARS);
// RFC 3966: global-number-digits / local-number-digits (visual separators - . ( ) allowed).
const TEL_GLOBAL_RE = /^\+[0-9\-.()]*[0-9][0-9\-.()]*$/;
const TEL_LOCAL_RE = /^[0-9A-Fa-f*#\-.()]*[0-9A-Fa-f*#][0-9A-Fa-f*#\-.()]*$/;
/** RFC 3261 absoluteURI: scheme ":" 1*uric. */
const ABSOLUTE_URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()]|%[0-9A-Fa-f]{2})+$/;

/** Lower-cased scheme of a URI (`SIP:x` → `sip`), or undefined when there is none. */
export function uriScheme(text: string): string | undefined {
  const colon = text.indexOf(':');
  if (colon < 1) return undefined;
  const first = text.charCodeAt(0) | 0x20;
  if (first < 0x61 || first > 0x7a || !allIn(text, SCHEME_CHARS, 0, colon)) return undefined;
  const scheme = text.slice(0, colon);
  // The common spellings without allocating a lower-cased copy.
  return scheme === 'sip' || scheme === 'sips' || scheme === 'tel' ? scheme : scheme.toLowerCase();
}

/** True for any syntactically valid absolute URI (unknown schemes included). */
export function isAbsoluteUri(text: string): boolean {
  return ABSOLUTE_URI_RE.test(text);
}

/**
 * True when `text` is a URI a SIP message may carry: a valid sip/sips/tel
 * URI, or any other scheme's absoluteURI (RFC 3261 allows them; the
 * application decides whether it supports them, e.g. 416).
 */
export function isValidUriText(text: string): boolean {
  const scheme = uriScheme(text);
  if (scheme === 'sip' || scheme === 'sips' || scheme === 'tel') return parseUri(text) !== undefined;
  return isAbsoluteUri(text);
}

/** `text` is what follows the first `;` (undefined when there is none). */
function parseUriParams(text: string | undefined, isName: (name: string) => boolean): Record<string, string | null> | undefined {
  const params: Record<string, string | null> = {};
  if (text === undefined) return params;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? null : part.slice(eq + 1);
    if (!isName(name) || (value !== null && !isParamText(value))) return undefined;
    if (Object.hasOwn(params, name)) return undefined;
    setOwn(params, name, value);
  }
  return params;
}

function parseUriHeaders(text: string): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const part of text.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (!allInEscaped(name, HEADER_CHARS) || !allInEscaped(value, HEADER_CHARS, true) || Object.hasOwn(headers, name)) return undefined;
    setOwn(headers, name, value);
  }
  return headers;
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string): SipUri | undefined {
  // '@' is legal only between userinfo and host, so the first one splits them.
  const at = rest.indexOf('@');
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = rest;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    hostPart = rest.slice(at + 1);
    const colon = userinfo.indexOf(':');
    user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    password = colon < 0 ? undefined : userinfo.slice(colon + 1);
    if (!allInEscaped(user, USER_CHARS) || (password !== undefined && !allInEscaped(password, PASSWORD_CHARS, true))) return undefined;
  }
  const question = hostPart.indexOf('?');
  const beforeHeaders = question < 0 ? hostPart : hostPart.slice(0, question);
  const semi = beforeHeaders.indexOf(';');
  const hostPort = parseHostPort(semi < 0 ? beforeHeaders : beforeHeaders.slice(0, semi), false);
  if (hostPort === undefined) return undefined;
  const params = parseUriParams(semi < 0 ? undefined : beforeHeaders.slice(semi + 1), isParamText);
  const headers = question < 0 ? {} : parseUriHeaders(hostPart.slice(question + 1));
  if (params === undefined || headers === undefined) return undefined;
  const uri: SipUri = { scheme, host: hostPort.host, params, headers };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (hostPort.port !== undefined) uri.port = hostPort.port;
  return uri;
}

function parseTelUri(rest: string): SipUri | undefined {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (!TEL_GLOBAL_RE.test(number) && !TEL_LOCAL_RE.test(number)) return undefined;
  const params = parseUriParams(semi < 0 ? undefined : rest.slice(semi + 1), isTelParamName);
  if (params === undefined) return undefined;
  return { scheme: 'tel', user: number, host: '', params, headers: {} };
}

/**
 * Parses a `sip:`, `sips:` or `tel:` URI; undefined for anything else or
 * anything malformed. Components are kept as written: `user` keeps its
 * escapes (`%40`), an IPv6 `host` keeps its brackets. For `tel:` the number
 * is in `user` (as RFC 3261 §19.1.6 maps it) and `host` is `''`.
 */
export function parseUri(text: string): SipUri | undefined {
  const scheme = uriScheme(text);
  const rest = text.slice((scheme?.length ?? 0) + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest);
  if (scheme === 'tel') return parseTelUri(rest);
  return undefined;
}

function formatParams(params: Record<string, string | null>): string {
  return Object.entries(params)
    .map(([name, value]) => (value === null ? `;${name}` : `;${name}=${value}`))
    .join('');
}

/** Writes a URI back out; `parseUri(formatUri(u))` equals `u`. */
export function formatUri(uri: SipUri): string {
  if (uri.scheme === 'tel') return `tel:${uri.user ?? ''}${formatParams(uri.params)}`;
  let text = `${uri.scheme}:`;
  if (uri.user !== undefined) text += uri.password === undefined ? `${uri.user}@` : `${uri.user}:${uri.password}@`;
  text += uri.host;
  if (uri.port !== undefined) text += `:${uri.port}`;
  text += formatParams(uri.params);
  const headers = Object.entries(uri.headers);
  if (headers.length > 0) text += `?${headers.map(([name, value]) => `${name}=${value}`).join('&')}`;
  return text;
}
