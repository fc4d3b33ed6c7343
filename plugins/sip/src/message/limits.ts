import { DEFAULT_PARSE_LIMITS, type ParseLimits } from './types';

/** Merges caller limits over the defaults; missing or non-positive values fall back to the default. */
export function resolveParseLimits(limits: Partial<ParseLimits> | undefined): ParseLimits {
  const pick = (key: keyof ParseLimits): number => {
    const value = limits?.[key];
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : DEFAULT_PARSE_LIMITS[key];
  };
  return {
    maxMessageBytes: pick('maxMessageBytes'),
    maxHeaders: pick('maxHeaders'),
    maxHeaderLineBytes: pick('maxHeaderLineBytes'),
  };
}
