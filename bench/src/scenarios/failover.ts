import { waitFor } from '@switchyard/sdk/testing';
import { BenchPair } from '../bench-pair';
import { OptionsProber } from '../prober';
import { summarize, withTarget, type ScenarioResult } from '../stats';
import { sleep, type Scenario, type ScenarioContext } from './context';

/** Issue 16's targets at the defaults, median ms: a crash replaced within 10 ms (1 ms probe), a freeze within 350 ms. */
export const FAILOVER_TARGET_MS = { crash: 10, freeze: 350 } as const;

/**
 * failover-on-crash / failover-on-freeze: OPTIONS every 1 ms (crash) or 10 ms (freeze) to both nodes;
 * kill -9 (or SIGSTOP) the primary; the figure is the gap from the signal to
 * the first 200 OK from the new primary.
 */
export function failoverScenario(kind: 'crash' | 'freeze'): Scenario {
  const name = `failover-on-${kind}`;
  return {
    name,
    async run(ctx: ScenarioContext): Promise<ScenarioResult[]> {
      const reps = ctx.quick ? (kind === 'crash' ? 3 : 2) : 10;
      const pair = new BenchPair();
      await pair.start();
      // A crash is replaced in milliseconds: a 10 ms probe would measure mostly its own period.
      const prober = new OptionsProber([pair.ports['sip-a'], pair.ports['sip-b']], kind === 'crash' ? 1 : 10, 10 * 60_000);
      await prober.start();
      const gaps: number[] = [];
      try {
        let term = 1;
        for (let i = 0; i < reps; i++) {
          ctx.progress.update(`${name}: run ${i + 1}/${reps}`);
          const { primary, backup } = await pair.stable(term, 30_000);
          await sleep(300);
          const t0 = performance.now();
          process.kill(primary.pid!, kind === 'crash' ? 'SIGKILL' : 'SIGSTOP');
          const answer = await waitFor(() => prober.firstAfter(t0, pair.portOf(backup), 200), 10_000, 'the new primary to answer 200');
          gaps.push(answer.at - t0);
          if (kind === 'freeze') process.kill(primary.pid!, 'SIGCONT');
          term = primary.term + 1;
        }
        await pair.stable(term, 30_000);
      } finally {
        prober.stop();
        await pair.stop();
      }
      const notes =
        kind === 'crash'
          ? [
              'the agent sees the kernel tearing the process down in /proc (supervisor.exitPoll, 2 ms), before its exit is reported; the gap is that look + order delivery + role change + next probe (1 ms period)',
              'a 1 ms timer of an idle process on this VM wakes up to 11 ms late now and then (measured alone: 24 gaps > 3 ms in 10 s), on a loaded one more often: a run of 10 varies by several ms',
            ]
          : ['a frozen process is only detected by missed heartbeats: the gap is bounded below by arbiter.switchTimeout less one heartbeat interval (the defaults: 0.3 s, 0.05 s)'];
      return [withTarget(summarize(name, 'ms', gaps.map((g) => Math.round(g * 10) / 10), notes), 'median', FAILOVER_TARGET_MS[kind])];
    },
  };
}
