import { SipTokens, type SipApi } from '@switchyard/plugin-sip';
import { definePlugin } from '@switchyard/sdk';

/** A stand-in `sip` plugin: only the public API's `status().host` (the listener address) is real. */
export function fakeSip(host: string) {
  return definePlugin({
    name: 'sip',
    version: '0.0.0',
    provides: [SipTokens.Api],
    apply(engine) {
      engine.services.register(SipTokens.Api, {
        status: () => ({ host, port: 5060, listening: true, bindings: 0, replication: { mode: 'async', inSync: true, lag: 0 } }),
      } as unknown as SipApi);
    },
  });
}
