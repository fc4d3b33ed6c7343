import { escapePeerText } from '../text/escape-peer-text';

/**
 * Text that came from outside (a peer's node id, an event's fields) made
 * safe to print on one line of a terminal or a log, whatever its length:
 * {@link escapePeerText} without its length cap, so the log sink, the
 * console and the HA link escape the same characters the same way
 * (`\x1b`, `\x00`, `\n`, `\u202e`). Nothing can then move the cursor,
 * recolour or retitle the terminal, or forge a second line.
 */
export function escapeControlText(text: string): string {
  return escapePeerText(text, Number.POSITIVE_INFINITY);
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
  // Only plain objects are rebuilt: a Date, an Error or a Buffer keeps its own JSON form.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[escapeControlText(k)] = escapeValue(v, depth - 1);
  return out;
}
