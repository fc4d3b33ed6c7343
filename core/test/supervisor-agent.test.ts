import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config';
import type { ValidatedConfig } from '../src/config/validate';
import type { LogEventRecord } from '../src/events/catalogue';
import { CoreEvent } from '../src/events/core-events';
import { readTokenFile } from '../src/management/token';
import { agentStateDir } from '../src/supervisor/agent-paths';
import { Supervisor } from '../src/supervisor/supervisor';
import { assertBuilt, CLI, freePort, isAlive } from '../src/testing/processes';
import { FAKE_EVENT, fakeArbiterPlugin, loadTwoHost, twoHostConfig, type FakeArbiterPluginOptions } from './arbiter-fixture';
import { makeDir, pairConfig, removeDirs, write } from './config-fixture';

/** The node entry `switchyard up` / `switchyard node` fork, as built. */
const NODE_ENTRY = path.resolve(path.dirname(CLI), '..', 'node', 'main.js');
const SLOW = { timeout: 15_000, interval: 50 };

const agents: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop('test over')));
  await removeDirs();
});

describe('agentStateDir: where an agent keeps its token, alarms, data and logs', () => {
  it('is <runtimeDir>/<node> for a one-node agent and the runtime dir for the agent of both nodes', async () => {
    const v = await loadTwoHost();
    expect(agentStateDir(v, ['a'])).toBe(path.join(v.runtimeDir, 'a'));
    expect(agentStateDir(v, ['b'])).toBe(path.join(v.runtimeDir, 'b'));
    expect(agentStateDir(v, ['a', 'b'])).toBe(v.runtimeDir);
    const dir = await makeDir();
    const single = await loadConfig({ configPath: await write(dir, 'switchyard.config.json', pairConfig()) });
    expect(agentStateDir(single, ['a', 'b'])).toBe(path.join(dir, '.switchyard'));
  });
});

/** A two-host config on 127.0.0.1 and 127.0.0.2 with the fake arbiter, free ports, fast timings, and an alarm on the arbiter's event. */
async function twoHostProject(where: 'enabled' | 'package', plugin: FakeArbiterPluginOptions = {}): Promise<ValidatedConfig> {
  const dir = await makeDir();
  const [mgmt, haA, haB] = [await freePort(), await freePort(), await freePort()];
  const { plugins, ...config } = twoHostConfig(
    {
      arbiter: { kind: 'fake', elect: true },
      management: { port: mgmt },
      haLink: { secret: 'sixteen-chars-ok!', heartbeatInterval: 0.1, missedHeartbeats: 3 },
      supervisor: { restartDelay: 0.2, restartMaxDelay: 1, stopTimeout: 3 },
      alarms: { conditions: [{ id: 'arbiter-says', detect: [FAKE_EVENT], severity: 'minor' }] },
    },
    [haA, haB],
  );
  if (where === 'enabled') {
    await write(dir, 'fake-arbiter.js', fakeArbiterPlugin(plugin));
    return loadConfig({ configPath: await write(dir, 'switchyard.config.json', { ...config, plugins }) });
  }
  await write(dir, 'node_modules/@switchyard/plugin-arbiter-fake/package.json', { name: '@switchyard/plugin-arbiter-fake', main: 'index.js' });
  await write(dir, 'node_modules/@switchyard/plugin-arbiter-fake/index.js', fakeArbiterPlugin(plugin));
  return loadConfig({ configPath: await write(dir, 'switchyard.config.json', config) });
}

async function startAgent(v: ValidatedConfig, localNodes: string[]) {
  const events: LogEventRecord[] = [];
  const agent = new Supervisor(v, { localNodes, nodeEntry: NODE_ENTRY, onEvent: (r) => events.push(r) });
  agents.push(agent);
  const started = await agent.start();
  return { agent, events, ...started };
}

describe('a one-node agent (`switchyard node`)', () => {
  beforeAll(() => assertBuilt());

  it('runs only its own node, keeps its state under <runtimeDir>/<node>, and shows the other host’s node from the arbiter', async () => {
    const v = await twoHostProject('enabled');
    const { agent, events, managementUrl } = await startAgent(v, ['a']);
    expect(agent.stateDir).toBe(path.join(v.runtimeDir, 'a'));
    expect(managementUrl).toBe(`http://127.0.0.1:${v.config.management.port}`);
    expect(await readTokenFile(path.join(v.runtimeDir, 'a'))).toMatch(/^[\w-]{40,}$/);
    expect(fs.existsSync(path.join(v.runtimeDir, 'management.token'))).toBe(false);

    // The fake arbiter elects the first local node that heartbeats.
    await vi.waitFor(async () => expect((await agent.status()).nodes[0]).toMatchObject({ id: 'a', role: 'primary', status: 'running', term: 1 }), SLOW);
    const status = await agent.status();
    expect(status.arbiter).toEqual({ kind: 'fake', term: 1, primary: 'a', connected: true });
    expect(status.nodes[0]!.pid).toEqual(expect.any(Number));
    expect(isAlive(status.nodes[0]!.pid as number)).toBe(true);
    expect(status.nodes[1]).toEqual({ id: 'b', role: null, status: 'down', pid: null, term: 0, lastHeartbeat: null, restarts: 0, local: false });
    expect(agent.healthy()).toBe(true);

    expect(events.filter((e) => e.id === CoreEvent.ProcessSpawned).map((e) => e.fields.node)).toEqual(['a']);
    expect(fs.existsSync(path.join(v.runtimeDir, 'a', 'logs', 'agent-a.log'))).toBe(true);
  });

  it.each([
    { where: 'enabled' as const, plugin: {}, label: 'the plugin is enabled and the events are the kind’s alone' },
    { where: 'enabled' as const, plugin: { pluginEvents: true }, label: 'the plugin is enabled and lists them too' },
    { where: 'package' as const, plugin: {}, label: 'the kind comes from @switchyard/plugin-arbiter-<kind>' },
  ])('logs the arbiter kind’s declared events and raises alarms on them when $label', async ({ where, plugin }) => {
    const v = await twoHostProject(where, plugin);
    const { agent, events } = await startAgent(v, ['b']);
    expect(events.filter((e) => e.id === FAKE_EVENT).map((e) => [e.level, e.message])).toEqual([['warn', 'Fake arbiter started for b']]);
    await vi.waitFor(() => expect(agent.alarms.list().active.map((a) => a.id)).toEqual(['arbiter-says@supervisor']), SLOW);
    expect(events.filter((e) => e.id === CoreEvent.ProcessSpawned).map((e) => e.fields.node)).toEqual(['b']);
  });
});
