/**
 * Values of REGISTER header parameters: `expires` (RFC 3261 §10.2.1.1,
 * §20.19) and `q` (§20.10).
 */

const DELTA_SECONDS_RE = /^\d+$/;
const QVALUE_RE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * A delta-seconds value; `undefined` when absent or malformed (RFC 3261 says
 * to treat a malformed value like a missing one, i.e. use the default).
 */
export function parseDeltaSeconds(value: string | null | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  return DELTA_SECONDS_RE.test(text) ? Number(text) : undefined;
}

/** A `q` value (0 to 1, up to three decimals); `null` when malformed, `undefined` when absent. */
export function parseQValue(value: string | null | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || !QVALUE_RE.test(value)) return null;
  return Number(value);
}
