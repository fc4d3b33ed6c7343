import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../src/errors';
import { FrameDecoder, encodeFrame, type Frame } from '../src/halink/frame';
import { codeOf } from './support/errors';

const MAX = 64 * 1024;

function decodeAll(bytes: Buffer, cuts: number[], maxFrameBytes = MAX): Frame[] {
  const decoder = new FrameDecoder({ maxFrameBytes });
  const frames: Frame[] = [];
  let start = 0;
  for (const cut of [...cuts].sort((x, y) => x - y)) {
    frames.push(...decoder.push(bytes.subarray(start, cut)));
    start = cut;
  }
  frames.push(...decoder.push(bytes.subarray(start)));
  return frames;
}


function rawFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

describe('HA-link frame codec', () => {
  it('round-trips a frame: 4-byte big-endian length, then UTF-8 JSON', () => {
    const frame = { t: 'msg', channel: 'régistrations', seq: 7, data: { aor: 'sip:ålice@example.com', n: [1, 2] } };
    const bytes = encodeFrame(frame);
    expect(bytes.readUInt32BE(0)).toBe(bytes.length - 4);
    expect(JSON.parse(bytes.subarray(4).toString('utf8'))).toEqual(frame);
    expect(new FrameDecoder({ maxFrameBytes: MAX }).push(bytes)).toEqual([frame]);
  });

  it('decodes the same frames however the stream is split (property)', () => {
    const frameArb = fc.record({
      t: fc.string({ minLength: 1, maxLength: 8 }),
      seq: fc.nat(),
      data: fc.jsonValue({ maxDepth: 3 }),
    });
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (frames, rawCuts) => {
        // Round through JSON first: -0 and the like are not expected to survive.
        const expected = JSON.parse(JSON.stringify(frames)) as Frame[];
        const bytes = Buffer.concat(expected.map((f) => encodeFrame(f)));
        const cuts = rawCuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1)));
        expect(decodeAll(bytes, cuts)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes byte-by-byte input and several frames in one chunk', () => {
    const frames = [{ t: 'a' }, { t: 'b', x: 'ü'.repeat(100) }, { t: 'c' }];
    const bytes = Buffer.concat(frames.map((f) => encodeFrame(f)));
    const decoder = new FrameDecoder({ maxFrameBytes: MAX });
    const oneByOne = [...bytes].flatMap((byte) => decoder.push(Buffer.from([byte])));
    expect(oneByOne).toEqual(frames);
    expect(new FrameDecoder({ maxFrameBytes: MAX }).push(bytes)).toEqual(frames);
  });

  it('fails on an oversized declared length at once, before the body arrives', () => {
    const decoder = new FrameDecoder({ maxFrameBytes: 1024 });
    const header = Buffer.alloc(4);
    header.writeUInt32BE(1025, 0);
    expect(codeOf(() => decoder.push(header))).toBe('SWY_ERR_HALINK_FRAME_TOO_LARGE');
    expect(decoder.bufferedBytes).toBe(0);
    // Poisoned: later input fails the same way.
    expect(codeOf(() => decoder.push(encodeFrame({ t: 'hb' })))).toBe('SWY_ERR_HALINK_FRAME_TOO_LARGE');
    // A frame of exactly the limit is fine.
    const overhead = JSON.stringify({ t: 'x', pad: '' }).length;
    const exact = rawFrame(Buffer.from(JSON.stringify({ t: 'x', pad: 'p'.repeat(1024 - overhead) })));
    expect(exact.length - 4).toBe(1024);
    expect(new FrameDecoder({ maxFrameBytes: 1024 }).push(exact)).toHaveLength(1);
  });

  it.each([
    ['not JSON', Buffer.from('GET / HTTP/1.1')],
    ['a JSON array', Buffer.from('[1,2]')],
    ['JSON null', Buffer.from('null')],
    ['an object without t', Buffer.from('{"type":"hb"}')],
    ['a non-string t', Buffer.from('{"t":42}')],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['an empty payload', Buffer.alloc(0)],
  ])('fails on %s with SWY_ERR_HALINK_FRAME_INVALID', (_name, payload) => {
    expect(codeOf(() => new FrameDecoder({ maxFrameBytes: MAX }).push(rawFrame(payload)))).toBe('SWY_ERR_HALINK_FRAME_INVALID');
  });

  it('only ever throws SwitchyardError on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const decoder = new FrameDecoder({ maxFrameBytes: 64 });
        try {
          decoder.push(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(SwitchyardError);
        }
      }),
    );
  });

  it('refuses to encode a frame over the limit or one JSON cannot represent', () => {
    expect(codeOf(() => encodeFrame({ t: 'msg', data: 'x'.repeat(2000) }, 1024))).toBe('SWY_ERR_HALINK_FRAME_TOO_LARGE');
    expect(codeOf(() => encodeFrame({ t: 'msg', data: 10n }))).toBe('SWY_ERR_HALINK_FRAME_INVALID');
  });
});
