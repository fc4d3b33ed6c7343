import type { LogEventDefinition } from '@switchyard/sdk';

/**
 * Log events of `sip-iptakeover-monitoring`, the classic ids: put an alarm
 * condition on 00-52029, cancelled by 00-52030.
 */
export const VipEvent = {
  VipFailed: '00-52029',
  VipRestored: '00-52030',
} as const;

export const VIP_EVENTS: readonly LogEventDefinition[] = [
  {
    id: VipEvent.VipFailed,
    level: 'error',
    message: 'VIP {vip} failure on the {role}: {reason}; {action}',
  },
  {
    id: VipEvent.VipRestored,
    level: 'info',
    message: 'VIP {vip} is right again on the {role} ({state}) after {attempts} attempt(s) in {downFor}s',
  },
];
