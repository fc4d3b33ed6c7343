/**
 * Character classes of RFC 3261 §25.1 as 128-entry tables, so the
 * per-message checks are one scan each instead of a regular expression.
 */

/** A class: `table[code]` is 1 for an ASCII code in it. */
export type CharClass = Uint8Array;

/** The class of the characters of `chars`, plus A–Z, a–z and 0–9 when `alphanumeric`. */
export function charClass(chars: string, alphanumeric = true): CharClass {
  const table = new Uint8Array(128);
  if (alphanumeric) for (const range of ['AZ', 'az', '09']) for (let c = range.charCodeAt(0); c <= range.charCodeAt(1); c++) table[c] = 1;
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

/** `token` (RFC 3261 §25.1). */
export const TOKEN_CHARS = charClass("-.!%*_+`'~");
/** DIGIT. */
export const DIGITS = charClass('0123456789', false);
const HEX = charClass('abcdefABCDEF0123456789', false);

/** True when every character of `text[start, end)` is in `set`, and there is at least one. */
export function allIn(text: string, set: CharClass, start = 0, end = text.length): boolean {
  if (end <= start) return false;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || set[code] !== 1) return false;
  }
  return true;
}

/**
 * True when `text` is made of characters of `set` and `%XX` escapes;
 * `allowEmpty` accepts `''`.
 */
export function allInEscaped(text: string, set: CharClass, allowEmpty = false): boolean {
  if (text.length === 0) return allowEmpty;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25) {
      const h1 = text.charCodeAt(i + 1);
      const h2 = text.charCodeAt(i + 2);
      if (!(h1 < 128 && HEX[h1] === 1 && h2 < 128 && HEX[h2] === 1)) return false;
      i += 2;
    } else if (code >= 128 || set[code] !== 1) {
      return false;
    }
  }
  return true;
}

/** True when `text` is one to `max` DIGITs. */
export function isDigits(text: string, max = Number.POSITIVE_INFINITY): boolean {
  return text.length <= max && allIn(text, DIGITS);
}
