import { defineConfig } from '@switchyard/sdk';

/**
 * A single-host pair (both nodes on this host, each its own process) whose
 * roles the __PLUGIN__ arbiter decides, in the agent of `switchyard up`.
 * Try it: `npm run build && npm start`, then
 * `npx switchyard status --config switchyard.config.ts` (arbiter __PLUGIN__)
 * and `npx switchyard switchover --config switchyard.config.ts`.
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
  arbiter: { kind: '__PLUGIN__', switchTimeout: 1, startupTimeout: 10 },
  management: { host: '127.0.0.1', port: __MGMT_PORT__ },
  haLink: { heartbeatInterval: 0.1, missedHeartbeats: 3 },
  plugins: {
    '__PACKAGE__': true,
  },
});
