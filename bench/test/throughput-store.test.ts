import { describe, expect, it } from 'vitest';
import { storeSizeFor, throughputSteps } from '../src/scenarios/throughput';

describe('register-throughput: the pair holds every REGISTER of a series', () => {
  it('sizes the store above the calls of the full run', () => {
    const plan = throughputSteps(false);
    const calls = plan.steps.reduce((sum, rate) => sum + rate * plan.seconds, 0);
    expect(calls).toBe(1_185_000);
    expect(storeSizeFor(plan)).toBeGreaterThanOrEqual(calls);
    // The default cap on a 24 GiB machine is 385,681 (memory / 8 / 8 KiB), reached in the 12,000/s step: a run once measured it.
    expect(storeSizeFor(plan)).toBeGreaterThan(385_681);
    expect(storeSizeFor(throughputSteps(true))).toBeGreaterThanOrEqual(200);
  });
});
