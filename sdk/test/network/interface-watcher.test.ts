import { ManualClock } from '@switchyard/sdk';
import { InterfaceWatcher, ManualInterfaces, NetworkError, type NicState } from '@switchyard/sdk/network';
import { describe, expect, it } from 'vitest';

const ADDR = '198.51.100.1';

async function started(options: { checkIntervalMs?: number; links?: ManualInterfaces } = {}) {
  const clock = new ManualClock();
  const source = options.links ?? new ManualInterfaces([ManualInterfaces.link('lo', '127.0.0.1'), ManualInterfaces.link('sip0', ADDR)]);
  const errors: string[] = [];
  const watcher = new InterfaceWatcher({ address: ADDR, clock, source, checkIntervalMs: options.checkIntervalMs, onError: (m) => errors.push(m) });
  const changes: NicState[] = [];
  watcher.onChange((state) => changes.push(state));
  const first = await watcher.start();
  return { clock, source, watcher, changes, errors, first };
}

describe('InterfaceWatcher in virtual time', () => {
  it('finds the interface from the address, and reports a change the moment the feed signals it (no time passes)', async () => {
    const h = await started();
    expect(h.first).toEqual({ ok: true, interface: 'sip0', failure: null, reason: null });
    h.source.update('sip0', { admin: 'down' });
    await h.clock.advance(0);
    expect(h.watcher.current()).toMatchObject({ ok: false, interface: 'sip0', failure: 'link-down' });
    h.source.update('sip0', { admin: 'up', carrier: false });
    await h.clock.advance(0);
    expect(h.watcher.current()).toMatchObject({ ok: false, failure: 'no-carrier' });
    h.source.update('sip0', { carrier: true, addresses: [] });
    await h.clock.advance(0);
    expect(h.watcher.current()).toMatchObject({ ok: false, interface: 'sip0', failure: 'address-missing' });
    h.source.update('sip0', { addresses: [ADDR] });
    await h.clock.advance(0);
    expect(h.changes.map((c) => c.failure)).toEqual([null, 'link-down', 'no-carrier', 'address-missing', null]);
  });

  it('without a feed signal, the periodic re-check finds the change at the next checkInterval, not before', async () => {
    const h = await started({ checkIntervalMs: 1000 });
    h.source.update('sip0', { admin: 'down' }, { notify: false });
    await h.clock.advance(999);
    expect(h.watcher.current().ok).toBe(true);
    await h.clock.advance(1);
    expect(h.watcher.current()).toMatchObject({ ok: false, failure: 'link-down' });
  });

  it('an address moved to another interface follows it', async () => {
    const h = await started();
    h.source.set([ManualInterfaces.link('sip0'), ManualInterfaces.link('sip1', ADDR)]);
    await h.clock.advance(0);
    expect(h.watcher.current()).toMatchObject({ ok: true, interface: 'sip1' });
  });

  it('a burst of feed lines costs one read more, not one read a line, and the last state wins', async () => {
    const h = await started();
    const before = h.source.reads;
    for (let i = 0; i < 50; i++) h.source.notify();
    h.source.update('sip0', { admin: 'down' });
    await h.clock.advance(0);
    expect(h.source.reads - before).toBeLessThanOrEqual(2);
    expect(h.watcher.current().failure).toBe('link-down');
  });

  it('one failed read changes nothing; three in a row make the state unreadable; a good read puts it right', async () => {
    const h = await started({ checkIntervalMs: 1000 });
    h.source.failReads = new Error('ip -json addr show failed: timeout');
    await h.clock.advance(2000);
    expect(h.watcher.current().ok).toBe(true);
    expect(h.errors).toHaveLength(2);
    await h.clock.advance(1000);
    expect(h.watcher.current()).toMatchObject({ ok: false, interface: 'sip0', failure: 'unreadable', reason: expect.stringContaining('timeout') });
    h.source.failReads = undefined;
    await h.clock.advance(1000);
    expect(h.watcher.current().ok).toBe(true);
  });

  it('the first read failing is unreadable at once: nothing is known', async () => {
    const source = new ManualInterfaces();
    source.failReads = new Error('spawn ip ENOENT');
    const h = await started({ links: source });
    expect(h.first).toMatchObject({ ok: false, failure: 'unreadable' });
  });

  it('stop() ends the feed and the re-check: no more reads, no more changes', async () => {
    const h = await started();
    expect(h.source.feeds).toBe(1);
    await h.watcher.stop();
    expect(h.source.feeds).toBe(0);
    const reads = h.source.reads;
    h.source.update('sip0', { admin: 'down' });
    await h.clock.advance(10_000);
    expect(h.source.reads).toBe(reads);
    expect(h.changes).toHaveLength(1);
    expect(h.clock.pending).toBe(0);
  });

  it('refuses what is not an address an interface carries, with a code', () => {
    const clock = new ManualClock();
    for (const address of ['sip.example.com', '0.0.0.0', '::']) {
      expect(() => new InterfaceWatcher({ address, clock, source: new ManualInterfaces() })).toThrow(NetworkError);
    }
    expect(() => new InterfaceWatcher({ address: 'localhost', clock })).toThrow(expect.objectContaining({ code: 'SWY_ERR_NETWORK_ADDRESS' }));
  });
});
