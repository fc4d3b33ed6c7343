/** Helpers for message tests: build wire bytes from readable lines. */
import { expect } from 'vitest';
import { parseMessage, type ParseResult, type SipMessage, type SipParseErrorCode } from '../src/message';

/** Head lines joined with CRLF, the empty line, then the body. */
export function wire(head: readonly string[], body: string | Buffer = ''): Buffer {
  const headBytes = Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8');
  return Buffer.concat([headBytes, typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/** Body lines, each ended by CRLF (as SDP is sent). */
export function lines(...body: string[]): string {
  return body.map((line) => `${line}\r\n`).join('');
}

/** The SDP body of several RFC 4475 messages (150 bytes). */
export const SDP_150 = lines(
  'v=0',
  'o=mhandley 29739 7272939 IN IP4 192.0.2.3',
  's=-',
  'c=IN IP4 192.0.2.4',
  't=0 0',
  'm=audio 49217 RTP/AVP 0 12',
  'm=video 3227 RTP/AVP 31',
  'a=rtpmap:31 LPC',
);

/** Parses and asserts success. */
export function parseOk(data: Buffer): SipMessage {
  const result = parseMessage(data);
  if (!result.ok) throw new Error(`expected a message, got ${result.error.code}: ${result.error.message}`);
  return result.message;
}

/** Parses and asserts the error code. */
export function parseFails(data: Buffer, code: SipParseErrorCode): Extract<ParseResult, { ok: false }>['error'] {
  const result = parseMessage(data);
  expect(result.ok ? 'ok' : result.error.code).toBe(code);
  if (result.ok) throw new Error('unreachable');
  return result.error;
}

/** A minimal valid request, with optional extra lines before Content-Length. */
export function basicRequest(extra: readonly string[] = [], method = 'OPTIONS'): string[] {
  return [
    `${method} sip:user@example.com SIP/2.0`,
    'Via: SIP/2.0/UDP client.example.com:5060;branch=z9hG4bK776asdhds',
    'Max-Forwards: 70',
    'To: <sip:user@example.com>',
    'From: "Caller" <sip:caller@example.com>;tag=1928301774',
    'Call-ID: a84b4c76e66710@pc33.example.com',
    `CSeq: 314159 ${method}`,
    ...extra,
    'Content-Length: 0',
  ];
}
