/** Content-Length (RFC 3261 §20.14), shared by the datagram parser and the stream framer. */
import { isDigits } from './charset';
import { trimLws } from './scan';

/** What the Content-Length lines of a head say. */
export type ContentLength =
  | { kind: 'absent' }
  | { kind: 'invalid'; reason: string }
  /** `length` is `Infinity` for values too long to represent; callers treat it as too large. */
  | { kind: 'value'; length: number };

function parseOne(value: string): number | undefined {
  const text = trimLws(value);
  if (!isDigits(text)) return undefined;
  let zeros = 0;
  while (zeros < text.length - 1 && text.charCodeAt(zeros) === 0x30) zeros++;
  const digits = zeros === 0 ? text : text.slice(zeros);
  return digits.length > 15 ? Number.POSITIVE_INFINITY : Number(digits);
}

/** Evaluates every Content-Length value of a head; repeated lines must agree. */
export function contentLengthOf(values: readonly string[]): ContentLength {
  if (values.length === 0) return { kind: 'absent' };
  let length: number | undefined;
  for (const value of values) {
    const parsed = parseOne(value);
    if (parsed === undefined) return { kind: 'invalid', reason: `Content-Length ${JSON.stringify(value)} is not a number of bytes` };
    if (length !== undefined && parsed !== length) return { kind: 'invalid', reason: 'the message has Content-Length lines that disagree' };
    length = parsed;
  }
  return { kind: 'value', length: length as number };
}
