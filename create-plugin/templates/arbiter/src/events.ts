import type { LogEventDefinition } from '@switchyard/sdk';

/** The arbiter's log events (prefix __PREFIX__-; core owns 01-). The supervisor logs them; alarm conditions may name them. */
export const ArbiterEvent = {
  ROLES: '__PREFIX__-00001',
  SWITCHOVER: '__PREFIX__-00002',
  REFUSED: '__PREFIX__-00003',
  NO_PRIMARY: '__PREFIX__-00004',
} as const;

export const EVENTS: readonly LogEventDefinition[] = [
  { id: ArbiterEvent.ROLES, level: 'info', message: 'Roles by priority: {primary} primary, {backup} backup (term {term})' },
  { id: ArbiterEvent.SWITCHOVER, level: 'warn', message: 'Switchover: {to} is primary, {from} is backup (term {term}): {reason}' },
  { id: ArbiterEvent.REFUSED, level: 'warn', message: 'Switchover refused: {reason}' },
  { id: ArbiterEvent.NO_PRIMARY, level: 'error', message: 'No primary: {reason}, and no running node can take over' },
];
