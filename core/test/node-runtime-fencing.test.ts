import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../src/config/validate';
import type { NodeState, Role } from '../src/engine/types';
import { CoreEvent } from '../src/events/core-events';
import type { NodeMessage } from '../src/ipc/messages';
import { NodeRuntime } from '../src/node/node-runtime';
import { freePort, tempDir } from '../src/testing/processes';

/**
 * Two node runtimes (what each forked node process runs) in this process,
 * with real HA links on loopback, driven by the messages an agent sends:
 * a node learns of a newer term from its peer's heartbeats.
 */
const SLOW = { timeout: 5000, interval: 10 };
const SECRET = 'fencing-test-secret-0123456789';

const runtimes: NodeRuntime[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop('test over')));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** What a node told its agent: its heartbeats and its log events. */
class AgentInbox {
  readonly messages: NodeMessage[] = [];
  readonly send = (message: NodeMessage): void => void this.messages.push(message);
  /** The node's state in its latest heartbeat. */
  state(): NodeState | undefined {
    return this.heartbeats().at(-1)?.state;
  }
  heartbeats() {
    return this.messages.flatMap((m) => (m.t === 'hb' ? [m] : []));
  }
  events(id: string) {
    return this.messages.flatMap((m) => (m.t === 'event' && m.record.id === id ? [m.record] : []));
  }
}

async function pair() {
  const runtimeDir = tempDir('switchyard-fencing-');
  dirs.push(runtimeDir);
  const raw = {
    cluster: 'fencing',
    nodes: [
      { id: 'sip-a', host: '127.0.0.1', haPort: await freePort(), priority: 100 },
      { id: 'sip-b', host: '127.0.0.1', haPort: await freePort(), priority: 50 },
    ],
    haLink: { heartbeatInterval: 0.05, missedHeartbeats: 4 },
    logging: { level: 'error' },
  };
  const { config } = await validateConfig(raw, { configDir: runtimeDir });
  const node = async (nodeId: string) => {
    const inbox = new AgentInbox();
    const runtime = new NodeRuntime({ t: 'init', nodeId, config, configDir: runtimeDir, runtimeDir, secret: SECRET }, inbox.send);
    runtimes.push(runtime);
    await runtime.start();
    const order = (role: Role, term: number) => runtime.handle({ t: 'order', order: { role, term, reason: `test: ${role} at ${term}` } });
    return { runtime, inbox, order };
  };
  const a = await node('sip-a');
  const b = await node('sip-b');
  await vi.waitFor(() => expect(a.inbox.heartbeats().at(-1)?.link.connected && b.inbox.heartbeats().at(-1)?.link.connected).toBe(true), SLOW);
  return { a, b };
}

describe('node runtime: fencing by term and by grant', () => {
  it('a primary steps down when its peer’s heartbeat carries a newer term (01-10007), and tells its agent', async () => {
    const { a, b } = await pair();
    await a.order('primary', 1);
    await b.order('backup', 1);
    await vi.waitFor(() => expect(b.inbox.heartbeats().at(-1)?.link.peer).toMatchObject({ role: 'primary', term: 1 }), SLOW);

    // The arbiter made sip-b primary at term 2; sip-a never got its order (frozen, cut off from its agent…).
    await b.order('primary', 2);

    await vi.waitFor(() => expect(a.inbox.state()).toEqual({ nodeId: 'sip-a', role: 'backup', status: 'running', term: 2 }), SLOW);
    expect(a.inbox.events(CoreEvent.HigherTermSeen).map((r) => r.fields)).toEqual([
      { seen: 2, peer: 'sip-b', action: 'stepping down to backup' },
    ]);
    expect(a.inbox.events(CoreEvent.RoleChanged).map((r) => `${r.fields.from}->${r.fields.to} t${r.term}`)).toEqual([
      'backup->primary t1',
      'primary->backup t2',
    ]);
    // The agent hears what the node knows of its peer, too.
    const link = a.inbox.heartbeats().at(-1)?.link;
    expect(link).toEqual({
      connected: true,
      peer: { nodeId: 'sip-b', role: 'primary', status: 'running', term: 2 },
      heardAt: expect.any(Number),
      echoedSent: expect.any(Number),
    });
    // The peer's heartbeat that echoed one of sip-a's arrived after sip-a sent that one.
    expect(link!.heardAt!).toBeGreaterThanOrEqual(link!.echoedSent!);

    // The order sip-a missed, arriving late, is refused; the current one is taken.
    await a.order('primary', 1);
    expect(a.inbox.state()).toMatchObject({ role: 'backup', term: 2 });
    expect(a.inbox.events(CoreEvent.StaleOrderRefused)).toHaveLength(1);
  });

  it('a backup adopts its peer’s newer term; a peer at the same term changes nothing', async () => {
    const { a, b } = await pair();
    await a.order('backup', 3);
    await b.order('primary', 3);
    await vi.waitFor(() => expect(a.inbox.heartbeats().at(-1)?.link.peer).toMatchObject({ role: 'primary', term: 3 }), SLOW);
    expect(a.inbox.events(CoreEvent.HigherTermSeen)).toEqual([]);
    expect(b.inbox.events(CoreEvent.HigherTermSeen)).toEqual([]);
    expect(b.inbox.state()).toMatchObject({ role: 'primary', term: 3 });

    await b.order('primary', 4); // a term a never heard of from the arbiter
    await vi.waitFor(() => expect(a.inbox.state()).toMatchObject({ role: 'backup', term: 4 }), SLOW);
    expect(a.inbox.events(CoreEvent.HigherTermSeen).map((r) => r.fields.action)).toEqual(['adopting it']);
  });

  it("takes the agent's grant: a primary whose grant lapses steps down by itself (01-10006)", async () => {
    const { a } = await pair();
    // The agent and the node read the same host clock (CLOCK_MONOTONIC ms).
    const hostMonotonic = () => Number(process.hrtime.bigint()) / 1e6;
    await a.runtime.handle({ t: 'grant', until: hostMonotonic() + 1000 });
    await a.order('primary', 1);
    expect(a.inbox.state()).toMatchObject({ role: 'primary', term: 1 });
    await vi.waitFor(() => expect(a.inbox.state()).toMatchObject({ role: 'backup', term: 1 }), SLOW);
    expect(a.inbox.events(CoreEvent.GrantLapsed)).toHaveLength(1);
  });
});
