import crypto from 'node:crypto';
import type { Clock } from '@switchyard/sdk';

/** What a received nonce is worth. */
export type NonceVerdict =
  /** Signed by our key, not expired: `issuedAt` is when (clock ms). */
  | { kind: 'valid'; issuedAt: number }
  /** Signed by our key but older than the lifetime: challenge again with `stale=true`. */
  | { kind: 'stale'; issuedAt: number }
  /** Not ours: wrong signature, wrong length, another realm, or from the future. */
  | { kind: 'foreign' };

const TIME_BYTES = 8;
const RANDOM_BYTES = 12;
const MAC_BYTES = 16;
const NONCE_BYTES = TIME_BYTES + RANDOM_BYTES + MAC_BYTES;
/** How far ahead of our clock a nonce's time may be (the other node's clock may run a little ahead). */
export const NONCE_FUTURE_SKEW_MS = 5_000;

/**
 * Stateless nonces: `base64url(issuedAt ‖ random ‖ HMAC-SHA-256(key, realm ‖ issuedAt ‖ random)[0..16])`.
 * Nothing is stored per nonce to issue or verify one, so a flood of
 * unauthenticated requests costs no memory, and a node sharing the key (the
 * other node of the pair, with the same `secret`) verifies nonces it never
 * issued.
 */
export class NonceSigner {
  private readonly key: Buffer;

  constructor(
    private readonly clock: Clock,
    secret: string | Buffer,
    private readonly realm: string,
    /** Lifetime in ms. */
    private readonly lifetimeMs: number,
  ) {
    // The key is derived, so the configured secret is never used raw by two mechanisms.
    this.key = crypto.createHmac('sha256', secret).update('switchyard sip-digest-auth nonce key v1').digest();
  }

  issue(): string {
    const nonce = Buffer.alloc(NONCE_BYTES);
    nonce.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.clock.now()))), 0);
    crypto.randomFillSync(nonce, TIME_BYTES, RANDOM_BYTES);
    this.mac(nonce).copy(nonce, TIME_BYTES + RANDOM_BYTES, 0, MAC_BYTES);
    return nonce.toString('base64url');
  }

  verify(nonce: string): NonceVerdict {
    if (nonce.length !== Math.ceil((NONCE_BYTES * 4) / 3) || !/^[A-Za-z0-9_-]+$/.test(nonce)) return { kind: 'foreign' };
    const bytes = Buffer.from(nonce, 'base64url');
    if (bytes.length !== NONCE_BYTES) return { kind: 'foreign' };
    const mac = this.mac(bytes).subarray(0, MAC_BYTES);
    if (!crypto.timingSafeEqual(mac, bytes.subarray(TIME_BYTES + RANDOM_BYTES))) return { kind: 'foreign' };
    const issuedAt = Number(bytes.readBigUInt64BE(0));
    const now = this.clock.now();
    if (issuedAt > now + NONCE_FUTURE_SKEW_MS) return { kind: 'foreign' };
    return now - issuedAt > this.lifetimeMs ? { kind: 'stale', issuedAt } : { kind: 'valid', issuedAt };
  }

  private mac(nonce: Buffer): Buffer {
    return crypto
      .createHmac('sha256', this.key)
      .update(this.realm, 'utf8')
      .update(nonce.subarray(0, TIME_BYTES + RANDOM_BYTES))
      .digest();
  }
}
