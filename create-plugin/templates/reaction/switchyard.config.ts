import { defineConfig } from '@switchyard/sdk';

/**
 * A single-host pair (both nodes on this host, each its own process; the
 * supervisor of `switchyard up` arbitrates) whose switchovers raise an alarm
 * that the __PLUGIN__ reaction writes to alarms.jsonl.
 * Try it: `npm run build && npm start`, then
 * `npx switchyard switchover --config switchyard.config.ts` and `cat alarms.jsonl`.
 *
 * The plugin is named by its package name; from this folder Node finds the
 * package itself (its `exports` point at `dist/`, so build first).
 */
export default defineConfig({
  cluster: '__PLUGIN__-demo',
  nodes: [
    { id: 'node-a', host: '127.0.0.1', haPort: __HA_PORT_A__, priority: 100 },
    { id: 'node-b', host: '127.0.0.1', haPort: __HA_PORT_B__, priority: 50 },
  ],
  arbiter: { kind: 'embedded', switchTimeout: 1 },
  management: { host: '127.0.0.1', port: __MGMT_PORT__ },
  plugins: {
    '__PACKAGE__': true,
  },
  alarms: {
    conditions: [
      // Core logs 01-10010 at every switchover; the alarm clears by itself after 10 minutes.
      { id: 'switched', detect: ['01-10010'], severity: 'minor', clearAfter: 600, reactions: ['to-file'], clearanceReactions: ['to-file'] },
    ],
    reactions: {
      'to-file': { kind: '__PLUGIN__', file: 'alarms.jsonl' },
    },
  },
});
