import { SipTokens, type SipApi } from '@switchyard/plugin-sip';
import { definePlugin } from '@switchyard/sdk';

/** What the stand-in SIP service was asked, and whether it can listen. */
export interface FakeSipState {
  /** `listenOn` / `stopListening` calls, in order: `listen 198.51.100.100`, `stop 198.51.100.100`. */
  calls: string[];
  /** Addresses listened on now. */
  extra: Set<string>;
  /** When set, `listenOn` rejects with it. */
  failListen?: Error;
}

/** A stand-in `sip` plugin: `status().host` and `listenOn` / `stopListening` of the public API. */
export function fakeSip(host: string, state: FakeSipState = { calls: [], extra: new Set() }) {
  const plugin = definePlugin({
    name: 'sip',
    version: '0.0.0',
    provides: [SipTokens.Api],
    apply(engine) {
      engine.services.register(SipTokens.Api, {
        status: () => ({ host, port: 5060, listening: true, extraHosts: [...state.extra], bindings: 0, replication: { mode: 'async', inSync: true, lag: 0 } }),
        listenOn: (address: string) => {
          state.calls.push(`listen ${address}`);
          if (state.failListen) return Promise.reject(state.failListen);
          state.extra.add(address);
          return Promise.resolve();
        },
        stopListening: (address: string) => {
          state.calls.push(`stop ${address}`);
          state.extra.delete(address);
          return Promise.resolve();
        },
      } as unknown as SipApi);
    },
  });
  return { plugin, state };
}
