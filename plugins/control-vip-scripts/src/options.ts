import { z } from 'zod';

/**
 * `plugins: { 'control-vip-scripts': {} }` (or `true`). The rule has no
 * knobs: it acts only while the arbiter is unreachable and both nodes are
 * primary, and it only ever demotes.
 */
export const controlVipOptionsSchema = z.strictObject({});

export type ControlVipOptions = z.output<typeof controlVipOptionsSchema>;
