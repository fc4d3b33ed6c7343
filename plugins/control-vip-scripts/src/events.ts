import type { LogEventDefinition } from '@switchyard/sdk';

/**
 * Log events of `control-vip-scripts` (`01-5xxxx`). Put an alarm condition
 * on 01-50001 to hear of every split brain this rule ended.
 */
export const ControlVipEvent = {
  /** This node lost the rule and switches itself to backup. */
  Yielding: '01-50001',
  /** This node won the rule and stays primary; the peer switches to backup. */
  Staying: '01-50002',
} as const;

export const CONTROL_VIP_EVENTS: readonly LogEventDefinition[] = [
  {
    id: ControlVipEvent.Yielding,
    level: 'warn',
    message: 'Split brain: {node} and {peer} are both primary and the arbiter is unreachable; {node} switches itself to backup ({rule})',
  },
  {
    id: ControlVipEvent.Staying,
    level: 'warn',
    message: 'Split brain: {node} and {peer} are both primary and the arbiter is unreachable; {node} stays primary ({rule})',
  },
];
