import { createTestNode, createTestPair, type TestNode } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { VIP_STATUS_KEY, VipEvent, createSipIptakeoverMonitoringPlugin, type VipStatus } from '../src/index';
import { FakeHost } from './support/fake-host';
import { fakeSip, type FakeSipState } from './support/fake-sip';

const VIP = '198.51.100.100';
const ADD = `ip addr add ${VIP}/24 dev sip0`;
const DEL = `ip addr del ${VIP}/24 dev sip0`;
const ARP = `arping -U -c 1 -I sip0 ${VIP}`;

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

async function node(host: FakeHost, options: Record<string, unknown> = {}, sip: FakeSipState = { calls: [], extra: new Set() }): Promise<TestNode & { sip: FakeSipState }> {
  const n = createTestNode({
    plugins: [fakeSip('198.51.100.1', sip).plugin, [createSipIptakeoverMonitoringPlugin({ source: host.nics, runner: host }), { vip: `${VIP}/24`, ...options }]],
  });
  running.push(n);
  await n.start();
  return Object.assign(n, { sip });
}

const status = (n: TestNode) => n.engine.report()[VIP_STATUS_KEY] as VipStatus;
const vipEvents = (n: TestNode) => n.events.filter((e) => e.id === VipEvent.VipFailed || e.id === VipEvent.VipRestored);

