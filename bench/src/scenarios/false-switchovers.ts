import { CoreEvent } from '@switchyard/core';
import { BenchPair } from '../bench-pair';
import { runSipp } from '../sipp';
import { summarize, withTarget, type ScenarioResult } from '../stats';
import { LAG_METRIC, gcBuckets, gcNote, lagBetween, lagBuckets, lagQuantileMs } from '../loop-lag';
import { eventSummary, loggedEvents } from '../pair-events';
import { sleep, type Scenario, type ScenarioContext } from './context';

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
    const metrics = () => pair.metrics();
    const results: ScenarioResult[] = [];
    try {
      const { view, primary, backup } = await pair.stable();
      const startTerm = view.arbiter.term;
      const firstRead = await metrics();
      const before = lagBuckets(firstRead);
      const gcBefore = gcBuckets(firstRead);
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
      const lastRead = await metrics();
      const after = lagBuckets(lastRead);
      const gcAfter = gcBuckets(lastRead);
      const switchovers = end.arbiter.term - startTerm;
      // What the pair logged about stalls and silence (warn level), so a count above 0 comes with its why.
      const logged = loggedEvents(pair.dir, [CoreEvent.ArbiterStalled, CoreEvent.HeartbeatsMissed, CoreEvent.LoopBlocked, CoreEvent.Switchover]);
      const reasons = logged.filter((e) => e.eventId === CoreEvent.Switchover).map((e) => JSON.stringify(String(e.reason)));
      results.push(
        withTarget(
          summarize('false-switchovers', 'count', [switchovers], [
            `${Math.round((performance.now() - started) / 1000)}s of REGISTER at ${rate}/s (${ctx.quick ? '--quick' : capacity ? `80 % of the ${capacity}/s measured` : 'no capacity measured in this run: 80 % of 7,500'}), ${calls} calls, ${failed} failed; backup frozen ${freeze}s in the middle, then caught up; journal compactions every 50,000 changes; a switchover is the arbiter's term moving`,
            `logged (the backup's own freeze is one missed heartbeat and one slow loop): ${eventSummary(logged, CoreEvent.Switchover, 'switchovers')}; ${eventSummary(logged, CoreEvent.HeartbeatsMissed, 'missed heartbeats')}; ${eventSummary(logged, CoreEvent.ArbiterStalled, 'agent stalls', 'late')}; ${eventSummary(logged, CoreEvent.LoopBlocked, 'slow node loops', 'ms')}${reasons.length > 0 ? `; switchover reasons: ${reasons.slice(0, 3).join(', ')}` : ''}`,
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
              `${node.id} (${role}) during the load: event-loop lag p99 ≤ ${p99} ms, max ≤ ${max} ms (bucket bounds of ${LAG_METRIC}; min = p99, max = max${role === 'backup' ? '; the freeze itself not counted' : ''}); ${gcNote(gcBefore.get(node.id), gcAfter.get(node.id))}`,
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
