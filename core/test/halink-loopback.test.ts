import { describe, expect, it } from 'vitest';
import { CoreEvent } from '../src/events/core-events';
import { LoopbackChannels } from '../src/halink/loopback';

/** Lets channels opened on a connected link finish their catch-up (it runs after channel() returns). */
const opened = () => Promise.resolve();

function withEvents() {
  const events: Array<{ id: string; fields: Record<string, unknown>; node: string }> = [];
  const [a, b] = LoopbackChannels.pair({ emit: (id, fields, node) => events.push({ id, fields, node }) });
  return { a, b, events, of: (id: string) => events.filter((e) => e.id === id) };
}

describe('LoopbackChannels', () => {
  it('delivers a send on one end to the other, synchronously and in order', async () => {
    const { a, b } = withEvents();
    const onA = a.channel<string>('chat');
    const onB = b.channel<string>('chat');
    await opened(); // a channel catches up once its handlers are registered
    const atB: Array<[string, number]> = [];
    onB.onMessage((m, seq) => atB.push([m, seq]));
    expect(onA.send('one')).toBe(1);
    expect(onA.send('two')).toBe(2);
    expect(atB).toEqual([
      ['one', 1],
      ['two', 2],
    ]);
    expect(onB.stats().lastReceivedSeq).toBe(2);
  });

  it('keeps order when a handler answers from inside a delivery', async () => {
    const { a, b } = withEvents();
    const ping = a.channel<number>('ping');
    const pong = b.channel<number>('ping');
    await opened(); // a channel catches up once its handlers are registered
    const atA: number[] = [];
    const atB: number[] = [];
    pong.onMessage((n) => {
      atB.push(n);
      if (n < 100) pong.send(n * 10);
    });
    ping.onMessage((n) => {
      atA.push(n);
      ping.send(n + 1);
    });
    ping.send(1);
    expect(atB).toEqual([1, 11, 111]);
    expect(atA).toEqual([10, 110]);
  });

  it('queues sends while disconnected and catches up once, in order, on connect', async () => {
    const { a, b, of } = withEvents();
    const sender = a.channel<number>('reg');
    const receiver = b.channel<number>('reg');
    await opened(); // a channel catches up once its handlers are registered
    const got: number[] = [];
    let synced = 0;
    receiver.onMessage((n) => got.push(n));
    receiver.onSynced(() => synced++);
    sender.send(1);
    b.disconnect();
    expect(a.connected).toBe(false);
    sender.send(2);
    sender.send(3);
    expect(got).toEqual([1]);
    expect(sender.stats().pending).toBe(2);
    a.connect();
    expect(got).toEqual([1, 2, 3]);
    expect(sender.stats().pending).toBe(0);
    expect(synced).toBeGreaterThanOrEqual(1);
    expect(of(CoreEvent.HaLinkCatchUp).map((e) => e.fields)).toEqual([{ channel: 'reg', peer: 'node-a', mode: 'resume', count: 2 }]);
    a.connect(); // no-op
    expect(got).toEqual([1, 2, 3]);
  });

  it('sends a snapshot when the retained log no longer reaches back', () => {
    const { a, b, of } = withEvents();
    let counter = 0;
    const sender = a.channel<number>('counter', { retain: 5, snapshot: () => ({ counter }) });
    const receiver = b.channel<number>('counter');
    const log: string[] = [];
    receiver.onMessage((n, seq) => log.push(`msg ${n}@${seq}`));
    receiver.onSnapshot((data, seq) => log.push(`snap ${JSON.stringify(data)}@${seq}`));
    a.disconnect();
    for (let i = 0; i < 8; i++) sender.send(++counter);
    a.connect();
    sender.send(++counter);
    expect(log).toEqual(['snap {"counter":8}@8', 'msg 9@9']);
    expect(of(CoreEvent.HaLinkCatchUp).map((e) => e.fields)).toEqual([{ channel: 'counter', peer: 'node-a', mode: 'snapshot', count: 0 }]);
  });

  it('reports a gap and replays what it has when there is no snapshot provider', () => {
    const { a, b, of } = withEvents();
    const sender = a.channel<number>('lossy', { retain: 5 });
    const got: number[] = [];
    b.channel<number>('lossy').onMessage((n) => got.push(n));
    a.disconnect();
    for (let n = 1; n <= 12; n++) sender.send(n);
    a.connect();
    expect(got).toEqual([8, 9, 10, 11, 12]);
    expect(of(CoreEvent.HaLinkCatchUp).map((e) => e.fields)).toEqual([{ channel: 'lossy', peer: 'node-a', mode: 'gap', count: 5 }]);
  });

  it('survives a throwing handler: the failure is logged and later messages still arrive', async () => {
    const { a, b, of } = withEvents();
    const sender = a.channel<number>('fragile');
    const got: number[] = [];
    const receiver = b.channel<number>('fragile');
    await opened(); // a channel catches up once its handlers are registered
    receiver.onMessage((n) => {
      if (n === 2) throw new Error('plugin bug');
    });
    receiver.onMessage((n) => got.push(n));
    for (let n = 1; n <= 3; n++) sender.send(n);
    expect(got).toEqual([1, 2, 3]);
    expect(of(CoreEvent.PluginHookFailed).map((e) => e.fields)).toEqual([{ plugin: 'channel fragile', hook: 'onMessage', error: 'plugin bug' }]);
  });

  it('refuses a message over maxFrameBytes at send time without using up a sequence number', () => {
    const [a] = LoopbackChannels.pair({ maxFrameBytes: 1024 });
    const channel = a.channel<string>('big');
    expect(() => channel.send('x'.repeat(2000))).toThrow(expect.objectContaining({ code: 'SWY_ERR_HALINK_FRAME_TOO_LARGE' }));
    expect(channel.send('small')).toBe(1);
    expect(() => a.channel('big')).toThrow(expect.objectContaining({ code: 'SWY_ERR_HALINK_CHANNEL' }));
  });

  it('replays what the peer sent earlier to a channel opened later, once its handlers are registered', async () => {
    const { a, b } = withEvents();
    const early = a.channel<string>('late-open');
    early.send('before');
    const late = b.channel<string>('late-open');
    const got: string[] = [];
    let synced = false;
    late.onMessage((m) => got.push(m));
    late.onSynced(() => (synced = true));
    await opened();
    expect(got).toEqual(['before']);
    expect(synced).toBe(true);
  });
});
