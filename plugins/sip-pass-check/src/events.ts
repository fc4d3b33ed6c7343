import type { LogEventDefinition } from '@switchyard/sdk';

/**
 * Log events of `sip-pass-check` (classic `00-` range of the SIP plugins).
 * Put an alarm condition on 00-04250 (cancelled by 00-04251) to watch a
 * device, and on 00-04252 / 00-04253 for switchovers by silence.
 */
export const PassCheckEvent = {
  DeviceOutOfService: '00-04250',
  DeviceInService: '00-04251',
  UnavailableBySilence: '00-04252',
  DoubleSwitchover: '00-04253',
  GuardReset: '00-04254',
  NothingToJudgeBy: '00-04255',
  GuardStateFailed: '00-04256',
} as const;

export const PASS_CHECK_EVENTS: readonly LogEventDefinition[] = [
  {
    id: PassCheckEvent.DeviceOutOfService,
    level: 'warn',
    message: 'Service device {uri} is out of service: {reason}',
  },
  {
    id: PassCheckEvent.DeviceInService,
    level: 'info',
    message: 'Service device {uri} is back in service (answered {status})',
  },
  {
    id: PassCheckEvent.UnavailableBySilence,
    level: 'error',
    message:
      'SIP service unavailable: all {devices} service devices are out of service and no SIP message arrived for {silence}s ' +
      '(timeout {timeout}s = {baseTimeout}s x {multiplier})',
  },
  {
    id: PassCheckEvent.DoubleSwitchover,
    level: 'warn',
    message: 'Double switchover: the previous switchover was also by silence and no node saw SIP traffic since; timeout multiplier now {multiplier} ({timeout}s)',
  },
  {
    id: PassCheckEvent.GuardReset,
    level: 'info',
    message: 'SIP traffic seen; double-switchover guard reset (was multiplier {from}, last switchover by {lastCause}); timeout back to {timeout}s',
  },
  {
    id: PassCheckEvent.NothingToJudgeBy,
    level: 'info',
    message: 'No service device is configured for Active Out-Of-Service detection; SIP traffic monitoring has nothing to judge by and never reports the node unavailable',
  },
  {
    id: PassCheckEvent.GuardStateFailed,
    level: 'error',
    message: 'Double-switchover guard state file {file}: {error}',
  },
];
