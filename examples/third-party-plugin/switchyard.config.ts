import { defineConfig } from '@switchyard/sdk';

/**
 * A single-host pair watched by this package's disk-space monitor: when the
 * file system holding `path` has less than `minFreeMb` free on the primary,
 * it reports unavailable and the backup takes over. An alarm condition on
 * 80-00001 writes each alarm to `alarms.jsonl` through this package's
 * `alarm-file` reaction kind, and clears when 80-00002 (space back) is seen.
 *
 * The plugin is named by its package name: from this folder, Node resolves
 * the package itself (its `exports` map points at `dist/`, so build first).
 */
export default defineConfig({
  cluster: 'disk-demo',
  nodes: [
    { id: 'node-a', host: '127.0.0.1', haPort: 7471, priority: 100 },
    { id: 'node-b', host: '127.0.0.1', haPort: 7472, priority: 50 },
  ],
  arbiter: { kind: 'embedded', switchTimeout: 1 },
  management: { host: '127.0.0.1', port: 7470 },
  plugins: {
    '@acme/switchyard-disk-space': { path: '/', minFreeMb: 512, interval: 10 },
  },
  alarms: {
    conditions: [
      { id: 'disk-low', detect: ['80-00001', '80-00003'], cancel: ['80-00002'], severity: 'major', reactions: ['to-file'], clearanceReactions: ['to-file'] },
    ],
    reactions: {
      'to-file': { kind: 'alarm-file', file: 'alarms.jsonl' },
    },
  },
});
