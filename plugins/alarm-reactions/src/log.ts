import { defineAlarmReaction, type Alarm, type AlarmSeverity } from '@switchyard/sdk';
import { z } from 'zod';
import { eventFields } from './alarm-fields';
import { AlarmReactionEvent } from './events';

export const logOptionsSchema = z.strictObject({
  /** Level of the line; default by severity (critical/major → error, minor → warn, info → info). */
  level: z.enum(['error', 'warn', 'info']).optional(),
  /** A fixed note added to the event's fields (e.g. who to call). */
  note: z.string().max(500).optional(),
});

export type LogReactionOptions = z.output<typeof logOptionsSchema>;

const BY_LEVEL = {
  error: AlarmReactionEvent.LogRaisedError,
  warn: AlarmReactionEvent.LogRaisedWarn,
  info: AlarmReactionEvent.LogRaisedInfo,
} as const;

function levelOf(severity: AlarmSeverity): keyof typeof BY_LEVEL {
  return severity === 'minor' ? 'warn' : severity === 'info' ? 'info' : 'error';
}

/**
 * `log`: writes the alarm as a log event of its own (01-20001…01-20003 when
 * raised, 01-20004 when cleared), with every alarm field. The smallest
 * example of the reaction API: parse options with `options`, build the
 * reaction in `create`, and emit through `ctx.emit`.
 *
 * ```ts
 * reactions: { 'log-it': { kind: 'log', level: 'warn', note: 'call the on-call' } }
 * ```
 */
export const logReaction = defineAlarmReaction({
  options: logOptionsSchema,
  description: 'writes the alarm as a log event',
  create(options, ctx) {
    const fields = (alarm: Alarm, change: 'raised' | 'cleared') => ({
      ...eventFields(ctx.name, alarm, change),
      condition: alarm.condition,
      severity: alarm.severity,
      event: alarm.eventId,
      text: alarm.message,
      count: alarm.count,
      firstSeen: new Date(alarm.firstSeen).toISOString(),
      lastSeen: new Date(alarm.lastSeen).toISOString(),
      ...(options.note === undefined ? {} : { note: options.note }),
    });
    return {
      async raised(alarm) {
        ctx.emit(BY_LEVEL[options.level ?? levelOf(alarm.severity)], fields(alarm, 'raised'));
      },
      async cleared(alarm) {
        ctx.emit(AlarmReactionEvent.LogCleared, { ...fields(alarm, 'cleared'), reason: alarm.clearReason ?? '?', by: alarm.clearedBy ?? '?' });
      },
    };
  },
});
