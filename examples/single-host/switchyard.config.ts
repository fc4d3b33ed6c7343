import { defineConfig } from '@switchyard/sdk';

/**
 * Single-host HA: both nodes on this host, each its own OS process with its
 * own HA port; the supervisor of `switchyard up` is the arbiter. No virtual
 * IP, no VIP scripts, no secret to configure (one is generated per run).
 * Intended for small deployments.
 *
 * Clients use one SIP address, 127.0.0.1:5060 (UDP and TCP), that only the
 * primary listens on; each node keeps its own port (5062, 5064) for the
 * backup's 503 and health probes. `fence` lets the agent kill a frozen
 * primary so the other node can take the address within `switchTimeout`.
 * Failure detection runs at the defaults (README, "Failure detection"):
 * a frozen primary is replaced 0.3 s after its last heartbeat.
 */
export default defineConfig({
  cluster: 'demo',
  nodes: [
    { id: 'sip-a', host: '127.0.0.1', haPort: 7461, priority: 100, sip: { port: 5062 } },
    { id: 'sip-b', host: '127.0.0.1', haPort: 7462, priority: 50, sip: { port: 5064 } },
  ],
  arbiter: { kind: 'embedded', fence: true },
  management: { host: '127.0.0.1', port: 7460 },
  plugins: {
    // The SIP service: registrar, OPTIONS, redirect server; the backup answers 503.
    // `public`: the pair's one SIP address, held by the primary only.
    sip: { public: { host: '127.0.0.1', port: 5060 }, bindRetryInterval: 5, replication: { mode: 'async' } },
    // Reaction kinds for alarms: log, exec, webhook, switchover.
    'alarm-reactions': true,
  },
  alarms: {
    conditions: [
      // A node cannot open its SIP port (00-04200): the recommended critical condition. It clears by
      // itself an hour after the last failed attempt, or when an operator runs
      // `switchyard alarms clear sip-listener-down@<node>`.
      { id: 'sip-listener-down', detect: ['00-04200'], severity: 'critical', clearAfter: 3600, reactions: ['log-it'], clearanceReactions: ['log-it'] },
    ],
    reactions: {
      'log-it': { kind: 'log', note: 'a SIP node cannot listen; check what holds its port' },
    },
  },
});
