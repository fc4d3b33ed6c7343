import { CoreEvent, createTestPair, type TestNode, type TestPair } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { PassCheckEvent, sipPassCheckPlugin, type PassCheckStatus } from '../src/index';
import { FakeSipNetwork } from './support/fake-sip';

const DEVICE = 'sip:gw@10.0.0.9:5060';
const T = 6; // oosCheck 1 + max(oosForce 1, 5)

let pair: TestPair | undefined;
afterEach(async () => {
  await pair?.stop();
  pair = undefined;
});

/** A pair (real embedded arbiter, loopback HA link, virtual time) whose one service device never answers. */
async function silentPair(): Promise<{ pair: TestPair; network: FakeSipNetwork; switchovers(): number[]; start: number }> {
  const network = new FakeSipNetwork();
  const p = createTestPair({
    plugins: [network.plugin, [sipPassCheckPlugin, { serviceDevices: [{ uri: DEVICE, oosCheck: 1, oosForce: 1 }] }]],
  });
  pair = p;
  await p.start();
  const assigned = p.arbiterEvents.find((e) => e.id === CoreEvent.RolesAssigned);
  expect(assigned).toBeDefined();
  return {
    pair: p,
    network,
    start: assigned!.time,
    switchovers: () => p.arbiterEvents.filter((e) => e.id === CoreEvent.Switchover).map((e) => e.time),
  };
}

/** Seconds between consecutive instants, the first measured from `start`. */
const gaps = (start: number, times: number[]) => times.map((t, i) => (t - (i === 0 ? start : times[i - 1]!)) / 1000);
const statusOf = (node: TestNode) => node.engine.report().sipPassCheck as PassCheckStatus;
const fieldsOf = (nodes: TestNode[], id: string) =>
  nodes
    .flatMap((n) => n.events)
    .filter((e) => e.id === id)
    .sort((a, b) => a.time - b.time)
    .map((e) => e.fields);

describe('double-switchover guard across switchovers (createTestPair, virtual time)', () => {
  it('silent pair: the time between switchovers is T, T, 2T, 4T, 4T', async () => {
    const { pair: p, switchovers, start } = await silentPair();
    await p.advance(12 * T + 1);
    expect(gaps(start, switchovers())).toEqual([T, T, 2 * T, 4 * T, 4 * T]);
    expect(p.arbiter.term).toBe(6);
    // each primary reported unavailable by silence; the 2nd, 3rd, 4th and 5th were double switchovers
    expect(fieldsOf([p.a, p.b], PassCheckEvent.UnavailableBySilence).map((f) => [f.timeout, f.multiplier])).toEqual([
      [T, 1],
      [T, 1],
      [2 * T, 2],
      [4 * T, 4],
      [4 * T, 4],
    ]);
    expect(fieldsOf([p.a, p.b], PassCheckEvent.DoubleSwitchover).map((f) => f.multiplier)).toEqual([2, 4, 4, 4]);
    // both nodes agree on the shared state; the demoted node reports running
    for (const node of [p.a, p.b]) expect(statusOf(node)).toMatchObject({ multiplier: 4, lastCause: 'silence', baseTimeout: T, timeout: 4 * T });
    expect([p.a.engine.status, p.b.engine.status]).toEqual(['running', 'running']);
  });

  it('one SIP message on the backup resets the guard on both nodes; the sequence starts again from T', async () => {
    const { pair: p, network, switchovers, start } = await silentPair();
    await p.advance(4 * T + 1); // switchovers at T, 2T, 4T: multiplier 4 now, primary since 4T
    expect(switchovers()).toHaveLength(3);
    const primary = p.primary()!;
    const backup = primary === p.a ? p.b : p.a;
    expect(statusOf(primary).timeout).toBe(4 * T);

    network.node(backup.engine.nodeId).receive();
    expect(fieldsOf([backup], PassCheckEvent.GuardReset)).toEqual([{ from: 4, lastCause: 'silence', timeout: T }]);
    for (const node of [p.a, p.b]) expect(statusOf(node)).toMatchObject({ multiplier: 1, lastCause: null, timeout: T });

    // the silent primary (primary since 4T) now times out at T: at 5T, not a double switchover; then T, 2T again
    await p.advance(4 * T);
    expect(gaps(start, switchovers())).toEqual([T, T, 2 * T, T, T, 2 * T]);
    expect(fieldsOf([p.a, p.b], PassCheckEvent.DoubleSwitchover).map((f) => f.multiplier)).toEqual([2, 4, 2, 4]);
    // a reset by traffic publishes once, not per message
    const sent = fieldsOf([backup], PassCheckEvent.GuardReset).length;
    for (let i = 0; i < 100; i++) network.node(backup.engine.nodeId).receive();
    expect(fieldsOf([backup], PassCheckEvent.GuardReset).length).toBe(sent + 1);
  });

  it('the node that sees traffic stays primary, with the device down', async () => {
    const { pair: p, network, switchovers } = await silentPair();
    await p.advance(2 * T + 1); // two silent switchovers: guard at multiplier 2
    const primary = p.primary()!;
    const term = p.arbiter.term;
    for (let i = 0; i < 50; i++) {
      network.node(primary.engine.nodeId).receive('INVITE');
      await p.advance(T / 2);
    }
    expect(p.primary()).toBe(primary);
    expect(p.arbiter.term).toBe(term);
    expect(switchovers()).toHaveLength(2);
    expect(statusOf(primary)).toMatchObject({ multiplier: 1, lastCause: null, devices: [{ uri: DEVICE, state: 'out-of-service' }] });
  });
});
