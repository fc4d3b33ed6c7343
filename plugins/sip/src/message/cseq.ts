/** CSeq (RFC 3261 §20.16) and Call-ID (§20.8) values. */
import { DIGITS, TOKEN_CHARS, allIn, charClass } from './charset';
import { trimLws } from './scan';
import type { CSeq } from './types';

/** `word` (RFC 3261 §25.1), the halves of a Call-ID. */
const WORD_CHARS = charClass('-.!%*_+`\'~()<>:\\"/[]?{}');

/** Largest CSeq number RFC 3261 §8.1.1.5 allows (less than 2**31). */
export const MAX_CSEQ = 2 ** 31 - 1;

/**
 * Parses `1*DIGIT LWS Method`. Undefined when malformed or when the number
 * is 2**31 or more (RFC 4475 scalar02/scalarlg).
 */
export function parseCSeq(text: string): CSeq | undefined {
  const source = trimLws(text);
  let digits = 0;
  while (digits < source.length && DIGITS[source.charCodeAt(digits)] === 1) digits++;
  if (digits === 0 || digits > 10) return undefined;
  let method = digits;
  while (method < source.length && (source.charCodeAt(method) === 0x20 || source.charCodeAt(method) === 0x09)) method++;
  if (method === digits || !allIn(source, TOKEN_CHARS, method)) return undefined;
  const seq = Number(source.slice(0, digits));
  return seq > MAX_CSEQ ? undefined : { seq, method: source.slice(method) };
}

/** True when `text` is a Call-ID (`word ["@" word]`, no whitespace). */
export function isCallId(text: string): boolean {
  const source = trimLws(text);
  const at = source.indexOf('@');
  if (at < 0) return allIn(source, WORD_CHARS);
  return allIn(source, WORD_CHARS, 0, at) && allIn(source, WORD_CHARS, at + 1);
}
