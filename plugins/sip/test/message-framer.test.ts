/** SipStreamFramer: TCP framing by Content-Length, keep-alives, bounds. */
import { describe, expect, it } from 'vitest';
import { parseMessage, SipStreamFramer } from '../src/message';
import { basicRequest, wire } from './message-wire';

const withBody = (body: string, lengthLine = `Content-Length: ${Buffer.byteLength(body)}`): Buffer =>
  wire([...basicRequest().filter((l) => !l.startsWith('Content-Length')), lengthLine], body);

describe('SipStreamFramer', () => {
  it('yields whole messages split by Content-Length, across and within chunks', () => {
    const a = withBody('first body');
    const b = withBody('');
    const c = withBody('third');
    const framer = new SipStreamFramer();
    const stream = Buffer.concat([a, b, c]);
    const out1 = framer.push(stream.subarray(0, a.length + 10));
    expect(out1.frames).toEqual([a]);
    const out2 = framer.push(stream.subarray(a.length + 10));
    expect(out2.frames).toEqual([b, c]);
    expect(framer.bufferedBytes).toBe(0);
    expect(out2.frames.every((f) => parseMessage(f).ok)).toBe(true);
  });

  it('accepts the compact form `l` and folded Content-Length', () => {
    const framer = new SipStreamFramer();
    const compact = withBody('abc', 'l: 3');
    const folded = withBody('abcd', 'Content-Length:\r\n 4');
    expect(framer.push(Buffer.concat([compact, folded])).frames).toEqual([compact, folded]);
  });

  it('drops CRLF keep-alives before and between messages, even split across chunks', () => {
    const a = withBody('x');
    const framer = new SipStreamFramer();
    const frames = [
      ...framer.push(Buffer.from('\r\n\r\n\r')).frames,
      ...framer.push(Buffer.from('\n')).frames,
      ...framer.push(Buffer.concat([a, Buffer.from('\r\n\r\n'), a])).frames,
    ];
    expect(frames).toEqual([a, a]);
    expect(framer.bufferedBytes).toBe(0);
  });

  it('counts RFC 5626 CRLFCRLF pings, even split across chunks, so the transport can answer each with CRLF', () => {
    const framer = new SipStreamFramer();
    expect(framer.push(Buffer.from('\r\n\r\n\r\n'))).toEqual({ frames: [], pings: 1 });
    expect(framer.push(Buffer.from('\r\n'))).toEqual({ frames: [], pings: 1 });
    const a = withBody('x');
    expect(framer.push(Buffer.concat([Buffer.from('\r\n'), a, Buffer.from('\r\n\r\n')]))).toEqual({ frames: [a], pings: 1 });
  });

  it('waits for a body that has not fully arrived', () => {
    const a = withBody('0123456789');
    const framer = new SipStreamFramer();
    expect(framer.push(a.subarray(0, a.length - 1)).frames).toEqual([]);
    expect(framer.push(a.subarray(a.length - 1)).frames).toEqual([a]);
  });

  it('requires Content-Length on a stream (SIP_PARSE_CONTENT_LENGTH) and stays failed', () => {
    const framer = new SipStreamFramer();
    const missing = wire(basicRequest().filter((l) => !l.startsWith('Content-Length')));
    const first = framer.push(Buffer.concat([withBody('ok'), missing]));
    expect(first.frames).toHaveLength(1);
    expect(first.error?.code).toBe('SIP_PARSE_CONTENT_LENGTH');
    expect(first.error?.partial?.headers?.some((h) => h.name === 'Call-ID')).toBe(true);
    expect(framer.push(withBody('more'))).toEqual({ frames: [], error: first.error });
  });

  it('rejects an invalid Content-Length', () => {
    expect(new SipStreamFramer().push(withBody('', 'Content-Length: -1')).error?.code).toBe('SIP_PARSE_CONTENT_LENGTH');
  });

  it('bounds buffering: a head without CRLFCRLF within maxMessageBytes is SIP_PARSE_TOO_LARGE', () => {
    const framer = new SipStreamFramer({ maxMessageBytes: 1024 });
    let error;
    for (let i = 0; i < 100 && !error; i++) error = framer.push(Buffer.from('X-Header: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n')).error;
    expect(error?.code).toBe('SIP_PARSE_TOO_LARGE');
    expect(framer.bufferedBytes).toBe(0);
  });

  it('rejects a Content-Length that would take the message over maxMessageBytes before buffering the body', () => {
    const framer = new SipStreamFramer({ maxMessageBytes: 2048 });
    const result = framer.push(withBody('', 'Content-Length: 5000'));
    expect(result.error?.code).toBe('SIP_PARSE_TOO_LARGE');
  });

  it('handles byte-at-a-time input in linear time', () => {
    const a = withBody('y'.repeat(30_000));
    const framer = new SipStreamFramer();
    const frames: Buffer[] = [];
    const started = performance.now();
    for (let i = 0; i < a.length; i++) frames.push(...framer.push(a.subarray(i, i + 1)).frames);
    expect(frames).toEqual([a]);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
