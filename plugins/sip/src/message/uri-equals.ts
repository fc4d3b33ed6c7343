/**
 * URI comparison (RFC 3261 §19.1.4, RFC 3966 §4) and the address-of-record
 * key a registrar files bindings under (RFC 3261 §10.3 step 5).
 */
import { parseUri } from './uri';
import type { SipUri } from './types';

/** Parameters that must match when present in either URI (RFC 3261 §19.1.4). */
const MUST_MATCH_PARAMS: ReadonlySet<string> = new Set(['user', 'ttl', 'method', 'maddr', 'transport']);

/** Resolves every `%XX` to its octet, so `%61lice` compares equal to `alice`. */
function unescape(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Lower-cased host; IPv6 in its canonical text form (`[0:0::1]` → `[::1]`). */
function normalHost(host: string): string {
  const lower = host.toLowerCase();
  if (!lower.startsWith('[')) return lower;
  try {
    return new URL(`http://${lower}/`).hostname;
  } catch {
    return lower;
  }
}

function normalParams(params: Record<string, string | null>): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const [name, value] of Object.entries(params)) {
    out.set(unescape(name).toLowerCase(), value === null ? null : unescape(value).toLowerCase());
  }
  return out;
}

function sameOptional(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return unescape(a) === unescape(b);
}

function sipEquals(a: SipUri, b: SipUri): boolean {
  // userinfo is case-sensitive; everything else is not.
  if (!sameOptional(a.user, b.user) || !sameOptional(a.password, b.password)) return false;
  if (normalHost(a.host) !== normalHost(b.host) || a.port !== b.port) return false;
  const pa = normalParams(a.params);
  const pb = normalParams(b.params);
  for (const name of new Set([...pa.keys(), ...pb.keys()])) {
    const inBoth = pa.has(name) && pb.has(name);
    if (inBoth ? pa.get(name) !== pb.get(name) : MUST_MATCH_PARAMS.has(name)) return false;
  }
  // Header components are never ignored: same set, same values.
  const ha = normalParams(a.headers);
  const hb = normalParams(b.headers);
  if (ha.size !== hb.size) return false;
  for (const [name, value] of ha) if (!hb.has(name) || hb.get(name) !== value) return false;
  return true;
}

function telNumber(number: string | undefined): string {
  return (number ?? '').replace(/[\-.()]/g, '').toLowerCase();
}

function telEquals(a: SipUri, b: SipUri): boolean {
  if (telNumber(a.user) !== telNumber(b.user)) return false;
  const pa = normalParams(a.params);
  const pb = normalParams(b.params);
  if (pa.size !== pb.size) return false;
  for (const [name, value] of pa) {
    if (!pb.has(name)) return false;
    const other = pb.get(name) ?? null;
    const same = name === 'phone-context' && value?.startsWith('+') ? telNumber(value) === telNumber(other ?? '') : value === other;
    if (!same) return false;
  }
  return true;
}

/**
 * RFC 3261 §19.1.4 comparison of two URIs as written: scheme and host
 * case-insensitive, user and password case-sensitive, escapes equal to the
 * characters they stand for; `user`, `ttl`, `method`, `maddr` and
 * `transport` must match when either URI has them, other parameters only
 * when both have them; header components must all match. A missing port is
 * not port 5060. `tel:` URIs compare per RFC 3966 §4. URIs this module
 * cannot parse are equal only when textually identical.
 */
export function uriEquals(a: string, b: string): boolean {
  const ua = parseUri(a);
  const ub = parseUri(b);
  if (ua === undefined || ub === undefined) return a === b;
  if (ua.scheme !== ub.scheme) return false;
  return ua.scheme === 'tel' ? telEquals(ua, ub) : sipEquals(ua, ub);
}

/** Characters a SIP user part may carry unescaped (RFC 3261 unreserved / user-unreserved). */
const USER_RAW_RE = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;

/** Canonical escaping of a user part: escapes of user-safe characters resolved, others upper-case `%XX`. */
function canonicalUser(user: string): string {
  let out = '';
  for (const ch of unescape(user)) {
    const code = ch.charCodeAt(0);
    out += USER_RAW_RE.test(ch) ? ch : `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The address-of-record key of a URI (RFC 3261 §10.3 step 5): parameters
 * and headers removed, escapes canonicalised, scheme and host lower-cased,
 * so `sip:%61lice@AtLanTa.com;transport=tcp` → `sip:alice@atlanta.com`.
 * Undefined when the URI is not a valid sip/sips/tel URI.
 */
export function aorKey(text: string): string | undefined {
  const uri = parseUri(text);
  if (uri === undefined) return undefined;
  if (uri.scheme === 'tel') {
    const context = uri.params['phone-context'];
    return `tel:${telNumber(uri.user)}${typeof context === 'string' ? `;phone-context=${context.toLowerCase()}` : ''}`;
  }
  const user = uri.user === undefined ? '' : `${canonicalUser(uri.user)}@`;
  const port = uri.port === undefined ? '' : `:${uri.port}`;
  return `${uri.scheme}:${user}${normalHost(uri.host)}${port}`;
}

/**
 * A key that equal URIs always share (`uriEquals(a, b)` implies
 * `contactMatchKey(a) === contactMatchKey(b)`): scheme, unescaped user and
 * password, host, port, the parameters that must match, and the headers.
 * URIs with different keys are never equal, so a registrar looks a Contact
 * up by key and compares with {@link uriEquals} only within its bucket,
 * instead of comparing it with every stored contact. (Parameters other than
 * the must-match ones are left out: §19.1.4 compares them only when both
 * URIs carry them, so they cannot be part of an exact key.)
 */
export function contactMatchKey(text: string): string {
  const uri = parseUri(text);
  if (uri === undefined) return `raw:${text}`;
  if (uri.scheme === 'tel') return `tel:${telNumber(uri.user)}`;
  const params = normalParams(uri.params);
  const must = [...MUST_MATCH_PARAMS].map((name) => (params.has(name) ? `${name}=${params.get(name) ?? ''}` : '')).join(';');
  const headers = [...normalParams(uri.headers)].map(([name, value]) => `${name}=${value ?? ''}`).sort().join('&');
  const user = uri.user === undefined ? '' : unescape(uri.user);
  const password = uri.password === undefined ? '' : unescape(uri.password);
  return `${uri.scheme}:${user}:${password}@${normalHost(uri.host)}:${uri.port ?? ''};${must}?${headers}`;
}