describe('sip-iptakeover-monitoring on one node, in virtual time', () => {
  it('becoming primary adds the VIP on the SIP address\'s interface, announces it and listens on it, as a move (no failure event)', async () => {
    const host = new FakeHost();
    const n = await node(host);
    expect(host.commands()).toEqual([]);
    await n.order('primary');
    expect(host.commands()).toEqual([ADD, ARP]);
    expect(host.has(VIP)).toBe(true);
    expect(n.sip.calls).toEqual([`listen ${VIP}`]);
    expect(vipEvents(n)).toEqual([]);
    expect(status(n)).toMatchObject({ vip: `${VIP}/24`, interface: 'sip0', role: 'primary', expected: 'present', present: true, listening: true, ok: true, attempts: 0 });
    expect(host.runs[0]!.timeoutMs).toBe(5000);
  });

  it('leaving primary removes the VIP and stops listening before the role change is over', async () => {
    const host = new FakeHost();
    const n = await node(host);
    await n.order('primary');
    await n.order('backup');
    expect(host.has(VIP)).toBe(false);
    expect(host.commands()).toEqual([ADD, ARP, DEL]);
    expect(n.sip.calls).toEqual([`listen ${VIP}`, `stop ${VIP}`]);
    expect(vipEvents(n)).toEqual([]);
    expect(status(n)).toMatchObject({ role: 'backup', expected: 'absent', present: false, listening: false, ok: true });
  });

  it('the VIP deleted by hand on the primary: 00-52029 naming what is wrong, the add script, then 00-52030', async () => {
    const host = new FakeHost();
    const n = await node(host);
    await n.order('primary');
    await n.advance(2);
    host.remove('sip0', VIP);
    await n.advance(0);
    expect(host.has(VIP)).toBe(true);
    expect(host.commands()).toEqual([ADD, ARP, ADD, ARP]);
    expect(vipEvents(n).map((e) => [e.id, e.level, e.fields])).toEqual([
      [VipEvent.VipFailed, 'error', { vip: `${VIP}/24`, interface: 'sip0', role: 'primary', problem: 'missing', reason: `VIP ${VIP} is not on this host; the primary must hold it (on sip0)`, action: 'running the add script' }],
      [VipEvent.VipRestored, 'info', { vip: `${VIP}/24`, interface: 'sip0', role: 'primary', state: 'on sip0, SIP listening on it', attempts: 0, downFor: 0 }],
    ]);
    expect(vipEvents(n)[0]!.message).toBe(`VIP ${VIP}/24 failure on the primary: VIP ${VIP} is not on this host; the primary must hold it (on sip0); running the add script`);
    expect(n.engine.status).toBe('running');
  });

  it('a deletion the change feed misses is found by the periodic check (checkInterval)', async () => {
    const host = new FakeHost();
    const n = await node(host, { checkInterval: 2 });
    await n.order('primary');
    host.nics.update('sip0', { addresses: ['198.51.100.1'] }, { notify: false });
    await n.advance(1.9);
    expect(vipEvents(n)).toEqual([]);
    await n.advance(0.1);
    expect(vipEvents(n).map((e) => e.id)).toEqual([VipEvent.VipFailed, VipEvent.VipRestored]);
  });

  it('the VIP added by hand on the backup: 00-52029 and the remove script; the node starting as backup does it too', async () => {
    const host = new FakeHost();
    host.add('sip0', VIP); // left over from an earlier life as primary
    const n = await node(host);
    expect(host.commands()).toEqual([DEL]);
    expect(host.has(VIP)).toBe(false);
    host.add('sip0', VIP);
    await n.advance(0);
    expect(host.commands()).toEqual([DEL, DEL]);
    expect(vipEvents(n).map((e) => [e.id, e.fields.problem ?? e.fields.state])).toEqual([
      [VipEvent.VipFailed, 'present-on-backup'],
      [VipEvent.VipRestored, 'absent'],
      [VipEvent.VipFailed, 'present-on-backup'],
      [VipEvent.VipRestored, 'absent'],
    ]);
    expect(vipEvents(n)[0]!.fields.reason).toBe(`VIP ${VIP} is on sip0 of the backup; only the primary may hold it`);
    expect(n.sip.calls).toEqual([]);
  });

  it('an add script that keeps failing: one 00-52029, a run per check, unavailable after `attempts` runs; fixed: 00-52030 and running', async () => {
    const host = new FakeHost();
    const n = await node(host, { attempts: 3, checkInterval: 0.5 });
    await n.order('primary');
    await n.advance(1);
    host.failing.add('ip addr add');
    host.remove('sip0', VIP);
    await n.advance(0);
    expect(host.commands().filter((c) => c === ADD)).toHaveLength(2);
    expect(status(n)).toMatchObject({ ok: false, problem: 'missing', attempts: 1, lastScriptFailure: 'add script: exit code 2: RTNETLINK answers: Operation not permitted' });
    await n.advance(0.5);
    expect(n.engine.status).toBe('running');
    expect(status(n).attempts).toBe(2);
    await n.advance(0.5);
    expect(status(n).attempts).toBe(3);
    expect(n.engine.status).toBe('unavailable');
    expect(n.engine.report().reasons).toEqual([
      `sip-iptakeover-monitoring/vip: VIP ${VIP} is not on this host; the primary must hold it (on sip0) (still wrong after 3 attempts; last failure: add script: exit code 2: RTNETLINK answers: Operation not permitted)`,
    ]);
    expect(vipEvents(n).map((e) => e.id)).toEqual([VipEvent.VipFailed]);
    host.failing.clear();
    await n.advance(0.5);
    expect(host.has(VIP)).toBe(true);
    expect(n.engine.status).toBe('running');
    expect(vipEvents(n).map((e) => [e.id, e.fields.attempts])).toEqual([
      [VipEvent.VipFailed, undefined],
      [VipEvent.VipRestored, 3],
    ]);
    expect(status(n)).toMatchObject({ ok: true, attempts: 0, lastScriptFailure: null });
  });

  it('a VIP the SIP service cannot listen on is a VIP failure too, retried at each check', async () => {
    const host = new FakeHost();
    const sip: FakeSipState = { calls: [], extra: new Set(), failListen: new Error('Cannot listen on 198.51.100.100:5060/udp (EADDRINUSE)\u001b[31m') };
    const n = await node(host, { attempts: 2 }, sip);
    await n.order('primary');
    expect(status(n)).toMatchObject({ ok: false, problem: 'not-listening', attempts: 1, lastScriptFailure: 'listen: Cannot listen on 198.51.100.100:5060/udp (EADDRINUSE)\\x1b[31m' });
    expect(vipEvents(n).map((e) => e.fields.problem)).toEqual(['not-listening']);
    await n.advance(0.5);
    expect(n.engine.status).toBe('unavailable');
    sip.failListen = undefined;
    await n.advance(0.5);
    expect(n.engine.status).toBe('running');
    expect(sip.extra.has(VIP)).toBe(true);
  });

  it('custom scripts run as given (no shell), with only the config in their environment, and gratuitousArp: false announces nothing', async () => {
    const host = new FakeHost();
    const n = await node(host, { scripts: { add: ['/bin/true', 'add', '$VIP; rm -rf /'], remove: ['/bin/true', 'del'] }, gratuitousArp: false, interface: 'sip0' });
    await n.order('primary');
    await n.order('backup');
    expect(host.runs.map((r) => r.argv)).toEqual([
      ['/bin/true', 'add', '$VIP; rm -rf /'],
      ['/bin/true', 'del'],
    ]);
    expect(host.runs[0]!.env).toEqual({
      SWITCHYARD_VIP: `${VIP}/24`,
      SWITCHYARD_VIP_ADDRESS: VIP,
      SWITCHYARD_VIP_PREFIX: '24',
      SWITCHYARD_VIP_INTERFACE: 'sip0',
      SWITCHYARD_VIP_ACTION: 'add',
      SWITCHYARD_NODE: 'node-a',
      SWITCHYARD_ROLE: 'primary',
    });
    expect(host.runs[1]!.env.SWITCHYARD_VIP_ACTION).toBe('remove');
    expect(vipEvents(n)).toEqual([]);
  });

  it('stopping a primary gives the VIP up', async () => {
    const host = new FakeHost();
    const n = await node(host);
    await n.order('primary');
    await n.stop();
    expect(host.has(VIP)).toBe(false);
    expect(n.sip.calls).toEqual([`listen ${VIP}`, `stop ${VIP}`]);
  });
});

