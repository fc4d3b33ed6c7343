import { describe, expect, it } from 'vitest';
import { headerValue, headerValues, parseMessage, serializeMessage, type SipRequest, type SipResponse } from '../src/message';
import { buildResponse, parsePartialForError, responseTarget, type RemoteAddress } from '../src/transport';

function request(lines: string[], body = ''): SipRequest {
  const parsed = parseMessage(Buffer.from([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n')));
  if (!parsed.ok) throw new Error(`test request does not parse: ${parsed.error.code} ${parsed.error.message}`);
  if (parsed.message.kind !== 'request') throw new Error('not a request');
  return parsed.message;
}

const udpFrom = (address: string, port: number): RemoteAddress => ({ address, port, transport: 'udp' });

function options(topVia: string, more: string[] = []): SipRequest {
  return request([
    'OPTIONS sip:svc@10.0.0.9 SIP/2.0',
    `Via: ${topVia}`,
    ...more,
    'From: "Alice" <sip:alice@example.com>;tag=f1',
    'To: <sip:svc@10.0.0.9>',
    'Call-ID: abc@client',
    'CSeq: 7 OPTIONS',
    'Max-Forwards: 70',
  ]);
}

const topVia = (r: SipResponse): string => headerValues(r, 'Via')[0]!;

describe('buildResponse (RFC 3261 §8.2.6, RFC 3581)', () => {
  it('answers to one request from two sources each carry their own received; the request keeps its Via', () => {
    const req = options('SIP/2.0/UDP client.example.com:5070;branch=z9hG4bK1;rport');
    const first = buildResponse(req, 200, 'OK', { remote: udpFrom('192.0.2.1', 4000) });
    const second = buildResponse(req, 200, 'OK', { remote: udpFrom('192.0.2.2', 4001) });
    expect(topVia(first)).toBe('SIP/2.0/UDP client.example.com:5070;branch=z9hG4bK1;rport=4000;received=192.0.2.1');
    expect(topVia(second)).toBe('SIP/2.0/UDP client.example.com:5070;branch=z9hG4bK1;rport=4001;received=192.0.2.2');
    expect(headerValue(req, 'Via')).toBe('SIP/2.0/UDP client.example.com:5070;branch=z9hG4bK1;rport');
    expect(responseTarget(first, udpFrom('192.0.2.1', 4000))).toEqual(udpFrom('192.0.2.1', 4000));
    expect(responseTarget(second, udpFrom('192.0.2.2', 4001))).toEqual(udpFrom('192.0.2.2', 4001));
  });

  it('copies every Via in order and From, Call-ID, CSeq; adds a To tag; writes Content-Length', () => {
    const req = options('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1', ['Via: SIP/2.0/UDP proxy1.example.com;branch=z9hG4bK2, SIP/2.0/UDP 198.51.100.3:5080;branch=z9hG4bK3']);
    const res = buildResponse(req, 200, 'OK', { remote: udpFrom('192.0.2.1', 5070) });
    expect(res).toMatchObject({ kind: 'response', status: 200, reason: 'OK' });
    const vias = headerValues(res, 'Via');
    expect(vias).toHaveLength(3);
    expect(vias[0]).toMatch(/branch=z9hG4bK1/);
    expect(vias[1]).toMatch(/proxy1\.example\.com;branch=z9hG4bK2/);
    expect(vias[2]).toMatch(/198\.51\.100\.3:5080;branch=z9hG4bK3/);
    expect(headerValue(res, 'From')).toBe('"Alice" <sip:alice@example.com>;tag=f1');
    expect(headerValue(res, 'Call-ID')).toBe('abc@client');
    expect(headerValue(res, 'CSeq')).toBe('7 OPTIONS');
    expect(headerValue(res, 'To')).toMatch(/^<sip:svc@10\.0\.0\.9>;tag=[0-9a-f]{8,}$/);
    expect(headerValue(res, 'Content-Length')).toBe('0');
    expect(headerValue(res, 'Max-Forwards')).toBeUndefined();
    // what we build, the parser reads back
    const back = parseMessage(serializeMessage(res));
    expect(back.ok && headerValues(back.message, 'Via')).toEqual(vias);
  });

  it('adds received only when the sent-by host is not the source address', () => {
    const same = buildResponse(options('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1'), 200, 'OK', { remote: udpFrom('192.0.2.1', 5070) });
    expect(topVia(same)).not.toMatch(/received=/);
    const other = buildResponse(options('SIP/2.0/UDP 10.1.1.1:5070;branch=z9hG4bK1'), 200, 'OK', { remote: udpFrom('192.0.2.1', 40000) });
    expect(topVia(other)).toMatch(/;received=192\.0\.2\.1/);
    expect(topVia(other)).not.toMatch(/rport/);
    const name = buildResponse(options('SIP/2.0/UDP client.example.com;branch=z9hG4bK1'), 200, 'OK', { remote: udpFrom('192.0.2.1', 5060) });
    expect(topVia(name)).toMatch(/;received=192\.0\.2\.1/);
  });

  it('fills an empty rport with the source port, with received even for the same host (RFC 3581 §4)', () => {
    const res = buildResponse(options('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;rport'), 200, 'OK', { remote: udpFrom('192.0.2.1', 40123) });
    expect(topVia(res)).toMatch(/;rport=40123/);
    expect(topVia(res)).toMatch(/;received=192\.0\.2\.1/);
    // a port the client wrote into rport is replaced with the one the socket saw
    const filled = buildResponse(options('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;rport=1111'), 200, 'OK', { remote: udpFrom('192.0.2.1', 40123) });
    expect(topVia(filled)).toMatch(/;rport=40123/);
    expect(topVia(filled)).not.toMatch(/1111/);
  });

  it('uses the given To tag, keeps an existing one, and adds none to a 100', () => {
    const req = options('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1');
    const remote = udpFrom('192.0.2.1', 5060);
    expect(headerValue(buildResponse(req, 486, 'Busy Here', { remote, toTag: 'mine' }), 'To')).toBe('<sip:svc@10.0.0.9>;tag=mine');
    expect(headerValue(buildResponse(req, 100, 'Trying', { remote, toTag: 'mine' }), 'To')).toBe('<sip:svc@10.0.0.9>');
    const tagged = request([
      'OPTIONS sip:svc@10.0.0.9 SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1',
      'From: <sip:alice@example.com>;tag=f1',
      'To: <sip:svc@10.0.0.9>;tag=existing',
      'Call-ID: abc@client',
      'CSeq: 8 OPTIONS',
    ]);
    expect(headerValue(buildResponse(tagged, 200, 'OK', { remote, toTag: 'mine' }), 'To')).toBe('<sip:svc@10.0.0.9>;tag=existing');
    const two = [buildResponse(req, 200, 'OK', { remote }), buildResponse(req, 200, 'OK', { remote })].map((r) => headerValue(r, 'To'));
    expect(two[0]).not.toBe(two[1]);
  });

  it('adds extra headers and a body with its Content-Type and length', () => {
    const body = Buffer.from('v=0\r\n');
    const res = buildResponse(options('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1'), 200, 'OK', {
      remote: udpFrom('192.0.2.1', 5060),
      headers: [{ name: 'Allow', value: 'OPTIONS, REGISTER' }],
      body,
      contentType: 'application/sdp',
    });
    expect(headerValues(res, 'Allow')).toEqual(['OPTIONS', 'REGISTER']);
    expect(headerValue(res, 'Content-Type')).toBe('application/sdp');
    expect(headerValue(res, 'Content-Length')).toBe(String(body.length));
    expect(res.body.equals(body)).toBe(true);
  });
});

describe('responseTarget (RFC 3261 §18.2.2, RFC 3581)', () => {
  const answer = (via: string, remote: RemoteAddress): RemoteAddress =>
    responseTarget(buildResponse(options(via), 200, 'OK', { remote }), remote);

  it('UDP with rport: back to the source address and port', () => {
    expect(answer('SIP/2.0/UDP 10.1.1.1:5070;branch=z9hG4bK1;rport', udpFrom('192.0.2.1', 40000))).toEqual(udpFrom('192.0.2.1', 40000));
  });

  it('never to an address the client wrote: a client-supplied received or rport is replaced with the real source', () => {
    const spoofed = buildResponse(options('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;received=198.51.100.7;rport=9999'), 200, 'OK', {
      remote: udpFrom('192.0.2.1', 40000),
    });
    expect(topVia(spoofed)).toMatch(/;received=192\.0\.2\.1/);
    expect(topVia(spoofed)).not.toMatch(/198\.51\.100\.7|9999/);
    expect(responseTarget(spoofed, udpFrom('192.0.2.1', 40000))).toEqual(udpFrom('192.0.2.1', 40000));
    // received alone (no rport), Via host equal to the source: still the source address, at the sent-by port
    expect(answer('SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;received=198.51.100.7', udpFrom('192.0.2.1', 40000))).toEqual(udpFrom('192.0.2.1', 5070));
    const tcp: RemoteAddress = { address: '192.0.2.1', port: 40000, transport: 'tcp' };
    expect(answer('SIP/2.0/TCP 192.0.2.1:5070;branch=z9hG4bK1;received=198.51.100.7', tcp)).toEqual({ ...tcp, port: 5070 });
  });

  it('UDP without rport: to received (or the Via host) at the Via port, default 5060', () => {
    expect(answer('SIP/2.0/UDP 10.1.1.1:5070;branch=z9hG4bK1', udpFrom('192.0.2.1', 40000))).toEqual(udpFrom('192.0.2.1', 5070));
    expect(answer('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1', udpFrom('192.0.2.1', 40000))).toEqual(udpFrom('192.0.2.1', 5060));
  });

  it('TCP: the same connection, falling back to received at the Via port', () => {
    const remote: RemoteAddress = { address: '192.0.2.1', port: 40000, transport: 'tcp', connectionId: 'tcp-7' };
    expect(answer('SIP/2.0/TCP 10.1.1.1:5070;branch=z9hG4bK1', remote)).toEqual({ address: '192.0.2.1', port: 5070, transport: 'tcp', connectionId: 'tcp-7' });
  });
});

describe('parsePartialForError', () => {
  const headers = [
    { name: 'Via', value: 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1' },
    { name: 'From', value: '<sip:a@example.com>;tag=1' },
    { name: 'To', value: '<sip:b@example.com>' },
    { name: 'Call-ID', value: 'x@y' },
    { name: 'CSeq', value: '3 OPTIONS' },
  ];

  it('gives a request a 400 can be built from when the key headers were read', () => {
    const req = parsePartialForError({ kind: 'request', method: 'OPTIONS', uri: 'sip:b@example.com', headers });
    expect(req).toBeDefined();
    const res = buildResponse(req!, 400, 'Bad Request', { remote: udpFrom('192.0.2.1', 5060) });
    expect(headerValue(res, 'Call-ID')).toBe('x@y');
    expect(headerValue(res, 'CSeq')).toBe('3 OPTIONS');
  });

  it('gives undefined when there is not enough to answer, or for an ACK', () => {
    expect(parsePartialForError(undefined)).toBeUndefined();
    expect(parsePartialForError({ method: 'OPTIONS' })).toBeUndefined();
    expect(parsePartialForError({ method: 'OPTIONS', headers: headers.filter((h) => h.name !== 'CSeq') })).toBeUndefined();
    expect(parsePartialForError({ method: 'OPTIONS', headers: headers.filter((h) => h.name !== 'Via') })).toBeUndefined();
    expect(parsePartialForError({ headers })).toBeUndefined(); // no request line read
    const ack = headers.map((h) => (h.name === 'CSeq' ? { name: 'CSeq', value: '3 ACK' } : h));
    expect(parsePartialForError({ method: 'ACK', headers: ack })).toBeUndefined();
  });
});
