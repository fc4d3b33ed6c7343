/** Longest piece of client text copied into a log event. */
export const MAX_PEER_TEXT = 64;

/**
 * Client-supplied text (a digest user name) made safe for logs, consoles and
 * script environments: control characters, quotes, backslashes and anything
 * outside printable ASCII escaped as `\xNN` / `\u{…}`, cut at
 * {@link MAX_PEER_TEXT} characters with `…`.
 */
export function peerText(text: string): string {
  let out = '';
  for (const ch of text) {
    if (out.length >= MAX_PEER_TEXT) return `${out}…`;
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f && ch !== '\\' && ch !== '"') out += ch;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += `\\u{${code.toString(16)}}`;
  }
  return out;
}
