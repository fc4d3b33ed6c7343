import { CoreEvent, type NodeStatus, type SwitchoverVerdict } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { EtcdArbiterEvent } from '../src/events';
import { ArbiterPair } from './support/arbiter-pair';

// Defaults of the arbiter options: leaseTtl 2 s, failsafeMargin 0.5 s, grantWindow 0.5 s,
// nodeTimeout 1 s; HA link heartbeat every 0.1 s, 3 missed = down. Times below are virtual ms.
const LEASE_TTL = 2000;
const FAILSAFE_MARGIN = 500;
const NODE_TIMEOUT = 1000;

let pair: ArbiterPair;
afterEach(async () => {
  await pair?.stop();
});

const campaigns = (node: string, since = -Infinity) => pair.etcd.calls.filter((c) => c.node === node && c.call === 'campaign' && c.at >= since);

describe('EtcdArbiter: the first election', () => {
  it('a node that is not running never campaigns; once running with no leader it is elected, granted, then ordered primary with the term', async () => {
    pair = new ArbiterPair();
    const agent = await pair.agent('sip-a');
    agent.nodeSpawned('sip-a');
    const report = (status: NodeStatus) =>
      agent.heartbeat('sip-a', { nodeId: 'sip-a', role: 'backup', status, term: 0 }, { connected: false, peer: null });

    for (const status of ['starting', 'unavailable', 'starting'] as const) {
      for (let i = 0; i < 20; i++) {
        report(status);
        await pair.clock.advance(100);
      }
    }
    expect(campaigns('sip-a')).toEqual([]);
    expect(pair.etcd.leader).toBeNull();
    expect(pair.of('sip-a', 'order')).toEqual([]);

    const runningAt = pair.now();
    report('running');
    await pair.clock.advance(0);
    expect(pair.etcd.leader?.nodeId).toBe('sip-a');
    const term = pair.etcd.leader!.term;
    expect(agent.term).toBe(term);
    expect(agent.primary).toBe('sip-a');

    const calls = pair.calls.filter((c) => c.node === 'sip-a' && (c.call === 'order' || c.call === 'grant'));
    const firstGrant = calls.findIndex((c) => c.call === 'grant');
    const firstOrder = calls.findIndex((c) => c.call === 'order');
    expect(firstGrant).toBeGreaterThanOrEqual(0);
    expect(firstGrant).toBeLessThan(firstOrder);
    expect(calls[firstOrder]).toMatchObject({ call: 'order', role: 'primary', term, at: runningAt });
    expect(calls[firstGrant]).toMatchObject({ at: runningAt, until: expect.any(Number) });
    expect((calls[firstGrant] as { until: number }).until).toBeGreaterThan(runningAt);
    expect(pair.emitted('sip-a', CoreEvent.Switchover)[0]?.fields).toMatchObject({ to: 'sip-a', term });
  });

  it('the node of higher priority wins the first election even when the other reports running first', async () => {
    pair = new ArbiterPair();
    await pair.agent('sip-a');
    await pair.agent('sip-b');
    const b = pair.spawn('sip-b');
    b.status = 'running';
    const a = pair.spawn('sip-a');
    await pair.clock.advance(1200); // sip-a (priority 100) still loading its plugins
    expect(pair.etcd.leader).toBeNull();
    a.status = 'running';
    await pair.clock.advance(2000);

    expect(pair.etcd.leader?.nodeId).toBe('sip-a');
    expect(campaigns('sip-b')).toEqual([]);
    expect(pair.orders('sip-b', 'primary')).toEqual([]);
    expect(b.state).toMatchObject({ role: 'backup', term: pair.etcd.leader!.term });
    expect(a.state).toMatchObject({ role: 'primary', term: pair.etcd.leader!.term });
  });

  it('the node of lower priority takes the role after one lease TTL when the other never comes', async () => {
    pair = new ArbiterPair();
    await pair.agent('sip-b'); // sip-a's host is down: no agent, no published state
    const b = pair.spawn('sip-b');
    b.status = 'running';
    const runningAt = pair.now() + 100; // the first heartbeat that says so
    await pair.clock.advance(LEASE_TTL - 100);
    expect(pair.etcd.leader).toBeNull();
    expect(campaigns('sip-b')).toEqual([]);

    await pair.clock.advance(400);
    expect(pair.etcd.leader?.nodeId).toBe('sip-b');
    const first = campaigns('sip-b')[0]!;
    expect(first.at - runningAt).toBeGreaterThanOrEqual(LEASE_TTL);
    expect(first.at - runningAt).toBeLessThanOrEqual(LEASE_TTL + 100);
    expect(b.state.role).toBe('primary');
  });
});

