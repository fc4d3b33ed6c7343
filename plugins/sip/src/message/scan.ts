/**
 * Low-level scanning shared by the header parsers: tokens, LWS trimming and
 * a splitter that never cuts inside a quoted string or a `<...>` URI.
 */

import { TOKEN_CHARS, allIn } from './charset';

/** True when `text` is a non-empty RFC 3261 token. */
export function isToken(text: string): boolean {
  return allIn(text, TOKEN_CHARS);
}

function isWsp(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Trims SP and HT only. `String.prototype.trim` would also remove U+FEFF and
 * NBSP, which are data in a SIP header value (RFC 4475 intmeth).
 */
export function trimLws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWsp(text.charCodeAt(start))) start++;
  while (end > start && isWsp(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/**
 * Index of the DQUOTE closing the quoted string that opens at `open`
 * (quoted-pairs honoured), or -1 when the string is unterminated.
 */
export function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c) i++;
    else if (code === 0x22) return i;
  }
  return -1;
}

/** True when `text` is exactly one quoted-string. */
export function isQuotedString(text: string): boolean {
  return text.length >= 2 && text.charCodeAt(0) === 0x22 && closingQuote(text, 0) === text.length - 1;
}

/** Content of a quoted-string without its quotes, quoted-pairs resolved. */
export function unquote(text: string): string {
  return text.slice(1, -1).replace(/\\([\s\S])/g, '$1');
}

/** Wraps `text` in DQUOTEs, escaping `"` and `\`. */
export function quote(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Splits `text` at every `separator` that is outside quoted strings and
 * outside `<...>`. Pieces are returned untrimmed. An unterminated quote or
 * bracket swallows the rest of the text into the last piece.
 */
export function splitOutside(text: string, separator: ',' | ';'): string[] {
  const parts: string[] = [];
  let start = 0;
  let inAngle = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inAngle) {
      if (ch === '>') inAngle = false;
    } else if (ch === '"') {
      const end = closingQuote(text, i);
      if (end < 0) break;
      i = end;
    } else if (ch === '<') {
      inAngle = true;
    } else if (ch === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * Sets an own enumerable property even for `__proto__`, which a plain
 * assignment would treat as the prototype (names come off the wire). Other
 * keys are plain assignments: `defineProperty` on every parameter turned
 * each parsed object into a slow dictionary.
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}
