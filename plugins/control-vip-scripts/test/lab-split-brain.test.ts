import { LabPair, labConfig, SIP, type NodeId } from '@switchyard/lab';
import { hasTool, waitFor } from '@switchyard/sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlVipEvent } from '../src/index';

/**
 * The split brain of the classic rule, on two hosts (lab namespaces, a real
 * three-member etcd, real `switchyard node` agents) with
 * `arbiter.onEtcdLoss: 'keep-serving'`: sip-a's control network is cut, so
 * it reaches neither etcd nor sip-b and keeps serving, while sip-b is
 * elected; then all of etcd stops; then the control network returns. Every
 * packet stays inside the lab: the prober runs in the client namespace.
 */
const isRoot = process.getuid?.() === 0;
if (process.env.CI === 'true' && !isRoot) throw new Error('CI runs the two-host suites as root');
const canRun = isRoot && hasTool('ip') && hasTool('etcd') && hasTool('arping');

const VIP = '198.51.100.100';
/** The bound the README states: the HA link redials at most 1.2 s apart (1 s backoff + 20 % jitter), then one heartbeat decides. */
const RESOLVE_BOUND_MS = 4_000;

describe.skipIf(!canRun)('control-vip-scripts on two hosts: both primary with etcd gone, then the link returns', () => {
  let pair: LabPair;

  beforeAll(async () => {
    pair = await LabPair.start({
      etcdMembers: 3,
      config: (dir, endpoints) => {
        const config = labConfig(dir, endpoints);
        return { ...config, arbiter: { ...(config.arbiter as object), onEtcdLoss: 'keep-serving' } };
      },
      plugins: { 'sip-iptakeover-monitoring': { vip: `${VIP}/24`, interface: 'sip0' }, 'control-vip-scripts': {} },
    });
  }, 90_000);

  afterAll(async () => {
    await pair?.destroy();
  }, 60_000);

  /** The answers each node's own SIP address gives to OPTIONS from the client for a moment: 200 from a primary, 503 from a backup. */
  async function answers(): Promise<Record<NodeId, number[]>> {
    const probe = pair.probe('client', '198.51.100.254', [SIP['sip-a'], SIP['sip-b']], 50, 0.4);
    await probe.proc.exited;
    const of = (node: NodeId) => [...new Set(probe.answers.filter((a) => a.target === SIP[node]).map((a) => a.status))];
    return { 'sip-a': of('sip-a'), 'sip-b': of('sip-b') };
  }
  const both200 = (r: Record<NodeId, number[]>) => r['sip-a'].join() === '200' && r['sip-b'].join() === '200';

  it('sip-a cut off from etcd and sip-b keeps serving while sip-b is elected: both primary, the VIP on both hosts', async () => {
    await pair.waitForRoles(0, 30_000, 'sip-a');
    await pair.addressOnlyOn('sip-a', VIP);
    await pair.lab.cutLink('h1', 'ctl');
    const split = await waitFor(async () => {
      const r = await answers();
      return both200(r) ? r : undefined;
    }, 20_000, 'both nodes answering 200 as primaries');
    expect(split).toEqual({ 'sip-a': [200], 'sip-b': [200] });
    expect(await pair.holdsAddress('sip-a', VIP)).toBe(true);
    await waitFor(() => pair.holdsAddress('sip-b', VIP).then((held) => held || undefined), 10_000, 'the VIP on h2 too');
  }, 60_000);

  it('all of etcd stopped, then the link restored: exactly one stays primary (the newer term, sip-b), the VIP on its host only, within the bound', async () => {
    for (const member of [0, 1, 2]) await pair.lab.stopEtcd(member);
    // sip-b's agent says it lost etcd too (sip-a's lost it at the cut).
    await waitFor(async () => ((await pair.status())?.arbiter.connected === false ? true : undefined), 15_000, 'sip-b reporting etcd unreachable');
    expect(both200(await answers())).toBe(true);

    const fromA = pair.nodeLog('sip-a').length;
    await pair.lab.restoreLink('h1', 'ctl');
    const restoredAt = Date.now();
    const settled = await waitFor(async () => {
      const r = await answers();
      return r['sip-a'].join() === '503' && r['sip-b'].join() === '200' ? r : undefined;
    }, RESOLVE_BOUND_MS, 'sip-a answering 503 and sip-b 200');
    expect(settled).toEqual({ 'sip-a': [503], 'sip-b': [200] });
    await pair.addressOnlyOn('sip-b', VIP, Math.max(1, RESOLVE_BOUND_MS - (Date.now() - restoredAt)));

    const yielded = await pair.logged('sip-a', fromA, ControlVipEvent.Yielding);
    expect(yielded.message).toMatch(/sip-a switches itself to backup \(term \d+ of sip-b is newer than term \d+ of sip-a\)/);
    await pair.logged('sip-a', fromA, '01-10008');
    // Nobody is made primary again meanwhile: still one primary a moment later.
    expect(await answers()).toEqual({ 'sip-a': [503], 'sip-b': [200] });
  }, 90_000);

  it('etcd back: the pair goes on with sip-b primary, sip-a its running backup', async () => {
    await Promise.all([0, 1, 2].map((member) => pair.lab.startEtcd(member)));
    const { primary, backup } = await pair.waitForRoles(0, 30_000, 'sip-b');
    expect([primary.id, backup.id]).toEqual(['sip-b', 'sip-a']);
    await pair.addressOnlyOn('sip-b', VIP);
  }, 90_000);
});