describe('EtcdArbiter: grants and orders', () => {
  it('never orders primary while the deadline it would grant is already past (lease confirmation stale)', async () => {
    pair = new ArbiterPair();
    await pair.agent('sip-a');
    const a = pair.spawn('sip-a');
    a.status = 'running';
    await pair.clock.advance(500);
    expect(a.state.role).toBe('primary');

    pair.etcd.cut('sip-a'); // no peer on the HA link either: only the lease bounds the grant
    const cutAt = pair.now();
    const confirmedAt = pair.etcd.election('sip-a').leaseConfirmedAt!;
    await pair.clock.advance(5000);

    expect(pair.emitted('sip-a', EtcdArbiterEvent.Unreachable)).toHaveLength(1);
    // The node stepped down by itself when its grant ran out, and is never told to serve again.
    expect(a.state.role).toBe('backup');
    expect(pair.orders('sip-a', 'primary', cutAt)).toEqual([]);
    expect(pair.lastDeadline('sip-a')).toBe(confirmedAt + LEASE_TTL - FAILSAFE_MARGIN);
    // Its agent still believes it holds the key (etcd unreachable): grants keep coming, all in the past.
    const late = pair.of('sip-a', 'grant', confirmedAt + LEASE_TTL);
    expect(late.length).toBeGreaterThan(10);
    expect(late.every((g) => g.until !== null && g.until < g.at)).toBe(true);
  });
});

