import { describe, expect, it } from 'vitest';
import type { SwitchoverVerdict } from '../src/engine/types';
import { CoreEvent } from '../src/events/core-events';
import { simulatedPair } from './embedded-arbiter-support';

/** A pair of simulated nodes that apply orders like the engine does. */
const setup = (opts: { verdict?: SwitchoverVerdict } = {}) => simulatedPair(opts);

async function startPair(s: ReturnType<typeof setup>) {
  s.arbiter.nodeSpawned('sip-a');
  s.arbiter.nodeSpawned('sip-b');
  s.beat('sip-a', { status: 'running' });
  s.beat('sip-b', { status: 'running' });
  await s.run(200);
}

describe('embedded arbiter', () => {
  it('assigns the first roles by priority at term 1 once both nodes are up', async () => {
    const s = setup();
    s.arbiter.nodeSpawned('sip-a');
    s.arbiter.nodeSpawned('sip-b');
    s.beat('sip-b', { status: 'running' });
    expect(s.arbiter.term).toBe(0);
    s.beat('sip-a', { status: 'running' });
    expect(s.arbiter.term).toBe(1);
    expect(s.arbiter.primary).toBe('sip-a');
    expect(s.state['sip-a']).toMatchObject({ role: 'primary', term: 1 });
    expect(s.state['sip-b']).toMatchObject({ role: 'backup', term: 1 });
  });

  it('assigns roles to the only node up once the startup timeout passes', async () => {
    const s = setup();
    s.arbiter.nodeSpawned('sip-b');
    s.beat('sip-b', { status: 'running' });
    await s.run(9_000);
    expect(s.arbiter.primary).toBeNull();
    await s.run(1_100);
    expect(s.arbiter.primary).toBe('sip-b');
  });

  it('switches over with a higher term when the primary reports unavailable and the backup runs', async () => {
    const s = setup();
    await startPair(s);
    s.beat('sip-a', { status: 'unavailable' });
    await s.clock.advance(0);
    expect(s.arbiter.primary).toBe('sip-b');
    expect(s.arbiter.term).toBe(2);
    expect(s.state['sip-b']).toMatchObject({ role: 'primary', term: 2 });
    expect(s.state['sip-a']).toMatchObject({ role: 'backup', term: 2 });
    const switchEvent = s.events.find((e) => e.id === CoreEvent.Switchover);
    expect(String(switchEvent?.fields.reason)).toContain('reported unavailable');
  });

  it('does not switch to a backup that is itself unavailable', async () => {
    const s = setup();
    await startPair(s);
    s.beat('sip-b', { status: 'unavailable' });
    s.beat('sip-a', { status: 'unavailable' });
    await s.run(2_000);
    expect(s.arbiter.primary).toBe('sip-a');
    expect(s.arbiter.term).toBe(1);
  });

  it('switches over at once when the primary process exits', async () => {
    const s = setup();
    await startPair(s);
    s.arbiter.nodeExited('sip-a', 'signal SIGKILL');
    expect(s.arbiter.primary).toBe('sip-b');
    expect(s.arbiter.term).toBe(2);
  });

  it('switches over when the primary misses heartbeats for switchTimeout, not before', async () => {
    const s = setup();
    await startPair(s);
    await s.run(800, ['sip-a']);
    expect(s.arbiter.primary).toBe('sip-a');
    await s.run(400, ['sip-a']);
    expect(s.arbiter.primary).toBe('sip-b');
    expect(s.events.some((e) => e.id === CoreEvent.HeartbeatsMissed && e.fields.node === 'sip-a')).toBe(true);
    // the frozen node thaws: it is reconciled to backup at the new term
    await s.run(500);
    expect(s.state['sip-a']).toMatchObject({ role: 'backup', term: 2 });
    expect(s.events.some((e) => e.id === CoreEvent.HeartbeatsResumed)).toBe(true);
  });

  it('does not count the time the arbiter itself was stalled as silence (the host stopped every process at once)', async () => {
    const s = setup();
    await startPair(s);
    // The whole host stalls 1.5 s (switchTimeout is 1 s): no heartbeat was sent, and the arbiter did not run either.
    s.clock.thaw(1_500);
    await s.clock.advance(0); // the overdue look runs first, before any node had a turn
    await s.run(500);
    expect(s.events.filter((e) => e.id === CoreEvent.HeartbeatsMissed)).toEqual([]);
    expect(s.events.filter((e) => e.id === CoreEvent.ArbiterStalled).map((e) => e.fields)).toEqual([{ late: 1_400 }]);
    expect(s.arbiter.primary).toBe('sip-a');
    expect(s.arbiter.term).toBe(1);
    // A primary that really stops is still replaced, after switchTimeout of the arbiter's own running time.
    await s.run(800, ['sip-a']);
    expect(s.arbiter.primary).toBe('sip-a');
    await s.run(400, ['sip-a']);
    expect(s.arbiter.primary).toBe('sip-b');
  });

  it('counts a silent look only once the heartbeats read in the same turn are in', async () => {
    // Timers run before the loop reads its sockets: the confirmation a silent look asks for is run by hand here.
    const confirmations: (() => void)[] = [];
    const s = simulatedPair({ afterIo: (fn) => (confirmations.push(fn), { cancel: () => undefined }) });
    await startPair(s);
    await s.run(1_100, ['sip-a']); // the look at 1 s of silence asks for a confirmation, and only one
    expect(confirmations).toHaveLength(1);
    expect(s.arbiter.primary).toBe('sip-a');
    // sip-a's heartbeat was waiting on its channel: read in this turn's I/O, before the confirmation.
    s.beat('sip-a');
    confirmations.shift()!();
    expect(s.events.filter((e) => e.id === CoreEvent.HeartbeatsMissed)).toEqual([]);
    expect(s.arbiter.primary).toBe('sip-a');
    // Without that heartbeat the confirmation counts the silence.
    await s.run(1_100, ['sip-a']);
    expect(confirmations).toHaveLength(1);
    confirmations.shift()!();
    expect(s.events.filter((e) => e.id === CoreEvent.HeartbeatsMissed).map((e) => e.fields.node)).toEqual(['sip-a']);
    expect(s.arbiter.primary).toBe('sip-b');
  });

  it('gives a node still starting startupTimeout, not switchTimeout, before its silence counts as missed heartbeats (startup grace)', async () => {
    const s = setup();
    await startPair(s);
    // sip-b restarts and takes 3 s to send its first heartbeat (modules and journal loading on a busy host).
    s.arbiter.nodeExited('sip-b', 'exit code 1');
    s.arbiter.nodeSpawned('sip-b');
    await s.run(3_000, ['sip-b']);
    expect(s.events.filter((e) => e.id === CoreEvent.HeartbeatsMissed)).toEqual([]);
    // Once it reports running, switchTimeout applies again.
    s.beat('sip-b', { status: 'running' });
    await s.run(1_200, ['sip-b']);
    expect(s.events.filter((e) => e.id === CoreEvent.HeartbeatsMissed).map((e) => e.fields.node)).toEqual(['sip-b']);
    // A node that stays silent while starting is counted as down after startupTimeout (10 s).
    s.arbiter.nodeExited('sip-a', 'exit code 1');
    s.arbiter.nodeSpawned('sip-a');
    await s.run(9_000, ['sip-a', 'sip-b']);
    expect(s.events.filter((e) => e.id === CoreEvent.HeartbeatsMissed && e.fields.node === 'sip-a')).toEqual([]);
    await s.run(1_200, ['sip-a', 'sip-b']);
    expect(s.events.filter((e) => e.id === CoreEvent.HeartbeatsMissed && e.fields.node === 'sip-a')).toHaveLength(1);
  });

  it('re-sends the current role to a restarted node', async () => {
    const s = setup();
    await startPair(s);
    s.arbiter.nodeExited('sip-a', 'exit code 1');
    s.arbiter.nodeSpawned('sip-a');
    s.state['sip-a'] = { nodeId: 'sip-a', role: 'backup', status: 'running', term: 0 };
    await s.run(300);
    expect(s.state['sip-a']).toMatchObject({ role: 'backup', term: 2 });
    expect(s.arbiter.primary).toBe('sip-b');
  });

  it('performs a manual switchover and refuses one when the backup is down', async () => {
    const s = setup();
    await startPair(s);
    const ok = await s.arbiter.requestSwitchover('maintenance', 'test');
    expect(ok).toMatchObject({ ok: true, primary: 'sip-b', term: 2 });
    s.arbiter.nodeExited('sip-a', 'exit code 0');
    const refused = await s.arbiter.requestSwitchover('again', 'test');
    expect(refused.ok).toBe(false);
    expect(refused.reason).toMatch(/sip-a is not running/);
    expect(s.arbiter.primary).toBe('sip-b');
  });

  it('honours a veto from beforeSwitchover for manual and health switchovers', async () => {
    const s = setup({ verdict: { veto: 'replication behind' } });
    await startPair(s);
    const refused = await s.arbiter.requestSwitchover('maintenance', 'test');
    expect(refused).toMatchObject({ ok: false, reason: 'vetoed: replication behind' });
    s.beat('sip-a', { status: 'unavailable' });
    await s.clock.advance(0);
    expect(s.arbiter.primary).toBe('sip-a');
    expect(s.events.filter((e) => e.id === CoreEvent.SwitchoverVetoed)).toHaveLength(2);
  });

  it('never goes back in term', async () => {
    const s = setup();
    await startPair(s);
    const terms: number[] = [];
    for (let i = 0; i < 4; i++) {
      await s.arbiter.requestSwitchover(`round ${i}`, 'test');
      terms.push(s.arbiter.term);
    }
    expect(terms).toEqual([2, 3, 4, 5]);
    const orderTerms = s.orders.map((o) => o.order.term);
    expect([...orderTerms].sort((a, b) => a - b)).toEqual(orderTerms);
  });
});

describe('embedded arbiter: a node asks to give up the primary role', () => {
  it('grants the primary’s own request without consulting, and refuses one from the backup', async () => {
    const s = setup({ verdict: { veto: 'would veto a manual one' } });
    await startPair(s);
    const fromBackup = await s.arbiter.requestSwitchover('cannot bind', 'sip-b/sip', 'sip-b');
    expect(fromBackup).toMatchObject({ ok: false, primary: 'sip-a' });
    expect(fromBackup.reason).toMatch(/not the primary/);
    const fromPrimary = await s.arbiter.requestSwitchover('cannot bind', 'sip-a/sip', 'sip-a');
    expect(fromPrimary).toMatchObject({ ok: true, primary: 'sip-b', term: 2 });
    const event = s.events.find((e) => e.id === CoreEvent.Switchover);
    expect(String(event?.fields.reason)).toBe('requested by sip-a/sip: cannot bind');
  });
});
