import fs from 'node:fs';
import { BenchPair } from '../bench-pair';
import { runSipp } from '../sipp';
import { summarize, withTarget, type ScenarioResult } from '../stats';
import { sleep, type Scenario, type ScenarioContext } from './context';

const LAG_METRIC = 'switchyard_event_loop_lag_seconds';

/** Cumulative bucket counts of the event-loop lag histogram, by node, from a /metrics text. */
export function lagBuckets(text: string): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  const line = new RegExp(`^${LAG_METRIC}_bucket\\{(.*)\\} (\\d+(?:\\.\\d+)?)$`);
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (!labels.node || labels.le === undefined) continue;
    const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
    const node = out.get(labels.node) ?? new Map<number, number>();
    node.set(le, Number(m[2]));
    out.set(labels.node, node);
  }
  return out;
}

/** The turns counted between two reads of the cumulative buckets (`before` absent: since the start), plus `plus`. */
export function lagBetween(before: Map<number, number> | undefined, after: Map<number, number>, plus?: Map<number, number>): Map<number, number> {
  return new Map([...after.entries()].map(([le, n]) => [le, n - (before?.get(le) ?? 0) + (plus?.get(le) ?? 0)]));
}

/** The bucket bound (ms) under which `q` of the counted turns fell (`Infinity` past the last bucket); null when none was counted. */
export function lagQuantileMs(counts: Map<number, number>, q: number): number | null {
  const bounds = [...counts.keys()].sort((a, b) => a - b);
  const total = counts.get(bounds.at(-1)!) ?? 0;
  if (total <= 0) return null;
  return bounds.find((le) => (counts.get(le) ?? 0) >= q * total)! * 1000;
}

/**
 * false-switchovers: REGISTER load at 80 % of the measured async capacity
 * (re-registering a bounded set of users, so journal compactions run), with
 * the backup frozen in the middle long enough to catch up a backlog of
 * about 100,000 changes; counts the switchovers nobody caused (the
 * arbiter's term moving) and reads each node's event-loop lag histogram.
 */
export const falseSwitchoversScenario: Scenario = {
  name: 'false-switchovers',
  async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
    const capacity = ctx.shared['register-async-capacity'];
    const rate = ctx.quick ? 200 : Math.round(0.8 * (capacity ?? 7_500));
    const seconds = ctx.quick ? 6 : 600;
    const batch = ctx.quick ? 2 : 20;
    const freeze = ctx.quick ? 1 : Math.max(5, Math.round(100_000 / rate));
    const pair = new BenchPair({ sip: { replication: { mode: 'async', syncTimeout: 0.5 } } });
    await pair.start();
    const mgmtPort = (JSON.parse(fs.readFileSync(pair.file, 'utf8')) as { management: { port: number } }).management.port;
    const metrics = async () => (await fetch(`http://127.0.0.1:${mgmtPort}/metrics`)).text();
    const results: ScenarioResult[] = [];
    try {
      const { view, primary, backup } = await pair.stable();
      const startTerm = view.arbiter.term;
      const before = lagBuckets(await metrics());
      let failed = 0;
      let calls = 0;
      const started = performance.now();
      // The backup's lag while it is stopped is the freeze, not its loop: its turns are counted before and after, not across.
      let atFreeze: Map<number, number> | undefined;
      let thawed: Map<number, number> | undefined;
      const frozen = (async () => {
        await sleep((seconds / 2) * 1000);
        ctx.progress.update(`false-switchovers: backup ${backup.id} frozen for ${freeze}s (a backlog of about ${rate * freeze} changes)`);
        atFreeze = lagBuckets(await metrics()).get(backup.id);
        process.kill(backup.pid!, 'SIGSTOP');
        await sleep(freeze * 1000);
        process.kill(backup.pid!, 'SIGCONT');
        await sleep(200); // its first turn after the thaw, late by the freeze
        thawed = lagBuckets(await metrics()).get(backup.id);
      })();
      for (let round = 1; performance.now() - started < seconds * 1000; round++) {
        ctx.progress.update(`false-switchovers: ${rate} REGISTER/s, batch ${round}, ${Math.round((performance.now() - started) / 1000)}/${seconds}s`);
        const view = await pair.status();
        const now = view.nodes.find((n) => n.role === 'primary' && n.status === 'running') ?? primary;
        const stats = await runSipp('register.xml', pair.portOf(now), { calls: rate * batch, rate, cwd: pair.dir, user: 'fs', timeoutMs: batch * 3_000 + 10_000 });
        calls += stats.successful + stats.failed;
        failed += stats.failed;
      }
      await frozen;
      await sleep(2_000);
      const end = await pair.status();
      const after = lagBuckets(await metrics());
      const switchovers = end.arbiter.term - startTerm;
      results.push(
        withTarget(
          summarize('false-switchovers', 'count', [switchovers], [
            `${Math.round((performance.now() - started) / 1000)}s of REGISTER at ${rate}/s (${ctx.quick ? '--quick' : capacity ? `80 % of the ${capacity}/s measured` : 'no capacity measured in this run: 80 % of 7,500'}), ${calls} calls, ${failed} failed; backup frozen ${freeze}s in the middle, then caught up; journal compactions every 50,000 changes; a switchover is the arbiter's term moving`,
          ]),
          'max',
          0,
        ),
      );
      for (const node of [primary, backup]) {
        const buckets = after.get(node.id);
        if (!buckets) continue;
        const counts =
          node.id === backup.id && atFreeze && thawed ? lagBetween(thawed, buckets, lagBetween(before.get(node.id), atFreeze)) : lagBetween(before.get(node.id), buckets);
        const p99 = lagQuantileMs(counts, 0.99);
        const max = lagQuantileMs(counts, 1);
        const role = node.id === primary.id ? 'primary' : 'backup';
        if (p99 !== null && max !== null) {
          results.push(
            summarize(`loop-lag-${role}`, 'ms', [p99, max], [
              `${node.id} (${role}) during the load: event-loop lag p99 ≤ ${p99} ms, max ≤ ${max} ms (bucket bounds of ${LAG_METRIC}; min = p99, max = max${role === 'backup' ? '; the freeze itself not counted' : ''})`,
            ]),
          );
        }
      }
    } finally {
      await pair.stop();
    }
    return results;
  },
};
