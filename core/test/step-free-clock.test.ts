import { describe, expect, it } from 'vitest';
import { ManualClock, StepFreeClock } from '../src/clock';

describe('StepFreeClock', () => {
  it('starts at the base wall clock and then follows monotonic time only: steps of the wall clock do not move it', async () => {
    const base = new ManualClock(1_800_000_000_000);
    const clock = new StepFreeClock(base);
    expect(clock.now()).toBe(1_800_000_000_000);
    base.stepWall(-3_600_000);
    expect(base.now()).toBe(1_800_000_000_000 - 3_600_000);
    expect(clock.now()).toBe(1_800_000_000_000);
    await base.advance(250);
    expect(clock.now()).toBe(1_800_000_000_250);
    base.stepWall(7_200_000);
    expect(clock.now()).toBe(1_800_000_000_250);
    expect(clock.monotonic()).toBe(base.monotonic());
  });

  it("runs its timers on the base clock's", async () => {
    const base = new ManualClock();
    const clock = new StepFreeClock(base);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 100);
    base.stepWall(60_000);
    await base.advance(99);
    expect(fired).toEqual([]);
    await base.advance(1);
    expect(fired).toEqual([base.monotonic()]);
  });
});
