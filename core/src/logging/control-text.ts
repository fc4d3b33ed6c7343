/**
 * Control characters a terminal or a log reader would act on: C0 (NUL, ESC,
 * CR, LF, BEL, …), DEL, C1 (U+0080–U+009F, among them the 8-bit CSI), the
 * Unicode line and paragraph separators and the bidirectional overrides
 * and isolates (which reorder what a reader sees).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text that came from outside (a peer's node id, an event's fields) made
 * safe to print on one line of a terminal or a log: every control
 * character becomes a visible escape (`\x1b`, `\x00`, `\n`, `\u202e`), so
 * it can neither move the cursor, recolour or retitle the terminal, nor
 * forge a second line. Printable text is unchanged; a tab is escaped
 * too (a column it shifts is a forged column).
 */
export function escapeControlText(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A record's fields with every string (also inside arrays and objects, to
 * a small depth) passed through {@link escapeControlText}, for every log
 * line: JSON escapes C0 characters but prints DEL, C1 (an 8-bit CSI) and
 * the bidi overrides as they are, and the readable lines escape nothing.
 */
export function escapeFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[escapeControlText(key)] = escapeValue(value, 3);
  return out;
}

function escapeValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return escapeControlText(value);
  if (depth === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => escapeValue(v, depth - 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[escapeControlText(k)] = escapeValue(v, depth - 1);
  return out;
}
