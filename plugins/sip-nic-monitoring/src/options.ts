import { canonicalAddress, isUnspecified } from '@switchyard/sdk/network';
import { z } from 'zod';

/** Bounds of `checkInterval`, seconds. */
export const MIN_CHECK_INTERVAL = 0.1;
export const MAX_CHECK_INTERVAL = 60;

/** `plugins.sip-nic-monitoring` options (classic `sip-nic-monitoring: true`). */
export const sipNicOptionsSchema = z.strictObject({
  /** Seconds between two safety-net re-reads of the interfaces (the change feed reacts at once). */
  checkInterval: z
    .number({ error: 'checkInterval must be a number of seconds' })
    .min(MIN_CHECK_INTERVAL, `checkInterval must be at least ${MIN_CHECK_INTERVAL} seconds`)
    .max(MAX_CHECK_INTERVAL, `checkInterval must be at most ${MAX_CHECK_INTERVAL} seconds`)
    .default(1),
});

export type SipNicOptions = z.output<typeof sipNicOptionsSchema>;

/** `nodes[].sipNic`: this node's SIP NIC, when it is not the one of the SIP listener's address. */
export const sipNicNodeSchema = z.strictObject({
  /**
   * Classic option `sip-nic-address`: the address the SIP NIC carries (IPv4
   * or IPv6 literal). Default: the SIP listener's address (`nodes[].sip.host`,
   * itself defaulting to `nodes[].host`).
   */
  address: z
    .string({ error: 'address must be an IPv4 or IPv6 address such as "198.51.100.1"' })
    .refine((a) => canonicalAddress(a) !== undefined && !isUnspecified(a), {
      message: 'address must be an IPv4 or IPv6 literal such as "198.51.100.1" (not a host name, not 0.0.0.0 or ::)',
    }),
});

export type SipNicNodeOptions = z.output<typeof sipNicNodeSchema>;
