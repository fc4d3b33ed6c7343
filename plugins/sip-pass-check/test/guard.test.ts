import { describe, expect, it } from 'vitest';
import { GUARD_AT_REST, isAtRest, silenceTimeout, trafficSeen, type GuardState } from '../src/index';

/** Runs `n` silence timeouts from `start`; returns the multiplier in force at each. */
function silentPrimaries(n: number, start: GuardState = GUARD_AT_REST): { inForce: number[]; doubles: boolean[]; end: GuardState } {
  let state = start;
  const inForce: number[] = [];
  const doubles: boolean[] = [];
  for (let i = 0; i < n; i++) {
    inForce.push(state.multiplier);
    const step = silenceTimeout(state);
    doubles.push(step.doubleSwitchover);
    state = step.state;
  }
  return { inForce, doubles, end: state };
}

describe('double-switchover guard (pure state machine)', () => {
  it('successive silent primaries time out after T, T, 2T, 4T, 4T, 4T', () => {
    const { inForce, doubles, end } = silentPrimaries(6);
    expect(inForce).toEqual([1, 1, 2, 4, 4, 4]);
    expect(doubles).toEqual([false, true, true, true, true, true]);
    expect(end).toEqual({ multiplier: 4, lastCause: 'silence' });
  });

  it('traffic resets it to rest; the sequence starts over', () => {
    const { end } = silentPrimaries(4);
    const reset = trafficSeen(end);
    expect(reset).toEqual({ state: GUARD_AT_REST, changed: true, doubleSwitchover: false });
    expect(silentPrimaries(3, reset.state).inForce).toEqual([1, 1, 2]);
  });

  it('reports a change only when there is one (so nothing is published per message)', () => {
    expect(trafficSeen(GUARD_AT_REST)).toMatchObject({ changed: false, state: GUARD_AT_REST });
    const capped = { multiplier: 4, lastCause: 'silence' } as const;
    expect(silenceTimeout(capped)).toEqual({ state: capped, changed: false, doubleSwitchover: true });
    expect(silenceTimeout(GUARD_AT_REST)).toMatchObject({ changed: true, doubleSwitchover: false });
  });

  it('is at rest only at multiplier 1 with no last cause', () => {
    expect(isAtRest(GUARD_AT_REST)).toBe(true);
    expect(isAtRest({ multiplier: 1, lastCause: 'silence' })).toBe(false);
    expect(isAtRest({ multiplier: 2, lastCause: null })).toBe(false);
  });
});
