/**
 * Header access on a message: case-insensitive, compact forms accepted,
 * comma-separated lists split without cutting quoted strings or `<...>`.
 */
import { headerKey } from './compact';
import { SipMessageError } from './errors';
import { isToken, splitOutside, trimLws } from './scan';
import type { SipHeader } from './types';

/** Anything with a header list: a message, or the `partial` of a parse error. */
export interface HeaderSource {
  readonly headers: readonly SipHeader[];
}

/** A message whose header list may be edited. */
export interface HeaderTarget {
  headers: SipHeader[];
}

/**
 * Headers that are never split on commas: single-valued ones, and those whose
 * values contain commas by grammar (auth challenges/credentials, dates,
 * Call-ID `word`s, free text).
 */
const UNSPLIT_HEADERS: ReadonlySet<string> = new Set([
  'authentication-info', 'authorization', 'call-id', 'content-disposition', 'content-length',
  'content-type', 'cseq', 'date', 'event', 'expires', 'from', 'identity', 'identity-info',
  'join', 'max-breadth', 'max-forwards', 'mime-version', 'min-expires', 'min-se',
  'organization', 'p-charging-vector', 'priority', 'proxy-authenticate', 'proxy-authorization',
  'rack', 'refer-to', 'referred-by', 'replaces', 'reply-to', 'retry-after', 'rseq', 'server',
  'session-expires', 'sip-etag', 'sip-if-match', 'subject', 'subscription-state',
  'target-dialog', 'timestamp', 'to', 'user-agent', 'www-authenticate',
]);

/** True when values of this header are comma-separated lists (`Via`, `Contact`, `Allow`, unknown headers). */
export function isListHeader(name: string): boolean {
  return !UNSPLIT_HEADERS.has(headerKey(name));
}

/** Splits one header value into its list elements (trimmed, empty elements dropped). */
export function splitHeaderValue(value: string): string[] {
  const out: string[] = [];
  for (const part of splitOutside(value, ',')) {
    const element = trimLws(part);
    if (element !== '') out.push(element);
  }
  return out;
}

/**
 * A message's headers indexed by comparison key, built on the first look-up
 * and reused by every later one (Kamailio's cached `parse_headers()`), with
 * room for the parsed forms of its fields (see fields.ts). Kept on the
 * message itself (see `INDEX`). It stays valid
 * while the message keeps the same `headers` array at the same length;
 * `setHeader`, `appendHeader` and `removeHeader` drop it. Code that edits
 * `headers` in place by other means must not have looked the message up
 * before (the parser does not).
 */
export interface HeaderIndex {
  readonly headers: readonly SipHeader[];
  readonly length: number;
  /**
   * The key of each line, by position. `headerKey` hands out one string a
   * name, so a look-up is a scan of a few pointer comparisons: cheaper to
   * build than a map of arrays for the dozen lines of a typical message.
   */
  readonly keys: readonly string[];
  /** List values by key, split once (made on first use). */
  values: Map<string, string[]> | undefined;
  /** Parsed fields by name, each with the line text it was parsed from. */
  readonly fields: Map<string, { source: unknown; value: unknown }>;
}

const NO_LINES: readonly SipHeader[] = Object.freeze([]);
/**
 * Where a message keeps its index: a non-enumerable symbol property (not
 * copied by spreads, not seen by JSON or deep equality). A WeakMap was the
 * first choice, but one ephemeron per message made the garbage collector the
 * largest cost of a request; it remains for messages that cannot take a
 * property (frozen or sealed).
 */
const INDEX = Symbol('switchyard.headerIndex');
type Indexed = HeaderSource & { [INDEX]?: HeaderIndex };
const closedIndexes = new WeakMap<HeaderSource, HeaderIndex>();

function storedIndex(message: HeaderSource): HeaderIndex | undefined {
  return (message as Indexed)[INDEX] ?? (Object.isExtensible(message) ? undefined : closedIndexes.get(message));
}

function storeIndex(message: HeaderSource, index: HeaderIndex | undefined): void {
  if (Object.hasOwn(message, INDEX)) (message as Indexed)[INDEX] = index;
  else if (Object.isExtensible(message)) {
    if (index !== undefined) Object.defineProperty(message, INDEX, { value: index, writable: true, enumerable: false, configurable: true });
  } else if (index === undefined) closedIndexes.delete(message);
  else closedIndexes.set(message, index);
}

