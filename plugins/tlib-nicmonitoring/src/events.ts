import type { LogEventDefinition } from '@switchyard/sdk';

/**
 * Log events of `tlib-nicmonitoring` (`01-4xxxx`). Put an alarm condition
 * on 01-40001, cancelled by 01-40002, to alert on a control NIC failure.
 */
export const TlibNicEvent = {
  ControlNicFailed: '01-40001',
  ControlNicRestored: '01-40002',
} as const;

export const TLIB_NIC_EVENTS: readonly LogEventDefinition[] = [
  {
    id: TlibNicEvent.ControlNicFailed,
    level: 'error',
    message: 'Control NIC {interface} carrying {address} failed: {reason}; the node reports unavailable',
  },
  {
    id: TlibNicEvent.ControlNicRestored,
    level: 'info',
    message: 'Control NIC {interface} carrying {address} is up again after {downFor}s; the node can run again',
  },
];
