import { readdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { CoreEvent } from '../src/events/core-events';
import { condition, harness, removeHarnessDirs, type ReactionCall } from './alarm-support';
import { codeOf } from './support/errors';

const SIP_DOWN = condition({ id: 'sip-down', detect: ['00-04200'], cancel: ['00-04202'], reactions: ['page'], clearanceReactions: ['page'] });

// Also when a test failed: the harness's folders go with the file.
afterAll(removeHarnessDirs);

describe('alarm engine (virtual time)', () => {
  it('raises an alarm <condition>@<node> on a detect event, with the event that raised it, and runs its reactions once', async () => {
    const h = await harness([SIP_DOWN], { page: 'ok' });
    h.event('00-04200', 'sip-a', 'Cannot open SIP listening port 127.0.0.1:5060/udp (EADDRINUSE)');
    await h.engine.idle();

    const [alarm] = h.engine.list().active;
    expect(alarm).toEqual({
      id: 'sip-down@sip-a',
      condition: 'sip-down',
      node: 'sip-a',
      severity: 'critical',
      state: 'active',
      eventId: '00-04200',
      message: 'Cannot open SIP listening port 127.0.0.1:5060/udp (EADDRINUSE)',
      count: 1,
      firstSeen: h.clock.now(),
      lastSeen: h.clock.now(),
    });
    expect(h.events[0]).toEqual({
      id: CoreEvent.AlarmRaisedError,
      fields: expect.objectContaining({ alarm: 'sip-down@sip-a', severity: 'critical', event: '00-04200', node: 'sip-a' }),
    });
    expect(h.calls.map((c) => [c.reaction, c.change, c.alarm.id])).toEqual([['page', 'raised', 'sip-down@sip-a']]);
    expect(h.hooks.map((c) => [c.change, c.alarm.id])).toEqual([['raised', 'sip-down@sip-a']]);
    expect(h.eventIds()).toContain(CoreEvent.AlarmReactionRan);
    // what reactions get is a snapshot they cannot change
    expect(Object.isFrozen(h.calls[0]!.alarm)).toBe(true);
  });

  it('logs the raise at the level of the severity: critical/major error, minor warn, info info', async () => {
    const h = await harness(
      (['critical', 'major', 'minor', 'info'] as const).map((severity) => condition({ id: severity, detect: ['00-04200'], severity })),
    );
    h.event('00-04200', 'sip-a');
    const raised = h.events.filter((e) => e.fields.alarm !== undefined).map((e) => [e.fields.severity, e.id]);
    expect(raised).toEqual([
      ['critical', '01-10070'],
      ['major', '01-10070'],
      ['minor', '01-10071'],
      ['info', '01-10072'],
    ]);
  });

  it('deduplicates: a repeat counts and moves lastSeen, without a new raise event or reaction; another node has its own alarm', async () => {
    const h = await harness([SIP_DOWN], { page: 'ok' });
    const first = h.clock.now();
    h.event('00-04200', 'sip-a', 'first');
    await h.advance(5);
    h.event('00-04200', 'sip-a', 'second');
    await h.advance(5);
    h.event('00-04200', 'sip-a', 'third');
    await h.engine.idle();

    const [alarm] = h.engine.list().active;
    expect(alarm).toMatchObject({ id: 'sip-down@sip-a', count: 3, firstSeen: first, lastSeen: first + 10_000, message: 'first' });
    expect(h.eventIds().filter((id) => id === CoreEvent.AlarmRaisedError)).toHaveLength(1);
    expect(h.calls).toHaveLength(1);

    h.event('00-04200', 'sip-b');
    await h.engine.idle();
    expect(h.engine.list().active.map((a) => a.id)).toEqual(['sip-down@sip-a', 'sip-down@sip-b']);
    expect(h.calls.map((c) => c.alarm.id)).toEqual(['sip-down@sip-a', 'sip-down@sip-b']);
  });

  it('clears on a cancel event from the node that raised it (not from the other node) and runs the clearance reactions', async () => {
    const h = await harness([SIP_DOWN], { page: 'ok' });
    h.event('00-04200', 'sip-a');
    h.event('00-04202', 'sip-b');
    await h.engine.idle();
    expect(h.engine.list().active).toHaveLength(1);

    await h.advance(3);
    h.event('00-04202', 'sip-a');
    await h.engine.idle();
    const { active, cleared } = h.engine.list();
    expect(active).toEqual([]);
    expect(cleared[0]).toMatchObject({
      id: 'sip-down@sip-a',
      state: 'cleared',
      clearReason: 'cancel',
      clearedBy: '00-04202',
      clearedAt: h.clock.now(),
    });
    expect(h.events.find((e) => e.id === CoreEvent.AlarmCleared)?.fields).toMatchObject({ alarm: 'sip-down@sip-a', reason: 'cancel', by: '00-04202' });
    expect(h.calls.map((c) => [c.change, c.alarm.state])).toEqual([
      ['raised', 'active'],
      ['cleared', 'cleared'],
    ]);
    expect(h.hooks.map((c) => c.change)).toEqual(['raised', 'cleared']);
  });

  it('clears by itself clearAfter seconds after the LAST detection', async () => {
    const h = await harness([condition({ id: 'flap', detect: ['00-04200'], clearAfter: 60, clearanceReactions: ['page'] })], { page: 'ok' });
    h.event('00-04200', 'sip-a');
    await h.advance(40);
    h.event('00-04200', 'sip-a'); // re-arms: clears at 40 + 60 = 100 s
    await h.advance(59);
    expect(h.engine.list().active).toHaveLength(1);
    await h.advance(1);
    await h.engine.idle();
    expect(h.engine.list().active).toEqual([]);
    expect(h.engine.list().cleared[0]).toMatchObject({ clearReason: 'clearAfter', clearedBy: 'clearAfter', count: 2 });
    expect(h.calls.map((c) => c.change)).toEqual(['cleared']);
  });

  it('clears for an operator, who is recorded; an id that is not active is SWY_ERR_ALARM_NOT_FOUND', async () => {
    const h = await harness([SIP_DOWN], { page: 'ok' });
    h.event('00-04200', 'sip-a');
    const cleared = h.engine.clear('sip-down@sip-a', 'alice');
    expect(cleared).toMatchObject({ id: 'sip-down@sip-a', state: 'cleared', clearReason: 'operator', clearedBy: 'alice' });
    await h.engine.idle();
    expect(h.engine.list().active).toEqual([]);
    expect(h.calls.map((c) => c.change)).toEqual(['raised', 'cleared']);
    expect(codeOf(() => h.engine.clear('sip-down@sip-a', 'alice'))).toBe('SWY_ERR_ALARM_NOT_FOUND');
    expect(codeOf(() => h.engine.clear('nothing@here', 'alice'))).toBe('SWY_ERR_ALARM_NOT_FOUND');
    // a new detection after the clear is a new alarm, reported again
    h.event('00-04200', 'sip-a');
    await h.engine.idle();
    expect(h.engine.list().active[0]).toMatchObject({ count: 1 });
    expect(h.calls.map((c) => c.change)).toEqual(['raised', 'cleared', 'raised']);
  });

  it('runs clearance reactions only after the raise reactions settled, so a receiver sees raised before cleared', async () => {
    const h = await harness([condition({ id: 'x', detect: ['00-04200'], reactions: ['slow'], clearanceReactions: ['page'] })], {
      slow: 'hang',
      page: 'ok',
    });
    h.event('00-04200', 'sip-a');
    h.engine.clear('x@sip-a', 'bob');
    await h.advance(5);
    expect(h.calls.map((c) => `${c.reaction}:${c.change}`)).toEqual(['slow:raised']);
    await h.advance(5); // the raise reaction times out at 10 s
    await h.engine.idle();
    expect(h.calls.map((c) => `${c.reaction}:${c.change}`)).toEqual(['slow:raised', 'page:cleared']);
  });

  it('a failing and a hanging reaction neither delay the others nor the engine; each logs its event', async () => {
    const calls: ReactionCall[] = [];
    const h = await harness(
      [
        condition({ id: 'x', detect: ['00-04200'], reactions: ['first', 'broken', 'stuck', 'deaf', 'last'] }),
        condition({ id: 'y', detect: ['00-04201'], severity: 'minor', reactions: ['first'] }),
      ],
      { first: 'ok', broken: 'fail', stuck: 'hang', deaf: 'ignore-abort', last: 'ok' },
      { calls },
    );
    h.event('00-04200', 'sip-a');
    await h.advance(0);
    // every reaction started at once; the quick ones are done, the failure is logged
    expect(calls.map((c) => c.reaction).sort()).toEqual(['broken', 'deaf', 'first', 'last', 'stuck']);
    const ran = () => h.events.filter((e) => e.id === CoreEvent.AlarmReactionRan).map((e) => e.fields.reaction);
    expect(ran()).toEqual(['first', 'last']);
    expect(h.events.find((e) => e.id === CoreEvent.AlarmReactionFailed)?.fields).toMatchObject({
      reaction: 'broken',
      alarm: 'x@sip-a',
      error: 'broken is broken',
    });
    // the engine keeps raising while two reactions hang
    h.event('00-04201', 'sip-b');
    await h.advance(0);
    expect(h.engine.list().active.map((a) => a.id)).toEqual(['x@sip-a', 'y@sip-b']);
    expect(ran()).toEqual(['first', 'last', 'first']);

    await h.advance(10);
    const timedOut = h.events.filter((e) => e.id === CoreEvent.AlarmReactionTimedOut).map((e) => e.fields.reaction);
    expect(timedOut.sort()).toEqual(['deaf', 'stuck']);
    expect(calls.find((c) => c.reaction === 'stuck')!.signal.aborted).toBe(true);
    expect(calls.find((c) => c.reaction === 'deaf')!.signal.aborted).toBe(true);
    await h.engine.idle(); // a reaction that ignores its abort is abandoned, not awaited
  });

  it('survives a restart: the alarm is listed again, its reactions do not fire again, counting goes on and clearAfter runs from lastSeen', async () => {
    const clock = new ManualClock();
    const conditions = [condition({ id: 'sip-down', detect: ['00-04200'], clearAfter: 60, reactions: ['page'] })];
    const before = await harness(conditions, { page: 'ok' }, { clock });
    before.event('00-04200', 'sip-a', 'cannot bind');
    await before.advance(10);
    before.event('00-04200', 'sip-a', 'cannot bind');
    const lastSeen = clock.now();
    await before.engine.idle();
    await before.engine.stop();
    expect(before.calls).toHaveLength(1);
    const saved = before.engine.list().active;

    await clock.advance(20_000); // the supervisor is down for 20 s
    const after = await harness(conditions, { page: 'ok' }, { clock, dir: before.dir });
    expect(after.engine.list().active).toEqual(saved);
    expect(after.eventIds()).toEqual([CoreEvent.AlarmsRestored]);
    after.event('00-04200', 'sip-a', 'cannot bind');
    await after.engine.idle();
    expect(after.engine.list().active[0]).toMatchObject({ count: 3, firstSeen: saved[0]!.firstSeen });
    expect(after.calls).toEqual([]);
    expect(after.hooks).toEqual([]);

    // clearAfter counts from the latest detection, also across the restart
    const latest = clock.now();
    await after.advance(59);
    expect(after.engine.list().active).toHaveLength(1);
    await after.advance(1);
    expect(after.engine.list().cleared[0]).toMatchObject({ clearReason: 'clearAfter', clearedAt: latest + 60_000 });
    expect(lastSeen).toBeLessThan(latest);
  });

  it('re-arms an expired clearAfter at once after a restart', async () => {
    const clock = new ManualClock();
    const conditions = [condition({ id: 'x', detect: ['00-04200'], clearAfter: 30 })];
    const before = await harness(conditions, {}, { clock });
    before.event('00-04200', 'sip-a');
    await before.engine.stop();
    await clock.advance(120_000);
    const after = await harness(conditions, {}, { clock, dir: before.dir });
    await after.advance(0);
    expect(after.engine.list()).toMatchObject({ active: [], cleared: [{ id: 'x@sip-a', clearReason: 'clearAfter' }] });
  });

  it('runs again after a restart the reactions a crashed supervisor had not finished (an operator is told at least once)', async () => {
    const clock = new ManualClock();
    const conditions = [condition({ id: 'x', detect: ['00-04200'], reactions: ['page'] })];
    const crashed = await harness(conditions, { page: 'ignore-abort' }, { clock });
    crashed.event('00-04200', 'sip-a');
    await crashed.advance(1);
    await crashed.engine.flush(); // the reaction is still running when the process dies (no stop())
    const after = await harness(conditions, { page: 'ok' }, { clock, dir: crashed.dir });
    await after.engine.idle();
    expect(after.calls.map((c) => [c.reaction, c.change, c.alarm.id])).toEqual([['page', 'raised', 'x@sip-a']]);
  });

  it('keeps a bounded history of cleared alarms, the most recent first', async () => {
    const h = await harness([condition({ id: 'x', detect: ['00-04200'] })], {}, { historySize: 2 });
    for (const node of ['n1', 'n2', 'n3']) {
      h.event('00-04200', node);
      await h.advance(1);
      h.engine.clear(`x@${node}`, 'ops');
    }
    expect(h.engine.list().cleared.map((a) => a.id)).toEqual(['x@n3', 'x@n2']);
  });

  it('only watches the listed nodes, and ignores events once paused (the supervisor is stopping)', async () => {
    const h = await harness([condition({ id: 'x', detect: ['01-10040'], nodes: ['sip-b'] })]);
    h.event('01-10040', 'sip-a');
    expect(h.engine.list().active).toEqual([]);
    h.event('01-10040', 'sip-b');
    expect(h.engine.list().active.map((a) => a.id)).toEqual(['x@sip-b']);
    h.engine.pause();
    h.event('01-10040', 'sip-b');
    expect(h.engine.list().active[0]!.count).toBe(1);
  });

  it('does not loop on a condition that watches the alarm events themselves', async () => {
    const h = await harness([
      condition({ id: 'x', detect: ['00-04200'] }),
      condition({ id: 'meta', detect: [CoreEvent.AlarmRaisedError], severity: 'info' }),
    ]);
    h.event('00-04200', 'sip-a');
    expect(h.engine.list().active.map((a) => a.id).sort()).toEqual(['meta@sip-a', 'x@sip-a']);
    expect(h.eventIds()).toEqual([CoreEvent.AlarmRaisedError, CoreEvent.AlarmRaisedInfo]);
  });

  it('sets a corrupt state file aside with an event, and starts empty', async () => {
    const first = await harness([]);
    writeFileSync(first.store.file, '{ not json');
    const h = await harness([condition({ id: 'x', detect: ['00-04200'] })], {}, { dir: first.dir });
    expect(h.events[0]).toMatchObject({ id: CoreEvent.AlarmStoreFailed });
    expect(String(h.events[0]!.fields.error)).toMatch(/is not valid JSON .*kept as .*alarms\.json\.corrupt-\d+/);
    expect(readdirSync(first.dir).some((f) => f.startsWith('alarms.json.corrupt-'))).toBe(true);
    expect(h.engine.list()).toEqual({ active: [], cleared: [] });
  });
});
