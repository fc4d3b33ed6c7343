/**
 * @switchyard/plugin-sip-pass-check — SIP traffic monitoring (`sip-pass-check`):
 * Active Out-Of-Service probes, the silence timeout and the double-switchover guard.
 */
export { sipPassCheckPlugin as default, sipPassCheckPlugin } from './plugin';
export { PassCheckEvent, PASS_CHECK_EVENTS } from './events';
export {
  passCheckOptionsSchema,
  serviceDeviceSchema,
  probeTarget,
  DEFAULT_SIP_PORT,
  MAX_OOS_SECONDS,
  type PassCheckOptions,
  type ServiceDevice,
  type ProbeTarget,
} from './options';
export { effectiveTimeout, MIN_OOS_FORCE } from './timeout';
export {
  GUARD_AT_REST,
  MAX_MULTIPLIER,
  isAtRest,
  silenceTimeout,
  trafficSeen,
  type GuardState,
  type GuardStep,
  type GuardCause,
  type GuardMultiplier,
} from './guard';
export { GUARD_CHANNEL, GUARD_FILE, supersedes, type SharedGuardState } from './guard-sync';
export type { DeviceState } from './device-probe';
export type { PassCheckStatus, DeviceStatus } from './status';
