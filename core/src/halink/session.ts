import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { SwitchyardError } from '../errors';
import { FRAME_HEADER_BYTES, type RecordOpener } from './frame';

/**
 * After the handshake every frame is sealed: a sequence number and an
 * HMAC-SHA256 tag under a per-connection, per-direction key. A frame that
 * was injected, altered, replayed, reordered or dropped on the path fails to
 * open, and the connection is closed.
 *
 *   [u32 length][u64 seq][JSON payload][32-byte tag]
 *   tag = HMAC(key, length ‖ seq ‖ payload); seq = 1, 2, 3, … per direction
 *
 * The key is HKDF-SHA256 of the shared secret, salted with both handshake
 * nonces (fresh per connection) and labelled with the direction, cluster and
 * both node ids, so a frame of another connection or of the other direction
 * never opens here.
 */

const SEQ_BYTES = 8;
const TAG_BYTES = 32;
/** Bytes a sealed frame adds to its payload. */
export const SEAL_OVERHEAD = SEQ_BYTES + TAG_BYTES;
const KEY_BYTES = 32;
const KEY_LABEL = 'switchyard ha-link frame key v1';

/** What both sides agreed on in the handshake. */
export interface SessionTranscript {
  cluster: string;
  serverId: string;
  serverNonce: string;
  clientId: string;
  clientNonce: string;
}

export interface SessionKeys {
  /** Seals what this side sends. */
  send: Buffer;
  /** Opens what the other side sends. */
  receive: Buffer;
}

function directionKey(secret: string, t: SessionTranscript, direction: 'client->server' | 'server->client'): Buffer {
  const salt = Buffer.concat([Buffer.from(t.serverNonce, 'hex'), Buffer.from(t.clientNonce, 'hex')]);
  const info = JSON.stringify([KEY_LABEL, direction, t.cluster, t.serverId, t.clientId]);
  return Buffer.from(hkdfSync('sha256', secret, salt, info, KEY_BYTES));
}

/** The two frame keys of one connection, seen from `side`. */
export function deriveSessionKeys(secret: string, transcript: SessionTranscript, side: 'client' | 'server'): SessionKeys {
  const up = directionKey(secret, transcript, 'client->server');
  const down = directionKey(secret, transcript, 'server->client');
  return side === 'client' ? { send: up, receive: down } : { send: down, receive: up };
}

function writeSeq(target: Buffer, seq: number, offset: number): void {
  target.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), offset);
  target.writeUInt32BE(seq >>> 0, offset + 4);
}

function readSeq(source: Buffer, offset: number): number {
  return source.readUInt32BE(offset) * 0x1_0000_0000 + source.readUInt32BE(offset + 4);
}

/** Seals the frames one side sends, numbering them 1, 2, 3, … */
export class FrameSealer {
  private seq = 0;

  constructor(private readonly key: Buffer) {}

  /**
   * The sealed form of an encoded frame (4-byte length + JSON, as
   * `encodeFrame` returns it), as pieces to write in order; the payload is
   * not copied.
   */
  seal(encoded: Buffer): Buffer[] {
    const payload = encoded.subarray(FRAME_HEADER_BYTES);
    const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES + SEQ_BYTES);
    head.writeUInt32BE(SEQ_BYTES + payload.length + TAG_BYTES, 0);
    writeSeq(head, ++this.seq, FRAME_HEADER_BYTES);
    const tag = createHmac('sha256', this.key).update(head).update(payload).digest();
    return [head, payload, tag];
  }
}

function frameAuthError(reason: string): SwitchyardError {
  return new SwitchyardError('SWY_ERR_HALINK_AUTH', reason);
}

/**
 * Opens the other side's sealed frames: the tag must match and the sequence
 * number must be exactly the next one. Throws `SWY_ERR_HALINK_AUTH`.
 */
export class FrameOpener implements RecordOpener {
  readonly overhead = SEAL_OVERHEAD;
  private expected = 1;

  constructor(private readonly key: Buffer) {}

  open(record: Buffer): Buffer {
    if (record.length < SEAL_OVERHEAD) {
      throw frameAuthError(`a frame of ${record.length} bytes is too short to carry a sequence number and a MAC (injected, or the peer runs an older version)`);
    }
    const tagAt = record.length - TAG_BYTES;
    const length = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
    length.writeUInt32BE(record.length, 0);
    const expectedTag = createHmac('sha256', this.key).update(length).update(record.subarray(0, tagAt)).digest();
    if (!timingSafeEqual(expectedTag, record.subarray(tagAt))) {
      throw frameAuthError(`frame #${this.expected} has a wrong MAC: it was altered or injected on the path (or the peer runs an older version)`);
    }
    const seq = readSeq(record, 0);
    if (seq !== this.expected) {
      throw frameAuthError(`frame #${seq} arrived where #${this.expected} was due: a replayed, reordered or dropped frame`);
    }
    this.expected++;
    return record.subarray(SEQ_BYTES, tagAt);
  }
}
