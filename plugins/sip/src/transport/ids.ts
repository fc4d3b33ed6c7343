import { randomBytes } from 'node:crypto';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 transactions start with this cookie. */
export const BRANCH_COOKIE = 'z9hG4bK';

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * `bytes` fresh random bytes as hex. One `randomBytes(4096)` serves 512
 * tags: a tag per response was a system call (and a Buffer) each. Every
 * byte is handed out once.
 */
function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const start = used;
  used += bytes;
  return pool.toString('hex', start, used);
}

/** A fresh Via branch (`z9hG4bK` + 64 random bits). */
export function newBranch(): string {
  return BRANCH_COOKIE + randomHex(8);
}

/** A fresh From/To tag (64 random bits, RFC 3261 §19.3 asks for at least 32). */
export function newTag(): string {
  return randomHex(8);
}

/** A fresh Call-ID, `<128 random bits>@<host>`. */
export function newCallId(host: string): string {
  return `${randomHex(16)}@${host.replace(/^\[|\]$/g, '')}`;
}
