/**
 * Header parameters (`*( SEMI generic-param )`, RFC 3261 §25.1) as used after
 * a name-addr and in Via. Values are kept as written (quoted strings keep
 * their quotes) so formatting gives the same text back.
 */
import { isIPv6 } from 'node:net';
import { isIPv6Reference } from './host';
import { isQuotedString, isToken, setOwn, splitOutside, trimLws } from './scan';

/** gen-value = token / host / quoted-string; Via `received` may carry a bare IPv6 address. */
function isGenValue(value: string): boolean {
  return isToken(value) || isQuotedString(value) || isIPv6Reference(value) || isIPv6(value);
}

/**
 * Parses `;name=value;flag…` (SP/HT allowed around `;` and `=`). Names are
 * lower-cased; a flag has value `null`. Undefined when a parameter is empty,
 * malformed, or repeated. `''` gives `{}`.
 */
export function parseHeaderParams(text: string): Record<string, string | null> | undefined {
  const params: Record<string, string | null> = {};
  const source = trimLws(text);
  if (source === '') return params;
  if (!source.startsWith(';')) return undefined;
  for (const part of splitOutside(source.slice(1), ';')) {
    const piece = trimLws(part);
    const eq = piece.indexOf('=');
    const name = trimLws(eq < 0 ? piece : piece.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? null : trimLws(piece.slice(eq + 1));
    if (!isToken(name) || (value !== null && !isGenValue(value))) return undefined;
    if (Object.hasOwn(params, name)) return undefined;
    setOwn(params, name, value);
  }
  return params;
}

/** `;name=value` / `;flag` for each parameter, in insertion order. */
export function formatHeaderParams(params: Record<string, string | null>): string {
  return Object.entries(params)
    .map(([name, value]) => (value === null ? `;${name}` : `;${name}=${value}`))
    .join('');
}
