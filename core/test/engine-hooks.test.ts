import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../src/clock';
import { Engine } from '../src/engine/engine';
import { HookStage } from '../src/engine/hooks';
import { CoreEvent } from '../src/events/core-events';
import type { LogEventRecord } from '../src/events/catalogue';
import { definePlugin } from '../src/plugin/define';
import { SwitchyardError } from '../src/errors';

function makeEngine() {
  const events: LogEventRecord[] = [];
  const clock = new ManualClock();
  const engine = new Engine({ nodeId: 'sip-a', cluster: 'test', clock, onEvent: (r) => events.push(r) });
  return { engine, events, clock };
}

describe('engine hooks', () => {
  it('runs start taps in stage order and stop taps in reverse order', async () => {
    const { engine } = makeEngine();
    const order: string[] = [];
    const plugin = (name: string, stage?: number) =>
      definePlugin({
        name,
        version: '1.0.0',
        apply(e) {
          e.hooks.start.tapPromise({ stage }, async () => void order.push(`start ${name}`));
          e.hooks.stop.tapPromise(name, async () => void order.push(`stop ${name}`));
        },
      });
    engine.use(plugin('first')).use(plugin('second')).use(plugin('early', HookStage.EARLY));
    await engine.start();
    await engine.stop('test');
    expect(order).toEqual(['start early', 'start first', 'start second', 'stop early', 'stop second', 'stop first']);
  });

  it('gives plugins a view that can tap but not call', async () => {
    const { engine } = makeEngine();
    let seen: Record<string, unknown> | undefined;
    engine.use(
      definePlugin({
        name: 'peeker',
        version: '1.0.0',
        apply(e) {
          seen = e.hooks.start as unknown as Record<string, unknown>;
        },
      }),
    );
    await engine.apply();
    expect(typeof seen?.tap).toBe('function');
    expect(typeof seen?.tapPromise).toBe('function');
    expect(seen?.call).toBeUndefined();
    expect(seen?.promise).toBeUndefined();
    expect(Object.isFrozen(seen)).toBe(true);
    expect(Object.isFrozen(engine.hooks)).toBe(true);
  });

  it('lets a beforeSwitchover tap veto with a reason (bail)', async () => {
    const { engine } = makeEngine();
    const asked: string[] = [];
    engine
      .use(
        definePlugin({
          name: 'guard',
          version: '1.0.0',
          apply(e) {
            e.hooks.beforeSwitchover.tapPromise('guard', async (p) => {
              asked.push('guard');
              return p.kind === 'manual' ? { veto: 'backup not in sync' } : undefined;
            });
          },
        }),
      )
      .use(
        definePlugin({
          name: 'second',
          version: '1.0.0',
          apply(e) {
            e.hooks.beforeSwitchover.tapPromise('second', async () => {
              asked.push('second');
              return undefined;
            });
          },
        }),
      );
    await engine.start();
    const verdict = await engine.consultSwitchover({ from: 'sip-a', to: 'sip-b', reason: 'test', kind: 'manual' });
    expect(verdict).toEqual({ veto: 'backup not in sync' });
    expect(asked).toEqual(['guard']);
    asked.length = 0;
    expect(await engine.consultSwitchover({ from: 'sip-a', to: 'sip-b', reason: 'x', kind: 'health' })).toBeUndefined();
    expect(asked).toEqual(['guard', 'second']);
  });

  it('names the plugin and hook when a tap throws, and keeps the node up', async () => {
    const { engine, events } = makeEngine();
    engine.use(
      definePlugin({
        name: 'broken',
        version: '1.0.0',
        apply(e) {
          e.hooks.roleChange.tap('broken', () => {
            throw new Error('kaboom');
          });
        },
      }),
    );
    await engine.start();
    await engine.applyOrder({ role: 'primary', term: 1, reason: 'test' });
    expect(engine.role).toBe('primary');
    expect(engine.status).toBe('running');
    const failure = events.find((e) => e.id === CoreEvent.PluginHookFailed);
    expect(failure?.fields).toMatchObject({ plugin: 'broken', hook: 'roleChange', error: 'kaboom' });
    expect(failure?.message).toContain('broken');
  });

  it('fails start with a coded error naming the plugin and hook', async () => {
    const { engine } = makeEngine();
    engine.use(
      definePlugin({
        name: 'bad-start',
        version: '1.0.0',
        apply(e) {
          e.hooks.start.tapPromise('bad-start', async () => {
            throw new Error('port in use');
          });
        },
      }),
    );
    const error = await engine.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwitchyardError);
    expect((error as SwitchyardError).code).toBe('SWY_ERR_PLUGIN_HOOK_FAILED');
    expect((error as SwitchyardError).message).toBe('Plugin "bad-start" failed in hook "start": port in use');
    expect((error as SwitchyardError).details).toMatchObject({ plugin: 'bad-start', hook: 'start' });
  });

  it('times out a start tap that never finishes (virtual time)', async () => {
    const { engine, clock } = makeEngine();
    engine.use(
      definePlugin({
        name: 'hangs',
        version: '1.0.0',
        apply(e) {
          e.hooks.start.tapPromise('hangs', () => new Promise(() => undefined));
        },
      }),
    );
    const started = engine.start().catch((e: unknown) => e);
    await clock.advance(10_000);
    const error = (await started) as SwitchyardError;
    expect(error.code).toBe('SWY_ERR_PLUGIN_HOOK_FAILED');
    expect((error.cause as SwitchyardError).code).toBe('SWY_ERR_PLUGIN_TIMEOUT');
  });

  it('applies plugins after the plugins they require and refuses a missing requirement', async () => {
    const { engine } = makeEngine();
    const applied: string[] = [];
    const p = (name: string, requires: string[] = []) =>
      definePlugin({ name, version: '1.0.0', requires: { plugins: requires }, apply: () => void applied.push(name) });
    engine.use(p('child', ['parent'])).use(p('parent'));
    await engine.apply();
    expect(applied).toEqual(['parent', 'child']);

    const other = makeEngine().engine.use(p('lonely', ['absent']));
    await expect(other.apply()).rejects.toMatchObject({ code: 'SWY_ERR_PLUGIN_REQUIREMENT' });
  });

  it('checks required services once every plugin is applied', async () => {
    const { engine } = makeEngine();
    const token = Symbol.for('switchyard:test-service');
    engine.use(definePlugin({ name: 'needs', version: '1.0.0', requires: { services: [token] }, apply: () => undefined }));
    await expect(engine.apply()).rejects.toMatchObject({ code: 'SWY_ERR_PLUGIN_REQUIREMENT' });
  });

  it('passes parsed options and registers plugin log events', async () => {
    const { engine, events } = makeEngine();
    const schema = z.object({ greeting: z.string() });
    engine.use(
      definePlugin({
        name: 'greeter',
        version: '1.0.0',
        options: schema,
        apply(e) {
          e.events.register([{ id: '90-00001', level: 'info', message: 'Hello {who}' }]);
          e.hooks.start.tapPromise('greeter', async () => e.events.emit('90-00001', { who: e.options.greeting }));
        },
      }),
      { greeting: 'world' },
    );
    await engine.start();
    const hello = events.find((e) => e.id === '90-00001');
    expect(hello).toMatchObject({ message: 'Hello world', node: 'sip-a', owner: 'greeter' });
  });
});
