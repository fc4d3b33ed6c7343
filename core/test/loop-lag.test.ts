import { describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../src/clock';
import { Engine } from '../src/engine/engine';
import { createPluginFacade } from '../src/plugin/plugin-facade';
import { definePlugin } from '../src/plugin/define';
import { LAG_CHECK_MS, LAG_REPORT_MS, LoopLagMonitor, SlowWork, type LoopLagReport } from '../src/node/loop-lag';

/** Virtual time in which the loop can be "blocked": `block(ms)` moves the monotonic clock on without firing timers. */
function blockingClock() {
  const manual = new ManualClock();
  let offset = 0;
  const clock: Clock = Object.assign(Object.create(manual) as ManualClock, { monotonic: () => manual.monotonic() + offset });
  return { clock, manual, block: (ms: number) => (offset += ms) };
}

function setup(warnMs = 100) {
  const { clock, manual, block } = blockingClock();
  const reports: LoopLagReport[] = [];
  const slowWork = new SlowWork(clock);
  const monitor = new LoopLagMonitor(clock, { warnMs, budgetMs: 300, slowWork, report: (r) => reports.push(r) });
  monitor.start();
  return { manual, block, reports, slowWork, monitor };
}

describe('LoopLagMonitor', () => {
  it('reports nothing while the loop runs on time', async () => {
    const { manual, reports, monitor } = setup();
    await manual.advance(5_000);
    expect(reports).toEqual([]);
    monitor.stop();
  });

  it('reports a blocked loop at the next check with how long, the budget and what it knows of the culprit', async () => {
    const { manual, block, reports, monitor } = setup();
    await manual.advance(100);
    block(150); // the loop was stuck for 150 ms: the next tick runs late by that much
    await manual.advance(LAG_CHECK_MS);
    expect(reports).toEqual([]); // a garbage collection is only reported after its turn
    block(60); // under warnMs: not a slow turn
    await manual.advance(LAG_CHECK_MS);
    expect(reports).toEqual([{ ms: 150, budget: 300, count: 1, culprit: expect.stringMatching(/^no hook tap or garbage collection ran that long/) }]);
    await manual.advance(LAG_CHECK_MS * 10);
    expect(reports).toHaveLength(1);
    monitor.stop();
  });

  it('names a collection noted after the slow turn, before the next check', async () => {
    const { manual, block, reports, slowWork, monitor } = setup();
    await manual.advance(100);
    block(150);
    await manual.advance(LAG_CHECK_MS);
    slowWork.note('garbage collection (major)', 142); // Node's gc entry, delivered after the turn
    await manual.advance(LAG_CHECK_MS);
    expect(reports.map((r) => r.culprit)).toEqual(['garbage collection (major) ran 142 ms']);
    monitor.stop();
  });

  it('reports at most once a LAG_REPORT_MS, counting the slow turns in between, with the longest', async () => {
    const { manual, block, reports, monitor } = setup();
    block(120);
    await manual.advance(LAG_CHECK_MS * 2);
    for (const ms of [200, 110, 400]) {
      await manual.advance(1_000);
      block(ms);
      await manual.advance(LAG_CHECK_MS);
    }
    expect(reports).toHaveLength(1);
    await manual.advance(LAG_REPORT_MS);
    expect(reports.map((r) => [r.ms, r.count])).toEqual([
      [120, 1],
      [400, 3],
    ]);
    monitor.stop();
  });

  it('names the slowest synchronous plugin work of the blocked time as the likely culprit', async () => {
    const { manual, block, reports, slowWork, monitor } = setup();
    await manual.advance(100);
    slowWork.note('plugin "bulky", hook "roleChange"', 140);
    slowWork.note('plugin "quick", hook "health"', 3); // under SLOW_WORK_MS: not remembered
    block(150);
    await manual.advance(LAG_CHECK_MS * 2);
    expect(reports[0]!.culprit).toBe('plugin "bulky", hook "roleChange" ran 140 ms');
    monitor.stop();
  });

  it('the hook view notes a slow synchronous tap on the engine, by plugin and hook', () => {
    const clock = new ManualClock();
    const engine = new Engine({ nodeId: 'n1', cluster: 'c', clock });
    const plugin = definePlugin({ name: 'busy', version: '0.0.0', apply: () => undefined });
    const facade = createPluginFacade(engine, plugin, {}, undefined, 10);
    facade.hooks.statusReport.tap('busy', (report) => {
      const until = performance.now() + 15;
      while (performance.now() < until); // 15 ms of synchronous work
      return report;
    });
    const before = clock.monotonic();
    engine.hooks.statusReport.call({});
    const culprit = engine.slowWork.since(before) ?? '';
    expect(culprit).toMatch(/^plugin "busy", hook "statusReport" ran \d+ ms$/);
    expect(Number(/ran (\d+) ms/.exec(culprit)![1])).toBeGreaterThanOrEqual(15);
  });
});