describe('EtcdArbiter: health switchover', () => {
  it('the primary reports unavailable while the backup runs: consult (health), then backup order, grant 0, resign; the backup is elected', async () => {
    pair = new ArbiterPair();
    const { a, b } = await pair.established();
    const oldTerm = pair.etcd.leader!.term;
    const since = pair.now();
    a.status = 'unavailable';
    await pair.clock.advance(1000);

    const consults = pair.of('sip-a', 'consult', since);
    expect(consults.map((c) => c.proposal)).toEqual([
      { from: 'sip-a', to: 'sip-b', kind: 'health', reason: 'primary sip-a reported unavailable while backup sip-b is running' },
    ]);
    const seq = pair.calls.filter((c) => c.node === 'sip-a' && c.at >= since && c.call !== 'emit');
    const consultAt = seq.findIndex((c) => c.call === 'consult');
    expect(seq.slice(consultAt, consultAt + 3)).toMatchObject([
      { call: 'consult' },
      { call: 'order', role: 'backup', term: oldTerm },
      { call: 'grant', until: 0 },
    ]);
    expect(pair.etcd.calls.filter((c) => c.node === 'sip-a' && c.call === 'resign')).toHaveLength(1);
    expect(pair.etcd.leader?.nodeId).toBe('sip-b');
    expect(pair.etcd.leader!.term).toBeGreaterThan(oldTerm);
    expect(b.state).toMatchObject({ role: 'primary', term: pair.etcd.leader!.term });
    expect(a.state.role).toBe('backup');
    // The unavailable node does not campaign back.
    await pair.clock.advance(5000);
    expect(pair.etcd.leader?.nodeId).toBe('sip-b');
  });

  it('a primary cut off from etcd and its peer (its control NIC down) does not flap: it serves until its lease bound, then stays backup', async () => {
    pair = new ArbiterPair();
    const { a } = await pair.established();
    const since = pair.now();
    pair.etcd.cut('sip-a');
    pair.linkUp = false;
    a.status = 'unavailable';
    await pair.clock.advance(5000);

    // The peer's running state is known only from before the cut: no health switchover on it,
    // and no order storm: the lease bound ends the grant and the node steps down once.
    expect(pair.of('sip-a', 'consult', since)).toEqual([]);
    expect(pair.orders('sip-a', 'primary', since)).toEqual([]);
    expect(pair.orders('sip-a', 'backup', since).length).toBeLessThanOrEqual(1);
    expect(a.state.role).toBe('backup');
  });

  it('a primary cut off past its lease, the peer elected meanwhile: once etcd answers again it is not ordered primary at its old term before it has read who leads now', async () => {
    pair = new ArbiterPair();
    const { a, b } = await pair.established();
    const oldTerm = a.state.term;
    pair.etcd.cut('sip-a');
    pair.linkUp = false;
    await pair.clock.advance(6000); // past its lease: failsafe stops it, sip-b is elected
    expect(b.state.role).toBe('primary');
    expect(a.state.role).toBe('backup');
    const healed = pair.now();
    // Its keepalive comes back (a fresh lease, so a grant it could give) 300 ms before its read of the keys.
    pair.etcd.heal('sip-a', { readAfterMs: 300 });
    await pair.clock.advance(1000);
    expect(pair.orders('sip-a', 'primary', healed)).toEqual([]);
    expect(a.state).toMatchObject({ role: 'backup' });
    expect(a.state.term).toBeGreaterThan(oldTerm);
    expect(b.state.role).toBe('primary');
  });

  it('after stepping down, a node whose resign could not reach etcd stays backup while it yields', async () => {
    pair = new ArbiterPair();
    const { a } = await pair.established();
    a.status = 'unavailable';
    pair.etcd.cut('sip-a'); // the resign fails; the key stays until the lease expires
    await pair.clock.advance(100);
    const since = pair.now();
    await pair.clock.advance(3000);
    expect(pair.orders('sip-a', 'primary', since)).toEqual([]);
    expect(a.state.role).toBe('backup');
  });

  it('a step-down whose resign etcd did not hear is said again once etcd answers: the peer is elected then, not when the yield ends', async () => {
    pair = new ArbiterPair();
    const { a, b } = await pair.established();
    const oldTerm = pair.etcd.leader!.term;
    pair.etcd.cut('sip-a'); // cut off from etcd, not from its peer: the HA link still says sip-b runs
    a.status = 'unavailable';
    await pair.clock.advance(1000);
    expect(a.state.role).toBe('backup');
    expect(pair.etcd.leader?.nodeId).toBe('sip-a'); // the resign did not reach etcd
    pair.etcd.heal('sip-a'); // back within its lease: its keepalive keeps the key alive
    await pair.clock.advance(500);
    expect(pair.etcd.leader?.nodeId).toBe('sip-b');
    expect(pair.etcd.leader!.term).toBeGreaterThan(oldTerm);
    expect(b.state).toMatchObject({ role: 'primary', term: pair.etcd.leader!.term });
    expect(a.state.role).toBe('backup');
  });

  it.each([
    ['a veto', { veto: 'calls in progress' }, 5000],
    ['a delay', { delay: 2, reason: 'draining' }, 2000],
  ] as [string, SwitchoverVerdict, number][])('%s: nothing happens until its delay passed, then it asks again', async (_name, verdict, delayMs) => {
    pair = new ArbiterPair();
    const { a } = await pair.established();
    let answer: SwitchoverVerdict | undefined = verdict;
    pair.verdicts.set('sip-a', () => answer);
    const since = pair.now();
    a.status = 'unavailable';
    await pair.clock.advance(delayMs - 200);

    expect(pair.of('sip-a', 'consult', since)).toHaveLength(1);
    const firstAt = pair.of('sip-a', 'consult', since)[0]!.at;
    expect(pair.emitted('sip-a', CoreEvent.SwitchoverVetoed)).toHaveLength(1);
    expect(pair.orders('sip-a', 'backup', since)).toEqual([]);
    expect(pair.etcd.leader?.nodeId).toBe('sip-a');
    expect(a.state.role).toBe('primary');

    answer = undefined;
    await pair.clock.advance(1000);
    const second = pair.of('sip-a', 'consult', since)[1]!;
    expect(second.at - firstAt).toBeGreaterThanOrEqual(delayMs);
    expect(second.at - firstAt).toBeLessThanOrEqual(delayMs + 100);
    expect(pair.etcd.leader?.nodeId).toBe('sip-b');
  });
});

