/** In the effective timeout an `oosForce` (oos-force) below this many seconds counts as this many. */
export const MIN_OOS_FORCE = 5;

/**
 * The effective out-of-service timeout, in seconds: the longest
 * `oosCheck + max(oosForce, 5)` over the devices (the classic rule: "if
 * oos-force is less than 5, 5 is used"). `null` for an empty list: with no
 * device there is nothing to judge by.
 *
 * ```ts
 * effectiveTimeout([{ oosCheck: 10, oosForce: 2 }]); // 15
 * effectiveTimeout([{ oosCheck: 10, oosForce: 2 }, { oosCheck: 3, oosForce: 20 }]); // 23
 * ```
 */
export function effectiveTimeout(devices: readonly { oosCheck: number; oosForce: number }[]): number | null {
  let timeout: number | null = null;
  for (const device of devices) {
    const own = device.oosCheck + Math.max(device.oosForce, MIN_OOS_FORCE);
    if (timeout === null || own > timeout) timeout = own;
  }
  return timeout;
}
