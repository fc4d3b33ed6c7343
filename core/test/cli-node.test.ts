import { spawn } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localAddresses, pickLocalNode } from '../src/cli/commands/node';
import { SwitchyardError } from '../src/errors';
import { assertBuilt, CLI, clusterStatus, freePort, runCli, waitFor } from '../src/testing/processes';
import { fakeArbiterProject, loadTwoHost, twoHostConfig } from './arbiter-fixture';
import { makeDir, pairConfig, removeDirs, write } from './config-fixture';

afterEach(removeDirs);

/** The error `fn` throws (fails the test when it does not throw). */
function thrown(fn: () => unknown): SwitchyardError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SwitchyardError);
    return error as SwitchyardError;
  }
  throw new Error('expected an error');
}

describe('pickLocalNode: which node `switchyard node` runs on this host', () => {
  it('takes --id when the config has that node, whatever the addresses', async () => {
    const v = await loadTwoHost();
    expect(pickLocalNode(v, 'b', new Set())).toBe('b');
    expect(pickLocalNode(v, 'a', new Set(['127.0.0.2']))).toBe('a');
  });

  it('refuses an --id the config does not have, listing its nodes', async () => {
    const v = await loadTwoHost();
    const error = thrown(() => pickLocalNode(v, 'c', new Set(['127.0.0.1'])));
    expect(error.code).toBe('SWY_ERR_NODE_NOT_HERE');
    expect(error.message).toBe('--id c: the config has no such node; its nodes are a, b.');
  });

  it('without --id, picks the one node whose host is an address of this host', async () => {
    const v = await loadTwoHost();
    expect(pickLocalNode(v, undefined, new Set(['127.0.0.1', '::1', '10.1.2.3']))).toBe('a');
    expect(pickLocalNode(v, undefined, new Set(['127.0.0.2']))).toBe('b');
  });

  it('without --id and no node here: SWY_ERR_NODE_NOT_HERE with each node and its host', async () => {
    const v = await loadTwoHost();
    const error = thrown(() => pickLocalNode(v, undefined, new Set(['10.1.2.3'])));
    expect(error.code).toBe('SWY_ERR_NODE_NOT_HERE');
    expect(error.message).toBe(
      'No node of the config has an address of this host as its host (a (127.0.0.1), b (127.0.0.2)); run this on one of those hosts, or name the node with --id.',
    );
  });

  it('without --id and both nodes here: SWY_ERR_NODE_NOT_HERE saying to use --id', async () => {
    const v = await loadTwoHost();
    const error = thrown(() => pickLocalNode(v, undefined, new Set(['127.0.0.1', '127.0.0.2'])));
    expect(error.code).toBe('SWY_ERR_NODE_NOT_HERE');
    expect(error.message).toBe("Both nodes' hosts are addresses of this host (a (127.0.0.1), b (127.0.0.2)); name the node to run with --id.");
  });

  it('reads this machine’s addresses, loopback included', () => {
    expect(localAddresses().has('127.0.0.1')).toBe(true);
  });
});

describe('switchyard node / up: the agent that fits the arbiter', () => {
  beforeAll(() => assertBuilt());

  it('`switchyard node` on a config with the embedded arbiter exits 2 and says to use `switchyard up`', async () => {
    const dir = await makeDir();
    const file = await write(dir, 'switchyard.config.json', pairConfig());
    const r = await runCli(['node', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('The config\'s arbiter is "embedded", which runs both nodes in one `switchyard up` on one host');
    expect(r.stderr).toContain('[SWY_ERR_USAGE]');
    expect(r.stdout).toBe('');
  });

  it('`switchyard up` on a config whose arbiter spans hosts exits 2 and says to run `switchyard node` on each host', async () => {
    const { file } = await fakeArbiterProject(twoHostConfig());
    const r = await runCli(['up', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('The config\'s arbiter is "fake", which runs one agent per host: start `switchyard node --config FILE` on each host');
    expect(r.stderr).toContain('[SWY_ERR_USAGE]');
  });

  it('`switchyard node` with no node on this host exits 2 with the listing; an unknown --id too', async () => {
    // 127.0.0.3 and 127.0.0.4 answer on Linux loopback but are no interface's address.
    const config = twoHostConfig({
      nodes: [
        { id: 'a', host: '127.0.0.3', haPort: 7401 },
        { id: 'b', host: '127.0.0.4', haPort: 7402 },
      ],
    });
    const { file } = await fakeArbiterProject(config);
    const none = await runCli(['node', '--config', file]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No node of the config has an address of this host as its host (a (127.0.0.3), b (127.0.0.4))');
    expect(none.stderr).toContain('[SWY_ERR_NODE_NOT_HERE]');

    const unknown = await runCli(['node', '--config', file, '--id', 'z']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--id z: the config has no such node; its nodes are a, b. [SWY_ERR_NODE_NOT_HERE]');
    // The remedy from the errors table is printed too.
    expect(unknown.stderr).toContain('Give the node with --id');
  });

  it('`switchyard node` without --id runs the node whose host is this machine’s (127.0.0.1), and `status` answers from its agent; SIGTERM exits 0', async () => {
    const [mgmt, haA, haB] = [await freePort(), await freePort(), await freePort()];
    const config = twoHostConfig(
      {
        arbiter: { kind: 'fake', elect: true },
        management: { port: mgmt },
        haLink: { secret: 'sixteen-chars-ok!', heartbeatInterval: 0.1, missedHeartbeats: 3 },
        supervisor: { restartDelay: 0.2, restartMaxDelay: 1, stopTimeout: 3 },
      },
      [haA, haB],
    );
    const { file } = await fakeArbiterProject(config);
    const child = spawn(process.execPath, [CLI, 'node', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Node b's agent (127.0.0.2) is not running: the CLI shows b from a's agent.
      const view = await waitFor(
        async () => {
          const v = await clusterStatus(file);
          return v.nodes[0]?.role === 'primary' && v.nodes[0].status === 'running' ? v : undefined;
        },
        15_000,
        `node a primary\n${out}`,
      );
      expect(view.arbiter).toEqual({ kind: 'fake', term: 1, primary: 'a', connected: true });
      expect(view.nodes[0]).toMatchObject({ id: 'a', term: 1, pid: expect.any(Number) });
      expect(view.nodes[1]).toMatchObject({ id: 'b', status: 'down', pid: null, local: false });
      expect(out).toContain('(node a of a two-host pair, arbiter fake');
      expect(out).toContain(`management API http://127.0.0.1:${mgmt}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('switchyard: stopped');
  }, 30_000);
});
