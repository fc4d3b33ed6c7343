import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SwitchyardError } from '../src/errors';
import { FRAME_HEADER_BYTES, FrameDecoder, encodeFrame, type Frame } from '../src/halink/frame';
import { FrameOpener, FrameSealer, SEAL_OVERHEAD } from '../src/halink/session';

/**
 * Fuzzing the HA-link frame decoder, the first code that sees a stranger's
 * bytes. CI runs a bounded count; `npm run fuzz` (SWITCHYARD_FUZZ_RUNS,
 * default there 1,000,000) runs each property that many times.
 */
const RUNS = Number(process.env.SWITCHYARD_FUZZ_RUNS ?? 1000);
// Room for the long run on a loaded machine: 0.3-0.7 ms an input was seen on 2 cores.
const TIMEOUT = 30_000 + 5 * RUNS;
const LIMIT = 256;
const KEY = Buffer.alloc(32, 7);

// Every Buffer the decoder allocates is recorded while `measuring`.
let measuring = false;
let largestAllocation = 0;
const realAllocUnsafe = Buffer.allocUnsafe;
const realAlloc = Buffer.alloc;
beforeEach(() => {
  Buffer.allocUnsafe = ((size: number) => {
    if (measuring) largestAllocation = Math.max(largestAllocation, size);
    return realAllocUnsafe(size);
  }) as typeof Buffer.allocUnsafe;
  Buffer.alloc = ((size: number, ...rest: Parameters<typeof Buffer.alloc> extends [number, ...infer R] ? R : never) => {
    if (measuring) largestAllocation = Math.max(largestAllocation, size);
    return realAlloc(size, ...rest);
  }) as typeof Buffer.alloc;
});
afterEach(() => {
  Buffer.allocUnsafe = realAllocUnsafe;
  Buffer.alloc = realAlloc;
});

interface Outcome {
  frames: Frame[];
  error: unknown;
}

/**
 * Feeds `bytes` cut at `cuts` into a fresh decoder (sealed: with an opener
 * for KEY) and checks what must hold whatever the input: only a
 * SwitchyardError is thrown, no allocation exceeds one frame, and what stays
 * buffered never exceeds one incomplete frame.
 */
function decode(bytes: Uint8Array, cuts: number[], sealed: boolean): Outcome {
  const decoder = new FrameDecoder({ maxFrameBytes: LIMIT });
  const overhead = sealed ? SEAL_OVERHEAD : 0;
  if (sealed) decoder.useOpener(new FrameOpener(KEY));
  const frames: Frame[] = [];
  let error: unknown;
  let start = 0;
  largestAllocation = 0;
  measuring = true;
  try {
    for (const cut of [...cuts.map((c) => c % (bytes.length + 1)), bytes.length].sort((x, y) => x - y)) {
      decoder.feed(bytes.subarray(start, cut));
      start = cut;
      for (let frame = decoder.next(); frame; frame = decoder.next()) frames.push(frame);
      expect(decoder.bufferedBytes).toBeLessThan(FRAME_HEADER_BYTES + LIMIT + overhead);
    }
  } catch (caught) {
    error = caught;
  } finally {
    measuring = false;
  }
  if (error !== undefined && !(error instanceof SwitchyardError)) throw error;
  expect(largestAllocation).toBeLessThanOrEqual(LIMIT + overhead);
  return { frames, error };
}

const frameArb: fc.Arbitrary<Frame> = fc
  .record({
    t: fc.string({ maxLength: 12, unit: 'binary' }),
    seq: fc.nat(),
    data: fc.jsonValue({ maxDepth: 3 }),
    note: fc.string({ maxLength: 20, unit: 'binary' }),
  })
  .map((frame) => JSON.parse(JSON.stringify(frame)) as Frame) // what JSON can carry (-0 becomes 0, …)
  .filter((frame) => Buffer.byteLength(JSON.stringify(frame)) <= LIMIT);

const cutsArb = fc.array(fc.nat(), { maxLength: 8 });

/** One change to a byte stream: a bit flipped, bytes inserted or removed, the stream cut short. */
const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('length' as const), at: fc.nat(), value: fc.nat() }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function mutate(bytes: Buffer, m: Mutation): Buffer {
  const at = m.at % (bytes.length + 1);
  switch (m.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const out = Buffer.from(bytes);
      out[at % bytes.length] = out[at % bytes.length]! ^ (1 << m.bit);
      return out;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.count)]);
    case 'truncate':
      return bytes.subarray(0, at);
    case 'length': {
      // Overwrite a 4-byte window with an arbitrary length, as a frame header would be.
      if (bytes.length < 4) return bytes;
      const out = Buffer.from(bytes);
      out.writeUInt32BE(m.value >>> 0, at % (bytes.length - 3));
      return out;
    }
  }
}

const sealAll = (frames: Frame[]): Buffer => {
  const sealer = new FrameSealer(KEY);
  return Buffer.concat(frames.flatMap((f) => sealer.seal(encodeFrame(f, LIMIT))));
};

describe('HA-link frame decoder under fuzzing', () => {
  it('arbitrary bytes, however chunked: only SwitchyardError, bounded memory (plain and sealed)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), cutsArb, fc.boolean(), (bytes, cuts, sealed) => {
        decode(bytes, cuts, sealed);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('arbitrary bytes after a valid frame header: only SwitchyardError, bounded memory', () => {
    const headerArb = fc.integer({ min: 0, max: LIMIT + 64 }).map((n) => {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(n, 0);
      return header;
    });
    fc.assert(
      fc.property(headerArb, fc.uint8Array({ maxLength: LIMIT + 64 }), cutsArb, fc.boolean(), (header, body, cuts, sealed) => {
        decode(Buffer.concat([header, body]), cuts, sealed);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('decode(encode(frames)) = frames, plain and sealed, however chunked', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 6 }), cutsArb, fc.boolean(), (frames, cuts, sealed) => {
        const bytes = sealed ? sealAll(frames) : Buffer.concat(frames.map((f) => encodeFrame(f, LIMIT)));
        const outcome = decode(bytes, cuts, sealed);
        expect(outcome.error).toBeUndefined();
        expect(outcome.frames).toEqual(frames);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('mutated plain frames: only SwitchyardError, bounded memory', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 4 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), cutsArb, (frames, mutations, cuts) => {
        const bytes = mutations.reduce(mutate, Buffer.concat(frames.map((f) => encodeFrame(f, LIMIT))));
        decode(bytes, cuts, false);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it('mutated sealed frames: never a frame that was not sent, in order, before the first change', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 1, maxLength: 4 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), cutsArb, (frames, mutations, cuts) => {
        const bytes = mutations.reduce(mutate, sealAll(frames));
        const { frames: decoded } = decode(bytes, cuts, true);
        // Whatever was changed, what comes out is a prefix of what was sent.
        expect(decoded).toEqual(frames.slice(0, decoded.length));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);
});
