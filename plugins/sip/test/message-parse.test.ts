/** parseMessage behaviour beyond RFC 4475: limits, encoding, partials, bodies, leniency. */
import { describe, expect, it } from 'vitest';
import { headerValue, headerValues, parseMessage } from '../src/message';
import { basicRequest, parseFails, parseOk, wire } from './message-wire';

describe('parseMessage: framing of a datagram', () => {
  it('skips CRLFs before the start line (RFC 3261 §7.5)', () => {
    const m = parseOk(Buffer.concat([Buffer.from('\r\n\r\n\r\n'), wire(basicRequest())]));
    expect(m.kind === 'request' && m.method).toBe('OPTIONS');
  });

  it('reports an empty datagram or one of only CRLFs as SIP_PARSE_EMPTY', () => {
    parseFails(Buffer.alloc(0), 'SIP_PARSE_EMPTY');
    parseFails(Buffer.from('\r\n\r\n'), 'SIP_PARSE_EMPTY');
  });

  it('truncates a body longer than Content-Length (RFC 3261 §18.3)', () => {
    const head = basicRequest().filter((l) => !l.startsWith('Content-Length'));
    const m = parseOk(wire([...head, 'Content-Length: 4'], 'abcdEXTRA'));
    expect(m.body.toString()).toBe('abcd');
  });

  it('takes the rest of the datagram as the body when Content-Length is absent', () => {
    const head = basicRequest().filter((l) => !l.startsWith('Content-Length'));
    const m = parseOk(wire(head, 'whole rest\r\n'));
    expect(m.body.toString()).toBe('whole rest\r\n');
  });

  it('accepts repeated Content-Length lines that agree and rejects ones that do not', () => {
    const head = basicRequest().filter((l) => !l.startsWith('Content-Length'));
    expect(parseOk(wire([...head, 'Content-Length: 2', 'l: 2'], 'ab')).body.toString()).toBe('ab');
    parseFails(wire([...head, 'Content-Length: 2', 'l: 3'], 'abc'), 'SIP_PARSE_CONTENT_LENGTH');
  });

  it('requires the empty line that ends the header section', () => {
    parseFails(Buffer.from(`${basicRequest().join('\r\n')}\r\n`), 'SIP_PARSE_HEADER');
    parseFails(Buffer.from('OPTIONS sip:a@b SIP/2.0'), 'SIP_PARSE_START_LINE');
  });

  it('rejects bare LF or CR inside a line', () => {
    const lines = basicRequest();
    lines[3] = 'To: <sip:user@example.com>\nX-Injected: 1';
    parseFails(wire(lines), 'SIP_PARSE_HEADER');
  });
});