describe('sip-iptakeover-monitoring options', () => {
  const make = (options: unknown, sipHost = '198.51.100.1') => {
    const host = new FakeHost();
    return createTestNode({ plugins: [fakeSip(sipHost).plugin, [createSipIptakeoverMonitoringPlugin({ source: host.nics, runner: host }), options]] });
  };

  it('checks every option with its key path and says what to write', () => {
    expect(() => make({ vip: VIP })).toThrow(/Key "plugins\.sip-iptakeover-monitoring\.vip": vip: give the address with its prefix length, e\.g\. "198\.51\.100\.100\/24"/);
    expect(() => make({ vip: '198.51.100.300/24' })).toThrow(/vip: "198\.51\.100\.300" is not an IPv4 or IPv6 address/);
    expect(() => make({ vip: `${VIP}/33` })).toThrow(/the prefix length must be 1 to 32/);
    expect(() => make({ vip: `${VIP}/24`, attempts: 0 })).toThrow(/Key "plugins\.sip-iptakeover-monitoring\.attempts": attempts must be at least 1/);
    expect(() => make({ vip: `${VIP}/24`, checkInterval: 0.01 })).toThrow(/checkInterval must be at least 0\.1 seconds/);
    expect(() => make({ vip: `${VIP}/24`, scripts: { add: [] , remove: ['/bin/true'] } })).toThrow(/scripts\.add": scripts\.add must name at least the command/);
    expect(() => make({ vip: `${VIP}/24`, scripts: { add: 'vip-up' } })).toThrow(/scripts\.add must be a list/);
    expect(() => make({ vip: `${VIP}/24`, interface: 'sip0; reboot' })).toThrow(/interface must be an interface name/);
    expect(() => make({ vip: `${VIP}/24`, garp: false })).toThrow(/unrecognized key|unknown key/i);
  });

  it('a listener on 0.0.0.0 without the interface option is refused at assembly with a code', async () => {
    const n = make({ vip: `${VIP}/24` }, '0.0.0.0');
    await expect(n.start()).rejects.toThrow(/SIP listener address "0\.0\.0\.0" names no interface .*set plugins\.sip-iptakeover-monitoring\.interface/);
    const ok = make({ vip: `${VIP}/24`, interface: 'sip0' }, '0.0.0.0');
    running.push(ok);
    await ok.start();
  });

  it('needs the sip plugin', async () => {
    const host = new FakeHost();
    const n = createTestNode({ plugins: [[createSipIptakeoverMonitoringPlugin({ source: host.nics, runner: host }), { vip: `${VIP}/24` }]] });
    await expect(n.start()).rejects.toThrow(/"sip"/);
  });
});

describe('sip-iptakeover-monitoring in a pair with the embedded arbiter', () => {
  it('the VIP follows the primary; a primary whose add script fails becomes unavailable after `attempts` and the VIP moves to the other node', async () => {
    const host = { 'node-a': new FakeHost('198.51.100.1'), 'node-b': new FakeHost('198.51.100.2') };
    const pair = createTestPair({
      plugins: (id) => [fakeSip(id === 'node-a' ? '198.51.100.1' : '198.51.100.2').plugin, [createSipIptakeoverMonitoringPlugin({ source: host[id].nics, runner: host[id] }), { vip: `${VIP}/24` }]],
    });
    running.push(pair);
    await pair.start();
    await pair.advance(0.5);
    expect(pair.primary()?.engine.nodeId).toBe('node-a');
    expect([host['node-a'].has(VIP), host['node-b'].has(VIP)]).toEqual([true, false]);

    host['node-a'].failing.add('ip addr add');
    host['node-a'].remove('sip0', VIP);
    await pair.advance(0.5);
    expect(pair.a.engine.status).toBe('running');
    expect((pair.a.engine.report()[VIP_STATUS_KEY] as VipStatus).attempts).toBe(2);
    await pair.advance(2);
    expect(pair.primary()?.engine.nodeId).toBe('node-b');
    expect([host['node-a'].has(VIP), host['node-b'].has(VIP)]).toEqual([false, true]);
    expect([pair.a.engine.role, pair.a.engine.status]).toEqual(['backup', 'running']);
    expect(pair.a.events.filter((e) => e.fields.to === 'unavailable' || e.fields.to === 'running').map((e) => e.fields.to)).toContain('unavailable');
    expect(pair.a.eventIds().filter((id) => id.startsWith('00-5203') || id === VipEvent.VipFailed)).toEqual([VipEvent.VipFailed, VipEvent.VipRestored]);
    expect(pair.b.eventIds().filter((id) => id === VipEvent.VipFailed)).toEqual([]);
    expect(host['node-b'].commands()).toEqual(['ip addr add 198.51.100.100/24 dev sip0', 'arping -U -c 1 -I sip0 198.51.100.100']);
  });
});
