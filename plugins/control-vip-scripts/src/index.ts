/**
 * @switchyard/plugin-control-vip-scripts — the split-brain rule (`control-vip-scripts`).
 */
export { controlVipScriptsPlugin as default, controlVipScriptsPlugin, CONTROL_VIP_STATUS_KEY, type ControlVipStatus } from './plugin';
export { ControlVipEvent, CONTROL_VIP_EVENTS } from './events';
export { controlVipOptionsSchema, type ControlVipOptions } from './options';
export { splitBrainVerdict, type Contender, type Verdict } from './rule';
