/**
 * Header-name normalisation: compact forms (RFC 3261 §7.3.3 and later RFCs)
 * and the canonical spelling of well-known names.
 */
import { trimLws } from './scan';

/** Compact form → long name. */
const COMPACT_FORMS: ReadonlyMap<string, string> = new Map([
  ['v', 'Via'],
  ['f', 'From'],
  ['t', 'To'],
  ['i', 'Call-ID'],
  ['m', 'Contact'],
  ['l', 'Content-Length'],
  ['c', 'Content-Type'],
  ['k', 'Supported'],
  ['s', 'Subject'],
  ['e', 'Content-Encoding'],
  ['o', 'Event'],
  ['r', 'Refer-To'],
  ['b', 'Referred-By'],
  ['u', 'Allow-Events'],
  ['x', 'Session-Expires'],
  ['y', 'Identity'],
  // RFC 3841 caller preferences.
  ['a', 'Accept-Contact'],
  ['j', 'Reject-Contact'],
  ['d', 'Request-Disposition'],
]);

/** Names whose canonical spelling is not plain Title-Case. */
const KNOWN_NAMES = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Accept-Resource-Priority',
  'Alert-Info', 'Allow', 'Allow-Events', 'Authentication-Info', 'Authorization', 'Call-ID',
  'Call-Info', 'Contact', 'Content-Disposition', 'Content-Encoding', 'Content-ID',
  'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date', 'Diversion',
  'Error-Info', 'Event', 'Expires', 'Feature-Caps', 'From', 'Geolocation', 'History-Info',
  'Identity', 'Identity-Info', 'In-Reply-To', 'Info-Package', 'Join', 'Max-Breadth',
  'Max-Forwards', 'MIME-Version', 'Min-Expires', 'Min-SE', 'Organization',
  'P-Access-Network-Info', 'P-Asserted-Identity', 'P-Associated-URI', 'P-Called-Party-ID',
  'P-Charging-Vector', 'P-Preferred-Identity', 'P-Visited-Network-ID', 'Path', 'Priority',
  'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason',
  'Record-Route', 'Recv-Info', 'Refer-To', 'Referred-By', 'Reject-Contact', 'Replaces',
  'Reply-To', 'Request-Disposition', 'Require', 'Resource-Priority', 'Retry-After', 'Route',
  'RSeq', 'Security-Client', 'Security-Server', 'Security-Verify', 'Server', 'Service-Route',
  'Session-Expires', 'SIP-ETag', 'SIP-If-Match', 'Subject', 'Subscription-State', 'Supported',
  'Target-Dialog', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via', 'Warning',
  'WWW-Authenticate',
];

const CANONICAL: ReadonlyMap<string, string> = new Map(KNOWN_NAMES.map((name) => [name.toLowerCase(), name]));

/**
 * Canonical long name for a header name or compact form: `v` → `Via`,
 * `CALL-ID` → `Call-ID`; unknown names are Title-Cased per dash-separated
 * word (`x-my-header` → `X-My-Header`).
 */
export function canonicalHeaderName(name: string): string {
  const lower = trimLws(name).toLowerCase();
  const long = COMPACT_FORMS.get(lower);
  if (long !== undefined) return long;
  const known = CANONICAL.get(lower);
  if (known !== undefined) return known;
  return lower.replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

/** Keys of names seen lately: a name is looked up far more often than it is new. */
const KEY_CACHE = new Map<string, string>();
/** Names from the wire are unbounded: the cache is emptied when it grows past this. */
const KEY_CACHE_LIMIT = 1024;

/** Comparison key of a header name: lower-case long name (`V` → `via`). */
export function headerKey(name: string): string {
  const cached = KEY_CACHE.get(name);
  if (cached !== undefined) return cached;
  const lower = trimLws(name).toLowerCase();
  const long = COMPACT_FORMS.get(lower);
  const key = long === undefined ? lower : long.toLowerCase();
  if (KEY_CACHE.size >= KEY_CACHE_LIMIT) KEY_CACHE.clear();
  KEY_CACHE.set(name, key);
  return key;
}

/** The compact form of a long name, when it has one (`Via` → `v`). */
export function compactHeaderName(name: string): string | undefined {
  const key = headerKey(name);
  for (const [compact, long] of COMPACT_FORMS) if (long.toLowerCase() === key) return compact;
  return undefined;
}
