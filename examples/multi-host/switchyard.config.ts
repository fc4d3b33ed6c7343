import { defineConfig } from '@switchyard/sdk';

/**
 * A pair on two hosts, arbitrated by etcd. Each host runs
 * `switchyard node --config switchyard.config.ts`; the node whose `host` is
 * an address of that machine is the one it runs. Addresses are those of the
 * namespace lab (`npm run lab:up` in this folder, see lab.md): hosts h1
 * (192.0.2.1 control, 198.51.100.1 SIP) and h2 (.2), etcd on the client
 * namespace at 192.0.2.254. The virtual IP 198.51.100.100 follows the
 * primary (try `sipsak -s sip:ping@198.51.100.100` from the client namespace).
 */
export default defineConfig({
  cluster: 'multi-host-demo',
  nodes: [
    { id: 'sip-a', host: '192.0.2.1', haPort: 7461, priority: 100, sip: { host: '198.51.100.1', port: 5060 } },
    { id: 'sip-b', host: '192.0.2.2', haPort: 7461, priority: 50, sip: { host: '198.51.100.2', port: 5060 } },
  ],
  // The primary holds /switchyard/multi-host-demo/leader under its etcd lease (TTL 2 s).
  arbiter: { kind: 'etcd', endpoints: ['http://192.0.2.254:2379'], leaseTtl: 2 },
  // Each agent serves the management API on its own node's host (192.0.2.1:7460, 192.0.2.2:7460):
  // reachable from the network, so over TLS with the token (`npm run lab:tls` makes a self-signed
  // certificate for the lab; the CLI pins it). Use your own certificate in production.
  management: { port: 7460, tls: { cert: 'tls/management.crt', key: 'tls/management.key' } },
  // Two hosts: the HA link must be authenticated with a secret shared by both (change it).
  haLink: { heartbeatInterval: 0.1, missedHeartbeats: 3, secret: 'multi-host-demo-secret-change-me' },
  plugins: {
    sip: { bindRetryInterval: 2, replication: { mode: 'async' } },
    // Classic tlib-nicmonitoring: the control NIC (the one carrying nodes[].host); down -> unavailable.
    'tlib-nicmonitoring': true,
    // Classic sip-nic-monitoring (sip-nic-address: the SIP listener's address by default); down -> 00-52027.
    'sip-nic-monitoring': true,
    // Classic sip-iptakeover-monitoring: the primary holds the virtual IP and answers from it.
    'sip-iptakeover-monitoring': { vip: '198.51.100.100/24' },
    // Classic control-vip-scripts: with etcd unreachable and both nodes primary, exactly one yields
    // (a backstop under the default arbiter.onEtcdLoss 'failsafe'; it matters with 'keep-serving').
    'control-vip-scripts': true,
    'alarm-reactions': true,
  },
  alarms: {
    conditions: [
      { id: 'etcd-unreachable', detect: ['01-30001'], cancel: ['01-30002'], severity: 'major', reactions: ['log-it'] },
      { id: 'sip-listener-down', detect: ['00-04200'], severity: 'critical', clearAfter: 3600, reactions: ['log-it'] },
      { id: 'sip-nic-down', detect: ['00-52027'], cancel: ['00-52028'], severity: 'critical', reactions: ['log-it'] },
      { id: 'vip-failure', detect: ['00-52029'], cancel: ['00-52030'], severity: 'major', reactions: ['log-it'] },
      { id: 'control-nic-down', detect: ['01-40001'], cancel: ['01-40002'], severity: 'critical', reactions: ['log-it'] },
      { id: 'split-brain-ended', detect: ['01-50001'], severity: 'major', clearAfter: 3600, reactions: ['log-it'] },
    ],
    reactions: { 'log-it': { kind: 'log', note: 'see docs/operator/deploy.md, two hosts' } },
  },
});
