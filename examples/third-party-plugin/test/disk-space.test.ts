import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestNode, PluginTester } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import diskSpace, { diskSpacePlugin } from '../src/index';

PluginTester.describe = describe;
PluginTester.it = it;

const MB = 1024 * 1024;
const KEY = '@acme/switchyard-disk-space';

/** Free space per folder, as the test sets it; a folder with none set cannot be read. */
const space = new Map<string, number>();
const fake = diskSpacePlugin(async (folder) => {
  const bytes = space.get(folder);
  if (bytes === undefined) throw new Error(`ENOENT: no such file or directory, statfs '${folder}'`);
  return bytes;
});
/** Options watching a folder of the case; `freeMb` is its free space when the node starts (none: unreadable). */
const watch =
  (minFreeMb: number, freeMb?: number) =>
  ({ dir, nodeId }: { dir: string; nodeId: string }) => {
    if (freeMb !== undefined) space.set(path.join(dir, nodeId), freeMb * MB);
    return { path: path.join(dir, nodeId), minFreeMb, interval: 5 };
  };
const setFree = (mb: number, nodeId = 'node-a') => ({ stimulus: ({ dir }: { dir: string }) => void space.set(path.join(dir, nodeId), mb * MB) });

new PluginTester(fake, { key: KEY }).run({
  valid: [{ options: { path: '/', minFreeMb: 1 } }, { options: { path: '/var', minFreeMb: 2048, interval: 60 } }],
  invalid: [
    {
      name: 'nothing set',
      options: {},
      errors: [
        'Key "plugins.@acme/switchyard-disk-space.path": is required; set it to a string [SWY_ERR_PLUGIN_OPTIONS]',
        'Key "plugins.@acme/switchyard-disk-space.minFreeMb": is required; set it to a number [SWY_ERR_PLUGIN_OPTIONS]',
      ],
    },
    {
      name: 'a fraction of a megabyte, an interval past an hour',
      options: { path: '/', minFreeMb: 0.5, interval: 7200 },
      errors: [
        'Key "plugins.@acme/switchyard-disk-space.minFreeMb": must be a whole number (got 0.5) [SWY_ERR_PLUGIN_OPTIONS]',
        'Key "plugins.@acme/switchyard-disk-space.interval": must be at most 3600 (got 7200) [SWY_ERR_PLUGIN_OPTIONS]',
      ],
    },
    {
      name: 'a misspelt key',
      options: { path: '/', minFreeMB: 100 },
      errors: [
        'Key "plugins.@acme/switchyard-disk-space.minFreeMb": is required; set it to a number [SWY_ERR_PLUGIN_OPTIONS]',
        'Key "plugins.@acme/switchyard-disk-space.minFreeMB": unknown key "minFreeMB"; did you mean "minFreeMb"? [SWY_ERR_PLUGIN_OPTIONS]',
      ],
    },
    {
      name: 'an alarm-file reaction without a file',
      options: { path: '/', minFreeMb: 100 },
      config: {
        alarms: {
          conditions: [{ id: 'disk-low', detect: ['80-00001'], severity: 'major', reactions: ['to-file'] }],
          reactions: { 'to-file': { kind: 'alarm-file', fil: 'alarms.jsonl' } },
        },
      },
      errors: [
        'Key "alarms.reactions.to-file.file": is required; set it to a string [SWY_ERR_PLUGIN_OPTIONS]',
        'Key "alarms.reactions.to-file.fil": unknown key "fil"; did you mean "file"? [SWY_ERR_PLUGIN_OPTIONS]',
      ],
    },
  ],
  behaviour: [
    {
      name: 'enough free space: the node runs and logs nothing of its own',
      options: watch(100, 5000),
      steps: [{ order: 'primary' }, { advance: 60 }],
      expect: { events: [], status: 'running', role: 'primary' },
    },
    {
      name: 'free space falls below the minimum: 80-00001 once, the node is unavailable',
      options: watch(100, 5000),
      steps: [{ order: 'primary' }, { advance: 5 }, setFree(99), { advance: 5 }, setFree(50), { advance: 30 }],
      expect: { events: ['80-00001'], status: 'unavailable' },
    },
    {
      name: 'free space comes back: 80-00002, the node runs again',
      options: watch(100, 10),
      steps: [{ order: 'primary' }, { advance: 5 }, setFree(100), { advance: 5 }],
      expect: { events: ['80-00001', '80-00002'], status: 'running' },
    },
    {
      name: 'the folder cannot be read: 80-00003, the node is unavailable',
      options: watch(100),
      steps: [{ order: 'primary' }, { advance: 5 }],
      expect: { events: ['80-00003'], status: 'unavailable' },
    },
    {
      name: 'in a pair, a full disk on the primary makes the backup primary',
      pair: true,
      options: watch(100, 5000),
      steps: [{ advance: 1 }, setFree(10, 'node-a'), { advance: 5 }, { advance: 2 }],
      expect: { primary: 'node-b', role: 'backup', status: 'unavailable', events: ['80-00001'] },
    },
  ],
});

// The package's default export reads the real file system with fs.statfs.
new PluginTester(diskSpace, { key: KEY }).run({
  behaviour: [
    {
      name: 'fs.statfs: any real folder has more than 1 MB free',
      options: { path: os.tmpdir(), minFreeMb: 1 },
      steps: [{ order: 'primary' }, { advance: 10 }],
      expect: { events: [], status: 'running' },
    },
    {
      name: 'fs.statfs: no real disk has an exabyte free',
      options: { path: os.tmpdir(), minFreeMb: 2 ** 40 },
      steps: [{ order: 'primary' }, { advance: 10 }],
      expect: { events: ['80-00001'], status: 'unavailable' },
    },
  ],
});

describe('disk-space status section', () => {
  it('switchyard status shows the folder, its free space and the minimum', async () => {
    const node = createTestNode({ plugins: [[fake, { path: '/data', minFreeMb: 100 }]] });
    space.set('/data', 42 * MB);
    await node.start();
    try {
      expect(node.engine.report().diskSpace).toEqual({ path: '/data', freeMb: 42, minFreeMb: 100, state: 'low' });
    } finally {
      await node.stop();
      space.delete('/data');
      fs.rmSync(node.engine.dataDir, { recursive: true, force: true });
    }
  });
});
