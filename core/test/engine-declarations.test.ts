import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { Engine } from '../src/engine/engine';
import type { Alarm } from '../src/engine/types';
import { CoreEvent } from '../src/events/core-events';
import type { LogEventRecord } from '../src/events/catalogue';
import { definePlugin, runsIn } from '../src/plugin/define';
import { rejection } from './support/errors';

function makeEngine() {
  const events: LogEventRecord[] = [];
  const engine = new Engine({ nodeId: 'supervisor', cluster: 'test', clock: new ManualClock(), onEvent: (r) => events.push(r) });
  return { engine, events };
}

const ALARM: Alarm = {
  id: 'x@sip-a',
  condition: 'x',
  node: 'sip-a',
  severity: 'major',
  state: 'active',
  eventId: '00-04200',
  message: 'cannot bind',
  count: 1,
  firstSeen: 0,
  lastSeen: 0,
};

describe('static plugin declarations', () => {
  it("registers every plugin's declared events (owner: the plugin) before any apply, so any plugin may emit them", async () => {
    const { engine, events } = makeEngine();
    const emitter = definePlugin({
      name: 'emitter',
      version: '1.0.0',
      apply(e) {
        e.events.emit('77-00001', { n: 1 }); // declared by the plugin applied after this one
      },
    });
    const declarer = definePlugin({
      name: 'declarer',
      version: '1.0.0',
      events: [{ id: '77-00001', level: 'warn', message: 'tick {n}' }],
      apply(e) {
        e.events.register([{ id: '77-00002', level: 'info', message: 'registered the old way' }]);
      },
    });
    engine.use(emitter).use(declarer);
    await engine.apply();
    expect(engine.catalogue.get('77-00001')).toMatchObject({ owner: 'declarer', level: 'warn' });
    expect(engine.catalogue.get('77-00002')).toMatchObject({ owner: 'declarer' });
    expect(events.find((e) => e.id === '77-00001')).toMatchObject({ message: 'tick 1', owner: 'declarer' });
  });

  it('refuses two plugins declaring one event id differently (SWY_ERR_EVENT_DUPLICATE)', async () => {
    const { engine } = makeEngine();
    const declare = (name: string, message: string) =>
      definePlugin({ name, version: '1.0.0', events: [{ id: '77-00001', level: 'warn', message }], apply() {} });
    engine.use(declare('one', 'a')).use(declare('two', 'b'));
    expect((await rejection(engine.apply())).code).toBe('SWY_ERR_EVENT_DUPLICATE');
  });

  it('defaults the scope to node and checks it', () => {
    const base = { version: '1.0.0', apply() {} };
    expect(runsIn(definePlugin({ name: 'n', ...base }), 'node')).toBe(true);
    expect(runsIn(definePlugin({ name: 'n', ...base }), 'supervisor')).toBe(false);
    expect(runsIn(definePlugin({ name: 's', scope: 'supervisor', ...base }), 'node')).toBe(false);
    expect(runsIn(definePlugin({ name: 'b', scope: 'both', ...base }), 'supervisor')).toBe(true);
    expect(() => definePlugin({ name: 'x', scope: 'cluster' as 'node', ...base })).toThrow(/scope "cluster"/);
  });

  it('notifyAlarm calls the alarm hooks; a failing tap is reported as 01-10030 and never thrown', async () => {
    const { engine, events } = makeEngine();
    const seen: string[] = [];
    engine.use(
      definePlugin({
        name: 'watcher',
        version: '1.0.0',
        scope: 'supervisor',
        apply(e) {
          e.hooks.alarmRaised.tapPromise('seen', async (alarm) => void seen.push(`raised ${alarm.id}`));
          e.hooks.alarmCleared.tapPromise('broken', async () => {
            throw new Error('boom');
          });
        },
      }),
    );
    await engine.start();
    await engine.notifyAlarm('raised', ALARM);
    await engine.notifyAlarm('cleared', { ...ALARM, state: 'cleared' });
    expect(seen).toEqual(['raised x@sip-a']);
    expect(events.find((e) => e.id === CoreEvent.PluginHookFailed)?.fields).toMatchObject({ plugin: 'watcher', hook: 'alarmCleared' });
  });
});
