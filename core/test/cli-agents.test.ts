import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentEndpoints, authorisedClient, pairAlarms, pairStatus } from '../src/cli/agents';
import { loadConfig } from '../src/config';
import type { ValidatedConfig } from '../src/config/validate';
import type { Alarm } from '../src/engine/types';
import { isSwitchyardError, type SwitchyardError } from '../src/errors';
import { alarmRoutes } from '../src/management/alarm-routes';
import { ManagementServer } from '../src/management/server';
import { createTokenFile } from '../src/management/token';
import type { AlarmListView, ClusterStatusView } from '../src/management/types';
import { freePort } from '../src/testing/processes';
import { loadTwoHost } from './arbiter-fixture';
import { makeDir, pairConfig, removeDirs, write } from './config-fixture';
import { FakeControl } from './management-fixtures';

/**
 * The CLI across the two agents of a pair on two hosts: node a's agent on
 * 127.0.0.1, node b's on 127.0.0.2 (both loopback), the same management
 * port, each a real ManagementServer over a fake SupervisorControl.
 */

/** One host's agent as the CLI sees it over HTTP. */
class FakeAgent {
  readonly control = new FakeControl();
  alarms: AlarmListView = { active: [], cleared: [] };
  private server: ManagementServer | null = null;

  constructor(
    readonly host: string,
    readonly port: number,
    view: ClusterStatusView,
  ) {
    this.control.view = view;
  }

  async start(token = 'no-token-file-for-this-agent-0123456789'): Promise<void> {
    this.server = new ManagementServer({
      host: this.host,
      port: this.port,
      token,
      control: this.control,
      emit: () => undefined,
      routes: alarmRoutes({ list: () => this.alarms, clear: () => this.alarms.active[0]! }),
    });
    await this.server.listen();
  }

  async stop(): Promise<void> {
    await this.server?.close();
    this.server = null;
  }
}

function alarm(id: string, patch: Partial<Alarm> = {}): Alarm {
  const [condition, node] = id.split('@') as [string, string];
  return { id, condition, node, severity: 'major', state: 'active', eventId: '01-10040', message: `${condition} on ${node}`, count: 1, firstSeen: 0, lastSeen: 0, ...patch };
}

/** Node a's agent: a in full, b as a's arbiter knows it. */
const viewFromA = (arbiter: Partial<ClusterStatusView['arbiter']> = {}): ClusterStatusView => ({
  cluster: 'twohost',
  arbiter: { kind: 'fake', term: 4, primary: 'a', connected: true, ...arbiter },
  nodes: [
    { id: 'a', role: 'primary', status: 'running', pid: 101, term: 4, lastHeartbeat: 0.1, restarts: 0, sip: { registrations: 3 } },
    { id: 'b', role: 'backup', status: 'running', pid: null, term: 0, lastHeartbeat: null, restarts: 0, local: false },
  ],
});

/** Node b's agent: b in full, a as b's arbiter knows it. */
const viewFromB = (arbiter: Partial<ClusterStatusView['arbiter']> = {}): ClusterStatusView => ({
  cluster: 'twohost',
  arbiter: { kind: 'fake', term: 4, primary: 'a', connected: true, ...arbiter },
  nodes: [
    { id: 'a', role: 'primary', status: 'unresponsive', pid: null, term: 0, lastHeartbeat: null, restarts: 0, local: false },
    { id: 'b', role: 'backup', status: 'running', pid: 202, term: 4, lastHeartbeat: 0.2, restarts: 2, sip: { registrations: 3 } },
  ],
});

let v: ValidatedConfig;
let agentA: FakeAgent;
let agentB: FakeAgent;

beforeEach(async () => {
  const port = await freePort();
  v = await loadTwoHost({ management: { port } });
  agentA = new FakeAgent('127.0.0.1', port, viewFromA());
  agentB = new FakeAgent('127.0.0.2', port, viewFromB());
});

afterEach(async () => {
  await agentA.stop();
  await agentB.stop();
  await removeDirs();
});

async function failure(promise: Promise<unknown>): Promise<SwitchyardError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isSwitchyardError(error), String(error)).toBe(true);
  return error as SwitchyardError;
}

describe('agentEndpoints', () => {
  it('one agent per node for an arbiter across hosts, each on its node’s host with its own state dir', () => {
    expect(agentEndpoints(v)).toEqual([
      { nodes: ['a'], host: '127.0.0.1', port: agentA.port, stateDir: path.join(v.runtimeDir, 'a') },
      { nodes: ['b'], host: '127.0.0.2', port: agentA.port, stateDir: path.join(v.runtimeDir, 'b') },
    ]);
  });

  it('one agent for both nodes with the embedded arbiter, on 127.0.0.1, with the runtime dir as its state dir', async () => {
    const dir = await makeDir();
    const single = await loadConfig({ configPath: await write(dir, 'switchyard.config.json', pairConfig({ management: { port: 7499 } })) });
    expect(agentEndpoints(single)).toEqual([{ nodes: ['a', 'b'], host: '127.0.0.1', port: 7499, stateDir: single.runtimeDir }]);
    expect(single.runtimeDir).toBe(path.join(dir, '.switchyard'));
  });
});