describe('EtcdArbiter: a node that dies or freezes', () => {
  it('the node process exits: the lease is revoked at once (01-30003) and the peer is elected well within a lease TTL', async () => {
    pair = new ArbiterPair();
    const { a, b } = await pair.established();
    const exitAt = pair.now();
    a.exit();
    await pair.clock.advance(0);

    expect(pair.emitted('sip-a', EtcdArbiterEvent.LeaseRevoked)).toMatchObject([{ at: exitAt, fields: { node: 'sip-a', held: 'yes' } }]);
    expect(pair.etcd.calls.filter((c) => c.call === 'revoke')).toMatchObject([{ node: 'sip-a', at: exitAt }]);
    expect(pair.etcd.leader).toBeNull();

    await pair.clock.advance(LEASE_TTL);
    expect(pair.etcd.leader?.nodeId).toBe('sip-b');
    const promoted = pair.orders('sip-b', 'primary')[0]!;
    // sip-a's agent marked the term released before revoking: sip-b skips the HA-link hold-off (0.4 s).
    expect(promoted.at - exitAt).toBeLessThan(200);
    expect(b.state.role).toBe('primary');
  });

  it('the node freezes: after nodeTimeout the lease is revoked, but only once its last grant has passed; then the peer is elected', async () => {
    pair = new ArbiterPair();
    const { a, b } = await pair.established();
    const frozenAt = pair.now();
    a.freeze();
    await pair.clock.advance(3000);

    const missed = pair.emitted('sip-a', CoreEvent.HeartbeatsMissed);
    expect(missed).toHaveLength(1);
    expect(missed[0]!.at - frozenAt).toBeGreaterThanOrEqual(NODE_TIMEOUT);
    const lastGrant = pair.lastDeadline('sip-a')!;
    expect(pair.of('sip-a', 'grant', missed[0]!.at)).toEqual([]); // no grant once it is known frozen
    const revoked = pair.etcd.calls.filter((c) => c.call === 'revoke');
    expect(revoked).toHaveLength(1);
    expect(revoked[0]!.at).toBeGreaterThan(lastGrant);
    expect(revoked[0]!.at).toBeLessThanOrEqual(lastGrant + 100);
    expect(pair.emitted('sip-a', EtcdArbiterEvent.LeaseRevoked)[0]?.fields).toMatchObject({ held: 'yes' });

    expect(pair.etcd.leader?.nodeId).toBe('sip-b');
    expect(pair.orders('sip-b', 'primary')[0]!.at).toBeGreaterThan(lastGrant);
    expect(b.state.role).toBe('primary');
  });
});

