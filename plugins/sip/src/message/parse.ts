/** `parseMessage`: one datagram (or one framed stream message) into a SipMessage. */
import { contentLengthOf } from './content-length';
import { parseError } from './errors';
import { headerValues } from './headers';
import { readHead, type Head } from './head';
import { resolveParseLimits } from './limits';
import { checkMessage, checkRequestUri } from './validate';
import type { ParseLimits, ParseResult, SipMessage, SipParseErrorCode, SipRequest } from './types';

const NO_BODY = Buffer.alloc(0);

/** Offset of the start line: CRLFs before it are skipped (RFC 3261 §7.5). */
function skipLeadingCrlf(data: Buffer): number {
  let offset = 0;
  while (data[offset] === 0x0d && data[offset + 1] === 0x0a) offset += 2;
  return offset;
}

/** What a 400 can still use: the request line (when readable) and the well-formed headers. */
function partialOf(head: Head): Partial<SipRequest> {
  const line = head.startLine;
  if (line?.kind === 'request') {
    return { kind: 'request', version: 'SIP/2.0', method: line.method, uri: line.uri, headers: head.headers };
  }
  return line === undefined ? { headers: head.headers } : { version: 'SIP/2.0', headers: head.headers };
}

/**
 * The headers (and request line) readable from the head of a message, for
 * callers (the stream framer) that must report an error about it.
 */
export function partialFromHead(data: Buffer, limits: ParseLimits): Partial<SipRequest> {
  return partialOf(readHead(data, skipLeadingCrlf(data), limits));
}

function parseUnguarded(data: Buffer, limits: ParseLimits): ParseResult {
  const start = skipLeadingCrlf(data);
  if (start >= data.length) return { ok: false, error: parseError('SIP_PARSE_EMPTY', 'the datagram holds no message (only CRLFs or nothing)') };
  const tooLarge = data.length > limits.maxMessageBytes;
  // Over the limit, only the first maxMessageBytes are looked at, for `partial`.
  const head = readHead(tooLarge ? data.subarray(0, limits.maxMessageBytes) : data, start, limits);
  const partial = partialOf(head);
  const fail = (error: { code: SipParseErrorCode; message: string }): ParseResult => ({
    ok: false,
    error: parseError(error.code, error.message, partial),
  });
  if (tooLarge) {
    return fail({ code: 'SIP_PARSE_TOO_LARGE', message: `the message is ${data.length} bytes; the limit is ${limits.maxMessageBytes}` });
  }
  if (head.error !== undefined || head.startLine === undefined || head.bodyOffset === undefined) {
    return fail(head.error ?? { code: 'SIP_PARSE_HEADER', message: 'the header section could not be read' });
  }
  const line = head.startLine;
  const base = { version: 'SIP/2.0' as const, headers: head.headers, body: NO_BODY };
  const message: SipMessage =
    line.kind === 'request'
      ? { kind: 'request', method: line.method, uri: line.uri, ...base }
      : { kind: 'response', status: line.status, reason: line.reason, ...base };
  if (message.kind === 'request') {
    const uriError = checkRequestUri(message.uri);
    if (uriError) return fail(uriError);
  }
  const available = data.length - head.bodyOffset;
  const contentLength = contentLengthOf(headerValues(message, 'Content-Length'));
  if (contentLength.kind === 'invalid') return fail({ code: 'SIP_PARSE_CONTENT_LENGTH', message: contentLength.reason });
  if (contentLength.kind === 'value' && contentLength.length > available) {
    return fail({
      code: 'SIP_PARSE_CONTENT_LENGTH',
      message: `Content-Length ${Number.isFinite(contentLength.length) ? contentLength.length : '(too large)'} exceeds the ${available} body bytes that arrived`,
    });
  }
  // A datagram body past Content-Length is discarded (RFC 3261 §18.3); without one, the body is the rest.
  const bodyLength = contentLength.kind === 'value' ? contentLength.length : available;
  // A copy: the message outlives the datagram's buffer. Most requests have no body: one shared empty one.
  if (bodyLength > 0) message.body = Buffer.from(data.subarray(head.bodyOffset, head.bodyOffset + bodyLength));
  const invalid = checkMessage(message);
  return invalid ? fail(invalid) : { ok: true, message };
}

/**
 * Parses one SIP message (a UDP datagram, or a frame from
 * {@link SipStreamFramer}). Never throws: the result is a message or an
 * error with a stable code; on error, `partial` carries the request line and
 * the well-formed headers read, so a 400 can still copy Via, From, To,
 * Call-ID and CSeq.
 */
export function parseMessage(data: Buffer, limits?: Partial<ParseLimits>): ParseResult {
  const resolved = resolveParseLimits(limits);
  try {
    return parseUnguarded(data, resolved);
  } catch (cause) {
    // A bug here must not take the listener down; report it as a parse failure.
    return { ok: false, error: parseError('SIP_PARSE_HEADER', `internal parser failure: ${String(cause)}`) };
  }
}

/** As {@link parseMessage} but lets exceptions through; tests use it to prove none occur. */
export function parseMessageUnguarded(data: Buffer, limits?: Partial<ParseLimits>): ParseResult {
  return parseUnguarded(data, resolveParseLimits(limits));
}
