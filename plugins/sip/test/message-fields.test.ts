/** name-addr, Contact lists, Via and CSeq. */
import { describe, expect, it } from 'vitest';
import {
  formatNameAddr,
  formatVia,
  parseContacts,
  parseCSeq,
  parseNameAddr,
  parseVia,
  type SipRequest,
} from '../src/message';

function withContacts(...values: string[]): SipRequest {
  return {
    kind: 'request',
    method: 'REGISTER',
    uri: 'sip:example.com',
    version: 'SIP/2.0',
    headers: values.map((value) => ({ name: 'Contact', value })),
    body: Buffer.alloc(0),
  };
}

describe('parseNameAddr', () => {
  it.each([
    ['"Alice Smith" <sip:alice@atlanta.com>;tag=1928301774', { displayName: 'Alice Smith', uri: 'sip:alice@atlanta.com', params: { tag: '1928301774' } }],
    ['Alice Smith <sip:alice@atlanta.com>', { displayName: 'Alice Smith', uri: 'sip:alice@atlanta.com', params: {} }],
    ['<sip:alice@atlanta.com;transport=tcp>;expires=60', { uri: 'sip:alice@atlanta.com;transport=tcp', params: { expires: '60' } }],
    // Bare addr-spec: what follows the URI is header parameters (RFC 3261 §20.10).
    ['sip:alice@atlanta.com;tag=x;Expires=5', { uri: 'sip:alice@atlanta.com', params: { tag: 'x', expires: '5' } }],
    ['"" <sip:a@b.com>', { displayName: '', uri: 'sip:a@b.com', params: {} }],
    ['"say \\"hi\\"" <tel:+15551234>', { displayName: 'say "hi"', uri: 'tel:+15551234', params: {} }],
    [
      '<sip:a@b.com>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>";reg-id=1',
      { uri: 'sip:a@b.com', params: { '+sip.instance': '"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>"', 'reg-id': '1' } },
    ],
    ['<urn:service:sos>', { uri: 'urn:service:sos', params: {} }],
    ['*', { uri: '*', params: {}, wildcard: true }],
  ])('%s', (text, expected) => {
    expect(parseNameAddr(text)).toEqual(expected);
  });

  it.each([
    '',
    '"unterminated <sip:a@b.com>',
    'Bell, Alexander <sip:a@b.com>',
    '< sip:a@b.com >',
    '<sip:a@b.com',
    '<sip:a@b.com> trailing',
    '<sip:a@b.com>;;',
    '<sip:a@b.com>;tag=1;tag=2',
    'sip:a@b.com?x=y',
    '<sip:a@@b.com>',
    '"x" sip:a@b.com',
  ])('rejects %j', (text) => {
    expect(parseNameAddr(text)).toBeUndefined();
  });

  it('formats with quotes and brackets so that parsing gives the same value', () => {
    const value = { displayName: 'A "quoted" \\ name', uri: 'sip:a@b.com;lr', params: { tag: 'x', q: '0.5', flag: null } };
    const text = formatNameAddr(value);
    expect(text).toBe('"A \\"quoted\\" \\\\ name" <sip:a@b.com;lr>;tag=x;q=0.5;flag');
    expect(parseNameAddr(text)).toEqual(value);
    expect(formatNameAddr({ uri: '*', params: {}, wildcard: true })).toBe('*');
  });

  it('keeps a parameter named __proto__ as an own property', () => {
    const parsed = parseNameAddr('<sip:a@b.com>;__proto__=x');
    expect(Object.hasOwn(parsed!.params, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(parsed!.params)).toBe(Object.prototype);
  });
});

describe('parseContacts', () => {
  it('collects contacts across lines and comma lists', () => {
    expect(parseContacts(withContacts('<sip:a@x.com>;q=0.7, "B, b" <sip:b@x.com>', 'sip:c@x.com;expires=0'))?.map((c) => c.uri)).toEqual([
      'sip:a@x.com',
      'sip:b@x.com',
      'sip:c@x.com',
    ]);
  });

  it('gives `*` as one wildcard entry', () => {
    expect(parseContacts(withContacts('*'))).toEqual([{ uri: '*', params: {}, wildcard: true }]);
  });

  it('rejects `*` mixed with other contacts, empty or malformed Contacts', () => {
    expect(parseContacts(withContacts('*, <sip:a@x.com>'))).toBeUndefined();
    expect(parseContacts(withContacts('*', '<sip:a@x.com>'))).toBeUndefined();
    expect(parseContacts(withContacts(''))).toBeUndefined();
    expect(parseContacts(withContacts('<sip:a@x.com>', 'not a uri'))).toBeUndefined();
  });

  it('gives [] when there is no Contact', () => {
    expect(parseContacts(withContacts())).toEqual([]);
  });
});

describe('parseVia', () => {
  it('parses transport, host, port and params', () => {
    expect(parseVia('SIP/2.0/udp pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;rport;received=192.0.2.1')).toEqual({
      transport: 'UDP',
      host: 'pc33.atlanta.com',
      port: 5066,
      params: { branch: 'z9hG4bK776asdhds', rport: null, received: '192.0.2.1' },
    });
  });

  it('parses IPv6 sent-by in brackets and IPv6 received with or without brackets', () => {
    expect(parseVia('SIP/2.0/TCP [2001:db8::9:1]:5060;branch=z9hG4bKas3;received=2001:db8::9:255;rport=5070')).toEqual({
      transport: 'TCP',
      host: '[2001:db8::9:1]',
      port: 5060,
      params: { branch: 'z9hG4bKas3', received: '2001:db8::9:255', rport: '5070' },
    });
    expect(parseVia('SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255]')?.params.received).toBe('[2001:db8::9:255]');
  });

  it('tolerates LWS around slashes, colon, semicolons and equals', () => {
    expect(parseVia('SIP / 2.0 / TLS  host.example.com : 5061 ; branch = z9hG4bK1')).toEqual({
      transport: 'TLS',
      host: 'host.example.com',
      port: 5061,
      params: { branch: 'z9hG4bK1' },
    });
  });

  it.each([
    'SIP/2.0/UDP',
    'SIP/3.0/UDP host.example.com',
    'HTTP/2.0/UDP host.example.com',
    'SIP/2.0/UDP host.example.com;',
    'SIP/2.0/UDP host.example.com;;branch=1',
    'SIP/2.0/UDP host.example.com;received=not-an-ip',
    'SIP/2.0/UDP host.example.com;rport=abc',
    'SIP/2.0/UDP host.example.com:99999',
    'SIP/2.0/UDP [2001:db8::1',
    'SIP/2.0/UDP two hosts',
  ])('rejects %j', (text) => {
    expect(parseVia(text)).toBeUndefined();
  });

  it('formats so that parsing gives the same value', () => {
    const via = { transport: 'UDP', host: '[::1]', port: 5060, params: { branch: 'z9hG4bKx', rport: null } };
    expect(formatVia(via)).toBe('SIP/2.0/UDP [::1]:5060;branch=z9hG4bKx;rport');
    expect(parseVia(formatVia(via))).toEqual(via);
  });
});

describe('parseCSeq', () => {
  it('parses number and method with any LWS between', () => {
    expect(parseCSeq('4711 INVITE')).toEqual({ seq: 4711, method: 'INVITE' });
    expect(parseCSeq(' 0009 \t INVITE ')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('2147483647 ACK')).toEqual({ seq: 2147483647, method: 'ACK' });
  });

  it.each(['2147483648 ACK', 'INVITE', '1', '-1 INVITE', '1 IN VITE', '1.5 INVITE', '36893488147419103232 REGISTER'])('rejects %j', (text) => {
    expect(parseCSeq(text)).toBeUndefined();
  });
});