describe('EtcdArbiter: etcd and the HA link', () => {
  it('the backup does not campaign while its HA link shows the peer as a running primary, and waits the hold-off once the link went down', async () => {
    pair = new ArbiterPair();
    const { a, b } = await pair.established();
    pair.etcd.cut('sip-a'); // etcd loses sip-a's lease (and the leader key) after the TTL
    await pair.clock.advance(10_000);

    expect(pair.etcd.leader).toBeNull();
    expect(pair.arbiter('sip-b').primary).toBeNull();
    expect(campaigns('sip-b')).toEqual([]);
    expect(pair.orders('sip-b', 'primary')).toEqual([]);
    expect(a.state.role).toBe('primary'); // served through the HA link's confirmations

    pair.linkUp = false;
    const downAt = pair.now();
    await pair.clock.advance(2000);
    const first = campaigns('sip-b')[0]!;
    // Hold-off: (2 × missedHeartbeats + 1) × heartbeatInterval = 0.7 s after sip-b's node last heard sip-a,
    // which was at its last report before the cable went (at most one interval before).
    expect(first.at - downAt).toBeGreaterThanOrEqual(600);
    expect(first.at - downAt).toBeLessThanOrEqual(800);
    expect(pair.etcd.leader?.nodeId).toBe('sip-b');
    expect(b.state.role).toBe('primary');
    expect(a.state.role).toBe('backup');
    // No overlap: sip-a's last deadline is before sip-b was ordered primary.
    expect(pair.lastDeadline('sip-a')!).toBeLessThan(pair.orders('sip-b', 'primary')[0]!.at);
  });

  it('nodes of the version before HA-link echoes: the same, with the hold-off counted from the agent\'s last report of the link up', async () => {
    pair = new ArbiterPair();
    pair.echoes = false;
    const { a, b } = await pair.established();
    pair.etcd.cut('sip-a');
    await pair.clock.advance(10_000);
    expect(a.state.role).toBe('primary'); // served through the HA link's confirmations
    expect(campaigns('sip-b')).toEqual([]);

    pair.linkUp = false;
    const downAt = pair.now();
    await pair.clock.advance(2000);
    const first = campaigns('sip-b')[0]!;
    // heartbeatInterval × (missedHeartbeats + 1) = 0.4 s after the last report of the link up.
    expect(first.at - downAt).toBeGreaterThanOrEqual(300);
    expect(first.at - downAt).toBeLessThanOrEqual(500);
    expect(b.state.role).toBe('primary');
    expect(pair.lastDeadline('sip-a')!).toBeLessThan(pair.orders('sip-b', 'primary')[0]!.at);
  });

  it.each([
    [true, 'echoes: the grant runs to the echoed send time + 0.6 s, and the node keeps serving', 'primary'],
    [false, 'no echoes (older nodes): a confirmation holds 0.2 s, and the grant lapses', 'backup'],
  ] as const)('etcd unreachable from both hosts, HA link up, the primary\'s reports to its agent lost for 0.35 s; %s: %s', async (echoes, _what, role) => {
    pair = new ArbiterPair();
    pair.echoes = echoes;
    const { a, b } = await pair.established();
    pair.etcd.cut('sip-a');
    pair.etcd.cut('sip-b');
    await pair.clock.advance(3000); // past the lease bound: only the HA link holds the grant
    expect(a.state.role).toBe('primary');

    a.reportsLostUntil = pair.now() + 350;
    await pair.clock.advance(1000);
    expect(a.state.role).toBe(role);
    expect(b.state.role).toBe('backup'); // nobody can be elected without etcd
  });

  it('etcd unreachable, HA link up with the peer confirming backup: the grants keep extending and the node keeps serving', async () => {
    pair = new ArbiterPair();
    const { a } = await pair.established();
    const confirmedAt = pair.etcd.election('sip-a').leaseConfirmedAt!;
    pair.etcd.cut('sip-a');
    const cutAt = pair.now();
    for (let second = 1; second <= 10; second++) {
      await pair.clock.advance(1000);
      expect(a.state.role, `${second} s after etcd went away`).toBe('primary');
      expect(pair.lastDeadline('sip-a')!).toBeGreaterThan(pair.now());
    }
    expect(pair.lastDeadline('sip-a')!).toBeGreaterThan(confirmedAt + LEASE_TTL - FAILSAFE_MARGIN);
    expect(pair.orders('sip-a', 'backup', cutAt)).toEqual([]);
    expect(pair.emitted('sip-a', EtcdArbiterEvent.Unreachable)).toHaveLength(1);

    pair.etcd.heal('sip-a');
    await pair.clock.advance(1000);
    expect(pair.emitted('sip-a', EtcdArbiterEvent.Reachable)).toHaveLength(1);
  });

  it('etcd unreachable and the HA link down too: the grant stops at leaseConfirmedAt + leaseTtl − failsafeMargin, before the peer can be elected', async () => {
    pair = new ArbiterPair();
    const { a, b } = await pair.established();
    pair.linkUp = false;
    await pair.clock.advance(1000);
    expect(a.state.role).toBe('primary'); // with etcd, a lost link alone changes nothing

    pair.etcd.cut('sip-a');
    const confirmedAt = pair.etcd.election('sip-a').leaseConfirmedAt!;
    await pair.clock.advance(4000);

    const bound = confirmedAt + LEASE_TTL - FAILSAFE_MARGIN;
    expect(pair.lastDeadline('sip-a')).toBe(bound);
    expect(a.state.role).toBe('backup');
    expect(pair.etcd.leader?.nodeId).toBe('sip-b');
    expect(pair.orders('sip-b', 'primary')[0]!.at).toBeGreaterThanOrEqual(confirmedAt + LEASE_TTL);
    expect(b.state.role).toBe('primary');
  });
});

