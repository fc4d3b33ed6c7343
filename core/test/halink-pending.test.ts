import type net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { CoreEvent } from '../src/events/core-events';
import type { HaLinkOptions } from '../src/halink/link';
import { freePort, rawClient, testNode } from './halink-support';

/**
 * Pending handshakes are capped per address and in total, and the oldest
 * makes room: a host that opens connections and says nothing cannot keep
 * the real peer out. Other hosts are other 127.0.0.0/8 addresses.
 */
const SLOW = { timeout: 5000, interval: 10 };
const PEER_HOST = '127.0.0.2';
const NODE_B_HOST = '127.0.0.1';
const HOSTILE = '127.0.0.9';
const FLOOD = 20;
/**
 * A peer configured by a name that also resolves to the hostile addresses
 * (a shared or NATed address, a compromised resolver): the address check
 * lets them through, so the caps alone must hold. Looked up in-process: no
 * query leaves the host.
 */
const PEER_NAME = 'node-a.pair.test';
const resolvesTo = (addresses: string[]) => async (): Promise<string[]> => addresses;

/**
 * node-b accepts, node-a dials from PEER_HOST. The handshake deadline is
 * long (30 s), so silent connections are only ever removed by the caps.
 */
async function pair(peerHostAtB: string, bOverrides: Partial<HaLinkOptions> = {}) {
  const [portA, portB] = [await freePort(), await freePort()];
  const a = testNode('node-a', portA, { id: 'node-b', port: portB }, {
    listen: { host: PEER_HOST, port: portA },
    peer: { id: 'node-b', host: NODE_B_HOST, port: portB },
  });
  const b = testNode('node-b', portB, { id: 'node-a', port: portA }, {
    listen: { host: NODE_B_HOST, port: portB },
    peer: { id: 'node-a', host: peerHostAtB, port: portA },
    handshakeTimeout: 30,
    ...bOverrides,
  });
  await b.link.start();
  return { a, b, portB };
}

/** `count` silent connections from `from`, opened one after the other. */
async function flood(port: number, from: string, count: number): Promise<net.Socket[]> {
  const sockets: net.Socket[] = [];
  for (let i = 0; i < count; i++) sockets.push(await rawClient(port, { host: NODE_B_HOST, from }));
  return sockets;
}

const stillOpen = (sockets: net.Socket[]): number => sockets.filter((s) => !s.destroyed).length;

/** The real pair comes up, heartbeats flow and a replicated message arrives. */
async function expectRealPeerServed(a: ReturnType<typeof testNode>, b: ReturnType<typeof testNode>): Promise<void> {
  const received: string[] = [];
  b.link.channel<string>('test.replication').onMessage((m) => received.push(m));
  const channel = a.link.channel<string>('test.replication');
  a.state.term = 5;
  await a.link.start();
  await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);
  channel.send('binding-1');
  await vi.waitFor(() => expect(received).toEqual(['binding-1']), SLOW);
  await vi.waitFor(() => expect(b.link.peerState()?.term).toBe(5), SLOW);
}

describe('HA link: pending handshakes capped per address', () => {
  it('a flood from one host holds at most 2 slots, logs one line, and the real peer still gets in', async () => {
    const { a, b, portB } = await pair(PEER_NAME, { lookup: resolvesTo([PEER_HOST, HOSTILE]) });
    const hostile = await flood(portB, HOSTILE, FLOOD);
    await vi.waitFor(() => expect(stillOpen(hostile)).toBe(2), SLOW);
    expect(hostile.slice(-2).every((s) => !s.destroyed)).toBe(true); // the newest stay, the oldest made room
    const lines = b.log.of(CoreEvent.HaLinkPeerDropped);
    expect(lines).toEqual([
      {
        remote: expect.stringMatching(/^127\.0\.0\.9:\d+$/),
        code: 'SWY_ERR_HALINK_PROTOCOL',
        reason: `2 handshakes already pending from ${HOSTILE} (at most 2 per address); the oldest was dropped to make room`,
      },
    ]);

    await expectRealPeerServed(a, b);
    expect(b.log.of(CoreEvent.HaLinkUp)).toEqual([{ peer: 'node-a', direction: 'accepted' }]);
    expect(stillOpen(hostile)).toBe(0); // the authenticated link ended the losing handshakes
  });

  it('many hosts together hold at most 8 slots, and the real peer still gets in', async () => {
    const hosts = ['127.0.0.9', '127.0.0.10', '127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14'];
    const { a, b, portB } = await pair(PEER_NAME, { lookup: resolvesTo([PEER_HOST, ...hosts]) });
    const hostile = (await Promise.all(hosts.map((host) => flood(portB, host, 3)))).flat();
    await vi.waitFor(() => expect(stillOpen(hostile)).toBe(8), SLOW);
    await expectRealPeerServed(a, b);
  });

  it('connections from the peer’s own address cannot keep the real peer out either', async () => {
    // The attacker shares the peer's host (or the pair runs on one host).
    const { a, b, portB } = await pair(PEER_HOST);
    const hostile = await flood(portB, PEER_HOST, FLOOD);
    await vi.waitFor(() => expect(stillOpen(hostile)).toBe(2), SLOW);
    await expectRealPeerServed(a, b);
  });

  it('refuses every other address before any handshake, whatever the slots', async () => {
    const { a, b, portB } = await pair(PEER_HOST);
    const strangers = await flood(portB, HOSTILE, FLOOD);
    await vi.waitFor(() => expect(stillOpen(strangers)).toBe(0), SLOW);
    await expectRealPeerServed(a, b);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([
      expect.objectContaining({ remote: expect.stringMatching(/^127\.0\.0\.9:/), reason: `only the peer's configured address ${PEER_HOST} may connect` }),
    ]);
  });
});
