import { definePlugin, HookStage } from '@switchyard/sdk';
import { z } from 'zod';
import { EVENTS, StrategyEvent } from './events';

export { EVENTS, StrategyEvent } from './events';

/** Options under `plugins['__PACKAGE__']`. Durations are in seconds, as everywhere in a config. */
export const options = z.strictObject({
  /** Seconds a node must have been primary before an operator's switchover away from it is allowed. */
  minPrimaryTime: z.number().min(0).max(86_400).default(30),
});

/**
 * __DESCRIPTION__
 *
 * A switchover strategy: a `beforeSwitchover` tap on the primary. A manual
 * switchover (`switchyard switchover`, `POST /switchover`) within
 * `minPrimaryTime` seconds of this node becoming primary is vetoed, so
 * operators cannot bounce the service back and forth. A health switchover
 * (the primary is unavailable) always goes ahead: never keep a broken primary.
 */
export default definePlugin({
  name: '__PLUGIN__',
  version: '0.1.0',
  options,
  events: EVENTS,
  apply(engine) {
    let primarySince: number | null = null;
    engine.hooks.roleChange.tapPromise('__PLUGIN__', async (change) => {
      primarySince = change.to === 'primary' ? engine.clock.now() : null;
    });
    // A tap returns { veto: reason }, { delay: seconds, reason }, or undefined to let the switchover go.
    engine.hooks.beforeSwitchover.tapPromise({ name: '__PLUGIN__', stage: HookStage.NORMAL }, async (proposal) => {
      if (proposal.kind !== 'manual' || primarySince === null) return undefined;
      // The clock counts milliseconds; options are in seconds.
      const held = Math.round((engine.clock.now() - primarySince) / 100) / 10;
      const { minPrimaryTime } = engine.options;
      if (held >= minPrimaryTime) return undefined;
      engine.events.emit(StrategyEvent.VETOED, { node: engine.nodeId, held, minPrimaryTime });
      return { veto: `${engine.nodeId} has been primary for ${held} s; a manual switchover is allowed after ${minPrimaryTime} s (minPrimaryTime)` };
    });
  },
});
