import { createTestNode, createTestPair, type TestNode, type TestPair } from '@switchyard/sdk';
import { ManualInterfaces, type NicStatus } from '@switchyard/sdk/network';
import { afterEach, describe, expect, it } from 'vitest';
import { TLIB_NIC_STATUS_KEY, TlibNicEvent, createTlibNicMonitoringPlugin } from '../src/index';

/** Test nodes have host 127.0.0.1: here it sits on a fake control NIC ctl0. */
const HOST = '127.0.0.1';
const controlNic = () => new ManualInterfaces([ManualInterfaces.link('ctl0', HOST), ManualInterfaces.link('sip0', '198.51.100.1')]);

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

async function node(source: ManualInterfaces, options: unknown = {}): Promise<TestNode> {
  const n = createTestNode({ plugins: [[createTlibNicMonitoringPlugin({ source }), options]] });
  running.push(n);
  await n.start();
  return n;
}

const status = (n: TestNode) => n.engine.report()[TLIB_NIC_STATUS_KEY] as NicStatus;
const events = (n: TestNode) => n.events.filter((e) => e.id.startsWith('01-4'));

describe('tlib-nicmonitoring on one node, in virtual time', () => {
  it('link down → unavailable with 01-40001 naming interface, address and reason; up → running with 01-40002', async () => {
    const nic = controlNic();
    const n = await node(nic);
    expect(n.engine.status).toBe('running');
    expect(status(n)).toMatchObject({ address: HOST, interface: 'ctl0', ok: true });

    nic.update('ctl0', { admin: 'down' });
    await n.advance(0);
    expect(n.engine.status).toBe('unavailable');
    expect(n.engine.report().reasons).toEqual(['tlib-nicmonitoring/control-nic: interface ctl0 is administratively down']);
    await n.advance(2.5);
    nic.update('ctl0', { admin: 'up' });
    await n.advance(0);
    expect(n.engine.status).toBe('running');
    expect(events(n).map((e) => [e.id, e.fields])).toEqual([
      [TlibNicEvent.ControlNicFailed, { monitor: 'tlib-nicmonitoring/control-nic', interface: 'ctl0', address: HOST, failure: 'link-down', reason: 'interface ctl0 is administratively down' }],
      [TlibNicEvent.ControlNicRestored, { interface: 'ctl0', address: HOST, downFor: 2.5 }],
    ]);
    expect(events(n)[0]!.message).toBe(`Control NIC ctl0 carrying ${HOST} failed: interface ctl0 is administratively down; the node reports unavailable`);
  });

  it('carrier lost, and the address deleted, are failures too; one failure event per outage', async () => {
    const nic = controlNic();
    const n = await node(nic);
    nic.update('ctl0', { carrier: false });
    await n.advance(0);
    expect(status(n)).toMatchObject({ ok: false, failure: 'no-carrier' });
    nic.update('ctl0', { carrier: true, addresses: [] });
    await n.advance(0);
    expect(n.engine.status).toBe('unavailable');
    expect(status(n)).toMatchObject({ ok: false, interface: 'ctl0', failure: 'address-missing', reason: `address ${HOST} is on no interface (was on ctl0)` });
    nic.update('ctl0', { addresses: [HOST] });
    await n.advance(0);
    expect(n.engine.status).toBe('running');
    expect(events(n).map((e) => e.id)).toEqual([TlibNicEvent.ControlNicFailed, TlibNicEvent.ControlNicRestored]);
  });

  it('another interface going down changes nothing', async () => {
    const nic = controlNic();
    const n = await node(nic);
    nic.update('sip0', { admin: 'down' });
    await n.advance(5);
    expect(n.engine.status).toBe('running');
    expect(events(n)).toEqual([]);
  });

  it('a change the feed missed is found by the re-check every checkInterval seconds', async () => {
    const nic = controlNic();
    const n = await node(nic, { checkInterval: 0.5 });
    nic.update('ctl0', { admin: 'down' }, { notify: false });
    await n.advance(0.499);
    expect(n.engine.status).toBe('running');
    await n.advance(0.001);
    expect(n.engine.status).toBe('unavailable');
  });

  it('a NIC already down at start: the node starts unavailable, with the event', async () => {
    const nic = controlNic();
    nic.update('ctl0', { admin: 'down' });
    const n = await node(nic);
    expect(n.engine.status).toBe('unavailable');
    expect(events(n).map((e) => e.id)).toEqual([TlibNicEvent.ControlNicFailed]);
  });

  it('stops its watcher with the node', async () => {
    const nic = controlNic();
    const n = await node(nic);
    expect(nic.feeds).toBe(1);
    await n.stop();
    expect(nic.feeds).toBe(0);
  });

  it('checks its options like a config would', () => {
    const make = (options: unknown) => createTestNode({ plugins: [[createTlibNicMonitoringPlugin({ source: controlNic() }), options]] });
    expect(() => make({ checkInterval: 0 })).toThrow(/Key "plugins\.tlib-nicmonitoring\.checkInterval": checkInterval must be at least 0\.1 seconds/);
    expect(() => make({ interval: 1 })).toThrow(/plugins\.tlib-nicmonitoring/);
  });
});

describe('tlib-nicmonitoring in a pair with the embedded arbiter', () => {
  it("the primary's control NIC down: the arbiter switches over; restored, the old primary runs as backup", async () => {
    const nics = { 'node-a': controlNic(), 'node-b': controlNic() };
    const pair: TestPair = createTestPair({ plugins: (id) => [createTlibNicMonitoringPlugin({ source: nics[id] })] });
    running.push(pair);
    await pair.start();
    await pair.advance(0.5);
    expect(pair.primary()?.engine.nodeId).toBe('node-a');

    nics['node-a'].update('ctl0', { carrier: false });
    await pair.advance(0.5);
    expect(pair.a.engine.status).toBe('unavailable');
    expect(pair.primary()?.engine.nodeId).toBe('node-b');
    expect(pair.a.engine.role).toBe('backup');

    nics['node-a'].update('ctl0', { carrier: true });
    await pair.advance(0.5);
    expect([pair.a.engine.role, pair.a.engine.status]).toEqual(['backup', 'running']);
    expect(pair.b.engine.role).toBe('primary');
  });
});
