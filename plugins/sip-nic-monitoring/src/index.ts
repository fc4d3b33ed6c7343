/**
 * @switchyard/plugin-sip-nic-monitoring — SIP NIC monitoring (`sip-nic-monitoring`, classic `sip-nic-address`).
 */
export { sipNicMonitoringPlugin as default, sipNicMonitoringPlugin, createSipNicMonitoringPlugin, SIP_NIC_STATUS_KEY, type SipNicPluginDeps } from './plugin';
export { SipNicEvent, SIP_NIC_EVENTS } from './events';
export { sipNicOptionsSchema, sipNicNodeSchema, MIN_CHECK_INTERVAL, MAX_CHECK_INTERVAL, type SipNicOptions, type SipNicNodeOptions } from './options';
export { SIP_NIC_ERROR_CODES, SipNicError, type SipNicErrorCode } from './errors';
export type { NicStatus } from '@switchyard/sdk/network';
