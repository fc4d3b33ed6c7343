import { defineConfig } from '@switchyard/sdk';

/**
 * Single-host pair with SIP traffic monitoring (`sip-pass-check`). One
 * service device is probed with OPTIONS: play it with the SIPp UAS of
 * plugins/sip-pass-check/README.md (`sipp -sf plugins/sip-pass-check/scenarios/uas-options.xml -i
 * 127.0.0.1 -p 5070`). Stop SIPp and send no other SIP traffic: after the
 * effective timeout T = 2 + max(1, 5) = 7 s the primary reports unavailable
 * and the pair switches over; with both nodes silent the next switchovers
 * come after 7 s, 14 s, 28 s, 28 s… (double-switchover guard). Any SIP
 * message, or SIPp answering again, resets it.
 *
 * Ports differ from examples/single-host, so both can run side by side.
 */
export default defineConfig({
  cluster: 'pass-check-demo',
  nodes: [
    { id: 'sip-a', host: '127.0.0.1', haPort: 7471, priority: 100, sip: { port: 5080 } },
    { id: 'sip-b', host: '127.0.0.1', haPort: 7472, priority: 50, sip: { port: 5082 } },
  ],
  arbiter: { kind: 'embedded', switchTimeout: 1 },
  management: { host: '127.0.0.1', port: 7470 },
  haLink: { heartbeatInterval: 0.1, missedHeartbeats: 3 },
  plugins: {
    sip: { bindRetryInterval: 5 },
    // Classic: sip-pass-check = true, and on the device oos-check = 2, oos-force = 1.
    'sip-pass-check': {
      serviceDevices: [{ uri: 'sip:device@127.0.0.1:5070', oosCheck: 2, oosForce: 1 }],
    },
  },
});
