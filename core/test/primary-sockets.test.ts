import { describe, expect, it } from 'vitest';
import { PrimarySockets } from '../src/engine/primary-sockets';
import { PrimarySocketHandover } from '../src/supervisor/primary-socket-handover';

/**
 * The agent's primary sockets (one host): they go to the node ordered
 * primary only once no other node can read them, and a node gives them
 * back by closing its copies.
 */
describe('primary socket handover (agent side)', () => {
  const setup = () => {
    const given: string[] = [];
    const handover = new PrimarySocketHandover(['sip.public'], (node, name) => void given.push(`${name} -> ${node}`));
    return { handover, given };
  };

  it('gives the sockets to the first primary at once, with its order', () => {
    const { handover, given } = setup();
    expect(handover.promoted('sip-a')).toEqual(['sip.public']);
    expect(handover.holder('sip.public')).toBe('sip-a');
    expect(given).toEqual([]); // sent with the order, not apart
    expect(handover.promoted('sip-a')).toEqual([]); // a reconciled order: nothing again
    expect(given).toEqual([]);
  });

  it('a switchover: the new primary gets them only once the old one released them', () => {
    const { handover, given } = setup();
    expect(handover.promoted('sip-a')).toEqual(['sip.public']);
    handover.demoted('sip-a');
    expect(handover.promoted('sip-b')).toEqual([]);
    expect(handover.holder('sip.public')).toBe('sip-a');
    handover.released('sip-b', 'sip.public'); // not the holder: ignored
    expect(given).toEqual([]);
    handover.released('sip-a', 'sip.public');
    expect(given).toEqual(['sip.public -> sip-b']);
  });

  it('a crashed or fenced holder frees them at once; a released holder that is no longer ordered primary gets nothing', () => {
    const { handover, given } = setup();
    handover.promoted('sip-a');
    handover.gone('sip-a'); // exited: nobody is primary yet
    expect(handover.holder('sip.public')).toBeNull();
    expect(handover.promoted('sip-b')).toEqual(['sip.public']);
    handover.demoted('sip-b');
    handover.released('sip-b', 'sip.public');
    expect(handover.holder('sip.public')).toBeNull();
    expect(given).toEqual([]);
  });
});

describe('primary sockets (node side)', () => {
  const handle = (log: string[], id: string) => ({ close: () => void log.push(`closed ${id}`) });

  it('copies kept ready are handed to the plugin only after the go; release tells the agent, once', async () => {
    const released: string[] = [];
    const sockets = new PrimarySockets(['sip.public'], (name) => void released.push(name));
    expect(sockets.offered('sip.public')).toBe(true);
    expect(sockets.offered('other')).toBe(false);
    const log: string[] = [];
    let taken: unknown;
    sockets.receive('sip.public', 'udp', handle(log, 'udp'));
    sockets.receive('sip.public', 'tcp', handle(log, 'tcp'));
    void sockets.take('sip.public').then((h) => (taken = h));
    await Promise.resolve();
    expect(taken).toBeUndefined(); // ready, but the previous holder may still read them
    sockets.go('sip.public');
    await Promise.resolve();
    expect(taken).toMatchObject({ udp: expect.anything(), tcp: expect.anything() });
    sockets.release('sip.public');
    sockets.release('sip.public');
    expect(released).toEqual(['sip.public']);
    expect(log).toEqual([]); // the taker closes what it took
  });

  it('a go that comes with the order (applied before the role changes): the take made on promotion resolves at once', async () => {
    const sockets = new PrimarySockets(['sip.public'], () => undefined);
    const log: string[] = [];
    sockets.receive('sip.public', 'udp', handle(log, 'udp'));
    sockets.receive('sip.public', 'tcp', handle(log, 'tcp'));
    sockets.go('sip.public');
    let taken: unknown;
    void sockets.take('sip.public').then((h) => (taken = h));
    await Promise.resolve();
    expect(taken).toMatchObject({ udp: expect.anything(), tcp: expect.anything() });
  });

  it('a backup that never got the go closes its ready copies at release and tells the agent nothing', () => {
    const released: string[] = [];
    const sockets = new PrimarySockets(['sip.public'], (name) => void released.push(name));
    const log: string[] = [];
    sockets.receive('sip.public', 'udp', handle(log, 'udp'));
    sockets.receive('sip.public', 'tcp', handle(log, 'tcp'));
    sockets.receive('sip.public', 'udp', handle(log, 'udp2')); // a fresh copy replaces a stale one
    sockets.release('sip.public');
    expect(log).toEqual(['closed udp', 'closed udp2', 'closed tcp']);
    expect(released).toEqual([]);
  });

  it('a go that a demotion raced: the untaken copies are closed and the agent is told', () => {
    const released: string[] = [];
    const sockets = new PrimarySockets(['sip.public'], (name) => void released.push(name));
    const log: string[] = [];
    sockets.receive('sip.public', 'udp', handle(log, 'udp'));
    sockets.receive('sip.public', 'tcp', handle(log, 'tcp'));
    sockets.go('sip.public');
    sockets.release('sip.public');
    expect(log).toEqual(['closed udp', 'closed tcp']);
    expect(released).toEqual(['sip.public']);
  });

  it('a node whose agent offers nothing is told so (it binds the address itself)', async () => {
    const sockets = new PrimarySockets([], () => undefined);
    expect(sockets.offered('sip.public')).toBe(false);
    await expect(sockets.take('sip.public')).rejects.toThrow(/not offered/);
  });
});
