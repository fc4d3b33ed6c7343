/** Header access: names, compact forms, list splitting, editing. */
import { describe, expect, it } from 'vitest';
import {
  appendHeader,
  canonicalHeaderName,
  compactHeaderName,
  headerValue,
  headerValues,
  messageContacts,
  messageCSeq,
  messageTopVia,
  parseMessage,
  removeHeader,
  setHeader,
  SipMessageError,
  type SipRequest,
} from '../src/message';

function request(headers: [string, string][]): SipRequest {
  return {
    kind: 'request',
    method: 'OPTIONS',
    uri: 'sip:a@example.com',
    version: 'SIP/2.0',
    headers: headers.map(([name, value]) => ({ name, value })),
    body: Buffer.alloc(0),
  };
}

describe('canonicalHeaderName and compact forms', () => {
  it.each([
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
    ['V', 'Via'],
  ])('%s → %s', (compact, long) => {
    expect(canonicalHeaderName(compact)).toBe(long);
  });

  it('spells well-known names canonically and Title-Cases unknown ones', () => {
    expect(canonicalHeaderName('CALL-ID')).toBe('Call-ID');
    expect(canonicalHeaderName('cseq')).toBe('CSeq');
    expect(canonicalHeaderName('www-authenticate')).toBe('WWW-Authenticate');
    expect(canonicalHeaderName('x-my-header')).toBe('X-My-Header');
  });

  it('finds the compact form of a long name', () => {
    expect(compactHeaderName('call-id')).toBe('i');
    expect(compactHeaderName('Max-Forwards')).toBeUndefined();
  });

  it('looks headers up case-insensitively and across compact and long forms', () => {
    const m = request([
      ['v', 'SIP/2.0/UDP a.example.com'],
      ['VIA', 'SIP/2.0/UDP b.example.com'],
      ['i', 'abc@host'],
    ]);
    expect(headerValues(m, 'Via')).toEqual(['SIP/2.0/UDP a.example.com', 'SIP/2.0/UDP b.example.com']);
    expect(headerValue(m, 'CALL-ID')).toBe('abc@host');
    expect(headerValue(m, 'i')).toBe('abc@host');
    expect(headerValue(m, 'Max-Forwards')).toBeUndefined();
  });

  it('does not confuse header names with Object prototype members', () => {
    const m = request([['constructor', 'x']]);
    expect(headerValue(m, 'constructor')).toBe('x');
    expect(headerValue(m, 'toString')).toBeUndefined();
  });
});

describe('headerValues splitting', () => {
  it('splits comma lists across lines but not inside quotes or <>', () => {
    const m = request([
      ['Contact', '"Doe, John" <sip:a@example.com;x="1,2">;q=0.5, <sip:b@example.com?h=a,b>'],
      ['m', 'sip:c@example.com'],
    ]);
    expect(headerValues(m, 'Contact')).toEqual([
      '"Doe, John" <sip:a@example.com;x="1,2">;q=0.5',
      '<sip:b@example.com?h=a,b>',
      'sip:c@example.com',
    ]);
    expect(headerValue(m, 'Contact')).toBe('"Doe, John" <sip:a@example.com;x="1,2">;q=0.5');
  });

  it('handles escaped quotes inside quoted strings', () => {
    const m = request([['Contact', '"a \\", b" <sip:a@example.com>, <sip:b@example.com>']]);
    expect(headerValues(m, 'Contact')).toEqual(['"a \\", b" <sip:a@example.com>', '<sip:b@example.com>']);
  });

  it('drops empty list elements and trims SP/HT', () => {
    const m = request([['Allow', ' INVITE ,, ACK ,\tBYE , ']]);
    expect(headerValues(m, 'Allow')).toEqual(['INVITE', 'ACK', 'BYE']);
  });

  it.each([
    ['WWW-Authenticate', 'Digest realm="atlanta.com", domain="sip:boxesbybob.com", qop="auth", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5'],
    ['Authorization', 'Digest username="bob", realm="atlanta.example.com", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", uri="sips:ss2.biloxi.example.com", response="dfe56131d1958046689d83306477ecc"'],
    ['Proxy-Authenticate', 'Digest realm="atlanta.com", nonce="wf84f1ceczx41ae6cbe5aea9c8e88d359"'],
    ['Proxy-Authorization', 'Digest username="alice", realm="atlanta.com", response="42ce3cef44b22f50c6a6071bc8"'],
    ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'],
    ['Retry-After', '18000;duration=3600'],
    ['Subject', 'lunch, maybe'],
    ['User-Agent', 'Softphone Beta1.5 (x, y)'],
    ['Call-ID', 'a,b@host'],
  ])('never splits %s', (name, value) => {
    const m = request([[name, value]]);
    expect(headerValues(m, name)).toEqual([value]);
    expect(headerValue(m, name)).toBe(value);
  });

  it('gives an empty list header as "" from headerValue and [] from headerValues', () => {
    const m = request([['Supported', '']]);
    expect(headerValue(m, 'k')).toBe('');
    expect(headerValues(m, 'Supported')).toEqual([]);
  });

  it('keeps an unterminated quote in one element', () => {
    const m = request([['X-List', 'a, "b, c']]);
    expect(headerValues(m, 'X-List')).toEqual(['a', '"b, c']);
  });
});

