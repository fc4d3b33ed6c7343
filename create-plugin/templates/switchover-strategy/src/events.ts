import type { LogEventDefinition } from '@switchyard/sdk';

/** This plugin's log events (prefix __PREFIX__-; core owns 01-, first-party SIP plugins 00-). Alarm conditions may name them. */
export const StrategyEvent = {
  /** A manual switchover came too soon after this node became primary, and was vetoed. */
  VETOED: '__PREFIX__-00001',
} as const;

export const EVENTS: readonly LogEventDefinition[] = [
  {
    id: StrategyEvent.VETOED,
    level: 'warn',
    message: 'Manual switchover away from {node} vetoed: primary for {held} s, less than minPrimaryTime ({minPrimaryTime} s)',
  },
];
