import { LabPair, type NodeId } from '@switchyard/lab';
import { hasTool, waitFor, type LogLine } from '@switchyard/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TlibNicEvent } from '../src/index';

/**
 * tlib-nicmonitoring on two hosts (lab namespaces, a real etcd, real
 * `switchyard node` agents). Taking a host's control NIC down also cuts
 * its etcd and HA link, so the other node takes over by the lease anyway;
 * what this plugin adds is the event and the `unavailable` status of the
 * isolated node, read from its own log file (the client cannot reach it).
 */
const isRoot = process.getuid?.() === 0;
if (process.env.CI === 'true' && !isRoot) throw new Error('CI runs the two-host suites as root');
const canRun = isRoot && hasTool('ip') && hasTool('etcd');

const HOST_OF = { 'sip-a': 'h1', 'sip-b': 'h2' } as const;

describe.skipIf(!canRun)('tlib-nicmonitoring on two hosts (root, namespaces, etcd)', () => {
  let pair: LabPair;

  beforeAll(async () => {
    pair = await LabPair.start({ etcdMembers: 1, plugins: { 'tlib-nicmonitoring': { checkInterval: 1 } } });
  }, 60_000);

  afterAll(async () => {
    await pair?.destroy();
  }, 30_000);

  /** Log lines of `node` written after line `from`. */
  const logSince = (node: NodeId, from: number): LogLine[] => pair.nodeLog(node).slice(from);

  /** Waits for the node's own log to show `eventId` and then its status going to `to`, after line `from`. */
  async function logShows(node: NodeId, from: number, eventId: string, to: 'unavailable' | 'running', timeoutMs = 10_000) {
    return waitFor(() => {
      const lines = logSince(node, from);
      const event = lines.findIndex((l) => l.eventId === eventId);
      if (event < 0) return undefined;
      const status = lines.slice(event).find((l) => l.eventId === '01-10001' && l.to === to);
      return status ? { event: lines[event]!, status } : undefined;
    }, timeoutMs, `${node}: ${eventId} then status ${to} in its log`);
  }

  async function runningAs(node: NodeId, role: 'primary' | 'backup', timeoutMs = 20_000) {
    return waitFor(async () => {
      const v = await pair.status();
      const n = v?.nodes.find((x) => x.id === node);
      return n?.role === role && n.status === 'running' && (role === 'backup' || v?.arbiter.primary === node) ? v : undefined;
    }, timeoutMs, `${node} running as ${role}`);
  }

  it("`ip link set ctl0 down` on the primary's host: 01-40001 and unavailable in its log, the other node takes over; up: 01-40002, running as backup", async () => {
    const from = pair.nodeLog('sip-a').length;
    const down = await pair.lab.run(HOST_OF['sip-a'], ['ip', 'link', 'set', 'ctl0', 'down']);
    expect(down.code, down.stderr).toBe(0);
    const { event } = await logShows('sip-a', from, TlibNicEvent.ControlNicFailed, 'unavailable');
    expect(event).toMatchObject({ interface: 'ctl0', address: '192.0.2.1', failure: 'link-down', level: 'error' });
    expect(event.message).toBe('Control NIC ctl0 carrying 192.0.2.1 failed: interface ctl0 is administratively down; the node reports unavailable');
    await runningAs('sip-b', 'primary');

    const up = await pair.lab.run(HOST_OF['sip-a'], ['ip', 'link', 'set', 'ctl0', 'up']);
    expect(up.code, up.stderr).toBe(0);
    const restored = await logShows('sip-a', from, TlibNicEvent.ControlNicRestored, 'running');
    expect(restored.event).toMatchObject({ interface: 'ctl0', address: '192.0.2.1' });
    const view = await runningAs('sip-a', 'backup');
    expect(view.arbiter.primary).toBe('sip-b');
    expect(view.nodes.find((n) => n.id === 'sip-a')?.tlibNicmonitoring).toMatchObject({ interface: 'ctl0', ok: true });
  }, 60_000);

  it('the switch port of the new primary cut (carrier lost on its ctl0): 01-40001 no-carrier, switchover back; restored: running as backup', async () => {
    const from = pair.nodeLog('sip-b').length;
    await pair.lab.cutLink(HOST_OF['sip-b'], 'ctl');
    try {
      const { event } = await logShows('sip-b', from, TlibNicEvent.ControlNicFailed, 'unavailable');
      expect(event).toMatchObject({ interface: 'ctl0', address: '192.0.2.2', failure: 'no-carrier' });
      await runningAs('sip-a', 'primary');
    } finally {
      await pair.lab.restoreLink(HOST_OF['sip-b'], 'ctl');
    }
    await logShows('sip-b', from, TlibNicEvent.ControlNicRestored, 'running');
    await runningAs('sip-b', 'backup');
  }, 60_000);
});

