import { codedErrorClass, describeError } from '@switchyard/sdk';

/**
 * Every error code of the alarm-reactions plugin, with the remedy printed
 * with it (its README and docs/operator/errors.md list it: `npm run docs` writes both tables from this one).
 */
export const ALARM_REACTION_ERROR_CODES = Object.freeze({
  SWY_ERR_ALARM_EXEC_UNSAFE:
    "Use the absolute path of an executable file; it and every folder above it must be owned by root or the supervisor's user and not writable by group or others (chown root, chmod go-w), as keepalived requires of its scripts.",
  SWY_ERR_ALARM_EXEC_FAILED:
    'The command exited with an error or could not start, on every attempt; see its stderr in the 01-20011 event and try it by hand with the SWITCHYARD_ALARM_* variables set.',
  SWY_ERR_ALARM_EXEC_TIMEOUT: 'The command did not finish within its timeout and was killed (its whole process group); make it faster or raise its timeout.',
  SWY_ERR_ALARM_WEBHOOK_FAILED: 'The receiver did not accept the POST (after the retries); check the URL, that the receiver runs, and its answer in the 01-20021 events.',
});

export type AlarmReactionErrorCode = keyof typeof ALARM_REACTION_ERROR_CODES;

/** The one error class of the plugin: a stable code, a message that says what happened, the cause. */
export class AlarmReactionError extends codedErrorClass('AlarmReactionError', ALARM_REACTION_ERROR_CODES) {}

export { describeError };
