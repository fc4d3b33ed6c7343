import { defineAlarmReaction } from '@switchyard/sdk';
import { z } from 'zod';
import { eventFields } from './alarm-fields';
import { AlarmReactionEvent } from './events';

export const switchoverOptionsSchema = z.strictObject({});

/**
 * `switchover`: when the alarm is raised, asks the arbiter to move the
 * primary role away from the node that raised it (`ctx.requestSwitchover`).
 * It acts only while that node is primary: an alarm of the backup, or of
 * the supervisor itself, asks for nothing (01-20031). The outcome is logged
 * (01-20030 done, 01-20032 refused, e.g. the backup is not running or a
 * `beforeSwitchover` tap vetoed). Nothing happens when the alarm clears.
 *
 * ```ts
 * reactions: { 'fail-over': { kind: 'switchover' } }
 * ```
 */
export const switchoverReaction = defineAlarmReaction({
  options: switchoverOptionsSchema,
  description: 'moves the primary role away from the node that raised the alarm',
  create(_options, ctx) {
    return {
      async raised(alarm) {
        const fields = eventFields(ctx.name, alarm, 'raised');
        const result = await ctx.requestSwitchover(alarm.node, `alarm ${alarm.id} (${alarm.severity}): ${alarm.message}`);
        if (result.ok) {
          ctx.emit(AlarmReactionEvent.SwitchoverDone, { ...fields, primary: result.primary ?? '?', term: result.term });
        } else if (result.primary !== alarm.node) {
          ctx.emit(AlarmReactionEvent.SwitchoverNotPrimary, { ...fields, reason: result.reason ?? `${alarm.node} is not the primary` });
        } else {
          ctx.emit(AlarmReactionEvent.SwitchoverRefused, { ...fields, reason: result.reason ?? 'refused' });
        }
      },
    };
  },
});
