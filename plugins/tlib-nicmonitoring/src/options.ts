import { z } from 'zod';

/** Bounds of `checkInterval`, seconds: fast enough to matter, slow enough not to load the host. */
export const MIN_CHECK_INTERVAL = 0.1;
export const MAX_CHECK_INTERVAL = 60;

/** `checkInterval`: seconds between two safety-net re-reads of the interfaces (the change feed reacts at once). */
export const checkIntervalSchema = z
  .number({ error: 'checkInterval must be a number of seconds' })
  .min(MIN_CHECK_INTERVAL, `checkInterval must be at least ${MIN_CHECK_INTERVAL} seconds`)
  .max(MAX_CHECK_INTERVAL, `checkInterval must be at most ${MAX_CHECK_INTERVAL} seconds`)
  .default(1);

/** `plugins.tlib-nicmonitoring` options (classic `tlib-nicmonitoring: true`). */
export const tlibNicOptionsSchema = z.strictObject({
  checkInterval: checkIntervalSchema,
});

export type TlibNicOptions = z.output<typeof tlibNicOptionsSchema>;
