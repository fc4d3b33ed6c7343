/** serializeMessage: wire format, Content-Length, refusal of unsendable messages. */
import { describe, expect, it } from 'vitest';
import { headerValue, serializeMessage, SipMessageError, type SipRequest, type SipResponse } from '../src/message';
import { basicRequest, parseOk, wire } from './message-wire';

function response(headers: [string, string][], body = ''): SipResponse {
  return {
    kind: 'response',
    status: 200,
    reason: 'OK',
    version: 'SIP/2.0',
    headers: headers.map(([name, value]) => ({ name, value })),
    body: Buffer.from(body),
  };
}

describe('serializeMessage', () => {
  it('writes start line, headers as stored, Content-Length, CRLFs and body', () => {
    const text = serializeMessage(response([['v', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1'], ['X-Thing', 'x']], 'hello')).toString();
    expect(text).toBe('SIP/2.0 200 OK\r\nv: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\nX-Thing: x\r\nContent-Length: 5\r\n\r\nhello');
  });

  it('replaces a wrong Content-Length (long or compact) in place and drops duplicates', () => {
    const text = serializeMessage(response([['l', '99'], ['To', '<sip:a@b.com>'], ['Content-Length', '7']], 'abc')).toString();
    expect(text).toBe('SIP/2.0 200 OK\r\nContent-Length: 3\r\nTo: <sip:a@b.com>\r\n\r\nabc');
  });

  it('writes an empty reason phrase after the SP', () => {
    expect(serializeMessage({ ...response([]), status: 100, reason: '' }).toString()).toBe('SIP/2.0 100 \r\nContent-Length: 0\r\n\r\n');
  });

  it('counts Content-Length in bytes, not characters', () => {
    const m = response([], 'ñ€');
    expect(headerValue(parseOk(serializeMessage(m)), 'Content-Length')).toBe('5');
  });

  it('round-trips an RFC message through parse and serialize', () => {
    const first = parseOk(wire(basicRequest(['Contact: <sip:x@y.com>', 'X-Folded: a', ' b'])));
    const second = parseOk(serializeMessage(first));
    expect(second).toEqual(first);
  });

  it.each<[string, SipRequest | SipResponse]>([
    ['CR/LF in a value', response([['Subject', 'a\r\nVia: evil']])],
    ['a non-token header name', response([['Bad Name', 'x']])],
    ['a status outside 100–699', { ...response([]), status: 42 }],
    ['CR/LF in the reason', { ...response([]), reason: 'OK\r\n' }],
    ['a method that is not a token', { ...(parseOk(wire(basicRequest())) as SipRequest), method: 'IN VITE' }],
    ['whitespace in the Request-URI', { ...(parseOk(wire(basicRequest())) as SipRequest), uri: 'sip:a b@c' }],
  ])('refuses %s with SipMessageError', (_name, message) => {
    expect(() => serializeMessage(message)).toThrow(SipMessageError);
  });
});
