import { CoreEvent, ManualClock, type NodeState } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { LocalNode } from '../src/local-node';

const RUNNING: NodeState = { nodeId: 'sip-a', role: 'primary', status: 'running', term: 3 };

/** The agent's view of its node, nodeTimeout 0.3 s, with the confirmations a silent look asks for run by hand. */
function localNode() {
  const clock = new ManualClock();
  const emitted: string[] = [];
  const frozen: string[] = [];
  const confirmations: (() => void)[] = [];
  const node = new LocalNode({
    id: 'sip-a',
    priority: 100,
    clock,
    port: { emit: (id) => void emitted.push(id), order: () => undefined },
    nodeTimeout: 0.3,
    onFrozen: (reason) => void frozen.push(reason),
    afterIo: (fn) => (confirmations.push(fn), { cancel: () => undefined }),
  });
  node.spawned();
  node.heard(RUNNING, undefined, 3);
  return { clock, node, emitted, frozen, confirmations };
}

describe("the agent's view of its node: a silent look is confirmed after the turn's I/O", () => {
  it('a heartbeat read in the same turn keeps the node responsive, and nothing is granted while it is suspected', async () => {
    const { clock, node, emitted, confirmations } = localNode();
    clock.thaw(400); // the agent's own stall: its timer runs before the node's waiting heartbeats are read
    node.checkResponsive(clock.monotonic());
    node.checkResponsive(clock.monotonic()); // one confirmation per silence, not one per look
    expect(confirmations).toHaveLength(1);
    expect(node.suspected(clock.monotonic())).toBe(true);
    node.heard(RUNNING, undefined, 3); // read in this turn's I/O
    expect(node.suspected(clock.monotonic())).toBe(false);
    confirmations.shift()!();
    await clock.advance(1_000);
    expect(emitted).toEqual([]);
    expect(node.responsive).toBe(true);
  });

  it('without one, the confirmation counts the silence (01-10042) and the node is given up once its grant has passed', async () => {
    const { clock, node, emitted, frozen, confirmations } = localNode();
    node.grantedUntil = clock.monotonic() + 500;
    clock.thaw(400);
    node.checkResponsive(clock.monotonic());
    expect(emitted).toEqual([]);
    confirmations.shift()!();
    expect(emitted).toEqual([CoreEvent.HeartbeatsMissed]);
    expect(node.responsive).toBe(false);
    await clock.advance(99);
    expect(frozen).toEqual([]);
    await clock.advance(2);
    expect(frozen).toEqual(['node sip-a missed heartbeats for 0.40 s']);
  });
});
