/** RFC 4475 §3.1.1 and §3.3 valid messages whose meaning a parser must get right (bodies, schemes, Contact forms). */
import { expect } from 'vitest';
import { headerValue, headerValues, parseContacts, parseNameAddr, parseUri, parseVia } from '../src/message';
import type { ValidCase } from './message-rfc4475-cases';
import { SDP_150, lines, wire } from './message-wire';

export const SEMANTIC_CASES: ValidCase[] = [
  {
    name: 'dblreq: two requests in one datagram, the second ignored per Content-Length',
    section: '3.1.1.8',
    data: Buffer.concat([
      wire([
        'REGISTER sip:example.com SIP/2.0',
        'To: sip:j.user@example.com',
        'From: sip:j.user@example.com;tag=43251j3j324',
        'Max-Forwards: 8',
        'I: dblreq.0ha0isndaksdj99sdfafnl3lk233412',
        'Contact: sip:j.user@host.example.com',
        'CSeq: 8 REGISTER',
        'Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492',
        'Content-Length: 0',
      ]),
      Buffer.from('\r\n'),
      wire(
        [
          'INVITE sip:joe@example.com SIP/2.0',
          't: sip:joe@example.com',
          'From: sip:caller@example.net;tag=141334',
          'Max-Forwards: 8',
          'Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15',
          'CSeq: 8 INVITE',
          'Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234',
          'Content-Type: application/sdp',
          'Content-Length: 150',
        ],
        SDP_150,
      ),
    ]),
    check: (m) => {
      expect(m.kind === 'request' && m.method).toBe('REGISTER');
      expect(m.body.length).toBe(0);
      expect(parseContacts(m)).toEqual([{ uri: 'sip:j.user@host.example.com', params: {} }]);
    },
  },
  {
    name: 'transports: transport types (including unknown ones)',
    section: '3.1.1.10',
    data: wire([
      'OPTIONS sip:user@example.com SIP/2.0',
      'To: sip:user@example.com',
      'From: <sip:caller@example.com>;tag=323',
      'Max-Forwards: 70',
      'Call-ID:  transports.kijh4akdnaqjkwendsasfdj',
      'Accept: application/sdp',
      'CSeq: 60 OPTIONS',
      'Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw',
      'Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf',
      'Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj',
      'Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en',
      'Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee',
      'l: 0',
    ]),
    check: (m) => {
      expect(headerValues(m, 'Via').map((v) => parseVia(v)?.transport)).toEqual(['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
      expect(headerValue(m, 'Call-ID')).toBe('transports.kijh4akdnaqjkwendsasfdj');
    },
  },
  {
    name: 'mpart01: multipart body passes through byte for byte',
    section: '3.1.1.11',
    data: (() => {
      const body = lines(
        '--++',
        'Content-Type: application/sdp',
        '',
        'v=0',
        'o=- 3149328700 0 IN IP4 192.0.2.1',
        '--++',
        'Content-Type: application/pkcs7-signature',
        'Content-Disposition: signature;handling=required',
        '',
        '\u00ff\u0080binary',
        '--++--',
      );
      return wire(
        [
          'MESSAGE sip:kumiko@example.org SIP/2.0',
          'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-;rport',
          'Max-Forwards: 70',
          'Route: <sip:127.0.0.1:5080>',
          'Identity: r5mwreLuyDRYBi/0TiPwEsY3rEVsk/G2WxhgTV1PF7hHuLIK0YWVKZhKv9Mj8UeXqkMVbnVq37CD+813gvYjcBUaZngQmXc9WNZSDNGCzA+fWl9MEUHWIZo1CeJebdY/XlgKeTa0Olvq0rt70Q5jiSfbqMJmQFteeivUhkMWYUA=',
          'Contact: <sip:fluffy@127.0.0.1:5070>',
          'To: <sip:kumiko@example.org>',
          'From: <sip:fluffy@example.com>;tag=2fb0dcc9',
          'Call-ID: 3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..',
          'CSeq: 1 MESSAGE',
          'Content-Transfer-Encoding: binary',
          'Content-Type: multipart/mixed;boundary=++',
          'Date: Sat, 24 Sep 2005 09:57:41 GMT',
          `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
        ],
        Buffer.from(body, 'latin1'),
      );
    })(),
    check: (m) => {
      expect(m.body.includes(Buffer.from([0xff, 0x80]))).toBe(true);
      expect(headerValue(m, 'Date')).toBe('Sat, 24 Sep 2005 09:57:41 GMT');
      expect(headerValue(m, 'Identity')?.endsWith('UA=')).toBe(true);
    },
  },
  {
    name: 'unreason: unusual reason phrase (UTF-8)',
    section: '3.1.1.12',
    data: wire(
      [
        'SIP/2.0 200 = 2**3 * 5**2 но сто девяносто девять - простое',
        'Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923',
        'Call-ID: unreason.1234ksdfak3j2erwedfsASdf',
        'CSeq: 35 INVITE',
        'From: sip:user@example.com;tag=11141343',
        'To: sip:user@example.edu;tag=2229',
        'Content-Length: 150',
        'Content-Type: application/sdp',
        'Contact: <sip:user@host198.example.com>',
      ],
      SDP_150,
    ),
    check: (m) => {
      expect(m.kind === 'response' && m.status).toBe(200);
      expect(m.kind === 'response' && m.reason).toBe('= 2**3 * 5**2 но сто девяносто девять - простое');
    },
  },
  {
    name: 'noreason: empty reason phrase',
    section: '3.1.1.13',
    data: wire([
      'SIP/2.0 100 ',
      'Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe',
      'Call-ID: noreason.asndj203insdf99223ndf',
      'CSeq: 35 INVITE',
      'From: <sip:user@example.com>;tag=39ansfi3',
      'To: <sip:user@example.edu>;tag=902jndnke3',
      'Content-Length: 0',
      'Contact: <sip:user@host105.example.com>',
    ]),
    check: (m) => {
      expect(m.kind === 'response' && m.status).toBe(100);
      expect(m.kind === 'response' && m.reason).toBe('');
    },
  },
  {
    name: 'unkscm: unknown scheme in the Request-URI is the application’s business (416), not a parse error',
    section: '3.3.2',
    data: wire([
      'OPTIONS nobodyKnowsThisScheme:totallyopaquecontent SIP/2.0',
      'To: sip:user@example.com',
      'From: sip:user@example.com;tag=384',
      'Max-Forwards: 3',
      'Call-ID: unkscm.nasdfasser0q239nwsdfasdkl34',
      'CSeq: 3923423 OPTIONS',
      'Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234',
      'Content-Length: 0',
    ]),
    check: (m) => {
      expect(m.kind === 'request' && m.uri).toBe('nobodyKnowsThisScheme:totallyopaquecontent');
      expect(parseUri(m.kind === 'request' ? m.uri : '')).toBeUndefined();
    },
  },
  {
    name: 'novelsc: request scheme with a novel structure',
    section: '3.3.3',
    data: wire([
      'OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0',
      'To: sip:user@example.com',
      'From: sip:user@example.com;tag=384',
      'Max-Forwards: 3',
      'Call-ID: novelsc.asdfasser0q239nwsdfasdkl34',
      'CSeq: 3923423 OPTIONS',
      'Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234',
      'Content-Length: 0',
    ]),
    check: (m) => expect(m.kind === 'request' && m.uri).toBe('soap.beep://192.0.2.103:3002'),
  },
  {
    name: 'unksm2: unknown scheme in To, scheme-less Contact (parseContacts reports it)',
    section: '3.3.4',
    data: wire([
      'REGISTER sip:example.com SIP/2.0',
      'To: isbn:2983792873',
      'From: <http://www.example.com>;tag=3234233',
      'Call-ID: unksm2.daksdj@hyphenated-host.example.com',
      'CSeq: 234902 REGISTER',
      'Max-Forwards: 70',
      'Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw',
      'Contact: <name@127.0.0.1>',
      'l: 0',
    ]),
    check: (m) => {
      expect(parseNameAddr(headerValue(m, 'To')!)).toEqual({ uri: 'isbn:2983792873', params: {} });
      expect(parseContacts(m)).toBeUndefined();
    },
  },
  {
    name: 'regbadct: URI with escaped headers outside <> in Contact (parseContacts rejects it)',
    section: '3.1.2.13',
    data: wire([
      'REGISTER sip:example.com SIP/2.0',
      'To: sip:user@example.com',
      'From: sip:user@example.com;tag=998332',
      'Max-Forwards: 70',
      'Call-ID: regbadct.k345asrl3fdbv@10.0.0.1',
      'CSeq: 1 REGISTER',
      'Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw',
      'l: 0',
      'Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E',
    ]),
    check: (m) => expect(parseContacts(m)).toBeUndefined(),
  },
  {
    name: 'regescrt: the same URI inside <> is a valid Contact',
    section: '3.3.14',
    data: wire([
      'REGISTER sip:example.com SIP/2.0',
      'To: sip:user@example.com',
      'From: sip:user@example.com;tag=8',
      'Max-Forwards: 70',
      'Call-ID: regescrt.k345asrl3fdbv@192.0.2.1',
      'CSeq: 14398234 REGISTER',
      'Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw',
      'M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>',
      'L:0',
    ]),
    check: (m) => expect(parseUri(parseContacts(m)![0].uri)?.headers).toEqual({ Route: '%3Csip:sip.example.com%3E' }),
  },
  {
    name: 'bcast: Via with a broadcast sent-by still parses',
    section: '3.3.10',
    data: wire([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923',
      'Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23',
      'Call-ID: bcast.0384840201234ksdfak3j2erwedfsASdf',
      'CSeq: 35 INVITE',
      'From: sip:user@example.com;tag=11141343',
      'To: sip:user@example.edu;tag=2229',
      'Content-Length: 0',
    ]),
    check: (m) => expect(parseVia(headerValues(m, 'Via')[1])?.host).toBe('255.255.255.255'),
  },
  {
    name: 'zeromf: Max-Forwards of zero is for the proxy to act on, not a parse error',
    section: '3.3.11',
    data: wire([
      'OPTIONS sip:user@example.com SIP/2.0',
      'To: sip:user@example.com',
      'From: sip:caller@example.net;tag=3ghsd41',
      'Call-ID: zeromf.jfasdlfnm2o2l43r5u0asdfas',
      'CSeq: 39234321 OPTIONS',
      'Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw2349i',
      'Max-Forwards: 0',
      'Content-Length: 0',
    ]),
    check: (m) => expect(headerValue(m, 'Max-Forwards')).toBe('0'),
  },
  {
    name: 'cparam01: a bare Contact addr-spec’s parameters are header parameters',
    section: '3.3.12',
    data: wire([
      'REGISTER sip:example.com SIP/2.0',
      'Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw',
      'Max-Forwards: 70',
      'From: sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe',
      'To: sip:watson@example.com',
      'Call-ID: cparam01.70710@saturn.example.com',
      'CSeq: 2 REGISTER',
      'Contact: sip:+19725552222@gw1.example.net;unknownparam',
      'l: 0',
    ]),
    check: (m) => expect(parseContacts(m)).toEqual([{ uri: 'sip:+19725552222@gw1.example.net', params: { unknownparam: null } }]),
  },
  {
    name: 'cparam02: inside <> the parameter belongs to the URI',
    section: '3.3.13',
    data: wire([
      'REGISTER sip:example.com SIP/2.0',
      'Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw',
      'Max-Forwards: 70',
      'From: sip:watson@example.com;tag=838293',
      'To: sip:watson@example.com',
      'Call-ID: cparam02.70710@saturn.example.com',
      'CSeq: 3 REGISTER',
      'Contact: <sip:+19725552222@gw1.example.net;unknownparam>',
      'l: 0',
    ]),
    check: (m) => expect(parseContacts(m)).toEqual([{ uri: 'sip:+19725552222@gw1.example.net;unknownparam', params: {} }]),
  },
];
