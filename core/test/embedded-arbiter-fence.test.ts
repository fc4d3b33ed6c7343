import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import type { NodeState } from '../src/engine/types';
import { embeddedArbiterOptionsSchema } from '../src/supervisor/embedded-kind';
import { EmbeddedArbiter } from '../src/supervisor/embedded-arbiter';

/**
 * `arbiter.fence`: a primary that stops answering (frozen) is killed by its
 * agent before the other node is ordered primary; a crashed one is not
 * (it is gone already), and without `fence` nobody is killed.
 */
function setup(fence: boolean | undefined) {
  const clock = new ManualClock();
  /** What the agent was asked, in order: fences and orders. */
  const log: string[] = [];
  const state: Record<string, NodeState> = {
    'sip-a': { nodeId: 'sip-a', role: 'backup', status: 'starting', term: 0 },
    'sip-b': { nodeId: 'sip-b', role: 'backup', status: 'starting', term: 0 },
  };
  const arbiter = new EmbeddedArbiter({
    nodes: [
      { id: 'sip-a', priority: 100 },
      { id: 'sip-b', priority: 50 },
    ],
    clock,
    switchTimeout: 1,
    startupTimeout: 10,
    ...(fence === undefined ? {} : { fence }),
    port: {
      order(node, order) {
        log.push(`order ${node} ${order.role} t${order.term}`);
        if (order.term >= state[node]!.term) state[node] = { ...state[node]!, role: order.role, term: order.term };
      },
      grant: () => undefined,
      consult: async () => undefined,
      emit: () => undefined,
      fence: (node, reason, to) => void log.push(`fence ${node} for ${to}: ${reason}`),
    },
  });
  const beat = (node: string, patch: Partial<NodeState> = {}) => {
    state[node] = { ...state[node]!, ...patch };
    arbiter.heartbeat(node, state[node]!);
  };
  const run = async (ms: number, silent: string[] = []) => {
    for (let t = 0; t < ms; t += 100) {
      for (const n of ['sip-a', 'sip-b']) if (!silent.includes(n)) beat(n);
      await clock.advance(100);
    }
  };
  arbiter.start();
  arbiter.nodeSpawned('sip-a');
  arbiter.nodeSpawned('sip-b');
  beat('sip-a', { status: 'running' });
  beat('sip-b', { status: 'running' });
  return { arbiter, log, run };
}

describe('embedded arbiter fencing (arbiter.fence)', () => {
  it('fences a frozen primary before it orders the backup primary', async () => {
    const s = setup(true);
    await s.run(300);
    expect(s.arbiter.primary).toBe('sip-a');
    s.log.length = 0;
    await s.run(1_500, ['sip-a']);
    expect(s.arbiter.primary).toBe('sip-b');
    const fence = s.log.findIndex((l) => l.startsWith('fence sip-a for sip-b: primary sip-a missed heartbeats'));
    const promote = s.log.indexOf('order sip-b primary t2');
    expect(fence).toBeGreaterThanOrEqual(0);
    expect(promote).toBeGreaterThan(fence);
    expect(s.log.filter((l) => l.startsWith('fence'))).toHaveLength(1);
  });

  it('does not fence a primary that exited (the kernel already released what it held)', async () => {
    const s = setup(true);
    await s.run(300);
    s.log.length = 0;
    s.arbiter.nodeExited('sip-a', 'signal SIGKILL');
    expect(s.arbiter.primary).toBe('sip-b');
    expect(s.log.some((l) => l.startsWith('fence'))).toBe(false);
  });

  it('does not fence a silent backup, nor a silent primary with no live node to take over', async () => {
    const s = setup(true);
    await s.run(300);
    s.log.length = 0;
    await s.run(1_500, ['sip-b']);
    expect(s.arbiter.primary).toBe('sip-a');
    await s.run(1_500, ['sip-a', 'sip-b']);
    expect(s.log.some((l) => l.startsWith('fence'))).toBe(false);
  });

  it('without fence (the default) a frozen primary is only demoted', async () => {
    const s = setup(undefined);
    await s.run(300);
    s.log.length = 0;
    await s.run(1_500, ['sip-a']);
    expect(s.arbiter.primary).toBe('sip-b');
    expect(s.log.some((l) => l.startsWith('fence'))).toBe(false);
    expect(embeddedArbiterOptionsSchema.parse({}).fence).toBe(false);
  });
});
