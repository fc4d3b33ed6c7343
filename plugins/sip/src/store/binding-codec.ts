import type { Binding, BindingChange } from './binding';

/**
 * The one encoding of a binding change, shared by the contact store (which
 * keeps each binding as its upsert line), the HA link (a `changes` message
 * carries the lines) and the journal (one line each): a change is encoded
 * once, where it is made, and the same string travels and is persisted.
 *
 * A line is fields separated by one space:
 *
 *     u <aor> <contact> <expiresAt> <callId> <cseq> <q> <address> <port> <u|t> <updatedAt>
 *     r <aor> <contact>
 *     c <aor>
 *
 * (`q` empty when absent.) Strings are escaped (`%XX` / `%uXXXX`) only when
 * they hold a space, `%`, `"`, `\`, a control character or a lone surrogate:
 * a line never needs escaping inside a JSON string, so a frame carries it
 * byte for byte, and it never holds a newline, so the journal is one line a
 * change. Version 2 of the wire and journal formats (version 1 was JSON).
 */
export const CODEC_VERSION = 2;

const NEEDS_ESCAPE = /[\x00-\x20"%\\\x7f\ud800-\udfff]/;
const FIELDS = 11;

/** An upsert line read back: the binding, and its AOR and Contact (unescaped; slices of the line when nothing was escaped). */
export interface DecodedUpsert {
  binding: Binding;
  aor: string;
  contact: string;
}

/** An upsert line made from a binding, with its AOR and Contact as keys that refer to the line only. */
export interface EncodedUpsert {
  line: string;
  aor: string;
  contact: string;
}

function escapeField(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    const lone = code >= 0xd800 && code <= 0xdfff && !isPair(value, i);
    if (code <= 0x20 || code === 0x22 || code === 0x25 || code === 0x5c || code === 0x7f || lone) {
      out += code <= 0xff ? `%${code.toString(16).padStart(2, '0')}` : `%u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += value[i];
      if (code >= 0xd800 && code <= 0xdbff) out += value[++i]; // the pair's low half
    }
  }
  return out;
}

function isPair(value: string, i: number): boolean {
  const code = value.charCodeAt(i);
  if (code <= 0xdbff) {
    const next = value.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff;
  }
  return false; // a low half reached here was not preceded by a high half
}

const ESCAPE = /%(u[0-9a-f]{4}|[0-9a-f]{2})/g;

/** The field as written; undefined when a `%` does not start an escape. */
function unescapeField(value: string): string | undefined {
  if (value.indexOf('%') < 0) return value;
  if (value.replace(ESCAPE, '').indexOf('%') >= 0) return undefined;
  return value.replace(ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex[0] === 'u' ? hex.slice(1) : hex, 16)));
}

/**
 * A string that holds no reference to the string it was cut from: a
 * binding must not keep a whole SIP message (or a whole journal file) alive.
 */
export function detach(value: string): string {
  // A concatenation is a new string once flattened; charCodeAt flattens it.
  const copy = (' ' + value).slice(1);
  copy.charCodeAt(0);
  return copy;
}

/** The upsert line of `binding`. */
export function encodeBinding(b: Binding): string {
  return encodeUpsert(b).line;
}

/** The upsert line of `b`, and its keys (slices of the line, or copies when escaped). */
export function encodeUpsert(b: Binding): EncodedUpsert {
  const s = b.source;
  const aor = escapeField(b.aor);
  const contact = escapeField(b.contact);
  const line =
    'u ' +
    aor +
    ' ' +
    contact +
    ' ' +
    String(b.expiresAt) +
    ' ' +
    escapeField(b.callId) +
    ' ' +
    String(b.cseq) +
    ' ' +
    (b.q === undefined ? '' : String(b.q)) +
    ' ' +
    escapeField(s.address) +
    ' ' +
    String(s.port) +
    ' ' +
    (s.transport === 'tcp' ? 't' : 'u') +
    ' ' +
    String(b.updatedAt);
  line.charCodeAt(0); // flatten now: the parts (slices of a SIP message) are released
  return {
    line,
    aor: aor === b.aor ? line.slice(2, 2 + aor.length) : detach(b.aor),
    contact: contact === b.contact ? line.slice(3 + aor.length, 3 + aor.length + contact.length) : detach(b.contact),
  };
}

const encodings = new WeakMap<BindingChange, string>();

/** Records that `change` is encoded as `line` (the store does, for every change it emits). */
export function rememberEncoding(change: BindingChange, line: string): void {
  encodings.set(change, line);
}

/** The line of `change`: the one the store made when it applied it, else encoded now. */
export function encodeChange(change: BindingChange): string {
  if (change instanceof LazyUpsert) return change.line;
  const known = encodings.get(change);
  if (known !== undefined) return known;
  const line =
    change.op === 'upsert'
      ? encodeBinding(change.binding)
      : change.op === 'remove'
        ? `r ${escapeField(change.aor)} ${escapeField(change.contact)}`
        : `c ${escapeField(change.aor)}`;
  encodings.set(change, line);
  return line;
}

function number(field: string | undefined): number | undefined {
  if (field === undefined || field === '') return undefined;
  const n = Number(field);
  return Number.isFinite(n) ? n : undefined;
}

/** The binding of an upsert line, checked field by field; undefined when the line is not a well-formed upsert. */
export function decodeUpsert(line: string): DecodedUpsert | undefined {
  if (line.charCodeAt(0) !== 0x75 /* u */ || line.charCodeAt(1) !== 0x20) return undefined;
  const f = line.split(' ');
  if (f.length !== FIELDS) return undefined;
  const aor = unescapeField(f[1]!);
  const contact = unescapeField(f[2]!);
  const expiresAt = number(f[3]);
  const callId = unescapeField(f[4]!);
  const cseq = number(f[5]);
  const q = f[6] === '' ? undefined : number(f[6]);
  const address = unescapeField(f[7]!);
  const port = number(f[8]);
  const transport = f[9] === 'u' ? 'udp' : f[9] === 't' ? 'tcp' : undefined;
  const updatedAt = number(f[10]);
  if (aor === undefined || contact === undefined || callId === undefined || address === undefined || transport === undefined) return undefined;
  if (expiresAt === undefined || cseq === undefined || updatedAt === undefined || port === undefined || !Number.isInteger(port)) return undefined;
  if (f[6] !== '' && (q === undefined || q < 0 || q > 1)) return undefined;
  const binding: Binding = { aor, contact, expiresAt, callId, cseq, q, source: { address, port, transport }, updatedAt };
  return { binding, aor, contact };
}

/** The change a line stands for; undefined when malformed. */
export function decodeChange(line: string): BindingChange | undefined {
  switch (line.charCodeAt(0)) {
    case 0x75 /* u */: {
      const decoded = decodeUpsert(line);
      return decoded && { op: 'upsert', binding: decoded.binding };
    }
    case 0x72 /* r */: {
      const f = line.split(' ');
      if (f.length !== 3 || f[0] !== 'r') return undefined;
      const aor = unescapeField(f[1]!);
      const contact = unescapeField(f[2]!);
      return aor === undefined || contact === undefined ? undefined : { op: 'remove', aor, contact };
    }
    case 0x63 /* c */: {
      const f = line.split(' ');
      if (f.length !== 2 || f[0] !== 'c') return undefined;
      const aor = unescapeField(f[1]!);
      return aor === undefined ? undefined : { op: 'clear-aor', aor };
    }
    default:
      return undefined;
  }
}

/** What the store indexes and orders a binding by, read from its upsert line. */
export interface UpsertKeys {
  aor: string;
  contact: string;
  expiresAt: number;
  updatedAt: number;
  q: number | undefined;
}

/** The number in `line` from `start` to `end`; NaN when empty or not a number. */
function numberAt(line: string, start: number, end: number): number {
  if (end <= start) return NaN;
  if (end - start <= 15) {
    let n = 0;
    let i = start;
    for (; i < end; i++) {
      const d = line.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === end) return n; // digits only: exact below 2^53
  }
  return Number(line.slice(start, end));
}

/** Whether the field from `start` to `end` unescapes (no `%` that does not start an escape). */
function escapesValid(line: string, start: number, end: number): boolean {
  const percent = line.indexOf('%', start);
  return percent < 0 || percent >= end || unescapeField(line.slice(start, end)) !== undefined;
}

/**
 * The keys and ordering columns of an upsert line, every field of it
 * checked as {@link decodeUpsert} checks it, without building the binding
 * (a bulk load or a resync reads each line once this way). AOR and Contact
 * are slices of the line unless escaped.
 */
export function scanUpsert(line: string): UpsertKeys | undefined {
  if (line.charCodeAt(0) !== 0x75 /* u */ || line.charCodeAt(1) !== 0x20) return undefined;
  const e1 = line.indexOf(' ', 2); // aor
  const e2 = e1 < 0 ? -1 : line.indexOf(' ', e1 + 1); // contact
  const e3 = e2 < 0 ? -1 : line.indexOf(' ', e2 + 1); // expiresAt
  const e4 = e3 < 0 ? -1 : line.indexOf(' ', e3 + 1); // callId
  const e5 = e4 < 0 ? -1 : line.indexOf(' ', e4 + 1); // cseq
  const e6 = e5 < 0 ? -1 : line.indexOf(' ', e5 + 1); // q
  const e7 = e6 < 0 ? -1 : line.indexOf(' ', e6 + 1); // address
  const e8 = e7 < 0 ? -1 : line.indexOf(' ', e7 + 1); // port
  const e9 = e8 < 0 ? -1 : line.indexOf(' ', e8 + 1); // transport
  if (e9 < 0 || line.indexOf(' ', e9 + 1) >= 0) return undefined;
  const expiresAt = numberAt(line, e2 + 1, e3);
  const cseq = numberAt(line, e4 + 1, e5);
  const port = numberAt(line, e7 + 1, e8);
  const updatedAt = numberAt(line, e9 + 1, line.length);
  if (!Number.isFinite(expiresAt) || !Number.isFinite(cseq) || !Number.isInteger(port) || !Number.isFinite(updatedAt)) return undefined;
  let q: number | undefined;
  if (e6 > e5 + 1) {
    q = numberAt(line, e5 + 1, e6);
    if (!(q >= 0 && q <= 1)) return undefined;
  }
  const transport = line.charCodeAt(e8 + 1);
  if (e9 !== e8 + 2 || (transport !== 0x75 /* u */ && transport !== 0x74) /* t */) return undefined;
  if (!escapesValid(line, e3 + 1, e4) || !escapesValid(line, e6 + 1, e7)) return undefined;
  const aor = unescapeField(line.slice(2, e1));
  const contact = unescapeField(line.slice(e1 + 1, e2));
  if (aor === undefined || contact === undefined) return undefined;
  return { aor, contact, expiresAt, updatedAt, q };
}

/**
 * An upsert change whose binding is decoded from its line when first read:
 * a bulk install tells listeners of every binding, and most (the
 * replicator, the journal) never read it.
 */
export class LazyUpsert {
  readonly op = 'upsert' as const;
  readonly #line: string;
  #binding: Binding | undefined;

  constructor(line: string) {
    this.#line = line;
  }

  /** Its upsert line. */
  get line(): string {
    return this.#line;
  }

  get binding(): Binding {
    if (!this.#binding) {
      const b = decodeUpsert(this.#line)!.binding;
      Object.freeze(b.source);
      this.#binding = Object.freeze(b);
    }
    return this.#binding;
  }

  toJSON(): { op: 'upsert'; binding: Binding } {
    return { op: this.op, binding: this.binding };
  }
}

/** The two 32-bit lanes of the last {@link hashLine}. */
export const lineHash = new Uint32Array(2);

/**
 * A 64-bit hash of `line` (two 32-bit lanes, cyrb53-style mixing) into
 * {@link lineHash}. The store sums them over its lines into an
 * order-independent digest of its content, so two nodes can tell, without
 * sending it, that they hold the same bindings.
 */
export function hashLine(line: string): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  // Two UTF-16 code units a step (one 32-bit word): half the multiplications of one a step, the same
  // information (a node loading a million bindings hashes them all: this was a third of the load).
  const n = line.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const c = line.charCodeAt(i) | (line.charCodeAt(i + 1) << 16);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  if (i < n) {
    const c = line.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ n, 2654435761); // the length: "a\0" and "a" make the same words
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  lineHash[0] = h1;
  lineHash[1] = h2;
}