describe('EtcdArbiter: onEtcdLoss keep-serving', () => {
  it('cut off from etcd and its peer, the primary keeps serving (grant renewed a window at a time); the peer is elected too: two primaries', async () => {
    pair = new ArbiterPair({ onEtcdLoss: 'keep-serving' });
    const { a, b } = await pair.established();
    pair.linkUp = false;
    pair.etcd.cut('sip-a');
    const cutAt = pair.clock.monotonic();
    await pair.clock.advance(5000);
    // failsafe would have stopped it at confirmedAt + leaseTtl − failsafeMargin; keep-serving renews
    expect(pair.lastDeadline('sip-a')).toBeGreaterThan(pair.clock.monotonic());
    expect(pair.lastDeadline('sip-a')).toBeLessThanOrEqual(pair.clock.monotonic() + 500);
    expect(a.state.role).toBe('primary');
    expect(pair.orders('sip-a', 'backup', cutAt)).toEqual([]);
    expect(b.state.role).toBe('primary'); // elected through etcd once sip-a's lease expired
    expect(pair.emitted('sip-a', EtcdArbiterEvent.Unreachable)[0]?.fields.policy).toContain('keeps serving');
  });

  it('a node that gave up the primary role on its own while etcd is away is not made primary again by its agent', async () => {
    pair = new ArbiterPair({ onEtcdLoss: 'keep-serving' });
    const { a } = await pair.established();
    pair.linkUp = false;
    pair.etcd.cut('sip-a');
    await pair.clock.advance(1000);
    const yieldedAt = pair.clock.monotonic();
    a.state = { ...a.state, role: 'backup' }; // control-vip-scripts stepped it down on the node
    await pair.clock.advance(3000);
    expect(pair.orders('sip-a', 'primary', yieldedAt)).toEqual([]);
    expect(a.state.role).toBe('backup');
  });
});

