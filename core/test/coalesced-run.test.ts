import { describe, expect, it } from 'vitest';
import { coalescedRun } from '../src/coalesced-run';

/** A task whose runs end when the test says so. */
function gatedTask() {
  const gates: Array<() => void> = [];
  let runs = 0;
  const task = () =>
    new Promise<void>((resolve) => {
      runs++;
      gates.push(resolve);
    });
  const open = async () => {
    while (gates.length === 0) await Promise.resolve();
    gates.shift()!();
  };
  return { task, open, runs: () => runs };
}

describe('coalescedRun', () => {
  it('runs once more after a run for every call made during it, however many', async () => {
    const { task, open, runs } = gatedTask();
    const run = coalescedRun(task);
    const first = run();
    expect(run.running).toBe(first);
    const during = [run(), run(), run()];
    expect(runs()).toBe(1); // no overlap
    await open();
    await Promise.resolve();
    await open();
    await Promise.all([first, ...during]);
    expect(runs()).toBe(2);
    expect(run.running).toBeUndefined();
  });

  it('runs once for a call with nothing under way, and again for a later call', async () => {
    const { task, open, runs } = gatedTask();
    const run = coalescedRun(task);
    const a = run();
    await open();
    await a;
    const b = run();
    await open();
    await b;
    expect(runs()).toBe(2);
  });

  it('stops repeating once more() says no, and passes a failure on to every waiting call', async () => {
    let active = true;
    const { task, open, runs } = gatedTask();
    const run = coalescedRun(task, () => active);
    const a = run();
    const b = run(); // asks for one more run
    active = false;
    await open();
    await Promise.all([a, b]);
    expect(runs()).toBe(1);

    const failing = coalescedRun(async () => {
      throw new Error('read failed');
    });
    const c = failing();
    const d = failing();
    await expect(c).rejects.toThrow('read failed');
    await expect(d).rejects.toThrow('read failed');
    expect(failing.running).toBeUndefined();
  });
});
