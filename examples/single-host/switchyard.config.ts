import { defineConfig } from '@switchyard/sdk';

/**
 * Single-host HA: both nodes on this host, each its own OS process with its
 * own HA port; the supervisor of `switchyard up` is the arbiter. No virtual
 * IP, no VIP scripts, no secret to configure (one is generated per run).
 * Intended for small deployments.
 */
export default defineConfig({
  cluster: 'demo',
  nodes: [
    { id: 'sip-a', host: '127.0.0.1', haPort: 7461, priority: 100, sip: { port: 5060 } },
    { id: 'sip-b', host: '127.0.0.1', haPort: 7462, priority: 50, sip: { port: 5062 } },
  ],
  arbiter: { kind: 'embedded', switchTimeout: 1 },
  management: { host: '127.0.0.1', port: 7460 },
  haLink: { heartbeatInterval: 0.1, missedHeartbeats: 3 },
  plugins: {
    // The SIP service: registrar, OPTIONS, redirect server; the backup answers 503.
    sip: { bindRetryInterval: 5, replication: { mode: 'async' } },
  },
});
