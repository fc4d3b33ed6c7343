import { describe, expect, it, vi } from 'vitest';
import { CoreEvent } from '../src/events/core-events';
import { TEST_SECRET, freePort, handshakenClient, rawClient, testNode, waitForClose } from './halink-support';

/**
 * Two hosts stood in for by two loopback addresses (127.0.0.0/8 is all
 * local on Linux): the HA link takes connections only from the peer's
 * configured address.
 */
const SLOW = { timeout: 5000, interval: 10 };
const HOST_A = '127.0.0.2';
const HOST_B = '127.0.0.1';

/** node-b, the accepting side (node-a sorts first and dials), on HOST_B with its peer node-a configured at HOST_A. */
async function acceptor() {
  const [portA, portB] = [await freePort(), await freePort()];
  const b = testNode('node-b', portB, { id: 'node-a', port: portA }, {
    listen: { host: HOST_B, port: portB },
    peer: { id: 'node-a', host: HOST_A, port: portA },
  });
  await b.link.start();
  return { b, portA, portB };
}

const identityA = { nodeId: 'node-a', cluster: 'test-cluster', peerId: 'node-b', secret: TEST_SECRET };

describe('HA link: only the peer’s configured address may connect', () => {
  it('refuses a connection from another address (01-10023) before any handshake', async () => {
    const { b, portB } = await acceptor();
    const intruder = await rawClient(portB, { host: HOST_B, from: '127.0.0.1' });
    const received: Buffer[] = [];
    intruder.on('data', (chunk: Buffer) => received.push(chunk));
    await waitForClose(intruder);
    expect(received).toEqual([]); // not even a challenge
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([
      {
        remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        code: 'SWY_ERR_HALINK_PROTOCOL',
        reason: "only the peer's configured address 127.0.0.2 may connect",
      },
    ]);
    expect(b.link.connected).toBe(false);
  });

  it('refuses a peer from another address even with the right secret', async () => {
    const { b, portB } = await acceptor();
    await expect(handshakenClient(portB, identityA, { host: HOST_B, from: '127.0.0.3' })).rejects.toThrow(/closed during the handshake/);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped).map((f) => f.reason)).toEqual(["only the peer's configured address 127.0.0.2 may connect"]);
    expect(b.log.of(CoreEvent.HaLinkUp)).toEqual([]);
  });

  it('accepts the peer from its configured address and brings the link up', async () => {
    const { b, portB } = await acceptor();
    const peer = await handshakenClient(portB, identityA, { host: HOST_B, from: HOST_A });
    await vi.waitFor(() => expect(b.link.connected).toBe(true), SLOW);
    expect(b.log.of(CoreEvent.HaLinkUp)).toEqual([{ peer: 'node-a', direction: 'accepted' }]);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([]);
    await vi.waitFor(() => expect(peer.frames.some((f) => f.t === 'hb')).toBe(true), SLOW);
  });

  it.each([
    { dialer: HOST_A, acceptorHost: HOST_B },
    { dialer: HOST_B, acceptorHost: HOST_A },
  ])('two real links on $dialer (dials) and $acceptorHost connect: the dialer calls from its own address', async ({ dialer, acceptorHost }) => {
    const [portA, portB] = [await freePort(), await freePort()];
    const a = testNode('node-a', portA, { id: 'node-b', port: portB }, {
      listen: { host: dialer, port: portA },
      peer: { id: 'node-b', host: acceptorHost, port: portB },
    });
    const b = testNode('node-b', portB, { id: 'node-a', port: portA }, {
      listen: { host: acceptorHost, port: portB },
      peer: { id: 'node-a', host: dialer, port: portA },
    });
    await b.link.start();
    await a.link.start();
    await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([]);
    expect(b.log.of(CoreEvent.HaLinkUp)).toEqual([{ peer: 'node-a', direction: 'accepted' }]);
  });
});
