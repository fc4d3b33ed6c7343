import { scriptSafetyProblem } from '@switchyard/sdk';
import { z } from 'zod';
import { parseVip } from './vip-address';

/** Bounds of `checkInterval`, seconds. */
export const MIN_CHECK_INTERVAL = 0.1;
export const MAX_CHECK_INTERVAL = 60;
/** Bounds of `attempts`. */
export const MAX_ATTEMPTS = 100;

/** Interface names as Linux allows them: 1–15 characters, no slash, colon or white space. */
const INTERFACE_NAME = /^[^/:\s]{1,15}$/;

const scriptArgv = (which: 'add' | 'remove') =>
  z
    .array(z.string({ error: `scripts.${which} items must be strings (the command, then its arguments)` }), {
      error: `scripts.${which} must be a list: the command's absolute path, then its arguments, e.g. ["/usr/local/sbin/vip-${which}", "--vip", "198.51.100.100/24"]`,
    })
    .min(1, `scripts.${which} must name at least the command (its absolute path)`);

/** `plugins.sip-iptakeover-monitoring` options. */
export const vipOptionsSchema = z
  .strictObject({
    /** The virtual IP with its prefix length (classically configured in the Virtual IP control scripts). */
    vip: z
      .string({ error: 'vip must be the virtual IP with its prefix length, e.g. "198.51.100.100/24"' })
      .superRefine((text, ctx) => {
        const parsed = parseVip(text);
        if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `vip: ${parsed}` });
      }),
    /** The interface the VIP goes on. Default: the one carrying the node's SIP address. */
    interface: z
      .string({ error: 'interface must be an interface name such as "sip0"' })
      .regex(INTERFACE_NAME, 'interface must be an interface name such as "sip0" (1 to 15 characters, no "/", ":" or spaces)')
      .optional(),
    /**
     * Commands that add and remove the VIP instead of `ip addr add|del`
     * (the classic Virtual IP control scripts): argument vectors, run
     * without a shell, with the VIP in their environment.
     */
    scripts: z.strictObject({ add: scriptArgv('add'), remove: scriptArgv('remove') }).optional(),
    /** Seconds between two checks of the VIP. */
    checkInterval: z
      .number({ error: 'checkInterval must be a number of seconds' })
      .min(MIN_CHECK_INTERVAL, `checkInterval must be at least ${MIN_CHECK_INTERVAL} seconds`)
      .max(MAX_CHECK_INTERVAL, `checkInterval must be at most ${MAX_CHECK_INTERVAL} seconds`)
      .default(0.5),
    /** Script runs that may fail to put the VIP right before the node reports unavailable. */
    attempts: z
      .number({ error: 'attempts must be a whole number' })
      .int('attempts must be a whole number')
      .min(1, 'attempts must be at least 1')
      .max(MAX_ATTEMPTS, `attempts must be at most ${MAX_ATTEMPTS}`)
      .default(3),
    /** Announce the VIP with a gratuitous ARP when this node takes it; IPv4 only. */
    gratuitousArp: z.boolean({ error: 'gratuitousArp must be true or false' }).default(true),
  })
  .superRefine((options, ctx) => {
    // The one script-safety check of the SDK, at assembly: a custom command anyone could replace is refused.
    for (const which of ['add', 'remove'] as const) {
      const command = options.scripts?.[which][0];
      if (command === undefined) continue;
      const problem = scriptSafetyProblem(command);
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['scripts', which, 0], message: `VIP ${which} script refused: ${problem}`, params: { code: 'SWY_ERR_VIP_SCRIPT_UNSAFE' } });
      }
    }
  });

export type VipOptions = z.output<typeof vipOptionsSchema>;
