import { definePlugin } from '@switchyard/sdk';
import { EVENTS } from './events';
import { reactionKind } from './reaction';

export { EVENTS, ReactionEvent } from './events';
export { reactionKind } from './reaction';

/**
 * __DESCRIPTION__
 *
 * Offers the alarm reaction kind `__PLUGIN__`: enable the plugin
 * (`plugins: { '__PACKAGE__': true }`), then use the kind in
 * `alarms.reactions.<name> = { kind: '__PLUGIN__', file }`.
 */
export default definePlugin({
  name: '__PLUGIN__',
  version: '0.1.0',
  events: EVENTS,
  alarmReactions: { '__PLUGIN__': reactionKind },
  apply() {
    // Nothing runs in the nodes: the reaction kind runs in the supervisor.
  },
});