describe('pairStatus: one status from both agents', () => {
  it('shows each node as its own agent reports it', async () => {
    await agentA.start();
    await agentB.start();
    const view = await pairStatus(v);
    expect(view.cluster).toBe('twohost');
    expect(view.nodes).toEqual([viewFromA().nodes[0], viewFromB().nodes[1]]);
  });

  it('takes the arbiter view with the newest term, from whichever agent has it', async () => {
    agentA.control.view = viewFromA({ term: 4, primary: 'a' });
    agentB.control.view = viewFromB({ term: 5, primary: 'b' });
    await agentA.start();
    await agentB.start();
    expect((await pairStatus(v)).arbiter).toEqual({ kind: 'fake', term: 5, primary: 'b', connected: true });

    agentA.control.view = viewFromA({ term: 6, primary: 'a' });
    expect((await pairStatus(v)).arbiter).toEqual({ kind: 'fake', term: 6, primary: 'a', connected: true });
  });

  it.each([
    { a: false, b: true, from: 'b' },
    { a: true, b: false, from: 'a' },
  ])('at the same term, prefers the agent that reaches the arbiter (a connected: $a, b connected: $b)', async ({ a, b, from }) => {
    agentA.control.view = viewFromA({ connected: a, primary: a ? 'a' : null });
    agentB.control.view = viewFromB({ connected: b, primary: b ? 'a' : null });
    await agentA.start();
    await agentB.start();
    const { arbiter } = await pairStatus(v);
    expect(arbiter.connected).toBe(true);
    expect(arbiter.primary).toBe('a');
    expect(from === 'a' ? agentA.control.view.arbiter : agentB.control.view.arbiter).toEqual(arbiter);
  });

  it('with one agent down, the other answers for both: the down host’s node as the survivor knows it', async () => {
    await agentA.start();
    const view = await pairStatus(v);
    expect(view.arbiter).toEqual(viewFromA().arbiter);
    expect(view.nodes).toEqual(viewFromA().nodes);

    await agentA.stop();
    await agentB.start();
    expect((await pairStatus(v)).nodes).toEqual(viewFromB().nodes);
  });

  it('shows a node neither answering agent knows as down', async () => {
    agentA.control.view = { ...viewFromA(), nodes: [viewFromA().nodes[0]!] };
    await agentA.start();
    expect((await pairStatus(v)).nodes[1]).toEqual({ id: 'b', role: null, status: 'down', pid: null, term: 0, lastHeartbeat: null, restarts: 0 });
  });

  it('with both agents down, throws the first agent’s error (SWY_ERR_MGMT_UNREACHABLE)', async () => {
    const error = await failure(pairStatus(v));
    expect(error.code).toBe('SWY_ERR_MGMT_UNREACHABLE');
    expect(error.details).toMatchObject({ host: '127.0.0.1', port: agentA.port });
    expect(error.message).toContain(`127.0.0.1:${agentA.port}`);
  });
});

describe('pairAlarms: the alarms of both agents', () => {
  it('merges them: active by first detection, cleared newest first', async () => {
    agentA.alarms = {
      active: [alarm('link-lost@a', { firstSeen: 200 })],
      cleared: [alarm('old@a', { state: 'cleared', clearedAt: 100 })],
    };
    agentB.alarms = {
      active: [alarm('link-lost@b', { firstSeen: 100 })],
      cleared: [alarm('older@b', { state: 'cleared', clearedAt: 50 }), alarm('new@b', { state: 'cleared', clearedAt: 300 })],
    };
    await agentA.start();
    await agentB.start();
    const merged = await pairAlarms(v);
    expect(merged.active.map((a) => a.id)).toEqual(['link-lost@b', 'link-lost@a']);
    expect(merged.cleared.map((a) => a.id)).toEqual(['new@b', 'old@a', 'older@b']);
  });

  it('lists the surviving agent’s alarms when one is down, and fails with the first error when both are', async () => {
    agentB.alarms = { active: [alarm('node-down@b')], cleared: [] };
    await agentB.start();
    expect((await pairAlarms(v)).active.map((a) => a.id)).toEqual(['node-down@b']);
    await agentB.stop();
    const error = await failure(pairAlarms(v));
    expect(error.code).toBe('SWY_ERR_MGMT_UNREACHABLE');
    expect(error.details).toMatchObject({ host: '127.0.0.1' });
  });
});

describe('authorisedClient: the agent whose token this user can read', () => {
  it('picks the agent whose token file exists under <runtimeDir>/<node>/management.token, and its token works', async () => {
    const token = await createTokenFile(path.join(v.runtimeDir, 'b'));
    await agentB.start(token);
    const { client, endpoint } = await authorisedClient(v);
    expect(endpoint.nodes).toEqual(['b']);
    expect(endpoint.host).toBe('127.0.0.2');
    expect(await client.switchover('maintenance on a')).toEqual(agentB.control.result);
    expect(agentB.control.switchovers).toEqual([{ reason: 'maintenance on a', by: 'management-api' }]);
  });

  it('prefers the agent of the node asked for when both tokens are here', async () => {
    await createTokenFile(path.join(v.runtimeDir, 'a'));
    await createTokenFile(path.join(v.runtimeDir, 'b'));
    expect((await authorisedClient(v)).endpoint.nodes).toEqual(['a']);
    expect((await authorisedClient(v, 'b')).endpoint.nodes).toEqual(['b']);
  });

  it('throws SWY_ERR_MGMT_UNAUTHORIZED naming a token file when no agent’s token is readable', async () => {
    const error = await failure(authorisedClient(v));
    expect(error.code).toBe('SWY_ERR_MGMT_UNAUTHORIZED');
    expect(error.message).toContain(path.join(v.runtimeDir, 'b', 'management.token'));
  });
});
