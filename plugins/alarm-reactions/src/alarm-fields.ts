import { escapePeerText, type Alarm } from '@switchyard/sdk';

/** Whether the alarm was raised or cleared: what a reaction is called for. */
export type AlarmChange = 'raised' | 'cleared';

/** Characters of one environment value kept (the kernel refuses a single string over 128 KiB: the command would not start). */
export const ENV_VALUE_MAX_LENGTH = 4096;

/**
 * The environment an `exec` command gets, besides the supervisor's own:
 * `SWITCHYARD_ALARM_ID`, `_CONDITION`, `_SEVERITY`, `_NODE`, `_EVENT`,
 * `_MESSAGE`, `_COUNT`, `_STATE` (`raised` or `cleared`), `_FIRST_SEEN`
 * and `_LAST_SEEN` (ISO 8601, UTC). Every value passes
 * {@link environmentValue}: the message may quote a peer.
 */
export function alarmEnvironment(alarm: Alarm, change: AlarmChange): Record<string, string> {
  const env: Record<string, string> = {
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
  for (const key of Object.keys(env)) env[key] = environmentValue(env[key]!);
  return env;
}

/**
 * Text made safe for a script's environment: no NUL (spawn would refuse to
 * start the command at all), no control character a script could echo
 * into a terminal or a log; each becomes a visible escape (`\x00`,
 * `\x1b`, `\n`), and the value is cut to {@link ENV_VALUE_MAX_LENGTH}
 * characters (`…[+N chars]`): the SDK's `escapePeerText`.
 */
export function environmentValue(text: string): string {
  return escapePeerText(text, ENV_VALUE_MAX_LENGTH);
}

/** The JSON a `webhook` posts: the alarm's fields, with `state` saying `raised` or `cleared`. */
export function alarmPayload(alarm: Alarm, change: AlarmChange): Record<string, unknown> {
  return { ...alarm, state: change };
}

/** Fields every reaction event carries. */
export function eventFields(reaction: string, alarm: Alarm, change: AlarmChange): Record<string, unknown> {
  return { reaction, alarm: alarm.id, change, node: alarm.node };
}
