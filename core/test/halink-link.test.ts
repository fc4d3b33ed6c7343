import net from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { ManualClock, SystemClock } from '../src/clock';
import type { NodeState } from '../src/engine/types';
import { SwitchyardError } from '../src/errors';
import { CoreEvent } from '../src/events/core-events';
import { encodeFrame } from '../src/halink/frame';
import {
  TEST_SECRET,
  TcpProxy,
  freePort,
  handshakenClient,
  onCleanup,
  rawClient,
  testPair,
  waitForClose,
} from './halink-support';

const SLOW = { timeout: 5000, interval: 10 };

/** A virtual clock that records every delay asked of it: a dialer's reconnect delays among them. */
class RecordingClock extends ManualClock {
  readonly delays: number[] = [];
  override setTimeout(fn: () => void, ms: number) {
    this.delays.push(ms);
    return super.setTimeout(fn, ms);
  }
}

function lengthPrefixed(payload: string | Buffer): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

describe('HaLink connection', () => {
  it('connects two nodes sharing a secret and carries role, status and term in heartbeats', async () => {
    const { a, b } = await testPair();
    Object.assign(a.state, { role: 'primary', status: 'running', term: 3 });
    const aChanges: boolean[] = [];
    const seenByB: NodeState[] = [];
    a.link.onConnectionChange((up) => aChanges.push(up));
    b.link.onPeerState((state) => seenByB.push({ ...state }));
    await b.link.start();
    await a.link.start();

    await vi.waitFor(() => expect(b.link.peerState()).toEqual({ nodeId: 'node-a', role: 'primary', status: 'running', term: 3 }), SLOW);
    await vi.waitFor(() => expect(a.link.peerState()).toEqual({ nodeId: 'node-b', role: 'backup', status: 'starting', term: 0 }), SLOW);
    expect(a.log.of(CoreEvent.HaLinkUp)).toEqual([{ peer: 'node-b', direction: 'dialed' }]);
    expect(b.log.of(CoreEvent.HaLinkUp)).toEqual([{ peer: 'node-a', direction: 'accepted' }]);

    // Each change rides the next heartbeat; five rounds outlast the 0.15 s silence limit.
    for (let term = 4; term <= 8; term++) {
      a.state.term = term;
      await vi.waitFor(() => expect(b.link.peerState()?.term).toBe(term), SLOW);
    }
    a.state.status = 'unavailable';
    await vi.waitFor(() => expect(b.link.peerState()?.status).toBe('unavailable'), SLOW);
    expect(seenByB.map((s) => `${s.status}/${s.term}`)).toEqual(['running/3', 'running/4', 'running/5', 'running/6', 'running/7', 'running/8', 'unavailable/8']);
    expect([...a.log.of(CoreEvent.HaLinkDown), ...b.log.of(CoreEvent.HaLinkDown)]).toEqual([]);
    expect(aChanges).toEqual([true]);
  });

  it('reports the link down on both sides when one node stops, and comes back after a restart', async () => {
    const { a, b } = await testPair();
    await b.link.start();
    await a.link.start();
    await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);

    await b.link.stop();
    await b.link.stop(); // idempotent
    expect(b.link.connected).toBe(false);
    expect(b.log.of(CoreEvent.HaLinkDown)).toEqual([{ peer: 'node-a', reason: 'this node is stopping' }]);
    await vi.waitFor(() => expect(a.log.of(CoreEvent.HaLinkDown)).toHaveLength(1), SLOW);
    expect(a.link.connected).toBe(false);
    expect(a.link.peerState()).toBeUndefined();

    await b.link.start(); // a keeps dialing with backoff
    await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);
    expect(a.log.of(CoreEvent.HaLinkUp)).toHaveLength(2);
  });

  it('rejects a peer with the wrong secret on both sides and never connects', async () => {
    const { a, b } = await testPair({ secret: 'not-the-same-secret-at-all' });
    await b.link.start();
    await a.link.start();
    await vi.waitFor(() => {
      expect(b.log.of(CoreEvent.HaLinkAuthFailed).length).toBeGreaterThan(0);
      expect(a.log.of(CoreEvent.HaLinkAuthFailed).length).toBeGreaterThan(0);
    }, SLOW);
    expect(String(b.log.of(CoreEvent.HaLinkAuthFailed)[0]!.reason)).toMatch(/secret/);
    expect(String(a.log.of(CoreEvent.HaLinkAuthFailed)[0]!.reason)).toMatch(/refused our authentication/);
    expect(a.link.connected || b.link.connected).toBe(false);
    expect([...a.log.of(CoreEvent.HaLinkUp), ...b.log.of(CoreEvent.HaLinkUp)]).toEqual([]);
  });

  it('drops garbage, oversized frames and frames before auth, then still accepts the real peer', async () => {
    const { a, b, portB } = await testPair({}, { refusalLogInterval: 0 }); // every drop logged, to check each code
    await b.link.start();
    const attacks: Array<[string, Buffer]> = [
      ['SWY_ERR_HALINK_FRAME_INVALID', lengthPrefixed('this is not json')],
      ['SWY_ERR_HALINK_FRAME_TOO_LARGE', lengthPrefixed(Buffer.alloc(0)).fill(0xff, 0, 4)], // declares 4 GiB
      ['SWY_ERR_HALINK_FRAME_TOO_LARGE', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')], // a scanner
      ['SWY_ERR_HALINK_PROTOCOL', encodeFrame({ t: 'hb', role: 'primary', status: 'running', term: 99 })],
      ['SWY_ERR_HALINK_PROTOCOL', encodeFrame({ t: 'bogus' })],
    ];
    for (const [code, bytes] of attacks) {
      const socket = await rawClient(portB);
      socket.write(bytes);
      await waitForClose(socket);
      expect(b.log.of(CoreEvent.HaLinkPeerDropped).at(-1)).toMatchObject({ code, remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    }
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toHaveLength(attacks.length);
    expect(b.link.peerState()).toBeUndefined(); // the early "hb" was not believed

    await a.link.start();
    await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);
  });

  it('drops a peer that connects and says nothing after handshakeTimeout', async () => {
    const { b, portB } = await testPair();
    await b.link.start();
    const started = performance.now();
    const silent = await rawClient(portB);
    await waitForClose(silent);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250); // handshakeTimeout is 0.3 s
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([
      expect.objectContaining({ code: 'SWY_ERR_HALINK_TIMEOUT', reason: expect.stringMatching(/0\.3 s/) }),
    ]);
  });

  it('times the handshake with the injected clock, not the wall clock', async () => {
    const clock = new ManualClock();
    const { b, portB } = await testPair({}, { clock });
    await b.link.start();
    const silent = await rawClient(portB);
    await vi.waitFor(() => expect(clock.pending).toBe(1), SLOW); // the handshake deadline
    await clock.advance(299);
    expect(silent.destroyed).toBe(false);
    await clock.advance(1);
    await waitForClose(silent);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([expect.objectContaining({ code: 'SWY_ERR_HALINK_TIMEOUT' })]);
    await clock.advance(60_000); // the refusal log's window for 127.0.0.1 closes with nothing to summarise
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });

  it('refuses a second connection while one is authenticated, and any connection to the dialing node', async () => {
    const { a, b, portA, portB } = await testPair();
    await b.link.start();
    await a.link.start();
    await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);

    for (const [port, node] of [
      [portB, b],
      [portA, a],
    ] as const) {
      const intruder = await rawClient(port);
      await waitForClose(intruder);
      expect(node.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([expect.objectContaining({ code: 'SWY_ERR_HALINK_PROTOCOL' })]);
    }
    expect(a.link.connected && b.link.connected).toBe(true);
    expect([...a.log.of(CoreEvent.HaLinkDown), ...b.log.of(CoreEvent.HaLinkDown)]).toEqual([]);
  });

  it('declares the link dead when no frame arrives for heartbeatInterval × missedHeartbeats, then reconnects', async () => {
    const portB = await freePort();
    const proxy = await TcpProxy.start(portB);
    // node-b waits longer (1 s) than node-a (0.15 s), so node-a is the one that notices the silence.
    const { a, b } = await testPair(
      { peer: { id: 'node-b', host: '127.0.0.1', port: proxy.port } },
      { listen: { host: '127.0.0.1', port: portB }, missedHeartbeats: 20 },
    );
    await b.link.start();
    await a.link.start();
    await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);

    proxy.setBlackhole(true); // nothing closes; bytes just stop arriving
    await vi.waitFor(() => expect(a.log.of(CoreEvent.HaLinkDown)).toHaveLength(1), SLOW);
    expect(a.log.of(CoreEvent.HaLinkDown)[0]).toEqual({ peer: 'node-b', reason: expect.stringMatching(/no frame from the peer/) });
    await vi.waitFor(() => expect(b.link.connected).toBe(false), SLOW);

    proxy.setBlackhole(false);
    await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);
  });

  it('does not count a peer silent whose frames wait unread after a long turn of this process (bulk work)', async () => {
    const { a, b } = await testPair();
    await b.link.start();
    await a.link.start();
    await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);
    // One turn of 0.4 s, past the 0.15 s silence limit: both peers' heartbeats are overdue, and the first
    // turn after it runs their timers (which send heartbeats) and the silence checks before it reads a socket.
    const until = performance.now() + 400;
    while (performance.now() < until) {
      // busy: what a large catch-up or compaction does to the loop
    }
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect([...a.log.of(CoreEvent.HaLinkDown), ...b.log.of(CoreEvent.HaLinkDown)]).toEqual([]);
    expect(a.link.connected && b.link.connected).toBe(true);
  });

  it('waits longer after each connection that is cut at once, and starts again from 100 ms after one that stayed up', async () => {
    const clock = new RecordingClock();
    const portB = await freePort();
    const proxy = await TcpProxy.start(portB);
    // Silence detection out of the way: only the cuts end connections here.
    const { a, b } = await testPair(
      { clock, missedHeartbeats: 1000, peer: { id: 'node-b', host: '127.0.0.1', port: proxy.port } },
      { missedHeartbeats: 1000, listen: { host: '127.0.0.1', port: portB } },
    );
    await b.link.start();
    await a.link.start();
    const cutAndReadDelay = async (downs: number): Promise<number> => {
      proxy.cut();
      await vi.waitFor(() => expect(a.log.of(CoreEvent.HaLinkDown)).toHaveLength(downs), SLOW);
      return clock.delays.at(-1)!;
    };
    const reconnect = async (delay: number, ups: number): Promise<void> => {
      await clock.advance(delay);
      await vi.waitFor(() => expect(a.log.of(CoreEvent.HaLinkUp)).toHaveLength(ups), SLOW);
    };
    await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);

    const first = await cutAndReadDelay(1);
    await reconnect(first, 2);
    const second = await cutAndReadDelay(2);
    await reconnect(second, 3);
    const third = await cutAndReadDelay(3);
    // 100, 200, 400 ms, each ± 20 %: without the doubling a cut-at-once loop would reconnect ten times a second.
    expect(first).toBeGreaterThanOrEqual(80);
    expect(first).toBeLessThanOrEqual(120);
    expect(second).toBeGreaterThanOrEqual(160);
    expect(third).toBeGreaterThanOrEqual(320);

    await reconnect(third, 4);
    await clock.advance(1000); // this one stays up a second
    expect(a.link.connected).toBe(true);
    const afterStable = await cutAndReadDelay(4);
    expect(afterStable).toBeLessThanOrEqual(120);
  });

  it('retries a dial the peer refused (not listening yet) after 20 ms, then 40 ms: a pair starting together links up without waiting 100 ms', async () => {
    const clock = new RecordingClock();
    const { a, b } = await testPair({ clock, missedHeartbeats: 1000 }, { missedHeartbeats: 1000 });
    // Reconnect delays only: the link's other timers (handshake deadline, silence checks) are longer.
    const retries = () => clock.delays.filter((ms) => ms <= 60);
    await a.link.start(); // b does not listen yet: refused
    await vi.waitFor(() => expect(retries()).toHaveLength(1), SLOW);
    const [first] = retries();
    expect(first).toBeGreaterThanOrEqual(16);
    expect(first).toBeLessThanOrEqual(24);
    await clock.advance(first!);
    await vi.waitFor(() => expect(retries()).toHaveLength(2), SLOW);
    const second = retries()[1]!;
    expect(second).toBeGreaterThanOrEqual(32);
    expect(second).toBeLessThanOrEqual(48);
    await b.link.start();
    await clock.advance(second);
    await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);
    expect(first! + second).toBeLessThan(100);
  });

  it('drops an authenticated peer that sends an unknown frame type, and takes it back when it behaves', async () => {
    const { b, portB } = await testPair();
    await b.link.start();
    const identity = { nodeId: 'node-a', cluster: 'test-cluster', peerId: 'node-b', secret: TEST_SECRET };
    const rogue = await handshakenClient(portB, identity);
    await vi.waitFor(() => expect(b.link.connected).toBe(true), SLOW);
    await vi.waitFor(() => expect(rogue.frames.some((f) => f.t === 'hb')).toBe(true), SLOW);
    rogue.send({ t: 'launch-missiles' });
    await waitForClose(rogue.socket);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([expect.objectContaining({ code: 'SWY_ERR_HALINK_PROTOCOL' })]);
    expect(b.log.of(CoreEvent.HaLinkDown)).toEqual([{ peer: 'node-a', reason: expect.stringMatching(/launch-missiles/) }]);

    const honest = await handshakenClient(portB, identity);
    honest.send({ t: 'hb', role: 'primary', status: 'running', term: 1 });
    await vi.waitFor(() => expect(b.link.peerState()?.role).toBe('primary'), SLOW);
  });

  it('echoes: each side learns which of its heartbeats the peer heard, and when it last heard the peer (kept after the link goes)', async () => {
    const { a, b } = await testPair();
    const clock = new SystemClock();
    const before = Math.floor(clock.monotonic());
    await b.link.start();
    await a.link.start();
    await vi.waitFor(() => expect(a.link.echoedSent()).not.toBeNull(), SLOW);
    await vi.waitFor(() => expect(b.link.echoedSent()).not.toBeNull(), SLOW);
    for (const side of [a, b]) {
      const echoed = side.link.echoedSent()!;
      // One of this side's own send times: after the test began, not in the future.
      expect(echoed).toBeGreaterThanOrEqual(before);
      expect(echoed).toBeLessThanOrEqual(clock.monotonic());
    }
    // The echo moves on with each round.
    const first = a.link.echoedSent()!;
    await vi.waitFor(() => expect(a.link.echoedSent()!).toBeGreaterThan(first), SLOW);

    await b.link.stop();
    await vi.waitFor(() => expect(a.link.connected).toBe(false), SLOW);
    const heard = a.link.heardAt();
    expect(a.link.echoedSent()).toBeNull();
    expect(heard).not.toBeNull();
    expect(heard!).toBeGreaterThanOrEqual(first);
    expect(heard!).toBeLessThanOrEqual(clock.monotonic());
  });

  it('takes an echo only of a time it sent on this connection: a peer cannot stretch the primary\'s grant with a made-up echo', async () => {
    const { b, portB } = await testPair();
    await b.link.start();
    const identity = { nodeId: 'node-a', cluster: 'test-cluster', peerId: 'node-b', secret: TEST_SECRET };
    const rogue = await handshakenClient(portB, identity);
    await vi.waitFor(() => expect(rogue.frames.filter((f) => f.t === 'hb').length).toBeGreaterThan(1), SLOW);
    const sentByB = rogue.frames.filter((f) => f.t === 'hb').map((f) => f.sent as number);
    expect(sentByB.every((t) => Number.isSafeInteger(t))).toBe(true);

    rogue.send({ t: 'hb', role: 'backup', status: 'running', term: 1, sent: 5, echo: sentByB.at(-1)! + 60_000 });
    await vi.waitFor(() => expect(b.link.peerState()?.term).toBe(1), SLOW);
    expect(b.link.echoedSent()).toBeNull();
    rogue.send({ t: 'hb', role: 'backup', status: 'running', term: 2, sent: 6, echo: sentByB[0]! - 1 });
    await vi.waitFor(() => expect(b.link.peerState()?.term).toBe(2), SLOW);
    expect(b.link.echoedSent()).toBeNull();
    rogue.send({ t: 'hb', role: 'backup', status: 'running', term: 3, sent: 7, echo: sentByB[1]! });
    await vi.waitFor(() => expect(b.link.echoedSent()).toBe(sentByB[1]), SLOW);
    // b echoes the latest `sent` it got from the peer.
    await vi.waitFor(() => expect(rogue.frames.at(-1)?.echo).toBe(7), SLOW);

    rogue.send({ t: 'hb', role: 'backup', status: 'running', term: 3, sent: 8, echo: 'soon' });
    await waitForClose(rogue.socket);
    expect(b.log.of(CoreEvent.HaLinkPeerDropped)).toEqual([expect.objectContaining({ code: 'SWY_ERR_HALINK_PROTOCOL' })]);
  });

  it('rejects start() with SWY_ERR_HALINK_LISTEN when the port is taken', async () => {
    const { a, portA } = await testPair();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(portA, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => squatter.close(() => resolve())));
    const failure = await a.link.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SwitchyardError);
    expect((failure as SwitchyardError).code).toBe('SWY_ERR_HALINK_LISTEN');
    expect(a.link.connected).toBe(false);
  });
});
