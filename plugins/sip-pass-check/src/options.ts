import { parseUri, type SipTransport } from '@switchyard/plugin-sip';
import { z } from 'zod';

/** Port a probe goes to when the device URI names none (RFC 3261 §19.1.2). */
export const DEFAULT_SIP_PORT = 5060;
/** Upper bound of `oosCheck` and `oosForce`: one day keeps every timer (even 4 × the timeout) within Node's range. */
export const MAX_OOS_SECONDS = 86_400;

/** Where the probes of one device go, read from its URI. */
export interface ProbeTarget {
  /** Host without IPv6 brackets, as a socket wants it. */
  host: string;
  port: number;
  transport: SipTransport;
}

/**
 * Reads the probe target of a service device's URI: `sip:[user@]host[:port]`
 * with an optional `;transport=udp|tcp`. Undefined when the URI is not one
 * the SIP plugin can probe (not `sip:`, no host, port 0, another transport).
 */
export function probeTarget(uri: string): ProbeTarget | undefined {
  const parsed = parseUri(uri);
  if (!parsed || parsed.scheme !== 'sip' || parsed.host === '') return undefined;
  if (parsed.port === 0) return undefined;
  const transport = (parsed.params['transport'] ?? 'udp').toLowerCase();
  if (transport !== 'udp' && transport !== 'tcp') return undefined;
  const host = parsed.host.startsWith('[') ? parsed.host.slice(1, -1) : parsed.host;
  return { host, port: parsed.port ?? DEFAULT_SIP_PORT, transport };
}

const seconds = (what: string) =>
  z
    .number({ error: `${what} must be a number of seconds` })
    .positive(`${what} must be greater than 0 seconds`)
    .max(MAX_OOS_SECONDS, `${what} must be at most ${MAX_OOS_SECONDS} seconds (one day)`);

/** One service device (DN) under Active Out-Of-Service detection. */
export const serviceDeviceSchema = z.strictObject({
  /**
   * The device, as a `sip:` URI with host and optional port (default 5060)
   * and `;transport=udp|tcp` (default udp): the Request-URI and the target
   * of the OPTIONS probes, e.g. `sip:gw1@10.0.0.5:5060`.
   */
  uri: z.string({ error: 'uri must be a string such as "sip:gw1@10.0.0.5:5060"' }).refine((uri) => probeTarget(uri) !== undefined, {
    message: 'uri must be a sip: URI with a host and an optional port, e.g. "sip:gw1@10.0.0.5:5060" (transport udp or tcp)',
  }),
  /** Classic option `oos-check`: seconds between two SIP OPTIONS probes of the device (fractions allowed). */
  oosCheck: seconds('oosCheck (oos-check)'),
  /**
   * Classic option `oos-force`: seconds to wait for an answer to a probe
   * before the device is out of service. In the effective timeout a value
   * below 5 counts as 5.
   */
  oosForce: seconds('oosForce (oos-force)'),
});

export type ServiceDevice = z.output<typeof serviceDeviceSchema>;

/**
 * `plugins.sip-pass-check` options (classic `sip-pass-check: true`). Enabling
 * the plugin enables SIP traffic monitoring; the devices give it something to
 * judge by. Durations are seconds.
 */
export const passCheckOptionsSchema = z
  .strictObject({
    /**
     * Service devices (DNs) with Active Out-Of-Service detection. Empty: the
     * plugin logs that it has nothing to judge by and never reports the node
     * unavailable.
     */
    serviceDevices: z.array(serviceDeviceSchema).default([]),
  })
  .superRefine((options, ctx) => {
    const first = new Map<string, number>();
    options.serviceDevices.forEach((device, index) => {
      const seen = first.get(device.uri);
      if (seen === undefined) first.set(device.uri, index);
      else {
        ctx.addIssue({
          code: 'custom',
          path: ['serviceDevices', index, 'uri'],
          message: `uri "${device.uri}" is already serviceDevices[${seen}]; list each device once`,
        });
      }
    });
  });

export type PassCheckOptions = z.output<typeof passCheckOptionsSchema>;
