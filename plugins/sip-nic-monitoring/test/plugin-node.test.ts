import { createTestNode, createTestPair, type TestNode } from '@switchyard/sdk';
import { ManualInterfaces, type NicStatus } from '@switchyard/sdk/network';
import { afterEach, describe, expect, it } from 'vitest';
import { SIP_NIC_STATUS_KEY, SipNicEvent, createSipNicMonitoringPlugin } from '../src/index';
import { fakeSip } from './support/fake-sip';

const SIP_HOST = '198.51.100.1';
const nics = () => new ManualInterfaces([ManualInterfaces.link('ctl0', '127.0.0.1'), ManualInterfaces.link('sip0', SIP_HOST), ManualInterfaces.link('sip1', '2001:db8::1')]);

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

async function node(source: ManualInterfaces, opts: { sipHost?: string; sipNic?: unknown; options?: unknown } = {}): Promise<TestNode> {
  const n = createTestNode({
    plugins: [fakeSip(opts.sipHost ?? SIP_HOST), [createSipNicMonitoringPlugin({ source }), opts.options ?? {}]],
    nodeOptions: opts.sipNic === undefined ? undefined : { sipNic: opts.sipNic },
  });
  running.push(n);
  await n.start();
  return n;
}

const status = (n: TestNode) => n.engine.report()[SIP_NIC_STATUS_KEY] as NicStatus;
const events = (n: TestNode) => n.events.filter((e) => e.id.startsWith('00-520'));

describe('sip-nic-monitoring on one node, in virtual time', () => {
  it('watches the SIP listener address by default: link down → 00-52027 and unavailable; up → 00-52028 and running', async () => {
    const nic = nics();
    const n = await node(nic);
    expect(status(n)).toMatchObject({ address: SIP_HOST, interface: 'sip0', ok: true });
    nic.update('sip0', { admin: 'down' });
    await n.advance(0);
    expect(n.engine.status).toBe('unavailable');
    expect(n.engine.report().reasons).toEqual(['sip-nic-monitoring/sip-nic: interface sip0 is administratively down']);
    await n.advance(1.25);
    nic.update('sip0', { admin: 'up' });
    await n.advance(0);
    expect(n.engine.status).toBe('running');
    expect(events(n).map((e) => [e.id, e.level, e.fields])).toEqual([
      [SipNicEvent.SipNicFailed, 'error', { monitor: 'sip-nic-monitoring/sip-nic', interface: 'sip0', address: SIP_HOST, failure: 'link-down', reason: 'interface sip0 is administratively down' }],
      [SipNicEvent.SipNicRestored, 'info', { interface: 'sip0', address: SIP_HOST, downFor: 1.25 }],
    ]);
    expect(events(n)[0]!.message).toBe(`SIP NIC sip0 carrying ${SIP_HOST} failed: interface sip0 is administratively down; the node reports unavailable`);
  });

  it('carrier lost and the address deleted are failures; the control NIC is not its business', async () => {
    const nic = nics();
    const n = await node(nic);
    nic.update('ctl0', { admin: 'down' });
    await n.advance(3);
    expect(n.engine.status).toBe('running');
    nic.update('sip0', { carrier: false });
    await n.advance(0);
    expect(status(n)).toMatchObject({ ok: false, failure: 'no-carrier' });
    nic.update('sip0', { carrier: true, addresses: [] });
    await n.advance(0);
    expect(status(n)).toMatchObject({ ok: false, failure: 'address-missing', interface: 'sip0' });
    expect(n.engine.status).toBe('unavailable');
    expect(events(n).map((e) => e.id)).toEqual([SipNicEvent.SipNicFailed]);
  });

  it('nodes[].sipNic.address (classic sip-nic-address) overrides the listener address, IPv6 too', async () => {
    const nic = nics();
    const n = await node(nic, { sipNic: { address: '2001:DB8:0::1' } });
    expect(status(n)).toMatchObject({ address: '2001:db8::1', interface: 'sip1', ok: true });
    nic.update('sip0', { admin: 'down' });
    await n.advance(0);
    expect(n.engine.status).toBe('running');
    nic.update('sip1', { admin: 'down' });
    await n.advance(0);
    expect(n.engine.status).toBe('unavailable');
  });

  it('a listener on 0.0.0.0 without sipNic.address is refused at assembly with a code and the key to set', async () => {
    const n = createTestNode({ plugins: [fakeSip('0.0.0.0'), [createSipNicMonitoringPlugin({ source: nics() }), {}]] });
    await expect(n.start()).rejects.toThrow(/nodes\[\]\.sipNic\.address \(classic sip-nic-address\)/);
  });

  it('checks sipNic.address and checkInterval like a config would, with key paths', () => {
    const make = (sipNic: unknown, options: unknown = {}) =>
      createTestNode({ plugins: [fakeSip(SIP_HOST), [createSipNicMonitoringPlugin({ source: nics() }), options]], nodeOptions: { sipNic } });
    expect(() => make({ address: 'sip.example.com' })).toThrow(/Key "nodes\[0\]\.sipNic\.address": address must be an IPv4 or IPv6 literal/);
    expect(() => make({ address: SIP_HOST }, { checkInterval: 100 })).toThrow(/Key "plugins\.sip-nic-monitoring\.checkInterval": checkInterval must be at most 60/);
  });

  it('needs the sip plugin', async () => {
    const n = createTestNode({ plugins: [[createSipNicMonitoringPlugin({ source: nics() }), {}]] });
    await expect(n.start()).rejects.toThrow(/"sip"/);
  });
});

describe('sip-nic-monitoring in a pair with the embedded arbiter', () => {
  it("the primary's SIP NIC down: switchover; up: the old primary runs as backup", async () => {
    const host = { 'node-a': nics(), 'node-b': nics() };
    const pair = createTestPair({ plugins: (id) => [fakeSip(SIP_HOST), createSipNicMonitoringPlugin({ source: host[id] })] });
    running.push(pair);
    await pair.start();
    await pair.advance(0.5);
    expect(pair.primary()?.engine.nodeId).toBe('node-a');
    host['node-a'].update('sip0', { admin: 'down' });
    await pair.advance(0.5);
    expect(pair.primary()?.engine.nodeId).toBe('node-b');
    expect([pair.a.engine.role, pair.a.engine.status]).toEqual(['backup', 'unavailable']);
    host['node-a'].update('sip0', { admin: 'up' });
    await pair.advance(0.5);
    expect([pair.a.engine.role, pair.a.engine.status]).toEqual(['backup', 'running']);
    expect(pair.a.eventIds().filter((id) => id.startsWith('00-520'))).toEqual([SipNicEvent.SipNicFailed, SipNicEvent.SipNicRestored]);
  });
});
