import { CoreTokens, definePlugin, HookStage, type HaChannels } from '@switchyard/sdk';
import { SIP_EVENTS } from './events';
import { sipExposureWarnings } from './exposure-check';
import { sipNodeSchema, sipOptionsSchema } from './options';
import { SipTokens } from './sip-api';
import { PUBLIC_SOCKET, SipService } from './sip-service';

/**
 * `sip`: the SIP service of a node. Primary: registrar, OPTIONS, redirect
 * server. Backup: the listener stays open and answers 503 + Retry-After.
 * Bindings are replicated to the backup over the HA link and journaled on
 * disk.
 */
export const sipPlugin = definePlugin({
  name: 'sip',
  version: '0.1.0',
  options: sipOptionsSchema,
  requires: { services: [CoreTokens.HaChannels] },
  provides: [SipTokens.Api],
  // Declared statically so alarm conditions may name them (e.g. 00-04200) and the engine registers them before apply.
  events: SIP_EVENTS,
  // On one host the agent binds the public address once and hands it to each primary in turn.
  primarySockets: (options) => (options.public ? [{ name: PUBLIC_SOCKET, ...options.public }] : []),
  nodeOptions: {
    key: 'sip',
    schema: sipNodeSchema,
    required: true,
    check(sections) {
      const seen = new Map<string, number>();
      const issues = [];
      for (const s of sections) {
        const key = `${s.value.host ?? s.host}:${s.value.port}`;
        const first = seen.get(key);
        if (first !== undefined) {
          issues.push({
            index: s.index,
            path: ['port'],
            message: `SIP port ${key} is also used by nodes[${first}].sip; give each node its own SIP port (single host) or host`,
          });
        } else seen.set(key, s.index);
      }
      return issues;
    },
    // `switchyard validate` warnings (not errors): SIP reachable from other hosts without sip-digest-auth.
    warn: sipExposureWarnings,
  },
  apply(engine) {
    const channels = engine.services.resolve<HaChannels>(CoreTokens.HaChannels);
    const service = new SipService(engine, channels, engine.node.host);
    engine.services.register(SipTokens.Api, service);
    engine.hooks.start.tapPromise({ name: 'listener', stage: HookStage.EARLY }, () => service.start());
    engine.hooks.stop.tapPromise('listener', () => service.stop());
    engine.hooks.roleChange.tap('bind-policy', () => service.roleChanged());
    engine.hooks.statusReport.tap('status', (report) => ({ ...report, sip: service.status() }));
  },
});
