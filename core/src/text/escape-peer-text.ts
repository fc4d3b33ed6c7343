/**
 * Text that came from a peer or a client (a node id sent before
 * authentication, a reason in a `deny` frame, a SIP header) must not be able
 * to forge log lines, drive a terminal or cut a script's environment short.
 */

/** Characters kept from the input by default; a longer text is cut with a note of how much was dropped. */
export const PEER_TEXT_MAX_LENGTH = 256;

// C0 and C1 controls with DEL (newlines, NUL, ESC of terminal sequences),
// invisible or direction-changing format characters (soft hyphen,
// zero-width, bidi embeddings and isolates, line/paragraph separators, BOM,
// interlinear annotations) and lone surrogates (not encodable as UTF-8). The
// escapes are those the log sink writes (logging/control-text.ts), so text
// escaped here and there reads the same.
// eslint-disable-next-line no-control-regex
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return '[unprintable]';
  }
}

/**
 * Makes peer- or client-supplied text safe for a log line, a console or an
 * environment variable: control characters (newline, NUL, ESC …), invisible
 * and bidi format characters and lone surrogates become visible escapes
 * (`\n`, `\x00`, `\x1b`, `\u202e`); ordinary text, accents and emoji
 * included, is unchanged. At most `maxLength` characters of the
 * input are kept, followed by `…[+N chars]`. Never throws.
 *
 * @example escapePeerText('node-a\n\x1b[2J') === 'node-a\\n\\x1b[2J'
 */
export function escapePeerText(value: unknown, maxLength: number = PEER_TEXT_MAX_LENGTH): string {
  let text = asText(value);
  let note = '';
  if (text.length > maxLength) {
    let cut = Math.max(0, Math.floor(maxLength));
    // Keep a surrogate pair whole rather than leave half of it.
    if (cut > 0 && /[\ud800-\udbff]/.test(text[cut - 1]!) && /[\udc00-\udfff]/.test(text[cut] ?? '')) cut--;
    note = `…[+${text.length - cut} chars]`;
    text = text.slice(0, cut);
  }
  return text.replace(UNSAFE, escapeOne) + note;
}
