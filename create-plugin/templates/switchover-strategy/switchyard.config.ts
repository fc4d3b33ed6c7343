import { defineConfig } from '@switchyard/sdk';

/**
 * A single-host pair (both nodes on this host, each its own process; the
 * supervisor of `switchyard up` arbitrates) with the __PACKAGE__ strategy.
 * Try it: `npm run build && npm start`, then at once
 * `npx switchyard switchover --config switchyard.config.ts`: refused (node-a
 * has been primary for less than 30 s); 30 s later the same command works.
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
    '__PACKAGE__': { minPrimaryTime: 30 },
  },
});
