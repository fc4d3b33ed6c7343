import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTestNode } from '@switchyard/sdk';
import { effectiveTimeout, sipPassCheckPlugin, type PassCheckStatus } from '../src/index';
import { FakeSipNetwork } from './support/fake-sip';

describe('effective timeout T = max over devices of (oosCheck + max(oosForce, 5))', () => {
  it.each([
    { devices: [{ oosCheck: 10, oosForce: 20 }], T: 30 },
    { devices: [{ oosCheck: 10, oosForce: 5 }], T: 15 },
    { devices: [{ oosCheck: 10, oosForce: 2 }], T: 15, why: 'oosForce < 5 counts as 5' },
    { devices: [{ oosCheck: 0.5, oosForce: 0.5 }], T: 5.5, why: 'fractions' },
    {
      devices: [
        { oosCheck: 10, oosForce: 2 },
        { oosCheck: 3, oosForce: 20 },
        { oosCheck: 16, oosForce: 1 },
      ],
      T: 23,
      why: 'several devices: the longest',
    },
    { devices: [], T: null, why: 'no device: nothing to judge by' },
  ])('$devices → $T', ({ devices, T }) => {
    expect(effectiveTimeout(devices)).toBe(T);
  });

  it('is the largest per-device sum, whatever the order of the devices', () => {
    const device = fc.record({ oosCheck: fc.double({ min: 0.001, max: 86_400, noNaN: true }), oosForce: fc.double({ min: 0.001, max: 86_400, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(device, { minLength: 1, maxLength: 20 }), (devices) => {
        const T = effectiveTimeout(devices)!;
        const own = devices.map((d) => d.oosCheck + Math.max(d.oosForce, 5));
        expect(own.every((t) => t <= T)).toBe(true);
        expect(own).toContain(T);
        expect(effectiveTimeout([...devices].reverse())).toBe(T);
        expect(T).toBeGreaterThanOrEqual(5);
      }),
    );
  });

  it('is what the node reports as baseTimeout and timeout', async () => {
    const network = new FakeSipNetwork();
    const node = createTestNode({
      plugins: [
        network.plugin,
        [sipPassCheckPlugin, { serviceDevices: [{ uri: 'sip:a@10.0.0.1', oosCheck: 10, oosForce: 2 }, { uri: 'sip:b@10.0.0.2', oosCheck: 3, oosForce: 20 }] }],
      ],
    });
    await node.start();
    expect(node.engine.report().sipPassCheck as PassCheckStatus).toMatchObject({ baseTimeout: 23, timeout: 23, multiplier: 1, lastCause: null });
    await node.stop();
  });
});
