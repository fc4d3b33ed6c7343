import { randomBytes } from 'node:crypto';

/** RFC 3261 §8.1.1.7: branches of RFC 3261 transactions start with this cookie. */
export const BRANCH_COOKIE = 'z9hG4bK';

/** A fresh Via branch (`z9hG4bK` + 64 random bits). */
export function newBranch(): string {
  return BRANCH_COOKIE + randomBytes(8).toString('hex');
}

/** A fresh From/To tag (64 random bits, RFC 3261 §19.3 asks for at least 32). */
export function newTag(): string {
  return randomBytes(8).toString('hex');
}

/** A fresh Call-ID, `<128 random bits>@<host>`. */
export function newCallId(host: string): string {
  return `${randomBytes(16).toString('hex')}@${host.replace(/^\[|\]$/g, '')}`;
}
