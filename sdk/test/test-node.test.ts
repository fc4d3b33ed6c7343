import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestNode, definePlugin } from '../src/index';

/** A tiny third-party-style monitor: fails when no tick was seen for `timeout` seconds. */
const watchdog = definePlugin({
  name: 'watchdog',
  version: '1.0.0',
  options: z.strictObject({ timeout: z.number().positive() }),
  apply(engine) {
    engine.events.register([{ id: '77-00001', level: 'warn', message: 'No tick for {seconds}s' }]);
    const monitor = engine.monitors.register('ticks');
    let last = engine.clock.now();
    engine.hooks.start.tapPromise('watchdog', async () => {
      engine.clock.setInterval(() => {
        const silent = (engine.clock.now() - last) / 1000;
        if (silent >= engine.options.timeout) {
          if (monitor.current().ok) engine.events.emit('77-00001', { seconds: silent });
          monitor.fail(`no tick for ${silent}s`, '77-00001');
        }
      }, 1000);
    });
    engine.hooks.roleChange.tap('watchdog', () => {
      last = engine.clock.now();
      monitor.ok();
    });
  },
});

describe('createTestNode', () => {
  it('runs a plugin in virtual time and shows its status and events', async () => {
    const node = createTestNode({ plugins: [[watchdog, { timeout: 5 }]] });
    await node.start();
    expect(node.engine.status).toBe('running');
    await node.advance(4);
    expect(node.engine.status).toBe('running');
    await node.advance(1);
    expect(node.engine.status).toBe('unavailable');
    expect(node.eventIds()).toContain('77-00001');
    await node.order('primary');
    await node.advance(0);
    expect(node.engine.status).toBe('running');
    expect(node.engine.role).toBe('primary');
    await node.stop();
  });

  it('rejects bad options the way a config would, naming the key path', () => {
    expect(() => createTestNode({ plugins: [[watchdog, { timeout: -1 }]] })).toThrow(/plugins\.watchdog\.timeout/);
  });
});
