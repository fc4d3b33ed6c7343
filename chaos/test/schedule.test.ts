import { FAULT_KINDS, NODE_FAULTS } from '@switchyard/lab';
import { describe, expect, it } from 'vitest';
import { HOLD_MS, PAUSE_MS, STEP_SECONDS, describeFault, makeSchedule, mulberry32 } from '../src/schedule';

describe('the seeded schedule', () => {
  it('mulberry32 gives the same sequence for the same seed and values in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // Known first value: a change of the generator changes every published seed's schedule.
    expect(mulberry32(1)()).toBeCloseTo(0.6270739405881613, 12);
  });

  it('the same seed gives the same schedule, line for line', () => {
    const one = makeSchedule(1234, 200).map(describeFault);
    const two = makeSchedule(1234, 200).map(describeFault);
    expect(two).toEqual(one);
    expect(makeSchedule(1234, 200)).toEqual(makeSchedule(1234, 200));
  });

  it('different seeds give different schedules', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 50; seed++) seen.add(JSON.stringify(makeSchedule(seed, 20)));
    expect(seen.size).toBe(50);
  });

  it('a shorter run is the start of a longer one with the same seed', () => {
    expect(makeSchedule(7, 20)).toEqual(makeSchedule(7, 200).slice(0, 20));
  });

  it('every kind is reachable: each round of the schedule has each kind once, so a quick run has them all', () => {
    for (let seed = 0; seed < 20; seed++) {
      const s = makeSchedule(seed, 20);
      expect(new Set(s.slice(0, FAULT_KINDS.length).map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
      expect(new Set(s.slice(FAULT_KINDS.length, 2 * FAULT_KINDS.length).map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    }
  });

  it('node faults hit both roles, etcd-member every member, and holds and pauses stay in their ranges', () => {
    const s = makeSchedule(99, 400);
    for (const kind of NODE_FAULTS) {
      const roles = new Set(s.filter((f) => f.kind === kind).map((f) => f.role));
      expect(roles, kind).toEqual(new Set(['primary', 'backup']));
    }
    expect(new Set(s.filter((f) => f.kind === 'etcd-member').map((f) => f.member))).toEqual(new Set([0, 1, 2]));
    const steps = s.filter((f) => f.kind === 'clock-step').map((f) => f.stepSeconds!);
    expect(steps.some((x) => x < 0) && steps.some((x) => x > 0), 'clock steps go both ways').toBe(true);
    for (const x of steps) expect(Math.abs(x)).toBeGreaterThanOrEqual(STEP_SECONDS[0]);
    for (const x of steps) expect(Math.abs(x)).toBeLessThanOrEqual(STEP_SECONDS[1]);
    expect(s.filter((f) => f.stepSeconds !== undefined).every((f) => f.kind === 'clock-step')).toBe(true);
    for (const f of s) {
      const [lo, hi] = HOLD_MS[f.kind];
      expect(f.holdMs).toBeGreaterThanOrEqual(lo);
      expect(f.holdMs).toBeLessThanOrEqual(hi);
      expect(f.pauseMs).toBeGreaterThanOrEqual(PAUSE_MS[0]);
      expect(f.pauseMs).toBeLessThanOrEqual(PAUSE_MS[1]);
      expect(f.role === undefined).toBe(!NODE_FAULTS.includes(f.kind));
    }
    expect(s.map((f) => f.index)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
  });

  it('a restricted set of kinds is honoured, and an empty one refused', () => {
    expect(new Set(makeSchedule(5, 30, { kinds: ['kill', 'stop'] }).map((f) => f.kind))).toEqual(new Set(['kill', 'stop']));
    expect(() => makeSchedule(5, 3, { kinds: [] })).toThrow(/no fault kinds/);
  });
});
