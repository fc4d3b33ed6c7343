import { SwitchyardError, describeError, isSwitchyardError } from '../errors';

/** One HA-link frame: a JSON object whose `t` names its type. */
export interface Frame {
  readonly t: string;
  readonly [field: string]: unknown;
}

/** Bytes of the big-endian length prefix. */
export const FRAME_HEADER_BYTES = 4;
/** The largest length a 4-byte prefix can declare. */
const MAX_DECLARABLE = 0xffff_ffff;
const EMPTY = Buffer.alloc(0);

/**
 * Encodes a frame as a 4-byte big-endian length followed by UTF-8 JSON.
 * Throws `SWY_ERR_HALINK_FRAME_TOO_LARGE` when the payload exceeds
 * `maxFrameBytes` (the peer would drop the connection) and
 * `SWY_ERR_HALINK_FRAME_INVALID` when the value is not JSON-serialisable.
 */
export function encodeFrame(frame: Frame, maxFrameBytes: number = MAX_DECLARABLE): Buffer {
  let json: string | undefined;
  try {
    json = JSON.stringify(frame);
  } catch (cause) {
    throw new SwitchyardError(
      'SWY_ERR_HALINK_FRAME_INVALID',
      `HA-link frame "${String(frame?.t)}" cannot be encoded as JSON (${describeError(cause)}); send only JSON-serialisable values.`,
      { cause },
    );
  }
  if (json === undefined || typeof frame.t !== 'string') {
    throw new SwitchyardError('SWY_ERR_HALINK_FRAME_INVALID', 'An HA-link frame must be an object with a string "t" field.');
  }
  const length = Buffer.byteLength(json, 'utf8');
  const limit = Math.min(maxFrameBytes, MAX_DECLARABLE);
  if (length > limit) {
    throw new SwitchyardError(
      'SWY_ERR_HALINK_FRAME_TOO_LARGE',
      `HA-link frame "${frame.t}" is ${length} bytes, over the limit of ${limit} (haLink.maxFrameBytes); send smaller messages or raise the limit on both nodes.`,
      { details: { type: frame.t, bytes: length, maxFrameBytes: limit } },
    );
  }
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  out.writeUInt32BE(length, 0);
  out.write(json, FRAME_HEADER_BYTES, 'utf8');
  return out;
}

export interface FrameDecoderOptions {
  /** Largest payload accepted, in bytes; a larger declared length fails at once. */
  maxFrameBytes: number;
}

/**
 * Checks and unwraps each record once the link is authenticated (see
 * `FrameOpener`): `overhead` bytes are allowed on top of the payload limit;
 * `open` returns the JSON payload or throws a SwitchyardError.
 */
export interface RecordOpener {
  readonly overhead: number;
  open(record: Buffer): Buffer;
}

/**
 * Turns a TCP byte stream back into frames, whatever the chunking. The first
 * bad frame poisons the decoder: that call and every later one throw the
 * same `SwitchyardError` (the connection is to be dropped anyway). It never
 * holds more than one incomplete frame, and never allocates more than the
 * limit for one.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  // Chunks are kept apart and only joined once a whole frame is there, so a
  // large frame arriving in many small chunks is copied once, not per chunk.
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected: number | undefined;
  private failure: SwitchyardError | undefined;
  private opener: RecordOpener | undefined;

  constructor(options: FrameDecoderOptions) {
    this.maxFrameBytes = options.maxFrameBytes;
  }

  /** Bytes received but not yet part of a complete frame. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /** From the next frame on, every record must pass `opener` (the handshake is done). */
  useOpener(opener: RecordOpener): void {
    this.opener = opener;
  }

  /** Feeds one chunk; returns the frames it completed, in order. Throws only SwitchyardError. */
  push(chunk: Uint8Array): Frame[] {
    this.feed(chunk);
    const frames: Frame[] = [];
    for (let frame = this.next(); frame; frame = this.next()) frames.push(frame);
    return frames;
  }

  /** Buffers one chunk without decoding it; `next()` then takes the frames out one by one. */
  feed(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
    }
  }

  /**
   * The next complete frame, or undefined until more bytes arrive. One at a
   * time, so the caller can switch to an opener between two frames of one
   * chunk. Throws only SwitchyardError.
   */
  next(): Frame | undefined {
    if (this.failure) throw this.failure;
    if (this.expected === undefined) {
      if (this.buffered < FRAME_HEADER_BYTES) return undefined;
      const length = this.take(FRAME_HEADER_BYTES).readUInt32BE(0);
      const overhead = this.opener?.overhead ?? 0;
      if (length > this.maxFrameBytes + overhead) {
        this.fail(
          'SWY_ERR_HALINK_FRAME_TOO_LARGE',
          `The peer announced a frame of ${length} bytes, over haLink.maxFrameBytes (${this.maxFrameBytes}).`,
        );
      }
      this.expected = length;
    }
    if (this.buffered < this.expected) return undefined;
    const record = this.take(this.expected);
    this.expected = undefined;
    return this.parse(this.opener ? this.open(this.opener, record) : record);
  }

  private open(opener: RecordOpener, record: Buffer): Buffer {
    try {
      return opener.open(record);
    } catch (error) {
      this.poison(isSwitchyardError(error) ? error : new SwitchyardError('SWY_ERR_HALINK_AUTH', `a frame failed to open: ${describeError(error)}`, { cause: error }));
    }
  }

  private parse(body: Buffer): Frame {
    let value: unknown;
    try {
      value = JSON.parse(this.utf8.decode(body));
    } catch (cause) {
      this.fail('SWY_ERR_HALINK_FRAME_INVALID', `The peer sent a frame that is not UTF-8 JSON (${describeError(cause)}).`, cause);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { t?: unknown }).t !== 'string') {
      this.fail('SWY_ERR_HALINK_FRAME_INVALID', 'The peer sent a frame that is not a JSON object with a string "t" field.');
    }
    return value as Frame;
  }

  private fail(code: 'SWY_ERR_HALINK_FRAME_TOO_LARGE' | 'SWY_ERR_HALINK_FRAME_INVALID', message: string, cause?: unknown): never {
    this.poison(new SwitchyardError(code, message, { cause }));
  }

  private poison(failure: SwitchyardError): never {
    this.failure = failure;
    this.chunks = [];
    this.buffered = 0;
    throw failure;
  }

  /** Removes and returns the next `n` buffered bytes (caller checked they are there). */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    this.buffered -= n;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let offset = 0;
    while (offset < n) {
      const chunk = this.chunks[0]!;
      const need = n - offset;
      if (chunk.length <= need) {
        chunk.copy(out, offset);
        offset += chunk.length;
        this.chunks.shift();
      } else {
        chunk.copy(out, offset, 0, need);
        this.chunks[0] = chunk.subarray(need);
        offset = n;
      }
    }
    return out;
  }
}
