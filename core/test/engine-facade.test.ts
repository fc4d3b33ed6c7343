import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { CoreTokens } from '../src/core-tokens';
import { Engine } from '../src/engine/engine';
import { isSwitchyardError, SwitchyardError } from '../src/errors';
import type { LogEventRecord } from '../src/events/catalogue';
import { CoreEvent } from '../src/events/core-events';
import { definePlugin } from '../src/plugin/define';
import type { PluginEngine } from '../src/plugin/plugin-engine';
import { createToken, type ServiceToken } from '../src/tokens';

function makeEngine() {
  const events: LogEventRecord[] = [];
  const engine = new Engine({ nodeId: 'sip-a', cluster: 'test', clock: new ManualClock(), onEvent: (r) => events.push(r) });
  // As the node runtime does: core's own services beside the clock and catalogue.
  engine.container.register(CoreTokens.ArbiterClient, {
    useValue: { requestSwitchover: async () => ({ ok: false, term: 0, primary: null, reason: 'test' }) },
  });
  return { engine, events };
}

const failures = (events: LogEventRecord[]) => events.filter((e) => e.id === CoreEvent.PluginHookFailed);

describe('a logEvent tap that throws', () => {
  it('is reported once per event and never recurses; the node keeps running', async () => {
    const { engine, events } = makeEngine();
    const seenByWellBehaved: string[] = [];
    engine
      .use(
        definePlugin({
          name: 'listener',
          version: '1.0.0',
          apply: (e) => e.hooks.logEvent.tap('listener', (record) => void seenByWellBehaved.push(record.id)),
        }),
      )
      .use(
        definePlugin({
          name: 'thrower',
          version: '1.0.0',
          apply: (e) =>
            e.hooks.logEvent.tap('thrower', () => {
              throw new Error('tap always fails');
            }),
        }),
      );
    await engine.start();
    expect(engine.status).toBe('running');

    events.length = 0;
    seenByWellBehaved.length = 0;
    expect(() => engine.emit(CoreEvent.MonitorRecovered, { monitor: 'm1' })).not.toThrow();
    expect(() => engine.emit(CoreEvent.MonitorRecovered, { monitor: 'm2' })).not.toThrow();

    // Each event reaches the log, followed by exactly one report of the failing tap.
    expect(events.map((e) => e.id)).toEqual([
      CoreEvent.MonitorRecovered,
      CoreEvent.PluginHookFailed,
      CoreEvent.MonitorRecovered,
      CoreEvent.PluginHookFailed,
    ]);
    for (const failure of failures(events)) {
      expect(failure.fields).toMatchObject({ plugin: 'thrower', hook: 'logEvent', error: 'tap always fails' });
    }
    // Other taps still hear the events; the failure reports are not fed back into the hook.
    expect(seenByWellBehaved).toEqual([CoreEvent.MonitorRecovered, CoreEvent.MonitorRecovered]);

    await engine.stop('test');
    expect(engine.status).toBe('stopped');
  });
});

describe('the plugin facade', () => {
  it('has no container and no service that hands out the engine; a plugin cannot make its node primary', async () => {
    const { engine } = makeEngine();
    const found: { container?: unknown; engineError?: unknown; services: unknown[] } = { services: [] };
    engine.use(
      definePlugin({
        name: 'usurper',
        version: '1.0.0',
        apply(e) {
          found.container = (e as unknown as Record<string, unknown>).container;
          try {
            e.services.resolve(CoreTokens.Engine);
          } catch (error) {
            found.engineError = error;
          }
          for (const token of Object.values(CoreTokens) as ServiceToken<unknown>[]) if (e.services.has(token)) found.services.push(e.services.resolve(token));
          e.hooks.start.tapPromise('usurper', async () => {
            // Whatever it can reach, it tries to call an engine's applyOrder with a fresh term.
            for (const value of [found.container, ...found.services]) {
              const maybe = value as { applyOrder?: Engine['applyOrder']; resolve?: (t: unknown) => unknown } | undefined;
              await maybe?.applyOrder?.({ role: 'primary', term: 99, reason: 'usurped' });
              const resolved = maybe?.resolve?.(CoreTokens.Engine) as Engine | undefined;
              await resolved?.applyOrder?.({ role: 'primary', term: 99, reason: 'usurped' });
            }
          });
        },
      }),
    );
    await engine.start();

    expect(found.container).toBeUndefined();
    expect(isSwitchyardError(found.engineError, 'SWY_ERR_SERVICE_NOT_REGISTERED')).toBe(true);
    // Core's services are there (clock, catalogue, arbiter client), none of them the engine or its container.
    expect(found.services.length).toBeGreaterThanOrEqual(3);
    for (const service of found.services) {
      expect(service).not.toBe(engine);
      expect(service).not.toBe(engine.container);
      expect(service).not.toBeInstanceOf(Engine);
    }
    expect(engine.role).toBe('backup');
    expect(engine.term).toBe(0);
  });

  it('refuses a service token another plugin registered, naming both plugins, and keeps the first value', async () => {
    const Shared = createToken<{ who: string }>('test-shared-store');
    const { engine } = makeEngine();
    let resolvedByOwner: { who: string } | undefined;
    const owner = definePlugin({
      name: 'store-owner',
      version: '1.0.0',
      apply(e) {
        e.services.register(Shared, { who: 'owner' });
        // Its owner may register it again.
        e.services.register(Shared, { who: 'owner, again' });
        e.hooks.start.tapPromise('store-owner', async () => void (resolvedByOwner = e.services.resolve(Shared)));
      },
    });
    const thief = definePlugin({
      name: 'store-thief',
      version: '1.0.0',
      requires: { plugins: ['store-owner'] },
      apply: (e) => e.services.register(Shared, { who: 'thief' }),
    });
    engine.use(owner).use(thief);
    const error = await engine.apply().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSwitchyardError(error, 'SWY_ERR_SERVICE_TAKEN')).toBe(true);
    expect((error as SwitchyardError).message).toContain('"store-thief"');
    expect((error as SwitchyardError).message).toContain('"store-owner"');
    expect((error as SwitchyardError).details).toMatchObject({ plugin: 'store-thief', owner: 'store-owner', service: 'test-shared-store' });
    expect(engine.container.resolve(Shared)).toEqual({ who: 'owner, again' });
    expect(resolvedByOwner).toBeUndefined();
  });

  it("refuses a plugin's registration of core's own tokens", async () => {
    const { engine } = makeEngine();
    let caught: unknown;
    const fake = { requestSwitchover: async () => ({ ok: true, term: 1, primary: 'sip-a' }) };
    engine.use(
      definePlugin({
        name: 'arbiter-faker',
        version: '1.0.0',
        apply(e: PluginEngine) {
          try {
            e.services.register(CoreTokens.ArbiterClient, fake);
          } catch (error) {
            caught = error;
          }
        },
      }),
    );
    await engine.apply();
    expect(isSwitchyardError(caught, 'SWY_ERR_SERVICE_TAKEN')).toBe(true);
    expect((caught as SwitchyardError).details).toMatchObject({ owner: 'core', plugin: 'arbiter-faker' });
    expect(engine.container.resolve(CoreTokens.ArbiterClient)).not.toBe(fake);
  });
});
