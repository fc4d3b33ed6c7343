import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';
import { silentLogger, type Logger } from '../src/logging/logger';
import { Engine } from '../src/engine/engine';
import { createPluginFacade } from '../src/plugin/plugin-facade';
import { definePlugin } from '../src/plugin/define';
import { IDLE_CHECK_MS, MAX_LIVE_HEAP_BYTES, MemoryRelease, RELEASE_DELAY_MS, RELEASE_MIN_INTERVAL_MS, type MemorySample } from '../src/node/memory-release';

function setup(gc: (() => void) | null = () => undefined) {
  const clock = new ManualClock();
  const runs: number[] = [];
  const debug: string[] = [];
  const logger = { ...silentLogger, debug: (m: string) => debug.push(m) } as Logger;
  const release = new MemoryRelease(clock, logger, gc && (() => {
    runs.push(clock.now());
    gc();
  }));
  return { clock, runs, debug, release };
}

describe('MemoryRelease', () => {
  it('runs one full collection RELEASE_DELAY_MS after the last of a burst of requests, and says why in a debug line', async () => {
    const { clock, runs, debug, release } = setup();
    const start = clock.now();
    release.request('resync of 100000 bindings');
    await clock.advance(100);
    release.request('journal loaded');
    await clock.advance(RELEASE_DELAY_MS - 1);
    expect(runs).toEqual([]);
    await clock.advance(1);
    expect(runs).toEqual([start + 100 + RELEASE_DELAY_MS]);
    expect(debug).toHaveLength(1);
    expect(debug[0]).toMatch(/^released memory after resync of 100000 bindings, journal loaded: heap .* MiB, RSS .* MiB, .* ms$/);
  });

  it('runs at most one collection a RELEASE_MIN_INTERVAL_MS', async () => {
    const { clock, runs, release } = setup();
    release.request('a');
    await clock.advance(RELEASE_DELAY_MS);
    const first = runs[0]!;
    release.request('b');
    await clock.advance(RELEASE_DELAY_MS);
    expect(runs).toHaveLength(1); // too soon after the first
    await clock.advance(RELEASE_MIN_INTERVAL_MS);
    expect(runs).toEqual([first, first + RELEASE_MIN_INTERVAL_MS]);
  });

  it('does nothing without a gc (a node started without --expose-gc), and nothing after close()', async () => {
    const none = setup(null);
    expect(none.release.enabled).toBe(false);
    none.release.request('x');
    await none.clock.advance(10_000);
    expect(none.debug).toEqual([]);

    const closed = setup();
    closed.release.request('x');
    closed.release.close();
    await closed.clock.advance(10_000);
    expect(closed.runs).toEqual([]);
  });

  it('watchIdle: collects once after a burst grew the heap and the loop went idle; never while the loop is busy, never without growth', async () => {
    const clock = new ManualClock();
    const MiB = 1024 * 1024;
    let sample: MemorySample = { heapTotal: 60 * MiB, heapUsed: 40 * MiB, rss: 120 * MiB, loopBusy: 0.01 };
    const runs: number[] = [];
    const release = new MemoryRelease(clock, silentLogger, () => {
      runs.push(clock.now());
      sample = { ...sample, heapTotal: 62 * MiB }; // what the collection gave back
    }, () => sample);
    release.watchIdle();
    await clock.advance(IDLE_CHECK_MS * 3);
    expect(runs).toEqual([]); // idle, but no growth
    sample = { ...sample, heapTotal: 180 * MiB, loopBusy: 0.9 }; // a burst: grown, loop busy
    await clock.advance(IDLE_CHECK_MS * 3);
    expect(runs).toEqual([]);
    sample = { ...sample, heapTotal: 180 * MiB, loopBusy: 0.17 }; // light load goes on (a primary at 2,000 REGISTER/s): not idle
    await clock.advance(IDLE_CHECK_MS * 3);
    expect(runs).toEqual([]);
    sample = { ...sample, heapTotal: 180 * MiB, loopBusy: 0.01 }; // the burst is over
    await clock.advance(IDLE_CHECK_MS);
    expect(runs).toHaveLength(1);
    await clock.advance(IDLE_CHECK_MS * 5); // back at 62 MiB, the new baseline: nothing more
    expect(runs).toHaveLength(1);
    sample = { ...sample, heapTotal: 100 * MiB, loopBusy: 0.01 }; // under 1.5 × 62 MiB + 16 MiB
    await clock.advance(IDLE_CHECK_MS * 3);
    expect(runs).toHaveLength(1);
    sample = { ...sample, rss: 300 * MiB }; // RSS grown (buffers outside the heap)
    await clock.advance(IDLE_CHECK_MS);
    expect(runs).toHaveLength(2);
    // A plugin's request waits for an idle interval: none while the loop is busy.
    sample = { ...sample, loopBusy: 0.8 };
    release.request('took the primary’s 100000 bindings');
    await clock.advance(IDLE_CHECK_MS * 3);
    expect(runs).toHaveLength(2);
    sample = { ...sample, loopBusy: 0.01 };
    await clock.advance(IDLE_CHECK_MS);
    expect(runs).toHaveLength(3);
    // Never with more live heap than MAX_LIVE_HEAP_BYTES: the pause would be too long (1M bindings: 200–320 ms).
    sample = { ...sample, heapUsed: MAX_LIVE_HEAP_BYTES + 1, rss: 900 * MiB };
    release.request('loaded 1000000 bindings from the journal');
    await clock.advance(IDLE_CHECK_MS * 3);
    expect(runs).toHaveLength(3);
    release.close();
  });

  it('is what a plugin’s engine.releaseMemory(reason) asks for, with the plugin named in the reason', async () => {
    const clock = new ManualClock();
    const runs: string[] = [];
    const debug: string[] = [];
    const logger = { ...silentLogger, debug: (m: string) => debug.push(m), child: () => logger } as Logger;
    const engine = new Engine({ nodeId: 'n1', cluster: 'c', clock, logger, fullGc: () => runs.push('gc') });
    const plugin = definePlugin({ name: 'bulky', version: '0.0.0', apply: () => undefined });
    const facade = createPluginFacade(engine, plugin, {}, undefined, 10);
    facade.releaseMemory('took the whole store');
    await clock.advance(RELEASE_DELAY_MS);
    expect(runs).toEqual(['gc']);
    expect(debug.some((m) => m.startsWith('released memory after bulky: took the whole store'))).toBe(true);
  });
});
