import { definePlugin, type Plugin } from '@switchyard/sdk';
import { NicMonitor, type InterfaceSource } from '@switchyard/sdk/network';
import { TLIB_NIC_EVENTS, TlibNicEvent } from './events';
import { tlibNicOptionsSchema } from './options';

/** Status section key: `switchyard status --json` → `nodes[].tlibNicmonitoring`. */
export const TLIB_NIC_STATUS_KEY = 'tlibNicmonitoring';

export interface TlibNicPluginDeps {
  /** Where interfaces are read; default iproute2 on the node's host. Tests pass `ManualInterfaces`. */
  source?: InterfaceSource;
}

/**
 * Builds `tlib-nicmonitoring` with its interface source; the default export
 * is `createTlibNicMonitoringPlugin()` (iproute2).
 */
export function createTlibNicMonitoringPlugin(deps: TlibNicPluginDeps = {}): Plugin<typeof tlibNicOptionsSchema> {
  return definePlugin({
    name: 'tlib-nicmonitoring',
    version: '0.1.0',
    options: tlibNicOptionsSchema,
    events: TLIB_NIC_EVENTS,
    apply(engine) {
      const nic = new NicMonitor(engine, {
        name: 'control-nic',
        address: engine.node.host,
        events: { failed: TlibNicEvent.ControlNicFailed, restored: TlibNicEvent.ControlNicRestored },
        checkInterval: engine.options.checkInterval,
        source: deps.source,
      });
      engine.hooks.statusReport.tap('status', (report) => ({ ...report, [TLIB_NIC_STATUS_KEY]: nic.status() }));
    },
  });
}

/**
 * `tlib-nicmonitoring`: the control NIC. Each node watches the interface
 * that carries its `nodes[].host`; link down, carrier lost or the address
 * gone make the node `unavailable` (01-40001), so a primary is switched to
 * backup; restored, it runs again (01-40002).
 */
export const tlibNicMonitoringPlugin = createTlibNicMonitoringPlugin();
