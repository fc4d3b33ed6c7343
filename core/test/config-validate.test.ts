import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../src/config';
import { formatIssue } from '../src/errors';
import { configError, issueAt, makeDir, pairConfig, removeDirs, write } from './config-fixture';

afterEach(removeDirs);

/** Writes `config` as switchyard.config.json in a temp folder and loads it. */
async function load(config: unknown) {
  const dir = await makeDir();
  await write(dir, 'switchyard.config.json', config as object);
  return loadConfig({ cwd: dir });
}

const [nodeA, nodeB] = pairConfig().nodes as Record<string, unknown>[];

describe('validateConfig: shape errors, with key paths', () => {
  it('names an unknown key and suggests the key that was meant', async () => {
    const error = await configError(load(pairConfig({ nodes: [nodeA, { ...nodeB, prio: 5 }] })));
    const issue = issueAt(error, 'nodes[1].prio', 'SWY_ERR_CONFIG_INVALID');
    expect(issue.message).toBe('unknown key "prio"; did you mean "priority"?');
    expect(error.file).toMatch(/switchyard\.config\.json$/);
    expect(error.message).toContain('Key "nodes[1].prio": unknown key "prio"; did you mean "priority"?');
  });

  it('suggests for typos in nested sections and lists the valid keys when nothing is close', async () => {
    const error = await configError(
      load(pairConfig({ haLink: { hearbeatInterval: 0.2 }, management: { colour: 'red' } })),
    );
    expect(issueAt(error, 'haLink.hearbeatInterval', 'SWY_ERR_CONFIG_INVALID').message).toContain('did you mean "heartbeatInterval"?');
    expect(issueAt(error, 'management.colour', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'unknown key "colour"; remove it or use one of: host, port, tls',
    );
  });

  it('reports a wrong type with what was expected and what was found', async () => {
    const error = await configError(load(pairConfig({ nodes: [nodeA, { ...nodeB, haPort: '7402' }] })));
    const issue = issueAt(error, 'nodes[1].haPort', 'SWY_ERR_CONFIG_INVALID');
    expect(issue.message).toBe('must be a number (got "7402")');
  });

  it('reports out-of-range values, missing keys and bad enum values', async () => {
    const { cluster: _omit, ...noCluster } = pairConfig({
      nodes: [{ ...nodeA, haPort: 70000 }, nodeB],
      logging: { level: 'verbose' },
    });
    const error = await configError(load(noCluster));
    expect(issueAt(error, 'nodes[0].haPort', 'SWY_ERR_CONFIG_INVALID').message).toBe('a port is 1-65535 (got 70000)');
    expect(issueAt(error, 'cluster', 'SWY_ERR_CONFIG_INVALID').message).toBe('is required; set it to a string');
    expect(issueAt(error, 'logging.level', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'must be one of "error", "warn", "info", "debug" (got "verbose")',
    );
  });

  it('reports an unknown arbiter kind at arbiter.kind, with the kinds to use', async () => {
    const error = await configError(load(pairConfig({ arbiter: { kind: 'raft' } })));
    expect(issueAt(error, 'arbiter.kind', 'SWY_ERR_CONFIG_INVALID').message).toBe(
      'unknown arbiter kind "raft": no enabled plugin offers it and the package @switchyard/plugin-arbiter-raft is not installed; ' +
        'use "embedded" (one host, the default) or "etcd" (two hosts), or install the plugin that offers "raft"',
    );
  });

  it('checks the embedded arbiter\'s options against its schema', async () => {
    const error = await configError(load(pairConfig({ arbiter: { kind: 'embedded', switchTimout: 2 } })));
    expect(issueAt(error, 'arbiter.switchTimout', 'SWY_ERR_CONFIG_INVALID').message).toBe('unknown key "switchTimout"; did you mean "switchTimeout"?');
  });

  it('rejects a config that is not an object at all', async () => {
    const error = await configError(validateConfig(['a'], { configDir: '/tmp' }));
    expect(formatIssue(error.issues[0]!)).toBe('Config: must be an object (got a list of 1 item) [SWY_ERR_CONFIG_INVALID]');
  });
});

describe('validateConfig: rules across keys', () => {
  it('reports a duplicate node id at the second node, naming the first', async () => {
    const error = await configError(load(pairConfig({ nodes: [nodeA, { ...nodeB, id: 'a' }] })));
    const issue = issueAt(error, 'nodes[1].id', 'SWY_ERR_CONFIG_INVALID');
    expect(issue.message).toContain('duplicate node id "a"');
    expect(issue.message).toContain('nodes[0].id');
  });

  it('reports two nodes with one haPort on the same host (localhost and 127.0.0.1 are one host)', async () => {
    const error = await configError(load(pairConfig({ nodes: [nodeA, { ...nodeB, host: 'localhost', haPort: 7401 }] })));
    const issue = issueAt(error, 'nodes[1].haPort', 'SWY_ERR_CONFIG_INVALID');
    expect(issue.message).toContain('nodes[0].haPort');
    expect(issue.message).toContain('7401');
  });

  it('reports management.port equal to a node haPort on the same host', async () => {
    const error = await configError(load(pairConfig({ management: { port: 7402 } })));
    const issue = issueAt(error, 'management.port', 'SWY_ERR_CONFIG_INVALID');
    expect(issue.message).toContain('nodes[1].haPort');
  });

  it('treats a management host of 0.0.0.0 as clashing with a node on any address', async () => {
    const error = await configError(load(pairConfig({ management: { host: '0.0.0.0', port: 7401 } })));
    expect(issueAt(error, 'management.port', 'SWY_ERR_CONFIG_INVALID').message).toContain('nodes[0].haPort');
  });

  it('refuses a pair on two hosts with the embedded arbiter, and says to use etcd', async () => {
    const error = await configError(
      load(
        pairConfig({
          nodes: [
            { id: 'a', host: '192.0.2.1', haPort: 7400 },
            { id: 'b', host: '192.0.2.2', haPort: 7400 },
          ],
          haLink: { secret: 'sixteen-chars-ok!' },
        }),
      ),
    );
    // The same haPort on two hosts is fine; the arbiter is the one problem.
    expect(error.issues.map((i) => i.path)).toEqual(['arbiter.kind']);
    expect(error.issues[0]!.message).toBe(
      'the nodes run on different hosts (192.0.2.1, 192.0.2.2), but the "embedded" arbiter decides only for nodes on one host ' +
        '(it lives inside `switchyard up`); use arbiter: { kind: "etcd", endpoints: [...] } and run `switchyard node` on each host',
    );
  });

  it.each(['10.0.0.2', '127.0.0.2'])('requires haLink.secret when the nodes are on different hosts (127.0.0.1 and %s)', async (other) => {
    const error = await configError(load(pairConfig({ nodes: [nodeA, { ...nodeB, host: other }] })));
    const issue = issueAt(error, 'haLink.secret', 'SWY_ERR_CONFIG_INVALID');
    expect(issue.message).toContain('different hosts');
    expect(issue.message).toContain('at least 16 characters');
    expect(issue.message).toContain('single-host pair generates one per run');
  });

  it('requires heartbeatInterval × missedHeartbeats to be shorter than arbiter.switchTimeout, with the numbers', async () => {
    const error = await configError(
      load(pairConfig({ haLink: { heartbeatInterval: 0.2, missedHeartbeats: 5 }, arbiter: { kind: 'embedded', switchTimeout: 1 } })),
    );
    const issue = issueAt(error, 'haLink.missedHeartbeats', 'SWY_ERR_CONFIG_INVALID');
    expect(issue.message).toContain('0.2 s × 5 = 1 s');
    expect(issue.message).toContain('arbiter.switchTimeout (1 s)');
    expect(issue.message).toContain('lower haLink.missedHeartbeats to 4 or less');
  });

  it('points at heartbeatInterval when one interval alone exceeds the switch timeout', async () => {
    const error = await configError(load(pairConfig({ haLink: { heartbeatInterval: 2, missedHeartbeats: 3 }, arbiter: { kind: 'embedded', switchTimeout: 1.5 } })));
    expect(issueAt(error, 'haLink.heartbeatInterval', 'SWY_ERR_CONFIG_INVALID').message).toContain('lower haLink.heartbeatInterval below 0.5');
  });

  it('requires supervisor.restartDelay <= restartMaxDelay', async () => {
    const error = await configError(load(pairConfig({ supervisor: { restartDelay: 10, restartMaxDelay: 5 } })));
    expect(issueAt(error, 'supervisor.restartDelay', 'SWY_ERR_CONFIG_INVALID').message).toContain('must not exceed');
  });

  it('collects every problem in one error, also rules on sections next to a shape error', async () => {
    const error = await configError(
      load({
        cluster: 'demo',
        nodes: [nodeA, { ...nodeB, id: 'a', haPort: 'x' }, { id: 'c', host: '10.9.9.9', haPort: 7401 }],
        haLink: { missedHeartbeats: 50 },
        plugins: { nope: true },
      }),
    );
    expect(error.issues.map((i) => `${i.path} ${i.code}`).sort()).toEqual(
      [
        'nodes SWY_ERR_CONFIG_INVALID', // three nodes
        'nodes[1].haPort SWY_ERR_CONFIG_INVALID', // wrong type
        'nodes[1].id SWY_ERR_CONFIG_INVALID', // duplicate id, found although nodes[1] is broken
        'haLink.secret SWY_ERR_CONFIG_INVALID', // 10.9.9.9 makes it multi-host
        'arbiter.kind SWY_ERR_CONFIG_INVALID', // … which the embedded arbiter cannot serve
        'haLink.missedHeartbeats SWY_ERR_CONFIG_INVALID', // 0.1 × 50 ≥ 1
        'plugins.nope SWY_ERR_PLUGIN_NOT_FOUND',
      ].sort(),
    );
    expect(error.message).toContain('(7 problems)');
  });
});
