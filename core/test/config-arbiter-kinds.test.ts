import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { managementHost } from '../src/supervisor/agent-paths';
import { FAKE_EVENT, FAKE_KIND_ONLY_EVENT, fakeArbiterPlugin, fakeArbiterProject, loadTwoHost, twoHostConfig } from './arbiter-fixture';
import { configError, issueAt, makeDir, pairConfig, removeDirs, write } from './config-fixture';

afterEach(removeDirs);

const load = (config: Record<string, unknown>) => fakeArbiterProject(config).then(({ file }) => loadConfig({ configPath: file }));

describe('config: arbiter kinds from plugins', () => {
  it('takes a kind an enabled plugin offers, with its options parsed (defaults filled in)', async () => {
    const v = await load(twoHostConfig({ arbiter: { kind: 'fake', x: 3 } }));
    expect(v.multiHost).toBe(true);
    expect(v.arbiter.kind).toBe('fake');
    expect(v.arbiter.plugin).toBe('fake-arbiter');
    expect(v.arbiter.definition.multiHost).toBe(true);
    expect(v.arbiter.options).toEqual({ x: 3, elect: false });
    expect(v.config.arbiter).toEqual({ kind: 'fake', x: 3, elect: false });
  });

  it('checks the options against the kind’s schema, at arbiter.<key>', async () => {
    const error = await configError(load(twoHostConfig({ arbiter: { kind: 'fake', x: 'one', elcet: true } })));
    expect(issueAt(error, 'arbiter.x', 'SWY_ERR_CONFIG_INVALID').message).toMatch(/number/);
    expect(issueAt(error, 'arbiter.elcet', 'SWY_ERR_CONFIG_INVALID').message).toBe('unknown key "elcet"; did you mean "elect"?');
    expect(error.message).toContain('Key "arbiter.x"');
  });

  it('reports the kind’s own check issues at their full key paths', async () => {
    const error = await configError(load(twoHostConfig({ arbiter: { kind: 'fake', x: 7 }, haLink: { secret: 'sixteen-chars-ok!', missedHeartbeats: 4 } })));
    expect(error.issues.map((i) => [i.path, i.message, i.code])).toEqual([
      ['arbiter.x', 'x must not be 7', 'SWY_ERR_CONFIG_INVALID'],
      ['haLink.missedHeartbeats', 'with x = 7, haLink.missedHeartbeats (4) must be 1', 'SWY_ERR_CONFIG_INVALID'],
      ['nodes[1].host', 'with x = 7, nodes[1] must be on 127.0.0.1 (multiHost true)', 'SWY_ERR_CONFIG_INVALID'],
    ]);
  });

  it('lets alarm conditions name the kind’s declared events, and still refuses undeclared ones', async () => {
    const ok = await load(
      twoHostConfig({ alarms: { conditions: [{ id: 'arbiter-trouble', detect: [FAKE_EVENT], cancel: [FAKE_KIND_ONLY_EVENT], severity: 'major' }] } }),
    );
    expect(ok.config.alarms.conditions.map((c) => [...c.detect, ...c.cancel])).toEqual([[FAKE_EVENT, FAKE_KIND_ONLY_EVENT]]);

    const error = await configError(load(twoHostConfig({ alarms: { conditions: [{ id: 'x', detect: ['70-00003'], severity: 'major' }] } })));
    expect(issueAt(error, 'alarms.conditions[0].detect[0]', 'SWY_ERR_CONFIG_INVALID').message).toBe('unknown log-event id "70-00003"; did you mean "70-00001"?');
  });

  it('finds a kind in the package @switchyard/plugin-arbiter-<kind> without the plugin enabled, events included', async () => {
    const dir = await makeDir();
    await write(dir, 'node_modules/@switchyard/plugin-arbiter-fake/package.json', { name: '@switchyard/plugin-arbiter-fake', main: 'index.js' });
    await write(dir, 'node_modules/@switchyard/plugin-arbiter-fake/index.js', fakeArbiterPlugin());
    const { plugins: _none, ...config } = twoHostConfig({ alarms: { conditions: [{ id: 'arbiter-trouble', detect: [FAKE_EVENT], severity: 'minor' }] } });
    const file = await write(dir, 'switchyard.config.json', config);
    const v = await loadConfig({ configPath: file });
    expect(v.plugins).toEqual([]);
    expect([v.arbiter.kind, v.arbiter.plugin]).toEqual(['fake', 'fake-arbiter']);
  });

  it('says which plugin offers no such kind', async () => {
    const dir = await makeDir();
    await write(dir, 'node_modules/@switchyard/plugin-arbiter-raft/package.json', { name: '@switchyard/plugin-arbiter-raft', main: 'index.js' });
    await write(dir, 'node_modules/@switchyard/plugin-arbiter-raft/index.js', fakeArbiterPlugin());
    const file = await write(dir, 'switchyard.config.json', pairConfig({ arbiter: { kind: 'raft' } }));
    const error = await configError(loadConfig({ configPath: file }));
    expect(issueAt(error, 'arbiter.kind', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'plugin "fake-arbiter" offers no arbiter kind "raft"; use "embedded" (one host) or "etcd" (two hosts)',
    );
  });

  it('lets a kind that decides across hosts run a pair on one host too', async () => {
    const v = await load(pairConfig({ plugins: { './fake-arbiter.js': true }, arbiter: { kind: 'fake' } }));
    expect(v.multiHost).toBe(false);
    expect(v.arbiter.kind).toBe('fake');
  });
});

describe('config: where the management API listens (management.host)', () => {
  it('defaults to 127.0.0.1 for a pair on one host, whatever address the nodes use', async () => {
    const dir = await makeDir();
    const nodes = [
      { id: 'a', host: '127.0.0.5', haPort: 7401 },
      { id: 'b', host: '127.0.0.5', haPort: 7402 },
    ];
    const v = await loadConfig({ configPath: await write(dir, 'switchyard.config.json', pairConfig({ nodes })) });
    expect(v.config.management.host).toBeUndefined();
    expect(managementHost(v, ['a', 'b'])).toBe('127.0.0.1');
  });

  it('defaults to each node’s own host for a pair on two hosts', async () => {
    const v = await loadTwoHost();
    expect(managementHost(v, ['a'])).toBe('127.0.0.1');
    expect(managementHost(v, ['b'])).toBe('127.0.0.2');
  });

  it('is the configured address when one is set, on one host or two', async () => {
    const v = await loadTwoHost({ management: { host: '127.0.0.9', port: 7470 } });
    expect(managementHost(v, ['a'])).toBe('127.0.0.9');
    expect(managementHost(v, ['b'])).toBe('127.0.0.9');
    const dir = await makeDir();
    const single = await loadConfig({ configPath: await write(dir, 'switchyard.config.json', pairConfig({ management: { host: '::1' } })) });
    expect(managementHost(single, ['a', 'b'])).toBe('::1');
  });
});
