import { describe, expect, it } from 'vitest';
import { AlarmReactionEvent, logReaction, switchoverReaction } from '../src/index';
import { fakeContext, never, sampleAlarm } from './support/context';

describe('log reaction', () => {
  it('logs a raised alarm at the level of its severity, with every field and the note', async () => {
    const ctx = fakeContext({ name: 'log-it' });
    const reaction = logReaction.create(logReaction.options.parse({ note: 'call the on-call' }), ctx);
    await reaction.raised!(sampleAlarm(), never);
    await reaction.raised!(sampleAlarm({ severity: 'minor' }), never);
    await reaction.raised!(sampleAlarm({ severity: 'info' }), never);
    expect(ctx.events.map((e) => e.id)).toEqual([AlarmReactionEvent.LogRaisedError, AlarmReactionEvent.LogRaisedWarn, AlarmReactionEvent.LogRaisedInfo]);
    expect(ctx.events[0]!.fields).toEqual({
      reaction: 'log-it',
      alarm: 'sip-listener-down@sip-a',
      change: 'raised',
      node: 'sip-a',
      condition: 'sip-listener-down',
      severity: 'critical',
      event: '00-04200',
      text: sampleAlarm().message,
      count: 2,
      firstSeen: '2025-01-01T12:00:00.000Z',
      lastSeen: '2025-01-01T12:00:05.000Z',
      note: 'call the on-call',
    });
  });

  it('uses the configured level, and logs the clearance with who cleared it', async () => {
    const ctx = fakeContext();
    const reaction = logReaction.create(logReaction.options.parse({ level: 'warn' }), ctx);
    await reaction.raised!(sampleAlarm(), never);
    await reaction.cleared!(sampleAlarm({ state: 'cleared', clearReason: 'operator', clearedBy: 'alice' }), never);
    expect(ctx.events.map((e) => [e.id, e.fields.by])).toEqual([
      [AlarmReactionEvent.LogRaisedWarn, undefined],
      [AlarmReactionEvent.LogCleared, 'alice'],
    ]);
  });
});

describe('switchover reaction', () => {
  it('asks for a switchover away from the node that raised the alarm and logs the new primary', async () => {
    const ctx = fakeContext({ name: 'fail-over' });
    const reaction = switchoverReaction.create({}, ctx);
    await reaction.raised!(sampleAlarm(), never);
    expect(ctx.switchovers).toEqual([{ awayFrom: 'sip-a', reason: `alarm sip-listener-down@sip-a (critical): ${sampleAlarm().message}` }]);
    expect(ctx.events).toEqual([
      { id: AlarmReactionEvent.SwitchoverDone, fields: expect.objectContaining({ reaction: 'fail-over', node: 'sip-a', primary: 'sip-b', term: 2 }) },
    ]);
    expect(reaction.cleared).toBeUndefined();
  });

  it('does nothing but log when the node is not the primary, and logs a refusal as an error event', async () => {
    const notPrimary = fakeContext({ switchover: () => ({ ok: false, term: 3, primary: 'sip-b', reason: 'sip-a is not the primary (sip-b is)' }) });
    await switchoverReaction.create({}, notPrimary).raised!(sampleAlarm(), never);
    expect(notPrimary.events).toEqual([
      { id: AlarmReactionEvent.SwitchoverNotPrimary, fields: expect.objectContaining({ reason: 'sip-a is not the primary (sip-b is)' }) },
    ]);

    const refused = fakeContext({ switchover: () => ({ ok: false, term: 3, primary: 'sip-a', reason: 'the backup sip-b is not running (status down)' }) });
    await switchoverReaction.create({}, refused).raised!(sampleAlarm(), never);
    expect(refused.events).toEqual([
      { id: AlarmReactionEvent.SwitchoverRefused, fields: expect.objectContaining({ reason: 'the backup sip-b is not running (status down)' }) },
    ]);
  });
});
