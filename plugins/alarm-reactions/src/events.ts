import type { LogEventDefinition } from '@switchyard/sdk';

/**
 * Log events of the alarm reactions (`01-2xxxx`). They run in the
 * supervisor, so they appear in `supervisor.log`. Core logs, for every
 * reaction, that it ran (01-10074), failed (01-10075) or timed out
 * (01-10076); these events carry what each kind did.
 */
export const AlarmReactionEvent = {
  LogRaisedError: '01-20001',
  LogRaisedWarn: '01-20002',
  LogRaisedInfo: '01-20003',
  LogCleared: '01-20004',
  ExecDone: '01-20010',
  ExecFailed: '01-20011',
  ExecKilled: '01-20012',
  ExecRetry: '01-20013',
  WebhookDelivered: '01-20020',
  WebhookRetry: '01-20021',
  SwitchoverDone: '01-20030',
  SwitchoverNotPrimary: '01-20031',
  SwitchoverRefused: '01-20032',
} as const;

const RAISED = 'ALARM {alarm} ({severity}) on {node}: {text} [event {event}, count {count}]';

export const ALARM_REACTION_EVENTS: readonly LogEventDefinition[] = [
  { id: AlarmReactionEvent.LogRaisedError, level: 'error', message: RAISED },
  { id: AlarmReactionEvent.LogRaisedWarn, level: 'warn', message: RAISED },
  { id: AlarmReactionEvent.LogRaisedInfo, level: 'info', message: RAISED },
  { id: AlarmReactionEvent.LogCleared, level: 'info', message: 'ALARM {alarm} cleared ({reason} by {by})' },
  { id: AlarmReactionEvent.ExecDone, level: 'info', message: 'Alarm reaction {reaction}: {command} exited 0 for {alarm} ({change}) in {ms} ms' },
  { id: AlarmReactionEvent.ExecFailed, level: 'warn', message: 'Alarm reaction {reaction}: {command} failed for {alarm} ({change}): {reason}' },
  { id: AlarmReactionEvent.ExecKilled, level: 'warn', message: 'Alarm reaction {reaction}: {command} killed ({why}) for {alarm} ({change})' },
  {
    id: AlarmReactionEvent.ExecRetry,
    level: 'warn',
    message: 'Alarm reaction {reaction}: {command} failed for {alarm} ({change}): {reason}; attempt {attempt} of {attempts}, retrying in {delay}s',
  },
  {
    id: AlarmReactionEvent.WebhookDelivered,
    level: 'info',
    message: 'Alarm reaction {reaction}: POST {url} for {alarm} ({change}) answered HTTP {status} (attempt {attempt})',
  },
  {
    id: AlarmReactionEvent.WebhookRetry,
    level: 'warn',
    message: 'Alarm reaction {reaction}: POST {url} for {alarm} ({change}) attempt {attempt} failed: {error}; retrying in {delay}s',
  },
  {
    id: AlarmReactionEvent.SwitchoverDone,
    level: 'warn',
    message: 'Alarm reaction {reaction}: switchover away from {node} for {alarm}; {primary} is primary (term {term})',
  },
  { id: AlarmReactionEvent.SwitchoverNotPrimary, level: 'info', message: 'Alarm reaction {reaction}: no switchover for {alarm}: {reason}' },
  { id: AlarmReactionEvent.SwitchoverRefused, level: 'error', message: 'Alarm reaction {reaction}: switchover away from {node} for {alarm} refused: {reason}' },
];
