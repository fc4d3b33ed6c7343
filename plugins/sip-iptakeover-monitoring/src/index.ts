/**
 * @switchyard/plugin-sip-iptakeover-monitoring — virtual IP takeover and monitoring (`sip-iptakeover-monitoring`).
 */
export {
  sipIptakeoverMonitoringPlugin as default,
  sipIptakeoverMonitoringPlugin,
  createSipIptakeoverMonitoringPlugin,
  VIP_STATUS_KEY,
  type VipPluginDeps,
} from './plugin';
export { VipEvent, VIP_EVENTS } from './events';
export { vipOptionsSchema, MIN_CHECK_INTERVAL, MAX_CHECK_INTERVAL, MAX_ATTEMPTS, type VipOptions } from './options';
export { VIP_ERROR_CODES, VipError, type VipErrorCode } from './errors';
export { parseVip, type VipAddress } from './vip-address';
export { ExecFileScriptRunner, type ScriptRunner, type ScriptResult } from './script-runner';
export { VipScripts, SCRIPT_TIMEOUT_SECONDS, type VipAction } from './vip-scripts';
export type { VipStatus, VipProblem } from './vip-takeover';
