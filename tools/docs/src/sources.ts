import { CORE_EVENTS, ERROR_CODES, METRIC_ERROR_CODES, type LogEventDefinition } from '@switchyard/core';
import { CREATE_PLUGIN_CODES } from '@switchyard/create-plugin';
import { LAB_ERROR_CODES } from '@switchyard/lab';
import { ALARM_REACTION_ERROR_CODES, ALARM_REACTION_EVENTS } from '@switchyard/plugin-alarm-reactions';
import { ETCD_ARBITER_EVENTS, ETCD_ERROR_CODES } from '@switchyard/plugin-arbiter-etcd';
import { CONTROL_VIP_EVENTS } from '@switchyard/plugin-control-vip-scripts';
import { SIP_ERROR_CODES, SIP_EVENTS } from '@switchyard/plugin-sip';
import { DIGEST_ERROR_CODES, DIGEST_EVENTS } from '@switchyard/plugin-sip-digest-auth';
import { VIP_ERROR_CODES, VIP_EVENTS } from '@switchyard/plugin-sip-iptakeover-monitoring';
import { SIP_NIC_ERROR_CODES, SIP_NIC_EVENTS } from '@switchyard/plugin-sip-nic-monitoring';
import { PASS_CHECK_EVENTS } from '@switchyard/plugin-sip-pass-check';
import { TLIB_NIC_EVENTS } from '@switchyard/plugin-tlib-nicmonitoring';

/** One package whose log events and error codes the docs list, read from its public entry. */
export interface DocSource {
  /** Marker and heading key: `core`, or the plugin's name. */
  readonly key: string;
  /** The npm package. */
  readonly pkg: string;
  /** Its README (from the repository root), when it carries its own tables. */
  readonly readme?: string;
  readonly events: readonly LogEventDefinition[];
  readonly errors: Readonly<Record<string, string>>;
}

/** Every package, in the order the operator docs list them. */
export const SOURCES: readonly DocSource[] = [
  { key: 'core', pkg: '@switchyard/core', events: CORE_EVENTS, errors: ERROR_CODES },
  { key: 'metrics', pkg: '@switchyard/core', events: [], errors: METRIC_ERROR_CODES },
  { key: 'sip', pkg: '@switchyard/plugin-sip', readme: 'plugins/sip/README.md', events: SIP_EVENTS, errors: SIP_ERROR_CODES },
  { key: 'sip-pass-check', pkg: '@switchyard/plugin-sip-pass-check', readme: 'plugins/sip-pass-check/README.md', events: PASS_CHECK_EVENTS, errors: {} },
  { key: 'sip-digest-auth', pkg: '@switchyard/plugin-sip-digest-auth', readme: 'plugins/sip-digest-auth/README.md', events: DIGEST_EVENTS, errors: DIGEST_ERROR_CODES },
  { key: 'alarm-reactions', pkg: '@switchyard/plugin-alarm-reactions', readme: 'plugins/alarm-reactions/README.md', events: ALARM_REACTION_EVENTS, errors: ALARM_REACTION_ERROR_CODES },
  { key: 'arbiter-etcd', pkg: '@switchyard/plugin-arbiter-etcd', readme: 'plugins/arbiter-etcd/README.md', events: ETCD_ARBITER_EVENTS, errors: ETCD_ERROR_CODES },
  { key: 'tlib-nicmonitoring', pkg: '@switchyard/plugin-tlib-nicmonitoring', readme: 'plugins/tlib-nicmonitoring/README.md', events: TLIB_NIC_EVENTS, errors: {} },
  { key: 'sip-nic-monitoring', pkg: '@switchyard/plugin-sip-nic-monitoring', readme: 'plugins/sip-nic-monitoring/README.md', events: SIP_NIC_EVENTS, errors: SIP_NIC_ERROR_CODES },
  { key: 'sip-iptakeover-monitoring', pkg: '@switchyard/plugin-sip-iptakeover-monitoring', readme: 'plugins/sip-iptakeover-monitoring/README.md', events: VIP_EVENTS, errors: VIP_ERROR_CODES },
  { key: 'control-vip-scripts', pkg: '@switchyard/plugin-control-vip-scripts', readme: 'plugins/control-vip-scripts/README.md', events: CONTROL_VIP_EVENTS, errors: {} },
  { key: 'lab', pkg: '@switchyard/lab', readme: 'lab/README.md', events: [], errors: LAB_ERROR_CODES },
  { key: 'create-plugin', pkg: '@switchyard/create-plugin', readme: 'create-plugin/README.md', events: [], errors: CREATE_PLUGIN_CODES },
];
