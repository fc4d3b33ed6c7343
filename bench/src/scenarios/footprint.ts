import { BenchPair } from '../bench-pair';
import { summarize, type ScenarioResult } from '../stats';
import type { Scenario, ScenarioContext } from './context';

/**
 * footprint: `switchyard up` to both nodes running and listening (repeated),
 * and the RSS of each node idle and holding the catch-up scenario's bindings.
 */
export const footprintScenario: Scenario = {
  name: 'footprint',
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const runs = ctx.quick ? 1 : 3;
    const startups: number[] = [];
    for (let i = 0; i < runs; i++) {
      ctx.progress.update(`footprint: switchyard up to both nodes running, run ${i + 1}/${runs}`);
      const pair = new BenchPair();
      startups.push(Math.round(await pair.start()));
      await pair.stop();
    }
    const s = ctx.shared;
    const results = [summarize('up-to-running', 'ms', startups, ['from spawning `switchyard up` to a primary and a backup running and listening'])];
    const rss = (name: string, values: (number | undefined)[], note: string) => {
      const present = values.filter((v): v is number => typeof v === 'number' && v > 0);
      if (present.length > 0) results.push(summarize(name, 'MiB', present, [note]));
    };
    rss('rss-idle', [s['rss-idle-primary'], s['rss-idle-backup']], 'each node, idle (primary and backup)');
    rss('rss-loaded', [s['rss-loaded-primary'], s['rss-loaded-backup']], `each node holding ${s['bindings'] ?? '?'} bindings (primary and backup), 5 s after the backup caught up`);
    return results;
  },
};
