import { SipTokens } from '@switchyard/plugin-sip';
import { definePlugin, type Plugin } from '@switchyard/sdk';
import { InterfaceWatcher, Iproute2Interfaces, canonicalAddress, isUnspecified, type InterfaceSource } from '@switchyard/sdk/network';
import { VipError } from './errors';
import { VIP_EVENTS } from './events';
import { MAX_CHECK_INTERVAL, vipOptionsSchema } from './options';
import { ExecFileScriptRunner, type ScriptRunner } from './script-runner';
import { parseVip } from './vip-address';
import { VipScripts } from './vip-scripts';
import { VipTakeover } from './vip-takeover';

/** Status section key: `switchyard status --json` → `nodes[].sipIptakeoverMonitoring`. */
export const VIP_STATUS_KEY = 'sipIptakeoverMonitoring';

export interface VipPluginDeps {
  /** Where interfaces are read; default iproute2 on the node's host. Tests pass `ManualInterfaces` (the address table). */
  source?: InterfaceSource;
  /** Runs the VIP scripts; default `execFile` with a time limit. Tests pass a fake that edits the address table. */
  runner?: ScriptRunner;
}

/**
 * Builds `sip-iptakeover-monitoring` with its interface source and script
 * runner; the default export is `createSipIptakeoverMonitoringPlugin()`
 * (iproute2, execFile).
 */
export function createSipIptakeoverMonitoringPlugin(deps: VipPluginDeps = {}): Plugin<typeof vipOptionsSchema> {
  return definePlugin({
    name: 'sip-iptakeover-monitoring',
    version: '0.1.0',
    options: vipOptionsSchema,
    requires: { plugins: ['sip'], services: [SipTokens.Api] },
    events: VIP_EVENTS,
    apply(engine) {
      const options = engine.options;
      const vip = parseVip(options.vip);
      if (typeof vip === 'string') throw new TypeError(`vip: ${vip}`); // the schema refused it already
      // The SIP plugin is applied first (requires): its API says where the listener binds.
      const sip = engine.services.resolve(SipTokens.Api);
      const sipHost = canonicalAddress(sip.status().host);
      if (options.interface === undefined && (sipHost === undefined || isUnspecified(sipHost))) {
        throw new VipError(
          'SWY_ERR_VIP_INTERFACE',
          `node ${engine.nodeId}: the SIP listener address "${sip.status().host}" names no interface to put VIP ${vip.cidr} on; ` +
            'set plugins.sip-iptakeover-monitoring.interface (e.g. "sip0")',
        );
      }
      const source = deps.source ?? new Iproute2Interfaces();
      const takeover = new VipTakeover(engine, {
        vip,
        interface: options.interface,
        sipHost: sipHost ?? '',
        checkInterval: options.checkInterval,
        attempts: options.attempts,
        gratuitousArp: options.gratuitousArp,
        scripts: new VipScripts({ vip, custom: options.scripts, runner: deps.runner ?? new ExecFileScriptRunner(), nodeId: engine.nodeId }),
        // Its own re-read is only a backstop: every check re-reads the interfaces anyway.
        watcher: new InterfaceWatcher({ address: vip.address, clock: engine.clock, source, checkIntervalMs: MAX_CHECK_INTERVAL * 1000 }),
        source,
        sip,
      });
      engine.hooks.start.tapPromise('vip', () => takeover.start());
      engine.hooks.stop.tapPromise('vip', () => takeover.stop());
      engine.hooks.roleChange.tapPromise('vip', (change) => takeover.onRoleChange(change.from, change.to, change.reason));
      engine.hooks.statusReport.tap('status', (report) => ({ ...report, [VIP_STATUS_KEY]: takeover.status() }));
    },
  });
}

/**
 * `sip-iptakeover-monitoring`: the primary holds the virtual IP and its SIP
 * service answers from it; the backup must not hold it. A switchover moves
 * the VIP as part of the role change; a mismatch found by the periodic check
 * runs the matching script (00-52029), put right it logs 00-52030, and still
 * wrong after `attempts` runs the node reports `unavailable`.
 */
export const sipIptakeoverMonitoringPlugin = createSipIptakeoverMonitoringPlugin();
