import { describe, expect, it, vi } from 'vitest';
import { SwitchyardError } from '../src/errors';
import { CoreEvent } from '../src/events/core-events';
import type { Channel } from '../src/halink/channel';
import { TcpProxy, freePort, testNode, testPair, type TestNode } from './halink-support';

const SLOW = { timeout: 5000, interval: 10 };

interface Msg {
  n: number;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Opens `name` on a node and records what arrives on it. */
function recorder(node: TestNode, name: string, opts?: Parameters<TestNode['link']['channel']>[1]) {
  const channel: Channel<Msg> = node.link.channel<Msg>(name, opts);
  const received: number[] = [];
  const seqs: number[] = [];
  channel.onMessage((message, seq) => {
    received.push(message.n);
    seqs.push(seq);
  });
  return { channel, received, seqs };
}

async function connect(a: TestNode, b: TestNode): Promise<void> {
  await b.link.start();
  await a.link.start();
  await vi.waitFor(() => expect(a.link.connected && b.link.connected).toBe(true), SLOW);
}

describe('HaLink channels', () => {
  it('delivers messages in order, both ways, with per-sender sequence numbers', async () => {
    const { a, b } = await testPair();
    const onA = recorder(a, 'registrations');
    const onB = recorder(b, 'registrations');
    await connect(a, b);
    for (const n of range(1, 300)) expect(onA.channel.send({ n })).toBe(n);
    for (const n of range(1, 100)) onB.channel.send({ n: -n });
    await vi.waitFor(() => expect(onB.received).toEqual(range(1, 300)), SLOW);
    await vi.waitFor(() => expect(onA.received).toEqual(range(1, 100).map((n) => -n)), SLOW);
    expect(onB.seqs).toEqual(range(1, 300));
    expect(onA.channel.stats()).toEqual({ sent: 300, lastSentSeq: 300, lastReceivedSeq: 100, pending: 0 });
    expect(() => a.link.channel('registrations')).toThrow(expect.objectContaining({ code: 'SWY_ERR_HALINK_CHANNEL' }));
    expect(() => a.link.channel('registrations')).toThrow(SwitchyardError);
  });

  it('resumes after the dialing node stops mid-stream: everything arrives once, in order', async () => {
    const { a, b } = await testPair();
    const onA = recorder(a, 'calls');
    const onB = recorder(b, 'calls');
    await connect(a, b);
    for (const n of range(1, 100)) {
      onA.channel.send({ n });
      if (n === 50) await vi.waitFor(() => expect(onB.received.length).toBeGreaterThan(0), SLOW);
    }
    await a.link.stop();
    for (const n of range(101, 150)) onA.channel.send({ n }); // queued while down
    for (const n of range(1, 20)) onB.channel.send({ n: -n }); // the other direction too
    expect(onA.channel.stats().pending).toBeGreaterThanOrEqual(50);

    await a.link.start();
    await vi.waitFor(() => expect(onB.received).toEqual(range(1, 150)), SLOW);
    await vi.waitFor(() => expect(onA.received).toEqual(range(1, 20).map((n) => -n)), SLOW);
    expect(onA.channel.stats().pending).toBe(0);
    expect(b.log.of(CoreEvent.HaLinkCatchUp)).toContainEqual(expect.objectContaining({ channel: 'calls', peer: 'node-a', mode: 'resume' }));

    onA.channel.send({ n: 151 }); // live again
    await vi.waitFor(() => expect(onB.received.at(-1)).toBe(151), SLOW);
    expect(onB.seqs).toEqual(range(1, 151));
  });

  it('resumes after the TCP connection is cut mid-stream', async () => {
    const portB = await freePort();
    const proxy = await TcpProxy.start(portB);
    const { a, b } = await testPair({ peer: { id: 'node-b', host: '127.0.0.1', port: proxy.port } }, { listen: { host: '127.0.0.1', port: portB } });
    const onA = recorder(a, 'calls');
    const onB = recorder(b, 'calls');
    await connect(a, b);
    for (const n of range(1, 200)) {
      onA.channel.send({ n });
      onB.channel.send({ n: -n });
      if (n === 60 || n === 120) {
        await vi.waitFor(() => expect(a.link.connected).toBe(true), SLOW);
        proxy.cut();
        await vi.waitFor(() => expect(a.link.connected).toBe(false), SLOW);
      }
    }
    await vi.waitFor(() => expect(onB.received).toEqual(range(1, 200)), SLOW);
    await vi.waitFor(() => expect(onA.received).toEqual(range(1, 200).map((n) => -n)), SLOW);
    expect(a.log.of(CoreEvent.HaLinkDown).length).toBeGreaterThanOrEqual(2);
  });

  it('catches up by snapshot when the peer missed more than the retained log', async () => {
    const { a, b } = await testPair();
    const store = new Map<string, number>();
    const sender = a.link.channel<[string, number]>('kv', { retain: 5, snapshot: () => [...store] });
    const mirror = new Map<string, number>();
    const receiver = b.link.channel<[string, number]>('kv');
    const snapshots: number[] = [];
    receiver.onMessage(([key, value]) => mirror.set(key, value));
    receiver.onSnapshot((data, seq) => {
      snapshots.push(seq);
      mirror.clear();
      for (const [key, value] of data as Array<[string, number]>) mirror.set(key, value);
    });
    const put = (key: string, value: number): void => {
      store.set(key, value);
      sender.send([key, value]);
    };
    await connect(a, b);
    put('alice', 1);
    put('bob', 1);
    await vi.waitFor(() => expect(receiver.stats().lastReceivedSeq).toBe(2), SLOW);

    await a.link.stop();
    for (const n of range(1, 20)) put(`user${n % 7}`, n); // 20 > retain 5
    await a.link.start();
    await vi.waitFor(() => expect(b.log.of(CoreEvent.HaLinkCatchUp)).toContainEqual(expect.objectContaining({ channel: 'kv', mode: 'snapshot' })), SLOW);
    expect(snapshots).toEqual([22]);
    expect(mirror).toEqual(store);

    put('carol', 5); // the stream continues after the snapshot
    await vi.waitFor(() => expect(mirror.get('carol')).toBe(5), SLOW);
    expect(receiver.stats().lastReceivedSeq).toBe(23);
  });

  it('catches up by snapshot when the peer missed more bytes than retainBytes, even under the message count', async () => {
    const { a, b } = await testPair();
    const store = new Map<string, string>();
    const sender = a.link.channel<[string, string]>('blobs', { retain: 10_000, retainBytes: 4096, snapshot: () => [...store] });
    const mirror = new Map<string, string>();
    const receiver = b.link.channel<[string, string]>('blobs');
    receiver.onMessage(([key, value]) => mirror.set(key, value));
    receiver.onSnapshot((data) => {
      mirror.clear();
      for (const [key, value] of data as Array<[string, string]>) mirror.set(key, value);
    });
    const put = (key: string, value: string): void => {
      store.set(key, value);
      sender.send([key, value]);
    };
    await connect(a, b);
    put('first', 'x');
    await vi.waitFor(() => expect(receiver.stats().lastReceivedSeq).toBe(1), SLOW);

    await a.link.stop();
    for (const n of range(1, 20)) put(`key${n}`, 'v'.repeat(500)); // 20 messages of > 500 bytes: over 4096 bytes, far under 10,000 messages
    await a.link.start();
    await vi.waitFor(() => expect(b.log.of(CoreEvent.HaLinkCatchUp)).toContainEqual(expect.objectContaining({ channel: 'blobs', mode: 'snapshot' })), SLOW);
    expect(mirror).toEqual(store);
  });

  it('gives a restarted peer (new epoch) a snapshot instead of stale sequence numbers', async () => {
    const { a, b, portA, portB } = await testPair();
    let state = ['v1'];
    const first = b.link.channel<string>('config', { snapshot: () => state });
    const seen: unknown[] = [];
    const onA = a.link.channel<string>('config');
    onA.onMessage((m) => seen.push(m));
    onA.onSnapshot((data) => seen.push({ snapshot: data }));
    await connect(a, b);
    first.send('v1');
    await vi.waitFor(() => expect(seen).toEqual(['v1']), SLOW);

    await b.link.stop();
    state = ['v1', 'v2'];
    const b2 = testNode('node-b', portB, { id: 'node-a', port: portA });
    b2.link.channel<string>('config', { snapshot: () => state });
    await b2.link.start();
    await vi.waitFor(() => expect(seen).toEqual(['v1', { snapshot: ['v1', 'v2'] }]), SLOW);
  });

  it('delivers to a channel the peer opens after the link is up', async () => {
    const { a, b } = await testPair();
    const early = recorder(a, 'late-bloomer');
    early.channel.send({ n: 1 });
    await connect(a, b);
    early.channel.send({ n: 2 });
    const late = recorder(b, 'late-bloomer');
    early.channel.send({ n: 3 });
    await vi.waitFor(() => expect(late.received).toEqual([1, 2, 3]), SLOW);
  });
});