describe('setHeader / appendHeader / removeHeader', () => {
  it('replaces every line of a header, compact forms included, at the first line’s place', () => {
    const m = request([
      ['Via', 'SIP/2.0/UDP a.example.com'],
      ['Contact', '<sip:1@example.com>'],
      ['To', '<sip:a@example.com>'],
      ['m', '<sip:2@example.com>'],
    ]);
    setHeader(m, 'Contact', ['<sip:3@example.com>', '<sip:4@example.com>']);
    expect(m.headers.map((h) => `${h.name}: ${h.value}`)).toEqual([
      'Via: SIP/2.0/UDP a.example.com',
      'Contact: <sip:3@example.com>',
      'Contact: <sip:4@example.com>',
      'To: <sip:a@example.com>',
    ]);
    setHeader(m, 'Expires', '3600');
    expect(m.headers.at(-1)).toEqual({ name: 'Expires', value: '3600' });
  });

  it('removes in place and appends at the end', () => {
    const m = request([
      ['l', '0'],
      ['To', '<sip:a@example.com>'],
      ['Content-Length', '0'],
    ]);
    const same = m.headers;
    removeHeader(m, 'content-length');
    appendHeader(m, 'Server', 'switchyard');
    expect(m.headers).toBe(same);
    expect(m.headers.map((h) => h.name)).toEqual(['To', 'Server']);
  });

  it('refuses header injection and non-token names with SipMessageError', () => {
    const m = request([]);
    expect(() => setHeader(m, 'Subject', 'hi\r\nVia: evil')).toThrow(SipMessageError);
    expect(() => appendHeader(m, 'Bad Name', 'x')).toThrow(/not an RFC 3261 token/);
    expect(m.headers).toEqual([]);
  });
});

describe('reads are indexed once a message and follow edits', () => {
  const message = (): SipRequest =>
    request([
      ['Via', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1'],
      ['CSeq', '1 OPTIONS'],
      ['Contact', '<sip:a@b.example.com>'],
    ]);

  it('an edit with setHeader, appendHeader or removeHeader is seen by the next read, raw or parsed', () => {
    const m = message();
    expect(headerValue(m, 'CSeq')).toBe('1 OPTIONS');
    expect(messageCSeq(m)?.seq).toBe(1);
    setHeader(m, 'CSeq', '2 OPTIONS');
    expect(headerValue(m, 'CSeq')).toBe('2 OPTIONS');
    expect(messageCSeq(m)?.seq).toBe(2);

    expect(messageContacts(m)?.map((c) => c.uri)).toEqual(['sip:a@b.example.com']);
    appendHeader(m, 'm', '<sip:c@d.example.com>');
    expect(headerValues(m, 'Contact')).toEqual(['<sip:a@b.example.com>', '<sip:c@d.example.com>']);
    expect(messageContacts(m)?.map((c) => c.uri)).toEqual(['sip:a@b.example.com', 'sip:c@d.example.com']);

    expect(messageTopVia(m)?.host).toBe('a.example.com');
    removeHeader(m, 'v');
    expect(headerValue(m, 'Via')).toBeUndefined();
    expect(messageTopVia(m)).toBeUndefined();
  });

  it('a headers array replaced or grown by hand is indexed anew', () => {
    const m = message();
    expect(headerValue(m, 'Subject')).toBeUndefined();
    m.headers.push({ name: 's', value: 'hello' });
    expect(headerValue(m, 'Subject')).toBe('hello');
    m.headers = [{ name: 'CSeq', value: '9 OPTIONS' }];
    expect(messageCSeq(m)?.seq).toBe(9);
    expect(headerValue(m, 'Contact')).toBeUndefined();
  });

  it('parsed fields are shared and frozen: changing one throws instead of changing what the next reader sees', () => {
    const m = message();
    const via = messageTopVia(m)!;
    expect(() => {
      via.params.branch = 'z9hG4bKforged';
    }).toThrow(TypeError);
    expect(messageTopVia(m)?.params.branch).toBe('z9hG4bK1');
    expect(headerValues(m, 'Via')).toEqual(['SIP/2.0/UDP a.example.com;branch=z9hG4bK1']);
  });

  it('a list read cannot be changed through the array it returned', () => {
    const m = message();
    headerValues(m, 'Contact').push('<sip:x@y.example.com>');
    expect(headerValues(m, 'Contact')).toEqual(['<sip:a@b.example.com>']);
  });
});

describe('the index stays out of sight', () => {
  it('a read message still equals, spreads and serialises as a plain message', () => {
    const parsed = parseMessage(Buffer.from('OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\nTo: <sip:a@example.com>\r\nFrom: <sip:b@example.com>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n'));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const m = parsed.message;
    expect(headerValue(m, 'To')).toBe('<sip:a@example.com>');
    expect(Object.keys(m).sort()).toEqual(['body', 'headers', 'kind', 'method', 'uri', 'version']);
    expect(JSON.parse(JSON.stringify(m))).toMatchObject({ kind: 'request', method: 'OPTIONS' });
    const copy = { ...m, headers: m.headers.filter((h) => h.name !== 'To') };
    expect(headerValue(copy, 'To')).toBeUndefined();
  });

  it('a frozen message is read like any other', () => {
    const m = Object.freeze(request([['CSeq', '4 OPTIONS'], ['Contact', '<sip:a@b.example.com>, <sip:c@d.example.com>']]));
    expect(messageCSeq(m)?.seq).toBe(4);
    expect(headerValues(m, 'Contact')).toHaveLength(2);
  });
});
