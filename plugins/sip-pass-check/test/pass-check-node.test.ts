import { createTestNode, type TestNode } from '@switchyard/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { PassCheckEvent, sipPassCheckPlugin, type PassCheckStatus } from '../src/index';
import { FakeSipNetwork } from './support/fake-sip';

const GW1 = 'sip:gw1@10.0.0.1:5070';
const GW2 = 'sip:gw2@10.0.0.2';

interface Harness {
  node: TestNode;
  network: FakeSipNetwork;
  /** Virtual ms since the node became primary. */
  elapsed(): number;
  /** Advances virtual time to `ms` after the node became primary. */
  until(ms: number): Promise<void>;
  status(): PassCheckStatus;
}

const running: TestNode[] = [];
afterEach(async () => {
  for (const node of running.splice(0)) await node.stop();
});

/** One node with the fake SIP plugin and sip-pass-check, started and made primary at virtual time 0. */
async function primaryNode(serviceDevices: unknown[], setup?: (network: FakeSipNetwork) => void): Promise<Harness> {
  const network = new FakeSipNetwork();
  setup?.(network);
  const node = createTestNode({ plugins: [network.plugin, [sipPassCheckPlugin, { serviceDevices }]] });
  running.push(node);
  await node.start();
  await node.order('primary');
  const t0 = node.clock.monotonic();
  return {
    node,
    network,
    elapsed: () => node.clock.monotonic() - t0,
    until: (ms) => node.clock.advance(t0 + ms - node.clock.monotonic()),
    status: () => node.engine.report().sipPassCheck as PassCheckStatus,
  };
}

const ids = (node: TestNode, id: string) => node.events.filter((e) => e.id === id);