describe('EtcdArbiter: manual switchover', () => {
  it('on the primary\'s agent, vetoed: { ok: false, reason: "vetoed: …" } and nothing moves', async () => {
    pair = new ArbiterPair();
    const { a } = await pair.established();
    const term = pair.etcd.leader!.term;
    const since = pair.now();
    pair.verdicts.set('sip-a', () => ({ veto: 'a call is being set up' }));

    const result = await pair.settle(pair.arbiter('sip-a').requestSwitchover('maintenance', 'ops'));
    expect(result).toEqual({ ok: false, term, primary: 'sip-a', reason: 'vetoed: a call is being set up' });
    expect(pair.of('sip-a', 'consult', since).map((c) => c.proposal)).toEqual([{ from: 'sip-a', to: 'sip-b', reason: 'maintenance', kind: 'manual' }]);
    await pair.clock.advance(3000);
    expect(pair.etcd.leader).toEqual({ nodeId: 'sip-a', term });
    expect(pair.orders('sip-a', 'backup', since)).toEqual([]);
    expect(a.state.role).toBe('primary');
  });

  it('on the primary\'s agent, not vetoed: it resigns and the peer is elected; { ok: true, primary: peer }', async () => {
    pair = new ArbiterPair();
    const { a, b } = await pair.established();
    const oldTerm = pair.etcd.leader!.term;
    const since = pair.now();

    const result = await pair.settle(pair.arbiter('sip-a').requestSwitchover('maintenance', 'ops'));

    expect(result).toEqual({ ok: true, term: pair.etcd.leader!.term, primary: 'sip-b' });
    expect(result.term).toBeGreaterThan(oldTerm);
    expect(pair.of('sip-a', 'consult', since).map((c) => c.proposal.kind)).toEqual(['manual']);
    expect(pair.etcd.calls.filter((c) => c.call === 'resign')).toMatchObject([{ node: 'sip-a' }]);
    expect(pair.of('sip-a', 'order', since)[0]).toMatchObject({ role: 'backup', term: oldTerm, reason: 'requested by ops: maintenance' });
    expect(pair.orders('sip-a', 'primary', since)).toEqual([]);
    expect(a.state.role).toBe('backup');
    expect(b.state).toMatchObject({ role: 'primary', term: result.term });
    // The old primary does not take the role back.
    await pair.clock.advance(5000);
    expect(pair.etcd.leader?.nodeId).toBe('sip-b');
  });

  it('on the backup\'s agent: forwarded through etcd to the primary\'s agent, which consults, resigns and answers', async () => {
    pair = new ArbiterPair();
    const { b } = await pair.established();
    const since = pair.now();

    const result = await pair.settle(pair.arbiter('sip-b').requestSwitchover('maintenance', 'ops'));

    expect(result).toEqual({ ok: true, term: pair.etcd.leader!.term, primary: 'sip-b' });
    expect(pair.etcd.calls.filter((c) => c.call === 'send').map((c) => c.node)).toEqual(['sip-b', 'sip-a']);
    expect(pair.of('sip-a', 'consult', since).map((c) => c.proposal)).toEqual([{ from: 'sip-a', to: 'sip-b', reason: 'maintenance', kind: 'manual' }]);
    expect(pair.emitted('sip-a', CoreEvent.SwitchoverRequested).map((e) => e.fields.by)).toEqual(['ops via sip-b']);
    expect(b.state.role).toBe('primary');
  });

  it('on the backup\'s agent, vetoed on the primary\'s: the veto comes back as the answer', async () => {
    pair = new ArbiterPair();
    await pair.established();
    pair.verdicts.set('sip-a', () => ({ veto: 'a call is being set up' }));

    const result = await pair.settle(pair.arbiter('sip-b').requestSwitchover('maintenance', 'ops'));
    expect(result).toMatchObject({ ok: false, primary: 'sip-a', reason: 'vetoed: a call is being set up' });
    expect(pair.etcd.leader?.nodeId).toBe('sip-a');
  });

  it('is refused with its reason when the backup is not running', async () => {
    pair = new ArbiterPair();
    const { b } = await pair.established();
    b.status = 'unavailable';
    await pair.clock.advance(300);
    const since = pair.now();

    const result = await pair.settle(pair.arbiter('sip-a').requestSwitchover('maintenance', 'ops'));
    expect(result).toMatchObject({ ok: false, primary: 'sip-a', reason: 'the backup sip-b is not running (status unavailable)' });
    expect(pair.of('sip-a', 'consult', since)).toEqual([]);
    expect(pair.emitted('sip-a', CoreEvent.SwitchoverImpossible).map((e) => e.fields.reason)).toEqual([result.reason]);
    await pair.clock.advance(1000);
    expect(pair.etcd.leader?.nodeId).toBe('sip-a');
  });

  it.each(['sip-a', 'sip-b'] as const)('is refused with its reason when %s\'s agent cannot reach etcd', async (agent) => {
    pair = new ArbiterPair();
    await pair.established();
    pair.etcd.cut(agent);
    await pair.clock.advance(0);

    const result = await pair.settle(pair.arbiter(agent).requestSwitchover('maintenance', 'ops'));
    expect(result).toMatchObject({ ok: false, primary: 'sip-a', reason: 'this host cannot reach etcd' });
    expect(pair.of('sip-a', 'consult')).toEqual([]);
    expect(pair.etcd.calls.filter((c) => c.call === 'resign' || c.call === 'send')).toEqual([]);
  });
});
