import { LabPair, type NodeId } from '@switchyard/lab';
import type { NicStatus } from '@switchyard/sdk/network';
import { hasTool, waitFor } from '@switchyard/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SipNicEvent } from '../src/index';

/**
 * sip-nic-monitoring on two hosts (lab namespaces, a real etcd, real
 * `switchyard node` agents), watching each node's SIP listener address
 * (198.51.100.1 on h1, .2 on h2, interface sip0). The control network stays
 * up, so the client sees everything through `switchyard status`.
 */
const isRoot = process.getuid?.() === 0;
if (process.env.CI === 'true' && !isRoot) throw new Error('CI runs the two-host suites as root');
const canRun = isRoot && hasTool('ip') && hasTool('etcd');

const HOST_OF = { 'sip-a': 'h1', 'sip-b': 'h2' } as const;
const SIP_ADDRESS = { 'sip-a': '198.51.100.1', 'sip-b': '198.51.100.2' } as const;

describe.skipIf(!canRun)('sip-nic-monitoring on two hosts (root, namespaces, etcd)', () => {
  let pair: LabPair;

  beforeAll(async () => {
    pair = await LabPair.start({ etcdMembers: 1, plugins: { 'sip-nic-monitoring': true } });
  }, 60_000);

  afterAll(async () => {
    await pair?.destroy();
  }, 30_000);

  /** Waits for the node's own log to show `eventId` and then its status going to `to`, after line `from`. */
  function logShows(node: NodeId, from: number, eventId: string, to: 'unavailable' | 'running') {
    return waitFor(() => {
      const lines = pair.nodeLog(node).slice(from);
      const event = lines.findIndex((l) => l.eventId === eventId);
      if (event < 0) return undefined;
      return lines.slice(event).some((l) => l.eventId === '01-10001' && l.to === to) ? lines[event]! : undefined;
    }, 10_000, `${node}: ${eventId} then status ${to} in its log`);
  }

  /** Waits until `switchyard status` (from the client) shows `node` with `role` and `status`, and returns the view. */
  function statusShows(node: NodeId, role: 'primary' | 'backup', status: 'running' | 'unavailable', timeoutMs = 20_000) {
    return waitFor(async () => {
      const v = await pair.status();
      const n = v?.nodes.find((x) => x.id === node);
      return n?.role === role && n.status === status ? v : undefined;
    }, timeoutMs, `${node} ${status} as ${role}`);
  }

  it("the primary's SIP switch port cut (carrier lost on sip0): 00-52027, unavailable, switchover; restored: 00-52028, running as backup", async () => {
    const from = pair.nodeLog('sip-a').length;
    await pair.lab.cutLink(HOST_OF['sip-a'], 'sip');
    try {
      const failed = await logShows('sip-a', from, SipNicEvent.SipNicFailed, 'unavailable');
      expect(failed).toMatchObject({ interface: 'sip0', address: SIP_ADDRESS['sip-a'], failure: 'no-carrier', level: 'error' });
      const view = await statusShows('sip-a', 'backup', 'unavailable');
      expect(view.nodes.find((n) => n.id === 'sip-a')?.sipNicMonitoring as NicStatus).toMatchObject({ ok: false, interface: 'sip0', failure: 'no-carrier' });
      await statusShows('sip-b', 'primary', 'running');
    } finally {
      await pair.lab.restoreLink(HOST_OF['sip-a'], 'sip');
    }
    const restored = await logShows('sip-a', from, SipNicEvent.SipNicRestored, 'running');
    expect(restored).toMatchObject({ interface: 'sip0', address: SIP_ADDRESS['sip-a'] });
    const view = await statusShows('sip-a', 'backup', 'running');
    expect(view.arbiter.primary).toBe('sip-b');
  }, 60_000);

  it('`ip link set sip0 down` on the new primary\'s host: 00-52027 link-down, switchover back; up: 00-52028, running as backup', async () => {
    const from = pair.nodeLog('sip-b').length;
    const down = await pair.lab.run(HOST_OF['sip-b'], ['ip', 'link', 'set', 'sip0', 'down']);
    expect(down.code, down.stderr).toBe(0);
    try {
      const failed = await logShows('sip-b', from, SipNicEvent.SipNicFailed, 'unavailable');
      expect(failed.message).toBe('SIP NIC sip0 carrying 198.51.100.2 failed: interface sip0 is administratively down; the node reports unavailable');
      await statusShows('sip-b', 'backup', 'unavailable');
      await statusShows('sip-a', 'primary', 'running');
    } finally {
      await pair.lab.run(HOST_OF['sip-b'], ['ip', 'link', 'set', 'sip0', 'up']);
    }
    await logShows('sip-b', from, SipNicEvent.SipNicRestored, 'running');
    const view = await statusShows('sip-b', 'backup', 'running');
    expect(view.arbiter.primary).toBe('sip-a');
  }, 60_000);
});
