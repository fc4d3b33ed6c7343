/**
 * @switchyard/plugin-alarm-reactions — the alarm reaction kinds `log`,
 * `exec`, `webhook` and `switchover` (plugin `alarm-reactions`).
 */
export { alarmReactionsPlugin as default, alarmReactionsPlugin } from './plugin';
export { logReaction, logOptionsSchema, type LogReactionOptions } from './log';
export { execReaction, execOptionsSchema, assertSafeCommand, type ExecReactionOptions } from './exec';
export { webhookReaction, webhookOptionsSchema, printableUrl, type WebhookReactionOptions } from './webhook';
export { switchoverReaction, switchoverOptionsSchema } from './switchover';
export { alarmEnvironment, alarmPayload, type AlarmChange } from './alarm-fields';
export { AlarmReactionEvent, ALARM_REACTION_EVENTS } from './events';
export { ALARM_REACTION_ERROR_CODES, AlarmReactionError, type AlarmReactionErrorCode } from './errors';
