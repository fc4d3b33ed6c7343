import { defineArbiter, definePlugin } from '@switchyard/sdk';
import { z } from 'zod';
import { EVENTS } from './events';
import { PriorityArbiter } from './priority-arbiter';

export { EVENTS, ArbiterEvent } from './events';
export { PriorityArbiter, type PriorityArbiterOptions } from './priority-arbiter';

/** Options of `arbiter: { kind: '__PLUGIN__', ... }` (every key but `kind`). Durations are in seconds. */
export const arbiterOptions = z.strictObject({
  /** Seconds without a heartbeat before a node counts as gone. */
  switchTimeout: z.number().positive().max(60).default(1),
  /** Seconds to wait at start for both nodes before giving roles to whoever runs. */
  startupTimeout: z.number().positive().max(600).default(10),
});

/** The arbiter kind `__PLUGIN__`: one host, both nodes run by the agent of `switchyard up`. */
export const arbiterKind = defineArbiter({
  options: arbiterOptions,
  multiHost: false,
  events: EVENTS,
  // Cross-key rule, checked before anything starts: a node must notice a lost HA link before the arbiter switches.
  check(options, view) {
    if (!view.haLink) return [];
    // Rounded: 0.1 × 3 is 0.30000000000000004 in binary floating point.
    const linkDown = Math.round(view.haLink.heartbeatInterval * view.haLink.missedHeartbeats * 1e6) / 1e6;
    if (linkDown < options.switchTimeout) return [];
    return [
      {
        path: ['arbiter', 'switchTimeout'],
        message: `must be longer than haLink.heartbeatInterval × haLink.missedHeartbeats (${linkDown} s), so a node notices a lost HA link before the arbiter switches roles`,
      },
    ];
  },
  create: (options, context) => new PriorityArbiter(options, context),
});

/**
 * __DESCRIPTION__
 *
 * Offers the arbiter kind `__PLUGIN__`: enable the plugin
 * (`plugins: { '__PACKAGE__': true }`) and choose it with
 * `arbiter: { kind: '__PLUGIN__' }`. It runs in the agent process.
 */
export default definePlugin({
  name: '__PLUGIN__',
  version: '0.1.0',
  arbiters: { '__PLUGIN__': arbiterKind },
  apply() {
    // Nothing runs in the nodes: the arbiter runs in the agent (`switchyard up`).
  },
});
