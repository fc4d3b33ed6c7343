import { describe, expect, it } from 'vitest';
import { createTestPair, definePlugin, type MonitorHandle } from '../src/index';

/** A monitor the test can fail on either node. */
const monitors = new Map<string, MonitorHandle>();
const flaky = definePlugin({
  name: 'flaky',
  version: '1.0.0',
  apply(engine) {
    monitors.set(engine.nodeId, engine.monitors.register('switch'));
  },
});
const monitorOf = (id: string) => monitors.get(id)!;

describe('createTestPair', () => {
  it('assigns roles with the real arbiter and switches over when the primary reports unavailable', async () => {
    const pair = createTestPair({ plugins: [flaky] });
    await pair.start();
    expect(pair.primary()?.engine.nodeId).toBe('node-a');
    expect(pair.a.engine.role).toBe('primary');
    expect(pair.b.engine.role).toBe('backup');
    monitorOf('node-a').fail('test says so');
    await pair.advance(0.2);
    expect(pair.primary()?.engine.nodeId).toBe('node-b');
    expect(pair.b.engine).toMatchObject({ role: 'primary', term: 2 });
    expect(pair.a.engine.role).toBe('backup');
    await pair.stop();
  });
});
