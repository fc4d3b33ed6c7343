import { freePort, hasTool } from '@switchyard/sdk/testing';
import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Elections, freshPrefix } from './support/elections';
import { startEtcd, type TestEtcd } from './support/etcd';
import { spawnElectionProcess, until, type ElectionProcess } from './support/processes';

describe.skipIf(!hasTool('etcd'))('EtcdElection on a real etcd', () => {
  let etcd: TestEtcd;
  let raw: Etcd3;
  const elections = new Elections();
  const processes: ElectionProcess[] = [];

  beforeAll(async () => {
    etcd = await startEtcd();
    raw = new Etcd3({ hosts: etcd.endpoint });
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    await elections.stopAll();
  });
  afterAll(async () => {
    raw?.close();
    await etcd?.dispose();
  });

  const pair = async (ttl = 2) => {
    const prefix = freshPrefix();
    const common = { endpoints: [etcd.endpoint], prefix, leaseTtl: ttl };
    const [a, b] = await Promise.all([elections.started({ ...common, nodeId: 'a' }), elections.started({ ...common, nodeId: 'b' })]);
    return { a: a.election, b: b.election, ra: a, rb: b, prefix };
  };

  it('two campaigns at once: exactly one wins, and the other sees the leader and its term', async () => {
    const { a, b } = await pair();
    const [ra, rb] = await Promise.all([a.campaign(), b.campaign()]);
    expect([ra.won, rb.won].filter(Boolean)).toHaveLength(1);
    const [winner, loser] = ra.won ? [a, b] : [b, a];
    const winnerId = ra.won ? 'a' : 'b';
    const term = (ra.won ? ra : rb).leader!.term;
    expect(term).toBeGreaterThan(0);
    expect((ra.won ? rb : ra).leader).toEqual({ nodeId: winnerId, term });
    // Asking again changes nothing: the winner still holds it under the same lease.
    expect(await winner.campaign()).toEqual({ won: true, leader: { nodeId: winnerId, term } });
    expect(await loser.campaign()).toEqual({ won: false, leader: { nodeId: winnerId, term } });
    for (const e of [a, b]) {
      expect(e.leader).toEqual({ nodeId: winnerId, term });
      expect(e.highestTerm).toBe(term);
    }
  });

  it('the winner resigns: the other sees no leader, and its campaign wins with a higher term', async () => {
    const { a, b } = await pair();
    const first = await a.campaign();
    expect(first.won).toBe(true);
    expect(await b.resign()).toBe(false); // b does not hold it: nothing happens
    expect(a.leader?.nodeId).toBe('a');
    expect(await a.resign()).toBe(true);
    await until(() => b.leader === null, 1000, 'b to see no leader');
    const second = await b.campaign();
    expect(second.won).toBe(true);
    expect(second.leader!.term).toBeGreaterThan(first.leader!.term);
    await until(() => a.leader?.nodeId === 'b', 1000, 'a to see b lead');
    expect(a.highestTerm).toBe(second.leader!.term);
  });

  it('the winner revokes its lease: the other sees no leader at once (not after the TTL) and wins', async () => {
    const { a, b, prefix } = await pair(5);
    await a.publish({ role: 'primary' });
    expect((await a.campaign()).won).toBe(true);
    await until(() => b.leader?.nodeId === 'a' && b.peers.has('a'), 1000, 'b to see a lead');
    const oldLease = a.leaseId;
    const revokedAt = Date.now();
    await a.revoke();
    await until(() => b.leader === null, 1000, 'b to see the leader key gone');
    expect(Date.now() - revokedAt).toBeLessThan(400); // the watch, not the TTL (5 s) nor the 1 s re-read
    expect((await b.campaign()).won).toBe(true);
    // a goes on with a fresh lease, its state re-put under it; it does not lead.
    await until(() => a.leaseId !== null && a.leaseId !== oldLease, 2000, 'a fresh lease');
    await until(() => b.peers.has('a'), 2000, "a's state back");
    const key = await raw.get(`${prefix}nodes/a`).exec();
    expect(key.kvs[0]?.lease).toBe(a.leaseId);
    expect((await a.campaign()).won).toBe(false);
  });

  it("a process holding the leadership is SIGKILLed: the key goes after about the TTL, never before leaseConfirmedAt + TTL", async () => {
    const prefix = freshPrefix();
    const ttl = 3;
    const { election: b } = await elections.started({ endpoints: [etcd.endpoint], prefix, nodeId: 'b', leaseTtl: ttl });
    const holder = spawnElectionProcess({ endpoints: [etcd.endpoint], prefix, nodeId: 'a', leaseTtl: ttl, mode: 'hold' });
    processes.push(holder);
    await until(() => holder.events.some((e) => e.event === 'won'), 10_000, `the process to lead\n${holder.output()}`);
    await until(() => b.leader?.nodeId === 'a', 1000, 'b to see a lead');
    // Kill right after a confirmed keepalive, so the last one reported is the last one sent.
    const confirmations = () => holder.events.filter((e) => e.event === 'confirmed').length;
    const seen = confirmations();
    await until(() => confirmations() > seen, 2000, 'a keepalive');
    await holder.kill();
    const killedAt = Date.now();
    const lastConfirmed = holder.events.filter((e) => e.event === 'confirmed').at(-1)!.confirmedWall as number;
    await until(() => b.leader === null, ttl * 1000 + 3000, 'the leader key to expire');
    const goneAt = Date.now();
    expect(goneAt - killedAt).toBeGreaterThanOrEqual(ttl * 1000 - 500);
    expect(goneAt - killedAt).toBeLessThan(ttl * 1000 + 1500);
    // The safety bound a demoting primary relies on: etcd kept the lease at least this long.
    expect(goneAt).toBeGreaterThanOrEqual(lastConfirmed + ttl * 1000);
    expect((await b.campaign()).won).toBe(true);
  });

  it('publish → peers on the other node, updates, malformed values ignored, gone with the lease', async () => {
    const { a, b, prefix } = await pair();
    await a.publish({ role: 'primary', healthy: true });
    await until(() => b.peers.has('a'), 1000, "b to see a's state");
    expect(b.peers.get('a')).toEqual({ role: 'primary', healthy: true });
    expect(a.peers.has('a')).toBe(false); // its own state is not a peer
    await a.publish({ role: 'backup', healthy: false });
    await until(() => (b.peers.get('a') as { role?: string } | undefined)?.role === 'backup', 1000, 'the update');
    // Untrusted values: malformed JSON, oversize, a key no node could own — ignored, nothing throws.
    await raw.put(`${prefix}nodes/x`).value('{not json');
    await raw.put(`${prefix}nodes/y`).value(JSON.stringify({ pad: 'z'.repeat(70 * 1024) }));
    await raw.put(`${prefix}nodes/bad/id`).value('{}');
    await raw.put(`${prefix}nodes/c`).value('{"role":"spare"}');
    await until(() => b.peers.has('c'), 2000, 'a well-formed third node');
    expect([...b.peers.keys()].sort()).toEqual(['a', 'c']);
    await a.stop({ revoke: true });
    await until(() => !b.peers.has('a'), 1000, "a's state gone with its lease");
  });

  it('send → onMessage on the receiver, exactly once, and the inbox emptied; malformed messages dropped', async () => {
    const { b, ra, rb, prefix } = await pair();
    const a = ra.election;
    await a.send('b', { request: 'switchover', id: 7 });
    await until(() => rb.received.length > 0, 1000, 'the message');
    expect(rb.received).toEqual([{ from: 'a', body: { request: 'switchover', id: 7 } }]);
    await raw.put(`${prefix}inbox/b/garbage`).value('nope');
    await b.send('a', { reply: 'done', id: 7 });
    await until(() => ra.received.length > 0, 1000, 'the reply');
    expect(ra.received).toEqual([{ from: 'b', body: { reply: 'done', id: 7 } }]);
    // Two re-reads later (they run every second) nothing was delivered twice and the inboxes are empty.
    const inbox = () => raw.getAll().prefix(`${prefix}inbox/`).keys();
    const deadline = Date.now() + 2500;
    while (Date.now() < deadline) {
      expect(rb.received).toHaveLength(1);
      expect(ra.received).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await inbox()).toEqual([]);
    await expect(a.send('no/such', 1)).rejects.toMatchObject({ code: 'SWY_ERR_ETCD_OPTIONS_INVALID' });
    await expect(a.send('b', { big: 'x'.repeat(65 * 1024) })).rejects.toMatchObject({ code: 'SWY_ERR_ETCD_VALUE_TOO_LARGE' });
  });

  it('stop() leaves nothing running: a process that stopped its election exits by itself (etcd up, and etcd unreachable)', async () => {
    const prefix = freshPrefix();
    const live = spawnElectionProcess({ endpoints: [etcd.endpoint], prefix, nodeId: 'a', leaseTtl: 2, mode: 'stop' });
    const dead = spawnElectionProcess({ endpoints: [`http://127.0.0.1:${await freePort()}`], prefix, nodeId: 'a', leaseTtl: 2, mode: 'stop', waitLeaseMs: 1000 });
    processes.push(live, dead);
    for (const proc of [live, dead]) {
      await until(() => proc.events.some((e) => e.event === 'stopped' || e.event === 'error'), 10_000, `stop()\n${proc.output()}`);
      expect(proc.events.find((e) => e.event === 'error')).toBeUndefined();
      const stoppedAt = Date.now();
      expect(await proc.exited).toBe(0);
      // At most gRPC's own 1 s wait to close a channel still connecting to a dead etcd (inside etcd3).
      expect(Date.now() - stoppedAt).toBeLessThan(1500);
    }
    // The live one revoked its lease: its leader key and state are gone at once.
    expect(await raw.getAll().prefix(prefix).keys()).toEqual([]);
  });
});
