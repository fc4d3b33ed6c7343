/**
 * `text` made safe for a log line or a status field: control characters
 * (newlines, escape sequences) written as `\n`, `\x1b`, …, and cut to
 * `max` characters. Script output and role-change reasons (which may quote
 * the peer) pass through it before they are logged.
 */
export function printable(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return escaped.length > max ? `${escaped.slice(0, max)}… [${escaped.length - max} more]` : escaped;
}
