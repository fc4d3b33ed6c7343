/** fast-check generators of valid SIP messages and their parts. */
import fc from 'fast-check';
import { formatNameAddr, formatUri, serializeMessage, type SipMessage, type SipUri } from '../src/message';

const TOKEN_CHARS = "[A-Za-z0-9\\-.!%*_+`'~]";
export const token = (max = 12): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^${TOKEN_CHARS}{1,${max}}$`));

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,5}[a-z0-9])?$/);
const topLabel = fc.stringMatching(/^[a-zA-Z](?:[a-zA-Z0-9-]{0,5}[a-zA-Z0-9])?$/);
const hostname = fc.tuple(fc.array(label, { maxLength: 2 }), topLabel).map(([labels, top]) => [...labels, top].join('.'));
export const host: fc.Arbitrary<string> = fc.oneof(hostname, fc.ipV4(), fc.ipV6().map((ip) => `[${ip}]`));

const user = fc.stringMatching(/^(?:[A-Za-z0-9\-_.!~*'()&=+$,;?/]|%[0-9A-F]{2}){1,12}$/);
const password = fc.stringMatching(/^(?:[A-Za-z0-9\-_.!~*'()&=+$,]|%[0-9A-F]{2}){0,6}$/);
const paramName = fc.stringMatching(/^(?:[a-z0-9\-_.!~*'()[\]/:&+$]|%[0-9a-f]{2}){1,8}$/);
const paramValue = fc.stringMatching(/^(?:[A-Za-z0-9\-_.!~*'()[\]/:&+$]|%[0-9A-F]{2}){1,8}$/);

/** Parameters with distinct (lower-case) names. */
const uriParams = fc
  .uniqueArray(fc.tuple(paramName, fc.option(paramValue, { nil: null })), { maxLength: 3, selector: ([name]) => name })
  .map((entries) => Object.fromEntries(entries) as Record<string, string | null>);

/** A SIP/SIPS URI without URI headers (valid as a Request-URI). */
export const sipUri: fc.Arbitrary<SipUri> = fc
  .record({
    scheme: fc.constantFrom('sip' as const, 'sips' as const),
    user: fc.option(user, { nil: undefined }),
    password: fc.option(password, { nil: undefined }),
    host,
    port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
    params: uriParams,
  })
  .map(({ scheme, user: u, password: p, host: h, port, params }) => {
    const uri: SipUri = { scheme, host: h, params, headers: {} };
    if (u !== undefined) {
      uri.user = u;
      if (p !== undefined) uri.password = p;
    }
    if (port !== undefined) uri.port = port;
    return uri;
  });

/** Text without CR/LF and without SP/HT at either end (what a parsed value looks like). */
export const headerText = (maxLength = 40): fc.Arbitrary<string> =>
  fc.string({ unit: 'grapheme', maxLength }).map((s) => s.replace(/[\r\n]/g, '').replace(/^[ \t]+|[ \t]+$/g, ''));

const displayName = fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => s.replace(/[\r\n]/g, '')), { nil: undefined });

const address = fc.tuple(displayName, sipUri, token(10)).map(([name, uri, tag]) =>
  formatNameAddr(name === undefined ? { uri: formatUri(uri), params: { tag } } : { displayName: name, uri: formatUri(uri), params: { tag } }),
);

const via = fc
  .tuple(fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP', 'WS'), host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), token(10), fc.boolean())
  .map(([transport, h, port, branch, rport]) => `SIP/2.0/${transport} ${h}${port === undefined ? '' : `:${port}`};branch=z9hG4bK${branch}${rport ? ';rport' : ''}`);

const callId = fc.stringMatching(/^[A-Za-z0-9\-.!%*_+`'~()<>:\\"/[\]?{}]{1,20}(?:@[a-z0-9.]{1,10})?$/);

/** Extension headers (X- names so they never collide with headers the parser checks). */
const extensionHeaders = fc.array(
  fc.tuple(token(10), headerText()).map(([name, value]) => ({ name: `X-${name}`, value })),
  { maxLength: 6 },
);

const method = fc.oneof(fc.constantFrom('INVITE', 'REGISTER', 'OPTIONS', 'BYE', 'ACK', 'MESSAGE'), token(10));

/** A valid message without Content-Length (serializeMessage adds it). */
export const sipMessage: fc.Arbitrary<SipMessage> = fc
  .record({
    kind: fc.constantFrom('request' as const, 'response' as const),
    method,
    uri: sipUri.map(formatUri),
    status: fc.integer({ min: 100, max: 699 }),
    reason: fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/[\r\n]/g, '')),
    vias: fc.array(via, { minLength: 1, maxLength: 3 }),
    from: address,
    to: address,
    callId,
    seq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    extra: extensionHeaders,
    body: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  })
  .map((g) => {
    const headers = [
      ...g.vias.map((value) => ({ name: 'Via', value })),
      { name: 'From', value: g.from },
      { name: 'To', value: g.to },
      { name: 'Call-ID', value: g.callId },
      { name: 'CSeq', value: `${g.seq} ${g.method}` },
      ...g.extra,
    ];
    const base = { version: 'SIP/2.0' as const, headers, body: g.body };
    return g.kind === 'request'
      ? { kind: 'request' as const, method: g.method, uri: g.uri, ...base }
      : { kind: 'response' as const, status: g.status, reason: g.reason, ...base };
  });

/** Mutations of valid wire bytes (insert, delete, replace small pieces): the inputs most likely to reach deep parser states. */
export const mutatedWire: fc.Arbitrary<Buffer> = fc
  .tuple(
    sipMessage,
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('insert', 'delete', 'replace'),
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 4 }),
          fc.constantFrom(...[' ', '\r\n', '\r\n ', ',', ';', '"', '<', '>', ':', '%', '\\', '@', '[', ']', '\u00e9', '\r\n\r\n'].map((s) => new Uint8Array(Buffer.from(s)))),
        ),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([message, edits]) => {
    let bytes = serializeMessage(message);
    for (const [at, op, piece] of edits) {
      const i = at % (bytes.length + 1);
      const insert = Buffer.from(piece);
      if (op === 'insert') bytes = Buffer.concat([bytes.subarray(0, i), insert, bytes.subarray(i)]);
      else if (op === 'delete') bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + insert.length)]);
      else bytes = Buffer.concat([bytes.subarray(0, i), insert, bytes.subarray(i + insert.length)]);
    }
    return bytes;
  });

/**
 * Runs of a fuzzing property: `base` in an ordinary test run (CI), or
 * `SIP_FUZZ_RUNS / share` when that is set (`npm run fuzz` sets 1,000,000;
 * slower properties take a share of it).
 */
export function fuzzRuns(base: number, share = 1): number {
  const wanted = Number(process.env.SIP_FUZZ_RUNS);
  return Number.isInteger(wanted) && wanted > 0 ? Math.max(base, Math.floor(wanted / share)) : base;
}

/** The per-test timeout of a fuzzing property: the suite's default, or hours under `npm run fuzz`. */
export const fuzzTimeout: number | undefined = process.env.SIP_FUZZ_RUNS ? 12 * 3_600_000 : undefined;
