/** CSeq (RFC 3261 §20.16) and Call-ID (§20.8) values. */
import { trimLws } from './scan';
import type { CSeq } from './types';

const TOKEN = "[A-Za-z0-9\\-.!%*_+`'~]+";
const CSEQ_RE = new RegExp(`^(\\d{1,10})[ \\t]+(${TOKEN})$`);
/** Call-ID = word [ "@" word ]. */
const WORD = '[A-Za-z0-9\\-.!%*_+`\'~()<>:\\\\"/[\\]?{}]+';
const CALL_ID_RE = new RegExp(`^${WORD}(?:@${WORD})?$`);

/** Largest CSeq number RFC 3261 §8.1.1.5 allows (less than 2**31). */
export const MAX_CSEQ = 2 ** 31 - 1;

/**
 * Parses `1*DIGIT LWS Method`. Undefined when malformed or when the number
 * is 2**31 or more (RFC 4475 scalar02/scalarlg).
 */
export function parseCSeq(text: string): CSeq | undefined {
  const match = CSEQ_RE.exec(trimLws(text));
  if (match === null) return undefined;
  const seq = Number(match[1]);
  return seq > MAX_CSEQ ? undefined : { seq, method: match[2] };
}

/** True when `text` is a Call-ID (`word ["@" word]`, no whitespace). */
export function isCallId(text: string): boolean {
  return CALL_ID_RE.test(trimLws(text));
}