/** The index of `message`, built now unless a valid one exists. */
export function headerIndex(message: HeaderSource): HeaderIndex {
  const headers = message.headers;
  const cached = storedIndex(message);
  if (cached !== undefined && cached.headers === headers && cached.length === headers.length) return cached;
  const keys = new Array<string>(headers.length);
  for (let i = 0; i < headers.length; i++) keys[i] = headerKey(headers[i]!.name);
  const index: HeaderIndex = { headers, length: headers.length, keys, values: undefined, fields: new Map() };
  storeIndex(message, index);
  return index;
}

/** Forgets the index of an edited message. */
function invalidate(message: HeaderTarget): void {
  storeIndex(message, undefined);
}

/** The first line of a key (`headerKey` form). */
export function firstLineByKey(message: HeaderSource, key: string): SipHeader | undefined {
  const { keys, headers } = headerIndex(message);
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return headers[i];
  return undefined;
}

/** How many lines a key (`headerKey` form) has. */
export function countByKey(message: HeaderSource, key: string): number {
  const { keys } = headerIndex(message);
  let count = 0;
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) count++;
  return count;
}

/** Header lines of a key (`headerKey` form), in order. */
export function linesByKey(message: HeaderSource, key: string): readonly SipHeader[] {
  const { keys, headers } = headerIndex(message);
  let lines: SipHeader[] | undefined;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === key) (lines ??= []).push(headers[i]!);
  }
  return lines ?? NO_LINES;
}

/** The header lines (name + value) of `name`, compact forms included, in order. */
export function headerLines(message: HeaderSource, name: string): readonly SipHeader[] {
  return linesByKey(message, headerKey(name));
}

/** List values of a key, split once per message; shared with the index: do not modify. */
export function listValuesByKey(message: HeaderSource, key: string): readonly string[] {
  const index = headerIndex(message);
  let values = index.values?.get(key);
  if (values === undefined) {
    values = [];
    const { keys, headers } = index;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === key) for (const element of splitHeaderValue(headers[i]!.value)) values.push(element);
    }
    (index.values ??= new Map()).set(key, values);
  }
  return values;
}

/**
 * Every value of a header across all its lines. List headers are split at
 * commas outside quotes and `<...>`; others give one value per line.
 */
export function headerValues(message: HeaderSource, name: string): string[] {
  const key = headerKey(name);
  if (UNSPLIT_HEADERS.has(key)) return linesByKey(message, key).map((header) => header.value);
  return listValuesByKey(message, key).slice();
}

/**
 * First value of a header (compact forms accepted), `undefined` if absent.
 * For list headers, the first list element (`''` when present but empty).
 */
export function headerValue(message: HeaderSource, name: string): string | undefined {
  const key = headerKey(name);
  const first = firstLineByKey(message, key);
  if (first === undefined) return undefined;
  if (UNSPLIT_HEADERS.has(key)) return first.value;
  return listValuesByKey(message, key)[0] ?? '';
}

function checkHeader(name: string, value: string): void {
  if (!isToken(name)) throw new SipMessageError(`header name ${JSON.stringify(name)} is not an RFC 3261 token`);
  if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) throw new SipMessageError(`the value of header ${name} contains CR or LF`);
}

/**
 * Replaces all lines of a header (compact forms included) with one line per
 * value, at the position of the first old line (or at the end).
 * @throws SipMessageError when the name is not a token or a value has CR/LF.
 */
export function setHeader(message: HeaderTarget, name: string, value: string | readonly string[]): void {
  const values = typeof value === 'string' ? [value] : [...value];
  for (const v of values) checkHeader(name, v);
  const key = headerKey(name);
  const first = message.headers.findIndex((header) => headerKey(header.name) === key);
  removeHeader(message, name);
  const at = first < 0 ? message.headers.length : first;
  message.headers.splice(at, 0, ...values.map((v) => ({ name, value: v })));
  invalidate(message);
}

/**
 * Adds one header line at the end.
 * @throws SipMessageError when the name is not a token or the value has CR/LF.
 */
export function appendHeader(message: HeaderTarget, name: string, value: string): void {
  checkHeader(name, value);
  message.headers.push({ name, value });
  invalidate(message);
}

/** Removes every line of a header (compact forms included), in place. */
export function removeHeader(message: HeaderTarget, name: string): void {
  const key = headerKey(name);
  let write = 0;
  for (const header of message.headers) {
    if (headerKey(header.name) !== key) message.headers[write++] = header;
  }
  message.headers.length = write;
  invalidate(message);
}
