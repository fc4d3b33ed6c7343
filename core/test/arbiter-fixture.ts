import { loadConfig } from '../src/config';
import type { ValidatedConfig } from '../src/config/validate';
import { makeDir, write, ZOD_PATH } from './config-fixture';

/**
 * A plugin offering arbiter kind `fake`, which decides across hosts
 * (`multiHost: true`), so core's tests of two-host agents, `switchyard
 * node` and arbiter kinds from plugins do not depend on the etcd plugin.
 *
 * The arbiter it creates is as small as an arbiter gets: it emits
 * {@link FAKE_EVENT} when it starts, makes the first local node that
 * heartbeats primary at term 1 (with `elect: true`), and shows the other
 * host's node as not local and down.
 */
export const FAKE_EVENT = '70-00001';
/** Declared by the kind but not by the plugin. */
export const FAKE_KIND_ONLY_EVENT = '70-00002';
export const FAKE_EVENT_MESSAGE = 'Fake arbiter {detail}';

export interface FakeArbiterPluginOptions {
  /** Also list the kind's events in the plugin's own `events` (as arbiter-etcd does). */
  pluginEvents?: boolean;
}

/** The CommonJS module text of the fixture plugin. */
export function fakeArbiterPlugin(options: FakeArbiterPluginOptions = {}): string {
  const events = `[
    { id: ${JSON.stringify(FAKE_EVENT)}, level: 'warn', message: ${JSON.stringify(FAKE_EVENT_MESSAGE)} },
    { id: ${JSON.stringify(FAKE_KIND_ONLY_EVENT)}, level: 'info', message: 'Fake arbiter lost {what}' },
  ]`;
  return `const { z } = require(${JSON.stringify(ZOD_PATH)});
const kindEvents = ${events};
module.exports = {
  [Symbol.for('switchyard:plugin')]: true,
  name: 'fake-arbiter',
  version: '1.0.0',
  scope: 'supervisor',
  ${options.pluginEvents ? 'events: kindEvents.slice(0, 1),' : ''}
  arbiters: {
    fake: {
      options: z.strictObject({ x: z.number().int().default(1), elect: z.boolean().default(false) }),
      multiHost: true,
      events: kindEvents,
      check(options, view) {
        if (options.x !== 7) return [];
        return [
          { path: ['arbiter', 'x'], message: 'x must not be 7' },
          { path: ['haLink', 'missedHeartbeats'], message: 'with x = 7, haLink.missedHeartbeats (' + view.haLink.missedHeartbeats + ') must be 1' },
          { path: ['nodes', 1, 'host'], message: 'with x = 7, nodes[1] must be on ' + view.nodes[0].host + ' (multiHost ' + view.multiHost + ')' },
        ];
      },
      create(options, context) {
        const local = new Set(context.localNodes);
        const seen = new Map();
        let term = 0;
        let primary = null;
        return {
          kind: 'fake',
          get term() { return term; },
          get primary() { return primary; },
          connected: true,
          start() { context.port.emit(${JSON.stringify(FAKE_EVENT)}, { detail: 'started for ' + context.localNodes.join(', ') }); },
          stop() {},
          nodeSpawned() {},
          heartbeat(id, state) {
            seen.set(id, state);
            if (options.elect && primary === null) {
              term = 1;
              primary = id;
              context.port.grant(id, null);
              context.port.order(id, { role: 'primary', term: 1, reason: 'the fake arbiter elected it' });
            }
          },
          nodeExited(id) { seen.delete(id); },
          async requestSwitchover() { return { ok: false, term, primary, reason: 'the fake arbiter does no switchovers' }; },
          nodes() {
            return context.nodes.map((n) => ({
              id: n.id,
              priority: n.priority,
              alive: seen.has(n.id),
              responsive: true,
              status: seen.get(n.id) ? seen.get(n.id).status : null,
              role: seen.get(n.id) ? seen.get(n.id).role : null,
              lastHeartbeat: null,
              local: local.has(n.id),
            }));
          },
        };
      },
    },
  },
  apply() {},
};
`;
}

/** Where the fixture plugin sits in a project folder, as the config names it. */
export const FAKE_PLUGIN_FILE = './fake-arbiter.js';

/** A pair on two loopback addresses (two hosts to the config) with the fake arbiter. */
export function twoHostConfig(extra: Record<string, unknown> = {}, ports: [number, number] = [7401, 7402]): Record<string, unknown> {
  return {
    cluster: 'twohost',
    nodes: [
      { id: 'a', host: '127.0.0.1', haPort: ports[0], priority: 100 },
      { id: 'b', host: '127.0.0.2', haPort: ports[1], priority: 50 },
    ],
    haLink: { secret: 'sixteen-chars-ok!' },
    plugins: { [FAKE_PLUGIN_FILE]: true },
    arbiter: { kind: 'fake' },
    ...extra,
  };
}

/** A temp project with the fixture plugin and `config` as switchyard.config.json; returns its folder and config file. */
export async function fakeArbiterProject(
  config: Record<string, unknown>,
  options: FakeArbiterPluginOptions = {},
): Promise<{ dir: string; file: string }> {
  const dir = await makeDir();
  await write(dir, FAKE_PLUGIN_FILE, fakeArbiterPlugin(options));
  const file = await write(dir, 'switchyard.config.json', config);
  return { dir, file };
}

/** Loads a two-host config with the fake arbiter (see {@link twoHostConfig}). */
export async function loadTwoHost(extra: Record<string, unknown> = {}, options: FakeArbiterPluginOptions = {}): Promise<ValidatedConfig> {
  const { file } = await fakeArbiterProject(twoHostConfig(extra), options);
  return loadConfig({ configPath: file });
}
