import { DEFAULT_PARSE_LIMITS, type ParseLimits } from './types';

/** Limits objects already resolved (a listener passes the same one with every message). */
const resolvedLimits = new WeakMap<Partial<ParseLimits>, { source: Partial<ParseLimits>; limits: ParseLimits }>();

/** Merges caller limits over the defaults; missing or non-positive values fall back to the default. */
export function resolveParseLimits(limits: Partial<ParseLimits> | undefined): ParseLimits {
  if (limits === undefined) return DEFAULT_PARSE_LIMITS;
  // Keyed by the caller's object and valid while its values stay the ones resolved.
  const cached = resolvedLimits.get(limits);
  if (cached !== undefined && sameLimits(limits, cached.source)) return cached.limits;
  const resolved = mergeLimits(limits);
  resolvedLimits.set(limits, { source: { ...limits }, limits: resolved });
  return resolved;
}

function sameLimits(a: Partial<ParseLimits>, b: Partial<ParseLimits>): boolean {
  return a.maxMessageBytes === b.maxMessageBytes && a.maxHeaders === b.maxHeaders && a.maxHeaderLineBytes === b.maxHeaderLineBytes;
}

function mergeLimits(limits: Partial<ParseLimits>): ParseLimits {
  const pick = (key: keyof ParseLimits): number => {
    const value = limits[key];
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : DEFAULT_PARSE_LIMITS[key];
  };
  return {
    maxMessageBytes: pick('maxMessageBytes'),
    maxHeaders: pick('maxHeaders'),
    maxHeaderLineBytes: pick('maxHeaderLineBytes'),
  };
}
