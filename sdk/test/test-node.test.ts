import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import fs from 'node:fs';
import { ConfigInvalidError, createTestNode, definePlugin } from '../src/index';

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
          // 77-00001 is logged by the monitor when it goes from ok to failed.
          monitor.fail(`no tick for ${silent}s`, { id: '77-00001', fields: { seconds: silent } });
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

  it('rejects bad options in the very lines `switchyard validate` prints', async () => {
    let harness: unknown;
    try {
      createTestNode({ plugins: [[watchdog, { timeout: -1 }]] });
    } catch (error) {
      harness = error;
    }
    expect(harness).toBeInstanceOf(ConfigInvalidError);
    expect((harness as ConfigInvalidError).issues.map((i) => [i.path, i.code])).toEqual([['plugins.watchdog.timeout', 'SWY_ERR_PLUGIN_OPTIONS']]);
    expect((harness as Error).message).toMatch(/^configuration is invalid \(1 problem\):\n  - Key "plugins\.watchdog\.timeout": .+ \[SWY_ERR_PLUGIN_OPTIONS\]$/);
  });

  it('removes the data folder it made when stopped, and shows the status report', async () => {
    const node = createTestNode({ plugins: [[watchdog, { timeout: 5 }]] });
    const dir = node.engine.dataDir;
    await node.start();
    expect(node.statusReport()).toMatchObject({ id: 'node-a', status: 'running' });
    expect(fs.existsSync(dir)).toBe(true);
    await node.stop();
    expect(fs.existsSync(dir)).toBe(false);
  });
});
