/**
 * @switchyard/plugin-tlib-nicmonitoring — control NIC monitoring (`tlib-nicmonitoring`).
 */
export { tlibNicMonitoringPlugin as default, tlibNicMonitoringPlugin, createTlibNicMonitoringPlugin, TLIB_NIC_STATUS_KEY, type TlibNicPluginDeps } from './plugin';
export { TlibNicEvent, TLIB_NIC_EVENTS } from './events';
export { tlibNicOptionsSchema, checkIntervalSchema, MIN_CHECK_INTERVAL, MAX_CHECK_INTERVAL, type TlibNicOptions } from './options';
export type { NicStatus } from '@switchyard/sdk/network';
