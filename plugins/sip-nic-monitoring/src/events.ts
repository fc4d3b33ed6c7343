import type { LogEventDefinition } from '@switchyard/sdk';

/**
 * Log events of `sip-nic-monitoring`, the classic ids: put an alarm
 * condition on 00-52027, cancelled by 00-52028.
 */
export const SipNicEvent = {
  SipNicFailed: '00-52027',
  SipNicRestored: '00-52028',
} as const;

export const SIP_NIC_EVENTS: readonly LogEventDefinition[] = [
  {
    id: SipNicEvent.SipNicFailed,
    level: 'error',
    message: 'SIP NIC {interface} carrying {address} failed: {reason}; the node reports unavailable',
  },
  {
    id: SipNicEvent.SipNicRestored,
    level: 'info',
    message: 'SIP NIC {interface} carrying {address} is up again after {downFor}s; the node can run again',
  },
];
