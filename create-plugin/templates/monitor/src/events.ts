import type { LogEventDefinition } from '@switchyard/sdk';

/** This plugin's log events (prefix __PREFIX__-; core owns 01-, first-party SIP plugins 00-). Alarm conditions may name them. */
export const HealthFileEvent = {
  /** The health file says something else than `up`: the node reports unavailable. */
  DOWN: '__PREFIX__-00001',
  /** The health file says `up` again (or is gone): the node runs again. */
  UP: '__PREFIX__-00002',
} as const;

export const EVENTS: readonly LogEventDefinition[] = [
  { id: HealthFileEvent.DOWN, level: 'warn', message: 'Health file {file} says "{content}": this node reports unavailable' },
  { id: HealthFileEvent.UP, level: 'info', message: 'Health file {file} no longer says down: this node is available again' },
];
