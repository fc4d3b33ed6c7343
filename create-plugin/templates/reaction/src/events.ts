import type { LogEventDefinition } from '@switchyard/sdk';

/** This plugin's log events (prefix __PREFIX__-; core owns 01-, first-party SIP plugins 00-). Alarm conditions may name them. */
export const ReactionEvent = {
  /** The reaction could not write its file (the reaction fails; the alarm engine also logs 01-10075). */
  WRITE_FAILED: '__PREFIX__-00001',
} as const;

export const EVENTS: readonly LogEventDefinition[] = [
  { id: ReactionEvent.WRITE_FAILED, level: 'error', message: 'Alarm reaction {reaction} cannot write {file}: {error}' },
];
