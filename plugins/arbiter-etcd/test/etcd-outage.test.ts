import { hasTool } from '@switchyard/sdk/testing';
import { Etcd3 } from 'etcd3';
import { afterEach, describe, expect, it } from 'vitest';
import { Elections, freshPrefix } from './support/elections';
import { startEtcd, type TestEtcd } from './support/etcd';
import { until } from './support/processes';

describe.skipIf(!hasTool('etcd'))('EtcdElection when etcd goes away', () => {
  let etcd: TestEtcd | undefined;
  const elections = new Elections();

  afterEach(async () => {
    await elections.stopAll();
    await etcd?.dispose();
    etcd = undefined;
  });

  it('etcd stopped: connected goes false and leaseConfirmedAt stops; restarted: connected again, the lease and leadership kept', async () => {
    etcd = await startEtcd();
    const common = { endpoints: [etcd.endpoint], prefix: freshPrefix(), leaseTtl: 2 };
    const { election: a, changes } = await elections.started({ ...common, nodeId: 'a' });
    const { election: b } = await elections.started({ ...common, nodeId: 'b' });
    await a.publish({ role: 'primary' });
    expect((await a.campaign()).won).toBe(true);
    await until(() => a.connected && b.peers.has('a') && b.leader?.nodeId === 'a', 2000, 'a steady pair');
    const lease = a.leaseId;

    await etcd.stop();
    await until(() => !a.connected && !b.connected, 2000, 'both to notice etcd is gone');
    const changesWhenLost = changes();
    expect(changesWhenLost).toBeGreaterThan(0);
    const frozen = a.leaseConfirmedAt!;
    // No confirmation can come without etcd: watch it stand still for several keepalive intervals.
    const watchUntil = Date.now() + 1500;
    while (Date.now() < watchUntil) {
      expect(a.leaseConfirmedAt).toBe(frozen);
      expect(a.connected).toBe(false);
      await new Promise((r) => setTimeout(r, 50));
    }
    // The other node keeps showing its last reading rather than inventing one.
    expect(b.leader?.nodeId).toBe('a');

    await etcd.restart();
    await until(() => a.connected && a.leaseConfirmedAt! > frozen, 3000, 'a to reconnect and keep its lease alive');
    expect(changes()).toBeGreaterThan(changesWhenLost);
    // etcd restarts a lease's TTL when it elects a leader, so a short outage costs nothing.
    expect(a.leaseId).toBe(lease);
    await until(() => b.connected, 3000, 'b to reconnect');
    expect((await a.campaign()).won).toBe(true);
    expect(b.peers.get('a')).toEqual({ role: 'primary' });
    // b's watches are back too: a change reaches it at once, not at the next 1 s re-read.
    await until(() => b.leader?.nodeId === 'a', 1000, 'b to see a lead');
    const resignedAt = Date.now();
    expect(await a.resign()).toBe(true);
    await until(() => b.leader === null, 2000, 'b to see the resignation');
    expect(Date.now() - resignedAt).toBeLessThan(400);
  });

  it('the lease expires or is revoked behind its back: a new lease is granted and the published state re-put', async () => {
    etcd = await startEtcd();
    const common = { endpoints: [etcd.endpoint], prefix: freshPrefix(), leaseTtl: 2 };
    const { election: a } = await elections.started({ ...common, nodeId: 'a' });
    const { election: b } = await elections.started({ ...common, nodeId: 'b' });
    await a.publish({ role: 'primary', n: 1 });
    const first = await a.campaign();
    expect(first.won).toBe(true);
    await until(() => b.peers.has('a') && b.leader?.nodeId === 'a', 2000, "b to see a's state");
    const lost = a.leaseId!;

    // What etcd does when the lease outlives its TTL unrenewed.
    const raw = new Etcd3({ hosts: etcd.endpoint });
    try {
      await raw.leaseClient.leaseRevoke({ ID: lost });
    } finally {
      raw.close();
    }
    await until(() => b.leader === null, 1000, 'the leader key gone with the lease');
    await until(() => a.leaseId !== null && a.leaseId !== lost, 2000, 'a new lease for a');
    await until(() => b.peers.get('a') !== undefined, 2000, "a's state re-put");
    expect(b.peers.get('a')).toEqual({ role: 'primary', n: 1 });
    // Deleted behind its back, the state comes back too (the re-read notices).
    const raw2 = new Etcd3({ hosts: etcd.endpoint });
    try {
      await raw2.delete().key(`${common.prefix}nodes/a`).exec();
    } finally {
      raw2.close();
    }
    await until(() => !b.peers.has('a'), 1000, "b to see a's state deleted");
    await until(() => b.peers.has('a'), 2500, "a's state re-put after the delete");
    // The leadership is not re-taken by itself: that is the arbiter's decision.
    expect(a.leader).toBeNull();
    const again = await a.campaign();
    expect(again.won).toBe(true);
    expect(again.leader!.term).toBeGreaterThan(first.leader!.term);
  });
});
