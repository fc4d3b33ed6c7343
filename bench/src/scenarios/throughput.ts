import { BenchPair } from '../bench-pair';
import { runSipp, type SippStats } from '../sipp';
import type { ScenarioResult } from '../stats';
import type { Scenario, ScenarioContext } from './context';

interface Series {
  name: string;
  scenario: string;
  mode: 'async' | 'sync';
}

const SERIES: Series[] = [
  { name: 'register-throughput-async', scenario: 'register.xml', mode: 'async' },
  { name: 'register-throughput-sync', scenario: 'register.xml', mode: 'sync' },
  { name: 'options-throughput', scenario: 'options.xml', mode: 'async' },
];

/**
 * SIPp at stepped rates against the primary; a step passes when every call
 * succeeded (0 failed) over the whole step. The figure is the highest rate
 * sustained, with the calls/s SIPp itself measured at that step.
 */
export const throughputScenario: Scenario = {
  name: 'register-throughput',
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const steps = ctx.quick ? [200] : [500, 1000, 2000, 4000, 6000, 8000];
    const seconds = ctx.quick ? 1 : 10;
    const results: ScenarioResult[] = [];
    for (const series of SERIES) {
      const pair = new BenchPair({ sip: { replication: { mode: series.mode, syncTimeout: 0.5 } } });
      await pair.start();
      const passed: { rate: number; stats: SippStats }[] = [];
      const tried: Record<string, unknown>[] = [];
      try {
        const { primary } = await pair.stable();
        for (const rate of steps) {
          ctx.progress.update(`${series.name}: ${rate} calls/s for ${seconds}s`);
          const calls = rate * seconds;
          const stats = await runSipp(series.scenario, pair.portOf(primary), {
            calls,
            rate,
            cwd: pair.dir,
            user: `r${rate}u`,
            timeoutMs: seconds * 3_000 + 10_000,
          });
          const ok = stats.code === 0 && stats.failed === 0 && stats.successful === calls;
          tried.push({ rate, ok, successful: stats.successful, failed: stats.failed, measured: stats.rate, sippCpu: round(stats.sippCpu) });
          if (!ok) break;
          passed.push({ rate, stats });
        }
      } finally {
        await pair.stop();
      }
      const best = passed.at(-1);
      const notes: string[] = [];
      if (!best) notes.push(`no step passed (lowest tried ${steps[0]} calls/s)`);
      else {
        notes.push(`sustained ${best.rate} calls/s for ${seconds}s with 0 failed calls`);
        if (best.rate === steps.at(-1)) notes.push('the highest step passed: the limit is above it');
        if (best.stats.sippCpu > 0.9) notes.push(`SIPp used ${Math.round(best.stats.sippCpu * 100)}% of a core: SIPp may be the bottleneck on this machine`);
      }
      const value = best ? Math.round(best.stats.rate) : null;
      results.push({ name: series.name, unit: 'calls/s', runs: tried.length, min: value, median: value, p99: null, max: value, notes, details: { steps: tried } });
    }
    return results;
  },
};

const round = (n: number) => Math.round(n * 100) / 100;
