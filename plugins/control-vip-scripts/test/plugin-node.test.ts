import { createTestNode, type TestNode } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL_VIP_STATUS_KEY, ControlVipEvent, controlVipScriptsPlugin, splitBrainVerdict, type ControlVipStatus } from '../src/index';

const running: TestNode[] = [];
afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
});

/** Two nodes of a pair, each with the rule; heartbeats are exchanged by hand, as the HA link would carry them. */
async function pair(a: { priority: number; id?: string }, b: { priority: number; id?: string }) {
  const idA = a.id ?? 'sip-a';
  const idB = b.id ?? 'sip-b';
  const na = createTestNode({ nodeId: idA, priority: a.priority, peer: { id: idB, priority: b.priority }, plugins: [controlVipScriptsPlugin] });
  const nb = createTestNode({ nodeId: idB, priority: b.priority, peer: { id: idA, priority: a.priority }, plugins: [controlVipScriptsPlugin] });
  running.push(na, nb);
  await na.start();
  await nb.start();
  // The two heartbeats cross on the link: each carries its sender's state from before either arrived.
  const exchange = async () => {
    const [sa, sb] = [na.engine.state, nb.engine.state];
    na.peerHeartbeat(sb);
    nb.peerHeartbeat(sa);
    await na.advance(0);
  };
  return { na, nb, exchange };
}

const roles = (...nodes: TestNode[]) => nodes.map((n) => n.engine.role);
const ruleEvents = (n: TestNode) => n.events.filter((e) => e.id === ControlVipEvent.Yielding || e.id === ControlVipEvent.Staying);

describe('control-vip-scripts: both primary with the arbiter unreachable', () => {
  it('the node of the older term switches itself to backup and says why; the other stays primary', async () => {
    const { na, nb, exchange } = await pair({ priority: 100 }, { priority: 50 });
    await na.order('primary', 5);
    await nb.order('primary', 6);
    na.arbiterConnection(false);
    nb.arbiterConnection(false);
    const before = na.events.length;
    await exchange();
    expect(roles(na, nb)).toEqual(['backup', 'primary']);
    // The loser's own explanation comes first, then core's record of the step down, then core adopting the newer term.
    expect(na.eventIds().slice(before)).toEqual(['01-50001', '01-10008', '01-10002', '01-10007']);
    expect(ruleEvents(na)[0]!.message).toContain('sip-a switches itself to backup (term 6 of sip-b is newer than term 5 of sip-a)');
    expect(ruleEvents(nb).map((e) => e.id)).toEqual([ControlVipEvent.Staying]);
    expect((nb.engine.report()[CONTROL_VIP_STATUS_KEY] as ControlVipStatus).lastSplitBrain).toMatchObject({ peer: 'sip-a', winner: 'sip-b' });
  });

  it('same term: the higher priority stays primary, whichever node has it', async () => {
    for (const [pa, pb, expected] of [
      [100, 50, ['primary', 'backup']],
      [50, 100, ['backup', 'primary']],
    ] as const) {
      const { na, nb, exchange } = await pair({ priority: pa }, { priority: pb });
      await na.order('primary', 7);
      await nb.order('primary', 7);
      na.arbiterConnection(false);
      nb.arbiterConnection(false);
      await exchange();
      expect(roles(na, nb)).toEqual(expected);
      await na.stop();
      await nb.stop();
    }
  });

  it('same term and priority: the lower id stays primary', async () => {
    const { na, nb, exchange } = await pair({ priority: 10, id: 'zulu' }, { priority: 10, id: 'alpha' });
    await na.order('primary', 3);
    await nb.order('primary', 3);
    na.arbiterConnection(false);
    nb.arbiterConnection(false);
    await exchange();
    expect(roles(na, nb)).toEqual(['backup', 'primary']);
    expect(ruleEvents(na)[0]!.message).toContain('alpha sorts before zulu');
  });

  it('acts when the arbiter is lost while the peer already shows primary, and once per episode', async () => {
    const { na, nb, exchange } = await pair({ priority: 100 }, { priority: 50 });
    await na.order('primary', 4);
    await nb.order('primary', 4);
    await exchange(); // arbiter still reachable: the arbiter decides, not this rule
    expect(roles(na, nb)).toEqual(['primary', 'primary']);
    expect([...ruleEvents(na), ...ruleEvents(nb)]).toEqual([]);
    nb.arbiterConnection(false); // only sip-b's agent lost it: sip-b applies the rule with what it knows
    await na.advance(0);
    expect(roles(na, nb)).toEqual(['primary', 'backup']);
    await exchange();
    await exchange();
    expect(ruleEvents(nb).map((e) => e.id)).toEqual([ControlVipEvent.Yielding]);
  });

  it('never promotes: a backup seeing a primary peer, or a primary seeing a backup, stays as it is', async () => {
    const { na, nb, exchange } = await pair({ priority: 50 }, { priority: 100 });
    await na.order('primary', 2);
    await nb.order('backup', 2);
    na.arbiterConnection(false);
    nb.arbiterConnection(false);
    await exchange();
    await na.advance(5);
    await exchange();
    expect(roles(na, nb)).toEqual(['primary', 'backup']);
    expect([...ruleEvents(na), ...ruleEvents(nb)]).toEqual([]);
  });
});

describe('the rule itself', () => {
  it('gives the same verdict from either side', () => {
    const cases = [
      [{ id: 'a', term: 5, priority: 1 }, { id: 'b', term: 6, priority: 100 }],
      [{ id: 'a', term: 6, priority: 1 }, { id: 'b', term: 6, priority: 100 }],
      [{ id: 'b', term: 6, priority: 9 }, { id: 'a', term: 6, priority: 9 }],
    ] as const;
    for (const [x, y] of cases) {
      const one = splitBrainVerdict(x, y);
      const other = splitBrainVerdict(y, x);
      expect(other.winner).toBe(one.winner);
      expect(other.loser).toBe(one.loser);
    }
    expect(cases.map(([x, y]) => splitBrainVerdict(x, y).winner)).toEqual(['b', 'b', 'a']);
  });
});
