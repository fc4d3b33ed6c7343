/** Properties: round trip, no throw on any input, chunking-independent framing. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatUri,
  parseMessage,
  parseUri,
  serializeMessage,
  SIP_PARSE_ERROR_CODES,
  SipStreamFramer,
  uriEquals,
  type ParseResult,
  type SipMessage,
} from '../src/message';
import { parseMessageUnguarded } from '../src/message/parse';
import { fuzzRuns, fuzzTimeout, mutatedWire, sipMessage, sipUri } from './message-arbitraries';

const withoutContentLength = (m: SipMessage): SipMessage => ({
  ...m,
  headers: m.headers.filter((h) => !/^(content-length|l)$/i.test(h.name)),
});

/** A well-formed result: a message, or an error with a known code and a message. */
function expectWellFormed(result: ParseResult): void {
  if (result.ok) return;
  expect(SIP_PARSE_ERROR_CODES).toContain(result.error.code);
  expect(result.error.message.length).toBeGreaterThan(0);
}

describe('message properties', () => {
  it('parseMessage(serializeMessage(m)) gives m back, plus a correct Content-Length', () => {
    fc.assert(
      fc.property(sipMessage, (m) => {
        const result = parseMessage(serializeMessage(m));
        if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
        expect(result.message).toEqual({ ...m, headers: [...m.headers, { name: 'Content-Length', value: String(m.body.length) }] });
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary bytes never throw out of the parser: a message or a known error code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expectWellFormed(parseMessageUnguarded(Buffer.from(bytes)));
      }),
      { numRuns: fuzzRuns(300) },
    );
  }, fuzzTimeout);

  it('mutated messages never throw, and whatever parses serialises and parses back the same', () => {
    fc.assert(
      fc.property(mutatedWire, (bytes) => {
        const first = parseMessageUnguarded(bytes);
        expectWellFormed(first);
        if (!first.ok) return;
        const second = parseMessageUnguarded(serializeMessage(first.message));
        if (!second.ok) throw new Error(`re-parse failed: ${second.error.code}: ${second.error.message}`);
        expect(withoutContentLength(second.message)).toEqual(withoutContentLength(first.message));
      }),
      { numRuns: fuzzRuns(400) },
    );
  }, fuzzTimeout);

  it('parseUri(formatUri(u)) gives u back, and a URI equals itself with host case and parameter order changed', () => {
    fc.assert(
      fc.property(sipUri, (uri) => {
        const text = formatUri(uri);
        expect(parseUri(text)).toEqual(uri);
        const reordered = { ...uri, host: uri.host.toUpperCase(), params: Object.fromEntries(Object.entries(uri.params).reverse()) };
        expect(uriEquals(text, formatUri(reordered))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SipStreamFramer properties', () => {
  it('any chunking of a stream of messages and keep-alives yields the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(sipMessage, fc.nat({ max: 3 })), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (items, cuts) => {
          const frames = items.map(([m]) => serializeMessage(m));
          const stream = Buffer.concat(items.flatMap(([, keepAlives], i) => [Buffer.from('\r\n'.repeat(keepAlives)), frames[i]]));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const framer = new SipStreamFramer();
          const got: Buffer[] = [];
          let pings = 0;
          let from = 0;
          for (const point of [...points, stream.length]) {
            const out = framer.push(stream.subarray(from, point));
            if (out.error) throw new Error(`${out.error.code}: ${out.error.message}`);
            got.push(...out.frames);
            pings += out.pings ?? 0;
            from = point;
          }
          const hex = (buffers: Buffer[]): string[] => buffers.map((b) => b.toString('hex'));
          expect(hex(got)).toEqual(hex(frames));
          expect(pings).toBe(items.reduce((sum, [, keepAlives]) => sum + Math.floor(keepAlives / 2), 0));
          expect(framer.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('arbitrary bytes in arbitrary chunks never throw; errors carry known codes; frames parse without throwing', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }), (chunks) => {
        const framer = new SipStreamFramer({ maxMessageBytes: 2048 });
        for (const chunk of chunks) {
          const out = framer.push(Buffer.from(chunk));
          if (out.error) expect(SIP_PARSE_ERROR_CODES).toContain(out.error.code);
          for (const frame of out.frames) expectWellFormed(parseMessageUnguarded(frame));
        }
      }),
      { numRuns: fuzzRuns(300) },
    );
  }, fuzzTimeout);
});
