import { BenchPair } from '../bench-pair';
import { serviceEnvDropped } from '../service-env';
import { summarize, withTarget, type ScenarioResult } from '../stats';
import type { Scenario, ScenarioContext } from './context';

/** Issue 16's target: `switchyard up` to both nodes running within 500 ms (median), in a service's environment. */
export const UP_TARGET_MS = 500;

/** `switchyard up` to both nodes running and listening, `runs` times (ms each). */
async function startups(ctx: ScenarioContext, runs: number, label: string, env?: NodeJS.ProcessEnv): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    ctx.progress.update(`footprint: switchyard up to both nodes running${label}, run ${i + 1}/${runs}`);
    const pair = new BenchPair(env ? { env } : {});
    times.push(Math.round(await pair.start()));
    await pair.stop();
  }
  return times;
}

/**
 * footprint: `switchyard up` to both nodes running and listening (repeated),
 * and the RSS of each node idle and holding the catch-up scenario's bindings.
 * `up` runs in a service's environment (`serviceEnv`), as in every
 * scenario; when the bench's own environment has variables a service would
 * not ({@link serviceEnvDropped}), `up-to-running-as-invoked` is `up` with
 * them, so their cost is in the results too.
 */
export const footprintScenario: Scenario = {
  name: 'footprint',
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const runs = ctx.quick ? 1 : 5;
    const dropped = serviceEnvDropped();
    const results = [
      withTarget(
        summarize('up-to-running', 'ms', await startups(ctx, runs, ''), [
          'from spawning `switchyard up` to a primary and a backup running and listening',
          dropped.length > 0 ? `environment of a service: without ${dropped.join(', ')} (set for this bench)` : 'environment of a service (the bench\'s own had nothing to drop)',
        ]),
        'median',
        UP_TARGET_MS,
      ),
    ];
    if (dropped.length > 0) {
      const asInvoked = await startups(ctx, runs, ` with ${dropped.join(', ')}`, process.env);
      results.push(summarize('up-to-running-as-invoked', 'ms', asInvoked, [`as up-to-running, with the bench's ${dropped.join(', ')}: Node.js 20 reads it as each of the three processes starts`]));
    }
    const s = ctx.shared;
    const rss = (name: string, values: (number | undefined)[], note: string) => {
      const present = values.filter((v): v is number => typeof v === 'number' && v > 0);
      if (present.length > 0) results.push(summarize(name, 'MiB', present, [note]));
    };
    rss('rss-idle', [s['rss-idle-primary'], s['rss-idle-backup']], 'each node, idle (primary and backup)');
    rss('rss-loaded', [s['rss-loaded-primary'], s['rss-loaded-backup']], `each node holding ${s['bindings'] ?? '?'} bindings (primary and backup), 5 s after the backup caught up`);
    return results;
  },
};
