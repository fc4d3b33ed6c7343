import { z } from 'zod';
import { defineArbiter, type ArbiterIssue } from './arbiter-kind';
import { EmbeddedArbiter } from './embedded-arbiter';

const seconds = (what: string) => z.number({ error: `${what} must be a number of seconds` }).positive(`${what} must be greater than 0`);

/** Options of `arbiter: { kind: 'embedded', ... }`. */
export const embeddedArbiterOptionsSchema = z.strictObject({
  /**
   * Seconds without a heartbeat from a node before the arbiter treats it as
   * down: a frozen primary is replaced this long after its last heartbeat.
   */
  switchTimeout: seconds('arbiter.switchTimeout').default(0.3),
  /** Seconds to wait for both nodes at start before assigning roles to whoever is up. */
  startupTimeout: seconds('arbiter.startupTimeout').default(10),
  /**
   * Kill (SIGKILL) a primary that stopped answering for `switchTimeout`
   * when the other node takes over, instead of demoting it when it thaws.
   * Needed when the primary holds something only one process may hold,
   * such as the SIP plugin's public address (`plugins.sip.public`).
   */
  fence: z.boolean({ error: 'arbiter.fence must be true or false' }).default(false),
});

/** Rounds away binary noise (0.1 × 3 = 0.30000000000000004) for comparing and printing. */
export function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** The HA link must notice a lost peer before the arbiter switches roles. */
function linkSlowerThanArbiter(switchTimeout: number, haLink: { heartbeatInterval: number; missedHeartbeats: number }): ArbiterIssue[] {
  const { heartbeatInterval: interval, missedHeartbeats: missed } = haLink;
  const linkDown = round(interval * missed);
  if (linkDown < switchTimeout) return [];
  // Largest whole number of missed heartbeats that still fits under the timeout.
  const maxMissed = Math.ceil(round(switchTimeout / interval)) - 1;
  const fix =
    maxMissed >= 1
      ? `lower haLink.missedHeartbeats to ${maxMissed} or less, or raise arbiter.switchTimeout above ${linkDown}`
      : `lower haLink.heartbeatInterval below ${round(switchTimeout / missed)}, or raise arbiter.switchTimeout above ${linkDown}`;
  return [
    {
      path: maxMissed >= 1 ? ['haLink', 'missedHeartbeats'] : ['haLink', 'heartbeatInterval'],
      message:
        `haLink.heartbeatInterval × haLink.missedHeartbeats = ${interval} s × ${missed} = ${linkDown} s must be shorter than ` +
        `arbiter.switchTimeout (${switchTimeout} s), so a node notices a lost HA link before the arbiter switches roles; ${fix}`,
    },
  ];
}

/** Core's arbiter: the agent of `switchyard up` decides for the two nodes it runs on one host. */
export const embeddedArbiterKind = defineArbiter({
  options: embeddedArbiterOptionsSchema,
  multiHost: false,
  check: (options, view) => (view.haLink ? linkSlowerThanArbiter(options.switchTimeout, view.haLink) : []),
  create: (options, context) =>
    new EmbeddedArbiter({
      nodes: context.nodes,
      clock: context.clock,
      port: context.port,
      switchTimeout: options.switchTimeout,
      startupTimeout: options.startupTimeout,
      fence: options.fence,
    }),
});
