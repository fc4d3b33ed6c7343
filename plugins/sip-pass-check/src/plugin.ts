import { CoreTokens, definePlugin, type HaChannels } from '@switchyard/sdk';
import { SipTokens, getSipHooks } from '@switchyard/plugin-sip';
import { PASS_CHECK_EVENTS, PassCheckEvent } from './events';
import { GuardSync } from './guard-sync';
import { passCheckOptionsSchema } from './options';
import { PassCheck } from './pass-check';
import { SilenceTracker } from './silence-tracker';
import { passCheckStatus } from './status';

/**
 * `sip-pass-check`: SIP traffic monitoring. The primary probes the service
 * devices (Active Out-Of-Service detection, `oos-check` / `oos-force`) and
 * reports `unavailable` when all of them are out of service and no SIP
 * message arrived for the effective timeout; the double-switchover guard,
 * shared with the peer and kept on disk, stretches that timeout (T, 2T, 4T)
 * while both nodes stay silent.
 */
export const sipPassCheckPlugin = definePlugin({
  name: 'sip-pass-check',
  version: '0.1.0',
  options: passCheckOptionsSchema,
  requires: { plugins: ['sip'], services: [SipTokens.Api, CoreTokens.HaChannels] },
  // Declared, not registered in apply(): alarm conditions in the config may name them (e.g. 00-04250).
  events: PASS_CHECK_EVENTS,
  apply(engine) {
    const sip = engine.services.resolve(SipTokens.Api);
    const monitor = engine.monitors.register('sip-traffic');
    const tracker = new SilenceTracker(engine.clock);
    let check: PassCheck | undefined;
    const guard = new GuardSync({
      nodeId: engine.nodeId,
      channels: engine.services.resolve<HaChannels>(CoreTokens.HaChannels),
      dir: engine.dataDir,
      logger: engine.logger,
      onChange: (_state, origin) => check?.guardChanged(origin),
      onFileError: (file, error) => engine.events.emit(PassCheckEvent.GuardStateFailed, { file, error: error instanceof Error ? error.message : String(error) }),
    });
    check = new PassCheck({
      devices: engine.options.serviceDevices,
      clock: engine.clock,
      sip,
      guard,
      tracker,
      monitor,
      emit: (id, fields) => engine.events.emit(id, fields),
      role: () => engine.node.role,
    });
    const passCheck = check;
    // Both nodes track traffic: any message, on either node, resets the guard.
    tracker.listen(getSipHooks(engine), () => passCheck.messageSeen());
    engine.hooks.start.tapPromise('monitor', async () => {
      await guard.load();
      passCheck.start();
    });
    engine.hooks.stop.tapPromise('monitor', async () => {
      passCheck.stop();
      await guard.flush();
    });
    engine.hooks.roleChange.tap('monitor', (change) => passCheck.roleChanged(change.to));
    engine.hooks.statusReport.tap('status', (report) => ({
      ...report,
      sipPassCheck: passCheckStatus({ check: passCheck, tracker, guard, clock: engine.clock }),
    }));
  },
});