describe('sip-pass-check on one node, in virtual time', () => {
  it('reports unavailable exactly when every device is out of service and no SIP message arrived for T', async () => {
    // T = 1 + max(2, 5) = 6 s
    const h = await primaryNode([{ uri: GW1, oosCheck: 1, oosForce: 2 }]);
    await h.until(1999);
    expect(h.status().devices[0]!.state).toBe('unknown');
    await h.until(2000); // the first probe got no answer within oosForce
    expect(h.status().devices[0]!.state).toBe('out-of-service');
    expect(ids(h.node, PassCheckEvent.DeviceOutOfService).map((e) => e.fields)).toEqual([{ uri: GW1, reason: expect.stringMatching(/^timeout/) }]);
    await h.until(5999);
    expect(h.node.engine.status).toBe('running');
    await h.until(6000);
    expect(h.node.engine.status).toBe('unavailable');
    const [event] = ids(h.node, PassCheckEvent.UnavailableBySilence);
    expect(event?.fields).toEqual({ devices: 1, silence: 6, timeout: 6, baseTimeout: 6, multiplier: 1 });
    expect(h.node.engine.report().reasons).toEqual([expect.stringContaining('sip-pass-check/sip-traffic')]);
  });

  it('probes every oosCheck seconds with OPTIONS to the device URI, waiting oosForce, from the SIP plugin client', async () => {
    const h = await primaryNode([{ uri: `${GW2};transport=tcp`, oosCheck: 1.5, oosForce: 0.5 }], (n) => n.set(`${GW2};transport=tcp`, 'answer'));
    await h.until(4600);
    const sent = h.network.node('node-a').requests;
    expect(sent.map((r) => r.at - sent[0]!.at)).toEqual([0, 1500, 3000, 4500]);
    expect(sent[0]).toMatchObject({ method: 'OPTIONS', uri: `${GW2};transport=tcp`, target: { host: '10.0.0.2', port: 5060, transport: 'tcp' }, timeout: 0.5 });
    expect(h.status().devices).toEqual([{ uri: `${GW2};transport=tcp`, state: 'in-service', lastAnswer: 0.08, lastStatus: 200 }]);
  });

  it('one device that answers keeps the node running, however long the silence; when it stops answering the node is unavailable', async () => {
    const h = await primaryNode(
      [
        { uri: GW1, oosCheck: 1, oosForce: 1 },
        { uri: GW2, oosCheck: 2, oosForce: 8 },
      ],
      (n) => n.set(GW2, 'answer-unheard'), // an answer that is not counted as traffic: only the device rule holds the node
    );
    expect(h.status().baseTimeout).toBe(10); // max(1 + 5, 2 + 8)
    await h.until(59_000);
    expect(h.node.engine.status).toBe('running');
    expect(h.status().devices.map((d) => d.state)).toEqual(['out-of-service', 'in-service']);
    expect(h.status().sinceLastMessage).toBeNull();

    h.network.set(GW2, 'silent');
    // next probe of GW2 at 60 s gets no answer by 68 s; the silence is long past T by then
    await h.until(67_999);
    expect(h.node.engine.status).toBe('running');
    await h.until(68_000);
    expect(h.node.engine.status).toBe('unavailable');
    expect(ids(h.node, PassCheckEvent.DeviceOutOfService).map((e) => e.fields.uri)).toEqual([GW1, GW2]);
  });

  it('one SIP message restarts the silence: unavailable T after the last message, not before', async () => {
    const h = await primaryNode([{ uri: GW1, oosCheck: 1, oosForce: 1 }]); // T = 6
    await h.until(5000);
    h.network.node('node-a').receive('REGISTER');
    await h.until(10_999);
    expect(h.node.engine.status).toBe('running');
    expect(h.status().sinceLastMessage).toBe(5.999);
    await h.until(11_000);
    expect(h.node.engine.status).toBe('unavailable');
  });

  it('comes back to running when the device answers again (its answer is traffic too)', async () => {
    const h = await primaryNode([{ uri: GW1, oosCheck: 1, oosForce: 1 }]);
    await h.until(6000);
    expect(h.node.engine.status).toBe('unavailable');
    h.network.set(GW1, 'answer');
    await h.until(7100);
    expect(h.node.engine.status).toBe('running');
    expect(ids(h.node, PassCheckEvent.DeviceInService).map((e) => e.fields)).toEqual([{ uri: GW1, status: 200 }]);
    expect(h.status()).toMatchObject({ multiplier: 1, lastCause: null, sinceLastMessage: expect.any(Number) });
  });

  it('a probe that cannot be sent puts the device out of service with the reason', async () => {
    const h = await primaryNode([{ uri: GW1, oosCheck: 1, oosForce: 3 }], (n) => n.set(GW1, 'unreachable'));
    await h.until(0);
    expect(ids(h.node, PassCheckEvent.DeviceOutOfService).map((e) => e.fields)).toEqual([
      { uri: GW1, reason: 'send-failed: ECONNREFUSED 10.0.0.1:5070' },
    ]);
    await h.until(6000); // T = 1 + 5
    expect(h.node.engine.status).toBe('unavailable');
  });

  it('judges only as primary: the backup sends no probes, and a demoted primary stops probing and reports running', async () => {
    const network = new FakeSipNetwork();
    const node = createTestNode({ plugins: [network.plugin, [sipPassCheckPlugin, { serviceDevices: [{ uri: GW1, oosCheck: 1, oosForce: 1 }] }]] });
    running.push(node);
    await node.start();
    await node.order('backup');
    await node.advance(30);
    expect(network.node('node-a').requests).toHaveLength(0);
    expect(node.engine.status).toBe('running');

    await node.order('primary');
    await node.advance(6);
    expect(node.engine.status).toBe('unavailable');
    await node.order('backup');
    expect(node.engine.status).toBe('running');
    const sent = network.node('node-a').requests.length;
    await node.advance(30);
    expect(network.node('node-a').requests).toHaveLength(sent);
    expect((node.engine.report().sipPassCheck as PassCheckStatus).devices[0]!.state).toBe('out-of-service');

    // primary again: states start from unknown and the silence window opens now
    await node.order('primary');
    expect((node.engine.report().sipPassCheck as PassCheckStatus).devices[0]!.state).toBe('unknown');
    await node.advance(5.9);
    expect(node.engine.status).toBe('running');
    await node.advance(0.1);
    expect(node.engine.status).toBe('unavailable');
  });

  it('with no service device it says once that it has nothing to judge by, and never reports unavailable', async () => {
    const h = await primaryNode([]);
    for (const role of ['backup', 'primary', 'backup', 'primary'] as const) {
      await h.node.order(role);
      await h.node.advance(600);
    }
    expect(h.node.engine.status).toBe('running');
    expect(h.node.eventIds().filter((id) => id.startsWith('00-042'))).toEqual([PassCheckEvent.NothingToJudgeBy]);
    expect(h.status()).toEqual({ devices: [], sinceLastMessage: null, timeout: null, baseTimeout: null, multiplier: 1, lastCause: null });
  });
});
