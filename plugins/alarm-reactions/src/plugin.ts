import { definePlugin } from '@switchyard/sdk';
import { ALARM_REACTION_EVENTS } from './events';
import { execReaction } from './exec';
import { logReaction } from './log';
import { switchoverReaction } from './switchover';
import { webhookReaction } from './webhook';

/**
 * `alarm-reactions`: the reaction kinds `log`, `exec`, `webhook` and
 * `switchover` for `alarms.reactions`. It has no options and no hooks: its
 * kinds run in the supervisor's alarm engine. Each kind is a small example
 * of the reaction API (`defineAlarmReaction`) for plugins of your own.
 */
export const alarmReactionsPlugin = definePlugin({
  name: 'alarm-reactions',
  version: '0.1.0',
  scope: 'supervisor',
  events: ALARM_REACTION_EVENTS,
  alarmReactions: {
    log: logReaction,
    exec: execReaction,
    webhook: webhookReaction,
    switchover: switchoverReaction,
  },
  apply() {
    // Nothing to tap: the alarm engine creates and runs the reactions.
  },
});
