import fs from 'node:fs';
import { createTestPair, PluginTester, type StimulusContext } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index';

PluginTester.describe = describe;
PluginTester.it = it;

/** What the arbiter asks the primary's beforeSwitchover taps before moving the role. */
const propose = (kind: 'manual' | 'health') => ({
  stimulus: ({ node }: StimulusContext) => node.engine.consultSwitchover({ from: 'node-a', to: 'node-b', reason: 'maintenance', kind }),
});

new PluginTester(plugin, { key: '__PACKAGE__' }).run({
  valid: [{ options: true }, { options: { minPrimaryTime: 0 } }, { options: { minPrimaryTime: 600 } }],
  invalid: [
    {
      name: 'a negative time',
      options: { minPrimaryTime: -1 },
      errors: ['Key "plugins.__PACKAGE__.minPrimaryTime": must be at least 0 (got -1) [SWY_ERR_PLUGIN_OPTIONS]'],
    },
    {
      name: 'minutes instead of seconds, as a string',
      options: { minPrimaryTime: '5m' },
      errors: ['Key "plugins.__PACKAGE__.minPrimaryTime": must be a number (got "5m") [SWY_ERR_PLUGIN_OPTIONS]'],
    },
  ],
  behaviour: [
    {
      name: 'a manual switchover 10 s after becoming primary is vetoed and logged',
      options: { minPrimaryTime: 30 },
      steps: [{ order: 'primary' }, { advance: 10 }, propose('manual')],
      expect: { events: ['__PREFIX__-00001'], role: 'primary' },
    },
    {
      name: 'after minPrimaryTime a manual switchover goes ahead',
      options: { minPrimaryTime: 30 },
      steps: [{ order: 'primary' }, { advance: 31 }, propose('manual')],
      expect: { events: [] },
    },
    {
      name: 'a health switchover always goes ahead',
      options: { minPrimaryTime: 30 },
      steps: [{ order: 'primary' }, { advance: 1 }, propose('health')],
      expect: { events: [] },
    },
  ],
});

describe('in a pair with the real arbiter', () => {
  it("an operator's switchover is refused with the reason, then allowed once minPrimaryTime has passed", async () => {
    const pair = createTestPair({ plugins: [[plugin, { minPrimaryTime: 30 }]] });
    await pair.start();
    try {
      const early = await pair.arbiter.requestSwitchover('maintenance', 'operator');
      expect(early).toMatchObject({ ok: false });
      expect(early.reason).toContain('a manual switchover is allowed after 30 s (minPrimaryTime)');
      expect(pair.primary()?.engine.nodeId).toBe('node-a');
      await pair.advance(31);
      expect(await pair.arbiter.requestSwitchover('maintenance', 'operator')).toMatchObject({ ok: true, primary: 'node-b' });
      expect(pair.primary()?.engine.nodeId).toBe('node-b');
    } finally {
      await pair.stop();
      // The test nodes' data folders (temp folders the harness made).
      for (const node of [pair.a, pair.b]) fs.rmSync(node.engine.dataDir, { recursive: true, force: true });
    }
  });
});
