import type { Alarm } from '@switchyard/sdk';

/** Whether the alarm was raised or cleared: what a reaction is called for. */
export type AlarmChange = 'raised' | 'cleared';

/**
 * The environment an `exec` command gets, besides the supervisor's own:
 * `SWITCHYARD_ALARM_ID`, `_CONDITION`, `_SEVERITY`, `_NODE`, `_EVENT`,
 * `_MESSAGE`, `_COUNT`, `_STATE` (`raised` or `cleared`), `_FIRST_SEEN`
 * and `_LAST_SEEN` (ISO 8601, UTC).
 */
export function alarmEnvironment(alarm: Alarm, change: AlarmChange): Record<string, string> {
  return {
    SWITCHYARD_ALARM_ID: alarm.id,
    SWITCHYARD_ALARM_CONDITION: alarm.condition,
    SWITCHYARD_ALARM_SEVERITY: alarm.severity,
    SWITCHYARD_ALARM_NODE: alarm.node,
    SWITCHYARD_ALARM_EVENT: alarm.eventId,
    SWITCHYARD_ALARM_MESSAGE: alarm.message,
    SWITCHYARD_ALARM_COUNT: String(alarm.count),
    SWITCHYARD_ALARM_STATE: change,
    SWITCHYARD_ALARM_FIRST_SEEN: new Date(alarm.firstSeen).toISOString(),
    SWITCHYARD_ALARM_LAST_SEEN: new Date(alarm.lastSeen).toISOString(),
  };
}

/** The JSON a `webhook` posts: the alarm's fields, with `state` saying `raised` or `cleared`. */
export function alarmPayload(alarm: Alarm, change: AlarmChange): Record<string, unknown> {
  return { ...alarm, state: change };
}

/** Fields every reaction event carries. */
export function eventFields(reaction: string, alarm: Alarm, change: AlarmChange): Record<string, unknown> {
  return { reaction, alarm: alarm.id, change, node: alarm.node };
}
