import { ManualClock } from '@switchyard/sdk';
import { describe, expect, it } from 'vitest';
import { StandbyWarmup, WARMUP_FIRST_ROUND, WARMUP_INTERVAL_MS, WARMUP_ORDER_POLL_MS } from '../src/standby-warmup';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Lets the rehearsal's slices (one per event-loop turn) run until `done`, at most `turns` turns. */
async function until(done: () => boolean, turns = WARMUP_FIRST_ROUND): Promise<void> {
  for (let i = 0; i < turns && !done(); i++) await turn();
  if (!done()) throw new Error('the rehearsal did not finish');
}

describe('standby warm-up (keeps a backup answer path compiled)', () => {
  it('rehearses whole rounds while not primary, on the injected clock, and leaves its own store empty', async () => {
    const clock = new ManualClock();
    let primary = false;
    const answers = new Map<string, number>();
    const warmup = new StandbyWarmup({ clock, primary: () => primary, observe: (method, status) => answers.set(`${method} ${status}`, (answers.get(`${method} ${status}`) ?? 0) + 1) });
    warmup.start();
    expect(warmup.rounds).toBe(0);
    await clock.advance(0);
    await until(() => warmup.rounds === 1);
    expect(warmup.leftover).toBe(0);
    // The path a primary runs: every REGISTER (a binding, then its removal) and OPTIONS answered 200.
    expect([...answers.keys()].sort()).toEqual(['OPTIONS 200', 'REGISTER 200']);
    expect((answers.get('OPTIONS 200') ?? 0) + (answers.get('REGISTER 200') ?? 0)).toBeGreaterThanOrEqual(WARMUP_FIRST_ROUND);
    // Nothing until the interval has passed.
    await clock.advance(WARMUP_INTERVAL_MS - 1);
    await turn();
    expect(warmup.rounds).toBe(1);
    await clock.advance(1);
    await until(() => warmup.rounds === 2);
    expect(warmup.leftover).toBe(0);
    // A primary's path is warm already: no rounds while primary, and they resume after a demotion.
    primary = true;
    await clock.advance(WARMUP_INTERVAL_MS * 3);
    for (let i = 0; i < 20; i++) await turn();
    expect(warmup.rounds).toBe(2);
    primary = false;
    await clock.advance(WARMUP_INTERVAL_MS);
    await until(() => warmup.rounds === 3);
    warmup.stop();
    await clock.advance(WARMUP_INTERVAL_MS * 3);
    for (let i = 0; i < 20; i++) await turn();
    expect(warmup.rounds).toBe(3);
  });

  it('waits for the node’s first role before its first round: none while starting, none at all for a node ordered primary', async () => {
    const clock = new ManualClock();
    let term = 0;
    let primary = false;
    const warmup = new StandbyWarmup({ clock, primary: () => primary, ordered: () => term > 0 });
    warmup.start();
    await clock.advance(WARMUP_ORDER_POLL_MS * 10);
    for (let i = 0; i < 20; i++) await turn();
    expect(warmup.rounds).toBe(0);
    // Ordered backup: the first round starts at the next look.
    term = 1;
    await clock.advance(WARMUP_ORDER_POLL_MS);
    await until(() => warmup.rounds === 1);
    warmup.stop();

    // A node whose first order makes it primary: no answer is ever rehearsed.
    let answered = 0;
    const observed = new StandbyWarmup({ clock, primary: () => primary, ordered: () => term > 1, observe: () => answered++ });
    observed.start();
    await clock.advance(WARMUP_ORDER_POLL_MS * 5);
    term = 2;
    primary = true;
    await clock.advance(WARMUP_INTERVAL_MS * 2);
    for (let i = 0; i < 20; i++) await turn();
    expect(answered).toBe(0);
    observed.stop();
  });
});
