import { LoopbackChannels, ManualClock, createTestNode } from '@switchyard/sdk';
import { freePort } from '@switchyard/sdk/testing';
import sipPlugin from '../../src/index';
import { UdpProbe } from './udp-client';

/**
 * Two in-process nodes (virtual time) with real SIP sockets on loopback and
 * an in-memory HA link: node-a primary and node-b backup at term 1, and a
 * UDP probe. The caller stops them (`probe.close()`, `a.stop()`, `b.stop()`).
 */
export async function sipTestPair(sip: Record<string, unknown> = {}, clock = new ManualClock()) {
  const [chA, chB] = LoopbackChannels.pair({ nodeIds: ['node-a', 'node-b'] });
  const ports = { a: await freePort(), b: await freePort() };
  const make = (id: string, port: number, channels: LoopbackChannels) =>
    createTestNode({ nodeId: id, clock, channels, plugins: [[sipPlugin, { persistence: { enabled: false }, ...sip }]], nodeOptions: { sip: { port } } });
  const a = make('node-a', ports.a, chA);
  const b = make('node-b', ports.b, chB);
  await a.start();
  await b.start();
  await a.order('primary', 1);
  await b.order('backup', 1);
  const probe = await new UdpProbe().open();
  return { clock, a, b, ports, probe, chA, chB };
}