describe('parseMessage: headers', () => {
  it('unfolds continuation lines with a single SP and keeps names as received', () => {
    const m = parseOk(wire(basicRequest(['X-Folded: one', ' \t two', '\tthree'])));
    expect(m.headers.find((h) => h.name === 'X-Folded')?.value).toBe('one two three');
  });

  it('rejects a continuation line before the first header', () => {
    const lines = basicRequest();
    lines.splice(1, 0, ' continued');
    parseFails(wire(lines), 'SIP_PARSE_HEADER');
  });

  it('rejects a header line without a colon or with a non-token name', () => {
    parseFails(wire(basicRequest(['no colon here'])), 'SIP_PARSE_HEADER');
    parseFails(wire(basicRequest(['Bad Name: x'])), 'SIP_PARSE_HEADER');
  });

  it('keeps U+FEFF and NBSP at the edges of a value (only SP/HT are LWS)', () => {
    const m = parseOk(wire(basicRequest(['X-Bom: \uFEFFvalue\u00A0'])));
    expect(headerValue(m, 'x-bom')).toBe('\uFEFFvalue\u00A0');
  });

  it('lets Max-Forwards be absent (many clients omit it)', () => {
    const m = parseOk(wire(basicRequest().filter((l) => !l.startsWith('Max-Forwards'))));
    expect(headerValue(m, 'Max-Forwards')).toBeUndefined();
  });

  it.each(['To', 'From', 'CSeq', 'Call-ID', 'Via'])('rejects a request without %s', (name) => {
    const error = parseFails(wire(basicRequest().filter((l) => !l.startsWith(`${name}:`))), 'SIP_PARSE_MISSING_HEADER');
    expect(error.message).toContain(name);
  });

  it('accepts a response without the request-only checks but still validates the Via and CSeq it has', () => {
    const ok = parseOk(wire(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1', 'CSeq: 1 REGISTER', 'Content-Length: 0']));
    expect(ok.kind === 'response' && ok.status).toBe(200);
    parseFails(wire(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP', 'Content-Length: 0']), 'SIP_PARSE_VIA');
  });

  it('rejects a duplicate From, To or Call-ID and an invalid Call-ID', () => {
    parseFails(wire(basicRequest(['To: <sip:other@example.com>'])), 'SIP_PARSE_HEADER');
    parseFails(wire(basicRequest(['i: second-call-id'])), 'SIP_PARSE_HEADER');
    const lines = basicRequest();
    lines[5] = 'Call-ID: has space';
    parseFails(wire(lines), 'SIP_PARSE_HEADER');
  });

  it('rejects `Contact: *`-style wildcard in From', () => {
    const lines = basicRequest();
    lines[4] = 'From: *';
    parseFails(wire(lines), 'SIP_PARSE_HEADER');
  });

  it('accepts a multi-Via line and IPv6 sent-by', () => {
    const m = parseOk(wire(basicRequest(['Via: SIP/2.0/TCP [2001:db8::9:1]:5061;branch=z9hG4bKa, SIP/2.0/UDP b.example.com'])));
    expect(headerValues(m, 'Via')).toHaveLength(3);
  });
});

describe('parseMessage: start line', () => {
  it('accepts a lower-case SIP-Version and reports SIP/2.0', () => {
    const lines = basicRequest();
    lines[0] = 'OPTIONS sip:user@example.com sip/2.0';
    expect(parseOk(wire(lines)).version).toBe('SIP/2.0');
  });

  it('reports a response with another version as SIP_PARSE_VERSION', () => {
    parseFails(wire(['SIP/3.0 200 OK', 'Content-Length: 0']), 'SIP_PARSE_VERSION');
  });

  it.each([
    ['no version', 'OPTIONS sip:user@example.com'],
    ['HTTP', 'GET / HTTP/1.1'],
    ['status out of range', 'SIP/2.0 99 Too Low'],
    ['status 700', 'SIP/2.0 700 Too High'],
    ['two-digit status', 'SIP/2.0 20 OK'],
    ['method not a token', 'OPT@ONS sip:user@example.com SIP/2.0'],
  ])('rejects %s as SIP_PARSE_START_LINE', (_name, line) => {
    const lines = basicRequest();
    lines[0] = line;
    parseFails(wire(lines), 'SIP_PARSE_START_LINE');
  });

  it.each([
    ['a host with a bad label', 'OPTIONS sip:user@-bad-.example.com SIP/2.0'],
    ['an empty user', 'OPTIONS sip:@example.com SIP/2.0'],
    ['a port over 65535', 'OPTIONS sip:user@example.com:70000 SIP/2.0'],
    ['no scheme', 'OPTIONS user@example.com SIP/2.0'],
  ])('rejects a Request-URI with %s as SIP_PARSE_URI', (_name, line) => {
    const lines = basicRequest();
    lines[0] = line;
    parseFails(wire(lines), 'SIP_PARSE_URI');
  });

  it('accepts sips: and tel: Request-URIs', () => {
    for (const uri of ['sips:user@example.com;transport=tcp', 'tel:+1-201-555-0123']) {
      const lines = basicRequest();
      lines[0] = `OPTIONS ${uri} SIP/2.0`;
      const m = parseOk(wire(lines));
      expect(m.kind === 'request' && m.uri).toBe(uri);
    }
  });
});

describe('parseMessage: limits and encoding', () => {
  it('rejects a message over maxMessageBytes with SIP_PARSE_TOO_LARGE, keeping the headers for a 513', () => {
    const head = basicRequest().filter((l) => !l.startsWith('Content-Length'));
    const error = parseFails(wire(head, 'x'.repeat(70_000)), 'SIP_PARSE_TOO_LARGE');
    expect(error.partial?.headers?.map((h) => h.name)).toContain('Call-ID');
    expect(parseMessage(wire(basicRequest()), { maxMessageBytes: 100 }).ok).toBe(false);
  });

  it('rejects more than maxHeaders header fields with SIP_PARSE_TOO_MANY_HEADERS', () => {
    const extra = Array.from({ length: 20 }, (_, i) => `X-H${i}: ${i}`);
    const result = parseMessage(wire(basicRequest(extra)), { maxHeaders: 10 });
    expect(!result.ok && result.error.code).toBe('SIP_PARSE_TOO_MANY_HEADERS');
    expect(!result.ok && result.error.partial?.headers).toHaveLength(10);
  });

  it('rejects a header line over maxHeaderLineBytes, also when the length comes from folding', () => {
    const limits = { maxHeaderLineBytes: 100 };
    const long = parseMessage(wire(basicRequest([`X-Long: ${'a'.repeat(200)}`])), limits);
    expect(!long.ok && long.error.code).toBe('SIP_PARSE_TOO_LARGE');
    const folded = parseMessage(wire(basicRequest(['X-Folded: start', ...Array.from({ length: 5 }, () => ` ${'b'.repeat(30)}`)])), limits);
    expect(!folded.ok && folded.error.code).toBe('SIP_PARSE_TOO_LARGE');
  });

  it('rejects invalid UTF-8 in the head with SIP_PARSE_ENCODING but accepts any bytes in the body', () => {
    const bad = Buffer.concat([Buffer.from(`${basicRequest().slice(0, -1).join('\r\n')}\r\nX-Bad: `), Buffer.from([0xc3, 0x28]), Buffer.from('\r\nContent-Length: 0\r\n\r\n')]);
    const error = parseFails(bad, 'SIP_PARSE_ENCODING');
    // The headers after the bad line are still in the partial.
    expect(error.partial?.headers?.some((h) => h.name === 'Content-Length')).toBe(true);
    const head = basicRequest().filter((l) => !l.startsWith('Content-Length'));
    expect(parseOk(wire([...head, 'Content-Length: 2'], Buffer.from([0xff, 0xfe]))).body).toEqual(Buffer.from([0xff, 0xfe]));
  });
});

describe('parseMessage: partial on error', () => {
  it('carries the request line and the well-formed headers so a 400 can copy Via/From/To/Call-ID/CSeq', () => {
    const lines = basicRequest(['Broken header line']);
    const error = parseFails(wire(lines), 'SIP_PARSE_HEADER');
    expect(error.partial).toMatchObject({ kind: 'request', method: 'OPTIONS', uri: 'sip:user@example.com' });
    const names = error.partial?.headers?.map((h) => h.name);
    expect(names).toEqual(expect.arrayContaining(['Via', 'From', 'To', 'Call-ID', 'CSeq']));
  });

  it('carries the headers even when the start line is unreadable', () => {
    const lines = basicRequest();
    lines[0] = 'garbage';
    const error = parseFails(wire(lines), 'SIP_PARSE_START_LINE');
    expect(error.partial?.method).toBeUndefined();
    expect(error.partial?.headers?.length).toBeGreaterThanOrEqual(6);
  });
});
