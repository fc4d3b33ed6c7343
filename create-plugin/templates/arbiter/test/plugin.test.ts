import { ManualClock, PluginTester, silentLogger, type NodeState, type RoleOrder, type SwitchoverVerdict } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import plugin, { arbiterKind } from '../src/index';

PluginTester.describe = describe;
PluginTester.it = it;

const arbiter = (options: Record<string, unknown>) => ({ arbiter: { kind: '__PLUGIN__', ...options } });

new PluginTester(plugin, { key: '__PACKAGE__' }).run({
  valid: [{ name: 'the kind with its defaults', options: true, config: arbiter({}) }],
  invalid: [
    {
      name: 'a switchTimeout of 0',
      options: true,
      config: arbiter({ switchTimeout: 0 }),
      errors: ['Key "arbiter.switchTimeout": must be greater than 0 (got 0) [SWY_ERR_CONFIG_INVALID]'],
    },
    {
      name: 'a switchTimeout shorter than the HA link takes to notice a lost peer',
      options: true,
      config: { ...arbiter({ switchTimeout: 0.2 }), haLink: { heartbeatInterval: 0.1, missedHeartbeats: 3 } },
      errors: [
        'Key "arbiter.switchTimeout": must be longer than haLink.heartbeatInterval × haLink.missedHeartbeats (0.3 s), so a node notices a lost HA link before the arbiter switches roles [SWY_ERR_CONFIG_INVALID]',
      ],
    },
  ],
});

/** Two fake nodes that obey orders and heartbeat every 100 ms, around the arbiter, in virtual time. */
function harness() {
  const clock = new ManualClock();
  const states: Record<string, NodeState> = {
    'node-a': { nodeId: 'node-a', role: 'backup', status: 'running', term: 0 },
    'node-b': { nodeId: 'node-b', role: 'backup', status: 'running', term: 0 },
  };
  const orders: [string, RoleOrder][] = [];
  const events: string[] = [];
  const verdict: { next?: SwitchoverVerdict } = {};
  const beating = new Set(['node-a', 'node-b']);
  const a = arbiterKind.create(arbiterKind.options.parse({ switchTimeout: 1, startupTimeout: 10 }), {
    cluster: 'test',
    nodes: [
      { id: 'node-a', host: '127.0.0.1', priority: 100 },
      { id: 'node-b', host: '127.0.0.1', priority: 50 },
    ],
    localNodes: ['node-a', 'node-b'],
    clock,
    logger: silentLogger,
    haLink: { heartbeatInterval: 0.1, missedHeartbeats: 3 },
    port: {
      order: (id, order) => {
        orders.push([id, order]);
        if (order.term >= states[id]!.term) states[id] = { ...states[id]!, role: order.role, term: order.term };
      },
      grant: () => undefined,
      consult: async () => verdict.next,
      emit: (id) => void events.push(id),
    },
  });
  return {
    arbiter: a,
    states,
    orders,
    events,
    verdict,
    beating,
    async start() {
      a.start();
      a.nodeSpawned('node-a');
      a.nodeSpawned('node-b');
      clock.setInterval(() => {
        for (const id of beating) a.heartbeat(id, states[id]!);
      }, 100);
      await clock.advance(500);
    },
    /** Seconds, as everywhere in the plugin's options; the clock counts milliseconds. */
    advance: (seconds: number) => clock.advance(seconds * 1000),
  };
}

describe('the __PLUGIN__ arbiter', () => {
  it('gives the primary role to the higher priority at term 1', async () => {
    const h = harness();
    await h.start();
    expect(h.arbiter).toMatchObject({ primary: 'node-a', term: 1 });
    expect(h.states['node-a']).toMatchObject({ role: 'primary', term: 1 });
    expect(h.states['node-b']).toMatchObject({ role: 'backup', term: 1 });
    expect(h.events).toEqual(['__PREFIX__-00001']);
  });

  it('switches to the backup when the primary reports unavailable, demoting first, under a higher term', async () => {
    const h = harness();
    await h.start();
    h.states['node-a']!.status = 'unavailable';
    await h.advance(0.2);
    expect(h.arbiter).toMatchObject({ primary: 'node-b', term: 2 });
    expect(h.orders.slice(-2).map(([id, o]) => [id, o.role, o.term, o.switchover?.to])).toEqual([
      ['node-a', 'backup', 2, 'node-b'],
      ['node-b', 'primary', 2, 'node-b'],
    ]);
    expect(h.events).toEqual(['__PREFIX__-00001', '__PREFIX__-00002']);
  });

  it('switches when the primary sends no heartbeat for switchTimeout, and not before', async () => {
    const h = harness();
    await h.start();
    h.beating.delete('node-a');
    await h.advance(0.8);
    expect(h.arbiter.primary).toBe('node-a');
    await h.advance(0.4);
    expect(h.arbiter).toMatchObject({ primary: 'node-b', term: 2 });
  });

  it("an operator's switchover is refused with the primary's veto, and goes ahead without one", async () => {
    const h = harness();
    await h.start();
    h.verdict.next = { veto: 'not during the backup' };
    expect(await h.arbiter.requestSwitchover('maintenance', 'ops')).toEqual({ ok: false, term: 1, primary: 'node-a', reason: 'not during the backup' });
    h.verdict.next = undefined;
    expect(await h.arbiter.requestSwitchover('maintenance', 'ops')).toEqual({ ok: true, term: 2, primary: 'node-b' });
    expect(h.states['node-b']).toMatchObject({ role: 'primary', term: 2 });
  });
});
