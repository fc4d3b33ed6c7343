import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../src/clock';
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

describe('HA link: a peer configured by name', () => {
  const PEER_NAME = 'node-a.pair.test';

  /** node-b with its peer configured as PEER_NAME, looked up in-process by `lookup` (no query leaves the host). */
  async function namedAcceptor(lookup: (host: string) => Promise<string[]>, clock = new ManualClock()) {
    const [portA, portB] = [await freePort(), await freePort()];
    const b = testNode('node-b', portB, { id: 'node-a', port: portA }, {
      clock,
      listen: { host: HOST_B, port: portB },
      peer: { id: 'node-a', host: PEER_NAME, port: portA },
      refusalLogInterval: 0,
      lookup,
    });
    await b.link.start();
    return { b, portB, clock };
  }

  it('accepts only the addresses the name resolves to', async () => {
    const looked: string[] = [];
    const { b, portB } = await namedAcceptor(async (host) => {
      looked.push(host);
      return [HOST_A];
    });
    const stranger = await rawClient(portB, { host: HOST_B, from: '127.0.0.3' });
    await waitForClose(stranger);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped).map((f) => f.reason)).toEqual([`only the peer's configured address ${PEER_NAME} (${HOST_A}) may connect`]);
    await handshakenClient(portB, identityA, { host: HOST_B, from: HOST_A });
    await vi.waitFor(() => expect(b.link.connected).toBe(true), SLOW);
    expect(looked).toEqual([PEER_NAME]);
  });

  it('accepts nobody while the name does not resolve, and looks it up again at most every 30 s', async () => {
    let answer: string[] | undefined;
    let lookups = 0;
    const { b, portB, clock } = await namedAcceptor(async () => {
      lookups++;
      if (!answer) throw new Error(`getaddrinfo ENOTFOUND ${PEER_NAME}`);
      return answer;
    });
    await expect(handshakenClient(portB, identityA, { host: HOST_B, from: HOST_A })).rejects.toThrow(/closed during the handshake/);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped).at(-1)!.reason).toMatch(/the lookup failed: getaddrinfo ENOTFOUND/);
    answer = [HOST_A]; // the name is fixed in DNS
    for (let i = 0; i < 5; i++) await waitForClose(await rawClient(portB, { host: HOST_B, from: HOST_A }));
    expect(lookups).toBe(1);
    await clock.advance(30_000);
    await handshakenClient(portB, identityA, { host: HOST_B, from: HOST_A });
    await vi.waitFor(() => expect(b.link.connected).toBe(true), SLOW);
    expect(lookups).toBe(2);
  });
});
