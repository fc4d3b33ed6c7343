import { SipTokens } from '@switchyard/plugin-sip';
import { definePlugin, type Plugin } from '@switchyard/sdk';
import { NicMonitor, canonicalAddress, isUnspecified, type InterfaceSource } from '@switchyard/sdk/network';
import { SipNicError } from './errors';
import { SIP_NIC_EVENTS, SipNicEvent } from './events';
import { sipNicNodeSchema, sipNicOptionsSchema } from './options';

/** Status section key: `switchyard status --json` → `nodes[].sipNicMonitoring`. */
export const SIP_NIC_STATUS_KEY = 'sipNicMonitoring';

export interface SipNicPluginDeps {
  /** Where interfaces are read; default iproute2 on the node's host. Tests pass `ManualInterfaces`. */
  source?: InterfaceSource;
}

/**
 * Builds `sip-nic-monitoring` with its interface source; the default export
 * is `createSipNicMonitoringPlugin()` (iproute2).
 */
export function createSipNicMonitoringPlugin(deps: SipNicPluginDeps = {}): Plugin<typeof sipNicOptionsSchema, typeof sipNicNodeSchema> {
  return definePlugin({
    name: 'sip-nic-monitoring',
    version: '0.1.0',
    options: sipNicOptionsSchema,
    nodeOptions: { key: 'sipNic', schema: sipNicNodeSchema },
    requires: { plugins: ['sip'], services: [SipTokens.Api] },
    events: SIP_NIC_EVENTS,
    apply(engine) {
      // The SIP plugin is applied first (requires): its API says where the listener binds.
      const listener = engine.services.resolve(SipTokens.Api).status().host;
      const address = engine.nodeOptions?.address ?? listener;
      if (canonicalAddress(address) === undefined || isUnspecified(address)) {
        throw new SipNicError(
          'SWY_ERR_SIP_NIC_ADDRESS',
          `node ${engine.nodeId}: the SIP listener address "${listener}" names no interface; ` +
            `set nodes[].sipNic.address (classic sip-nic-address) to the address the SIP NIC carries`,
        );
      }
      const nic = new NicMonitor(engine, {
        name: 'sip-nic',
        address,
        events: { failed: SipNicEvent.SipNicFailed, restored: SipNicEvent.SipNicRestored },
        checkInterval: engine.options.checkInterval,
        source: deps.source,
      });
      engine.hooks.statusReport.tap('status', (report) => ({ ...report, [SIP_NIC_STATUS_KEY]: nic.status() }));
    },
  });
}

/**
 * `sip-nic-monitoring` (classic `sip-nic-address`): each node watches the
 * interface that carries its SIP address; link down, carrier lost or the
 * address gone make the node `unavailable` (00-52027), so a primary is
 * switched to backup; restored, it runs again (00-52028).
 */
export const sipNicMonitoringPlugin = createSipNicMonitoringPlugin();
